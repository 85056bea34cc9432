"""Host values at the public FEEL boundary: ``evaluate``/``matches`` take plain Python numbers and containers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel import FeelWarning, compile_expression, compile_unary_tests, evaluate
from cadenza.feel.host import is_feel_value, to_feel, to_feel_scope
from cadenza.feel.json_values import from_json
from cadenza.feel.values import Range, YearsMonthsDuration


def test_plain_python_numbers_are_feel_numbers() -> None:
    assert compile_expression("amount > 100").evaluate({"amount": 25000}) is True
    assert evaluate("amount * 2", {"amount": 25000}) == D(50000)
    assert compile_unary_tests("> 100").matches(25000) is True
    assert compile_unary_tests("> limit").matches(150, {"limit": 100}) is True
    assert compile_unary_tests("[1..10]").matches(10.0) is True


def test_floats_convert_through_their_shortest_repr() -> None:
    assert evaluate("x", {"x": 0.1}) == D("0.1")
    assert evaluate("a + b = 0.3", {"a": 0.1, "b": 0.2}) is True  # exact in FEEL, unlike in Python
    assert evaluate("x", {"x": 1e300}) == D("1E+300")


def test_int_is_exact_up_to_34_digits_then_rounded() -> None:
    assert evaluate("x", {"x": 2**100}) == D(2**100)
    assert evaluate("x", {"x": 10**40 + 1}) == D("1.000000000000000000000000000000000E+40")


def test_numbers_without_a_feel_value_are_null() -> None:
    assert evaluate("x", {"x": math.nan}) is None
    assert evaluate("x = null", {"x": math.inf}) is True
    assert evaluate("x", {"x": 10**6145}) is None  # beyond Decimal128's exponent range
    assert evaluate("x", {"x": -(10**1_000_000)}) is None  # refused by bit length: no digit converted


def test_nested_containers_are_converted() -> None:
    scope = {"order": {"lines": ({"qty": 2, "price": 9.5}, {"qty": 1, "price": 1})}}
    assert evaluate("sum(for l in order.lines return l.qty * l.price)", scope) == D(20)
    assert evaluate("x", {"x": {1: (1, "a")}}) == {"1": [D(1), "a"]}
    assert compile_unary_tests("[1, 2]").matches((1, 2)) is True


def test_booleans_strings_and_temporal_values_stay() -> None:
    day = dt.date(2026, 11, 25)
    values: dict[str, Any] = {
        "b": True,
        "s": "text",
        "d": day,
        "t": dt.time(9, 30),
        "dt": dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC),
        "dur": dt.timedelta(hours=1),
        "ym": YearsMonthsDuration(14),
    }
    for name, value in values.items():
        assert evaluate(name, values) is value
    assert evaluate("b + 1", values) is None  # a boolean is never a number
    assert evaluate('d + duration("P1D")', values) == dt.date(2026, 11, 26)


def test_feel_values_are_not_copied() -> None:
    items = [{"price": D(10)}, {"price": D(5)}]
    assert evaluate("items", {"items": items}) is items
    assert to_feel(items) is items
    scope = {"items": items, "n": D(1)}
    assert to_feel_scope(scope) is scope
    assert is_feel_value([D(1), [D(2)], {"a": Range(D(1), D(2))}])
    assert not is_feel_value([D(1), [2]])
    assert not is_feel_value({1: D(1)})


def test_a_mutated_scope_is_converted_again() -> None:
    expr = compile_expression("x + 1")
    scope: dict[str, Any] = {"x": D(1)}
    assert expr.evaluate(scope) == D(2)
    scope["x"] = 41
    assert expr.evaluate(scope) == D(42)


def test_same_conversion_as_from_json() -> None:
    data = {"a": 1, "b": [1.5, None, True], "c": {"d": "x"}}
    assert to_feel(data) == from_json(data)


class _Recording(Mapping[str, Any]):
    """A scope that records which names were read."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.read: list[str] = []

    def __getitem__(self, key: str) -> Any:
        self.read.append(key)
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def test_only_the_variables_read_are_converted() -> None:
    scope = _Recording({"amount": 25000, "big": list(range(100_000)), "rows": [{"n": 1}]})
    assert compile_expression("amount > 100").evaluate(scope) is True
    assert set(scope.read) == {"amount"}  # Mapping.__contains__ reads too


def test_a_variable_read_many_times_is_converted_once() -> None:
    first, second = compile_expression("[rows, rows]").evaluate({"rows": [1, 2]})
    assert first == [D(1), D(2)] and first is second


def test_unknown_objects_pass_through_and_are_not_numbers() -> None:
    marker = object()
    assert evaluate("x", {"x": marker}) is marker
    warnings: list[FeelWarning] = []
    assert compile_expression("x + 1").evaluate({"x": marker}, warnings=warnings) is None
    assert warnings


def test_evaluate_feel_trusts_its_values() -> None:
    expr = compile_expression("x + 1")
    assert expr.evaluate_feel({"x": D(1)}) == D(2)
    assert expr.evaluate_feel({"x": 1}) is None  # an int is not a FEEL number: no conversion on this path
    assert compile_unary_tests("> 1").matches_feel(D(2), {}) is True


def test_deeply_nested_host_data_is_null_with_a_warning() -> None:
    nested: list[Any] = [1]
    for _ in range(100_000):
        nested = [nested]
    warnings: list[FeelWarning] = []
    assert compile_expression("x").evaluate({"x": nested}, warnings=warnings) is None
    assert warnings and "nested too deeply" in warnings[0].message
    assert compile_expression("x").evaluate({"x": [1]}) == [D(1)]  # the next evaluation is unaffected


@pytest.mark.parametrize("value", [3, 3.0, D(3)])
def test_a_host_input_value_of_matches(value: Any) -> None:
    assert compile_unary_tests("3").matches(value) is True
