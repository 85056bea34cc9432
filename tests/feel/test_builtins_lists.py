from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel.builtins import BUILTINS
from cadenza.feel.values import FeelEvalError, NativeFunction, Param


def call(name: str, *args: Any, **named: Any) -> Any:
    """Invokes a built-in positionally, or by name when keywords are given (underscores for spaces)."""
    if named:
        return BUILTINS[name].call_named({key.replace("_", " "): value for key, value in named.items()})
    return BUILTINS[name].call(list(args))


def numbers(*values: int | str) -> list[D]:
    return [D(v) for v in values]


def test_aggregates_take_a_list_or_varargs() -> None:
    assert call("min", numbers(3, 1, 2)) == D(1)
    assert call("max", D(1), D(3), D(2)) == D(3)
    assert call("min", ["b", "a"]) == "a"
    assert call("min", []) is None
    assert call("sum", numbers(1, 2, "3.5")) == D("6.5")
    assert call("sum", []) is None
    assert call("mean", numbers(1, 2, 3, 4)) == D("2.5")
    assert call("product", D(2), D(3), D(4)) == D(24)
    assert call("median", numbers(8, 2, 5, 3, 4)) == D(4)
    assert call("median", numbers(6, 1, 2, 3)) == D("2.5")
    assert call("stddev", numbers(2, 4, 7, 5)).quantize(D("1E-13")) == D("2.0816659994661")
    assert call("stddev", [D(47)]) is None
    assert call("mode", numbers(3, 6, 1, 9, 6, 1, 3)) == numbers(1, 3, 6)
    assert call("mode", []) == []
    assert call("mode", list=numbers(6, 3, 6)) == [D(6)]
    assert call("count", [None, D(1)]) == D(2)


def test_aggregate_errors() -> None:
    for name in ("sum", "mean", "mode", "stddev", "median"):
        with pytest.raises(FeelEvalError):
            call(name, [D(1), "foo"])
    with pytest.raises(FeelEvalError):
        call("min", [D(1), "a"])
    with pytest.raises(FeelEvalError):
        call("stddev", l=numbers(1, 2))
    with pytest.raises(FeelEvalError):
        call("min")


def test_all_and_any() -> None:
    assert call("all", [True, True]) is True
    assert call("all", [True, None]) is None
    assert call("all", [False, None]) is False
    assert call("all", []) is True
    assert call("all", True, False) is False
    assert call("any", [False, None]) is None
    assert call("any", [None, True]) is True
    assert call("any", []) is False
    assert call("all", [D(1)]) is None
    assert call("all", None) is None


def test_list_construction() -> None:
    assert call("sublist", numbers(4, 5, 6), D(1), D(2)) == numbers(4, 5)
    assert call("sublist", numbers(4, 5, 6), D(-1)) == [D(6)]
    assert call("append", [D(1)], D(2), None) == [D(1), D(2), None]
    assert call("concatenate", [D(1)], [], [D(2), D(3)]) == numbers(1, 2, 3)
    assert call("insert before", numbers(1, 3), D(2), D(2)) == numbers(1, 2, 3)
    assert call("insert before", ["a"], D(-1), "x") == ["x", "a"]
    assert call("remove", numbers(1, 2, 3), D(2)) == numbers(1, 3)
    assert call("reverse", numbers(1, 2, 3)) == numbers(3, 2, 1)
    assert call("index of", numbers(1, 2, 3, 2), D(2)) == numbers(2, 4)
    assert call("union", numbers(1, 2), numbers(2, 3)) == numbers(1, 2, 3)
    assert call("distinct values", [D(1), D("1.0"), "a", "a"]) == [D(1), "a"]
    assert call("flatten", [[D(1), [D(2)]], [[]], D(3)]) == numbers(1, 2, 3)
    assert call("list contains", [D(1), None], None) is True
    assert call("list contains", numbers(1, 2), D("2.00")) is True
    with pytest.raises(FeelEvalError):
        call("sublist", numbers(1, 2), D(3))
    with pytest.raises(FeelEvalError):
        call("remove", numbers(1, 2), D(0))


def test_list_replace() -> None:
    assert call("list replace", numbers(1, 2, 3), D(-1), D(4)) == numbers(1, 2, 4)
    assert call("list replace", numbers(1, 2, 3), D("2.5"), D(4)) == numbers(1, 4, 3)
    assert call("list replace", D(1), D(1), D(5)) == [D(5)]
    less = NativeFunction("less", [Param("item"), Param("newItem")], lambda a, b: a < b)
    assert call("list replace", numbers(2, 4, 7, 8), less, D(5)) == numbers(5, 5, 7, 8)
    assert call("list replace", match=less, newItem=D(5), list=[D(9)]) == [D(9)]
    assert call("list replace", position=D(2), newItem=D(4), list=numbers(1, 2, 3)) == numbers(1, 4, 3)
    assert call("list replace", numbers(1, 2, 3), D(3), None) == [D(1), D(2), None]
    assert call("list replace", None, D(1), D(4)) is None
    with pytest.raises(FeelEvalError):
        call("list replace", numbers(1, 2, 3), D(0), D(4))
    with pytest.raises(FeelEvalError):
        call("list replace", numbers(1, 2, 3), "2", D(4))
    not_boolean = NativeFunction("f", [Param("item"), Param("newItem")], lambda a, _b: a)
    with pytest.raises(FeelEvalError):
        call("list replace", numbers(1, 2), not_boolean, D(4))


def test_sort() -> None:
    greater = NativeFunction("gt", [Param("x"), Param("y")], lambda x, y: x > y)
    assert call("sort", numbers(3, 1, 4, 5), greater) == numbers(5, 4, 3, 1)
    assert call("sort", ["b", "a", "c"]) == ["a", "b", "c"]
    assert call("sort", list=numbers(2, 1), precedes=greater) == numbers(2, 1)
    with pytest.raises(FeelEvalError):
        call("sort", [D(1), "a"])
