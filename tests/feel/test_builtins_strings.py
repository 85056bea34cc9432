from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel.builtins import BUILTINS
from cadenza.feel.values import FeelEvalError


def call(name: str, *args: Any, **named: Any) -> Any:
    """Invokes a built-in positionally, or by name when keywords are given (underscores for spaces)."""
    if named:
        return BUILTINS[name].call_named({key.replace("_", " "): value for key, value in named.items()})
    return BUILTINS[name].call(list(args))


def test_substring_positions_are_code_points() -> None:
    assert call("substring", "foobar", D(3)) == "obar"
    assert call("substring", "foobar", D(-2), D(1)) == "a"
    assert call("substring", "foobar", D(3), D("3.8")) == "oba"
    assert call("substring", "\U0001f40eab", D(2)) == "ab"
    assert call("substring", string="foobar", start_position=D(3)) == "obar"


def test_substring_errors() -> None:
    with pytest.raises(FeelEvalError):
        call("substring", "foobar", D(0))
    with pytest.raises(FeelEvalError):
        call("substring", "foobar", D(7))
    with pytest.raises(FeelEvalError):
        call("substring", "foobar")
    assert call("substring", None, D(1)) is None


def test_simple_string_functions() -> None:
    assert call("string length", "\U0001f40e") == D(1)
    assert call("upper case", "aBc4") == "ABC4"
    assert call("lower case", "aBc4") == "abc4"
    assert call("substring before", "foobar", "bar") == "foo"
    assert call("substring before", "abc", "") == ""
    assert call("substring after", "foobar", "ob") == "ar"
    assert call("substring after", "abc", "") == "abc"
    assert call("contains", "foobar", "of") is False
    assert call("starts with", "foobar", "fo") is True
    assert call("ends with", "foobar", "r") is True
    assert call("string length", string="xyz") == D(3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("abcd", "(ab)|(a)", "[1=$1][2=$2]"), "[1=ab][2=]cd"),
        (("abracadabra", "a.*?a", "*"), "*c*bra"),
        (("abracadabra", "a(.)", "a$1$1"), "abbraccaddabbra"),
        (("facetiously", "[iouy]", "[$0]"), "facet[i][o][u]sl[y]"),
        (("0123456789", r"(\d{3})(\d{3})(\d{4})", "($1) $2-$3"), "(012) 345-6789"),
        (("abc", "[A-Z]", "#", "i"), "###"),
        (("a b c d ", "[a-z]", "#", "x"), "# # # # "),
        (("a.b", ".", "$", "q"), "a$b"),
        (("price", "p", r"\$"), "$rice"),
        (("abc", "(b)", "$12"), "ab2c"),
        (("abc", "b", "$1"), "ac"),
    ],
)
def test_replace(args: tuple[str, ...], expected: str) -> None:
    assert call("replace", *args) == expected


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [("(", ""), ("a", "z"), ("(?=a)", ""), ("(a+)+b", ""), ("a" * 2000, ""), (r"\p{Zz}", "")],
)
def test_invalid_or_unsafe_patterns(pattern: str, flags: str) -> None:
    with pytest.raises(FeelEvalError):
        call("matches", "aaa", pattern, flags)


def test_replace_rejects_empty_matches_and_bad_replacements() -> None:
    with pytest.raises(FeelEvalError):
        call("replace", "abc", "x*", "-")
    with pytest.raises(FeelEvalError):
        call("replace", "abc", "b", "\\n")


def test_matches_and_split() -> None:
    assert call("matches", "foobar", "^fo*b") is True
    assert call("matches", "FOO", "foo", "i") is True
    assert call("matches", "a\nb", "a.b") is False
    assert call("matches", "a\nb", "a.b", "s") is True
    assert call("matches", "Ab", r"^\p{Lu}\p{Ll}$") is True
    assert call("split", "John Doe", r"\s") == ["John", "Doe"]
    assert call("split", "a;b;c;;", ";") == ["a", "b", "c", "", ""]
    assert call("split", "a1b", "(1)") == ["a", "b"]


def test_string_join() -> None:
    assert call("string join", ["a", None, "c"], "X") == "aXc"
    assert call("string join", ["a", "b"]) == "ab"
    assert call("string join", [], "X") == ""
    assert call("string join", "a", "X") == "a"
    assert call("string join", delimiter="X", list=["a", "c"]) == "aXc"
    assert call("string join", None) is None
    with pytest.raises(FeelEvalError):
        call("string join", [D(1)], "X")
    with pytest.raises(FeelEvalError):
        call("string join", lst=["a"], delimiter="X")


def test_xpath_anchors_and_dot_differ_from_python() -> None:
    assert call("matches", "a\n", "a$") is False
    assert call("matches", "a\n", "a$", "m") is True
    assert call("matches", "a\rb", "a.b") is False
    assert call("matches", "[x]", "[[]") is True
    assert call("matches", "a&b", "[&]") is True
    with pytest.raises(FeelEvalError):
        call("matches", "a", "[a-z-[aeiou]]")
