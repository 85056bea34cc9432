import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel.builtins import BUILTINS
from cadenza.feel.values import FeelEvalError, Range


def call(name: str, *args: Any, **named: Any) -> Any:
    """Invokes a built-in positionally, or by name when keywords are given (underscores for spaces)."""
    if named:
        return BUILTINS[name].call_named({key.replace("_", " "): value for key, value in named.items()})
    return BUILTINS[name].call(list(args))


def r(text: str) -> Range:
    value = call("range", text)
    assert isinstance(value, Range)
    return value


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (("before", D(1), D(10)), True),
        (("before", D(10), D(1)), False),
        (("before", D(1), "[2..5]"), True),
        (("before", D(1), "(1..5]"), True),
        (("before", D(1), "[1..5]"), False),
        (("before", "[1..5)", D(5)), True),
        (("before", "[1..5]", "(5..8]"), True),
        (("before", "[1..5]", "[5..8]"), False),
        (("after", D(10), D(1)), True),
        (("after", D(12), "[2..5]"), True),
        (("after", "[6..8]", "[1..5]"), True),
        (("after", "(5..8]", "[1..5]"), True),
        (("meets", "[1..5]", "[5..8]"), True),
        (("meets", "[1..5)", "[5..8]"), False),
        (("met by", "[5..10]", "[1..5]"), True),
        (("overlaps", "[5..10]", "[1..6]"), True),
        (("overlaps", "(5..8]", "[1..5]"), False),
        (("overlaps", "[1..5]", "[5..8]"), True),
        (("overlaps before", "[1..5]", "[3..8]"), True),
        (("overlaps before", "[1..5]", "[5..8]"), True),
        (("overlaps before", "[1..5)", "[5..8]"), False),
        (("overlaps after", "[3..8]", "[1..5]"), True),
        (("finishes", D(10), "[1..10]"), True),
        (("finishes", D(10), "[1..10)"), False),
        (("finishes", "[3..10]", "[1..10]"), True),
        (("finished by", "[1..10]", D(10)), True),
        (("finished by", "[1..10]", "[3..10]"), True),
        (("includes", "[1..10]", D(5)), True),
        (("includes", "[1..10)", D(10)), False),
        (("includes", "[1..10]", "[3..8]"), True),
        (("includes", "(1..10]", "[1..10]"), False),
        (("during", D(5), "[1..10]"), True),
        (("during", "[3..8]", "[1..10]"), True),
        (("starts", D(1), "[1..10]"), True),
        (("starts", "[1..5]", "[1..10]"), True),
        (("starts", "(1..5]", "[1..10]"), False),
        (("started by", "[1..10]", D(1)), True),
        (("started by", "[1..10]", "[1..5]"), True),
        (("coincides", D(5), D(5)), True),
        (("coincides", "[1..5]", "[1..5]"), True),
        (("coincides", "[1..5]", "(1..5]"), False),
        (("before", "< 5", D(5)), True),
        (("includes", ">= 5", D(1000)), True),
    ],
)
def test_range_relations(expression: tuple[Any, ...], expected: bool) -> None:
    name, *args = expression
    values = [r(arg) if isinstance(arg, str) else arg for arg in args]
    assert call(name, *values) is expected


def test_range_relations_named_and_errors() -> None:
    assert call("before", point1=D(1), point2=D(10)) is True
    assert call("includes", range=r("[1..10]"), point=D(3)) is True
    assert call("before", D(1), None) is None
    with pytest.raises(FeelEvalError):
        call("before", D(1), "a")
    with pytest.raises(FeelEvalError):
        call("meets", D(1), D(2))


def test_range_from_text() -> None:
    assert r("[18..21)") == Range(D(18), D(21), True, False)
    assert r("]1..10[") == Range(D(1), D(10), False, False)
    assert r("<= 10") == Range(None, D(10), False, True)
    assert r("> 10") == Range(D(10), None, False, False)
    assert r("=10") == Range(D(10), D(10), True, True)
    assert r("(null..10]") == Range(None, D(10), False, True)
    assert r('["a".."z"]') == Range("a", "z")
    assert r('[date("2020-01-01")..@"2020-12-31"]') == Range(dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert r('[@"PT1H"..@"PT2H"]').end == dt.timedelta(hours=2)
    for bad in ("[5..1]", '[1.."a"]', "[x..y]", "1..2", "(null..null)", ""):
        with pytest.raises(FeelEvalError):
            call("range", bad)


def test_context_functions() -> None:
    assert call("get value", {"a": D(1)}, "a") == D(1)
    assert call("get value", {"a": D(1)}, "b") is None
    assert call("get entries", {"a": "foo"}) == [{"key": "a", "value": "foo"}]
    assert call("get entries", m={}) == []
    assert call("context", [{"key": "a", "value": D(1)}, {"key": "b", "value": D(2)}]) == {
        "a": D(1),
        "b": D(2),
    }
    assert call("context", {"key": "a", "value": D(1), "ignored": "x"}) == {"a": D(1)}
    assert call("context", entries=[]) == {}
    assert call("context", {"key": "a", "value": None}) == {"a": None}
    for bad in (
        [{"key": "a", "value": D(1)}, {"key": "a", "value": D(2)}],
        [{"value": D(1)}],
        [{"key": "a"}],
        "foo",
    ):
        with pytest.raises(FeelEvalError):
            call("context", bad)


def test_context_put_and_merge() -> None:
    original = {"a": D(1)}
    assert call("context put", original, "b", D(2)) == {"a": D(1), "b": D(2)}
    assert original == {"a": D(1)}
    nested = {"x": D(1), "y": {"a": D(0)}}
    assert call("context put", nested, ["y", "a"], D(2)) == {"x": D(1), "y": {"a": D(2)}}
    assert call("context put", context=nested, keys=["y", "b"], value=D(2))["y"] == {"a": D(0), "b": D(2)}
    assert call("context put", {}, "a", None) == {"a": None}
    assert call("context put", {}, None, D(1)) is None
    assert call("context put", None, "a", D(1)) is None
    for keys in (["y", None], [], ["y", "a", "b"]):
        with pytest.raises(FeelEvalError):
            call("context put", nested, keys, D(2))
    with pytest.raises(FeelEvalError):
        call("context put", context={}, key=["y", "a"], value=D(2))
    assert call("context merge", [{"a": D(1)}, {"a": D(2), "b": D(3)}]) == {"a": D(2), "b": D(3)}
    with pytest.raises(FeelEvalError):
        call("context merge", [{"a": D(1)}, D(2)])
