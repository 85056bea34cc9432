"""The FEEL lexer: token kinds, literals, escapes, comments, known names and positions."""

from __future__ import annotations

import pytest

from cadenza.feel.errors import FeelSyntaxError
from cadenza.feel.lexer import NameTable, tokenize


def kinds_values(text: str, names: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(t.kind, t.value) for t in tokenize(text, NameTable(names))][:-1]


def test_numbers_ranges_and_dots() -> None:
    assert kinds_values("1..10") == [("NUMBER", "1"), ("OP", ".."), ("NUMBER", "10")]
    assert kinds_values(".5 + 1.25") == [("NUMBER", ".5"), ("OP", "+"), ("NUMBER", "1.25")]
    assert kinds_values("1.2e3 2E-4") == [("NUMBER", "1.2e3"), ("NUMBER", "2E-4")]
    assert kinds_values("a.b") == [("NAME", "a"), ("OP", "."), ("NAME", "b")]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r'"a\"b"', 'a"b'),
        (r'"line\nnext"', "line\nnext"),
        (r'"\u00e9"', "é"),
        (r'"\U01F600"', "\U0001f600"),
        (r'"\ud83d\ude00"', "\U0001f600"),
        (r'"\d{3}"', r"\d{3}"),
    ],
)
def test_string_escapes(source: str, value: str) -> None:
    assert kinds_values(source) == [("STRING", value)]


@pytest.mark.parametrize(
    "source", [r'"\ud800"', r'"a\udc00"', r'"\ud83d x"', r'"\ud83d\u0041"', r'"\U00DFFF"']
)
def test_an_escaped_lone_surrogate_is_a_syntax_error(source: str) -> None:
    # It is no character: a variable holding it could be neither stored nor sent as UTF-8.
    with pytest.raises(FeelSyntaxError, match="a lone surrogate is not a character"):
        tokenize(source)


def test_comments_are_skipped() -> None:
    assert kinds_values("1 // one\n+ /* two\n */ 2") == [("NUMBER", "1"), ("OP", "+"), ("NUMBER", "2")]


def test_temporal_literal() -> None:
    assert kinds_values('@"2021-01-01"') == [("TEMPORAL", "2021-01-01")]


def test_known_names_with_symbols_are_single_tokens() -> None:
    tokens = kinds_values("Loan-to-value * 2", ("Loan-to-value",))
    assert tokens == [("NAME", "Loan-to-value"), ("OP", "*"), ("NUMBER", "2")]
    # a known name must end at a word boundary
    assert kinds_values("ab", ("a b",)) == [("NAME", "ab")]


def test_known_names_may_be_split_by_any_white_space() -> None:
    # As for names of plain words, the white space between the parts of a known name is not significant.
    tokens = tokenize("date and\n      time(x) + a  b", NameTable(("date and time", "a b")))
    assert [(t.kind, t.value) for t in tokens][:3] == [("NAME", "date and time"), ("OP", "("), ("NAME", "x")]
    assert (tokens[0].start, tokens[0].end) == (0, 19)
    assert [(t.kind, t.value) for t in tokens][-2] == ("NAME", "a b")
    # Not a name: the words are not those of the known name.
    assert kinds_values("date andtime", ("date and time",))[0] == ("NAME", "date")


def test_operators_longest_match() -> None:
    values = [v for _, v in kinds_values("a ** b <= c >= d != e -> f")]
    assert values == ["a", "**", "b", "<=", "c", ">=", "d", "!=", "e", "->", "f"]


def test_unterminated_string_has_position() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        tokenize('1 +\n  "abc')
    assert (info.value.line, info.value.column) == (2, 3)
    assert "unterminated string" in str(info.value)


def test_unterminated_comment_and_bad_character() -> None:
    with pytest.raises(FeelSyntaxError, match="unterminated comment"):
        tokenize("1 /* x")
    with pytest.raises(FeelSyntaxError, match="unexpected character '#'"):
        tokenize("1 # 2")
