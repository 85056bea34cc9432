"""Bad FEEL input: each case is a clean error (or null plus a warning) and the next evaluation still works.

docs/bad-input.md maps the checklist to these tests.
"""

from __future__ import annotations

import time
from decimal import Decimal as D

import pytest

from cadenza.feel import FeelSyntaxError, FeelWarning, compile_expression, compile_unary_tests
from cadenza.feel.compile_base import STEP_BUDGET
from cadenza.feel.parser import MAX_NESTING


def _still_works() -> None:
    assert compile_expression("amount > 100").evaluate({"amount": D(25000)}) is True


def _warned(source: str) -> tuple[object, list[str]]:
    warnings: list[FeelWarning] = []
    value = compile_expression(source).evaluate(warnings=warnings)
    return value, [w.message for w in warnings]


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [('"abc', 1, 1), ('x = "a" and\n  y = "open', 2, 7), ('concat("a", "b)', 1, 13)],
)
def test_unterminated_string(source: str, line: int, column: int) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_expression(source)
    assert "unterminated string" in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(caught.value).startswith(f"line {line}, column {column}: ")
    with pytest.raises(FeelSyntaxError, match="unterminated string"):
        compile_unary_tests('"abc')
    _still_works()


N = 10_000

DEEP = {
    "parentheses": "(" * N + "1" + ")" * N,
    "lists": "[" * N + "1" + "]" * N,
    "contexts": "{a:" * N + "1" + "}" * N,
    "negations": "-(" * N + "1" + ")" * N,
    "not calls": "not(" * N + "true" + ")" * N,
    "function calls": "abs(" * N + "1" + ")" * N,
    "if chains": "if true then " * N + "1" + " else 2" * N,
    "for chains": "for x in [1] return " * N + "1",
    "path chains": "{a: 1}" + ".a" * N,
    "filter chains": "[1]" + "[1]" * N,
}


@pytest.mark.parametrize("source", DEEP.values(), ids=DEEP.keys())
def test_ten_thousand_levels_of_nesting_are_a_clean_syntax_error(source: str) -> None:
    # pytest.raises(FeelSyntaxError) fails the test on a RecursionError: it is not one.
    with pytest.raises(FeelSyntaxError, match=f"nesting deeper than {MAX_NESTING}"):
        compile_expression(source)
    _still_works()


def test_deep_unary_tests_are_a_clean_syntax_error() -> None:
    for source in ("(" * N + "1" + ")" * N, "[" * N, "not(" * N + "1" + ")" * N):
        with pytest.raises(FeelSyntaxError, match="nesting deeper"):
            compile_unary_tests(source)
    _still_works()


def test_long_flat_input_is_not_nesting() -> None:
    assert compile_expression("-" * N + "1").evaluate() == D(1)
    assert compile_expression(" + ".join(["1"] * N)).evaluate() == D(N)


@pytest.mark.parametrize(
    "source",
    ["1e999999", "-1e999999", "1e99999999999999999999999999", "1" * 100_000, "9" * 6146, "1" * 1_000_000],
    ids=["1e999999", "-1e999999", "exponent-beyond-int64", "100k-digits", "6146-digits", "1M-digits"],
)
def test_numbers_beyond_decimal128_are_null_with_a_warning(source: str) -> None:
    started = time.perf_counter()
    value, warnings = _warned(source)
    assert time.perf_counter() - started < 5  # linear in the text: a million digits take a fraction of that
    assert value is None
    assert (
        len(warnings) == 1 and "is out of range" in warnings[0] and warnings[0].startswith("number literal ")
    )
    _still_works()


def test_the_largest_numbers_keep_34_digits() -> None:
    assert compile_expression("1" * 400).evaluate() == D("1.111111111111111111111111111111111E+399")
    assert compile_expression("1e6144").evaluate() == D("1E+6144")


def test_tiny_numbers_underflow_to_zero() -> None:
    assert compile_expression("1e-999999 = 0").evaluate() is True
    assert compile_expression("0." + "0" * 100_000 + "1 = 0").evaluate() is True


def test_arithmetic_beyond_the_range_is_null_with_a_warning() -> None:
    for source in ("2 ** 999999999", "1e6144 * 10", "10 ** 10000 ** 10"):
        value, warnings = _warned(source)
        assert value is None and warnings and "Overflow" in warnings[0]
    _still_works()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('date("2024-02-30")', "date: day is out of range for month"),
        ('date("foo")', "date: invalid date literal 'foo'"),
        ('@"2024-02-30"', '@"2024-02-30": date: day is out of range for month'),
        ('date("2023-02-29")', "date: day is out of range for month"),
        ("date(2024, 2, 30)", "date: day is out of range for month"),
        ('date and time("2024-02-30T10:00:00")', "date and time: date: day is out of range for month"),
        ('time("25:00:00")', "invalid time of day '25:00:00'"),
        ('duration("P1Q")', "duration: invalid duration literal 'P1Q'"),
    ],
)
def test_invalid_dates_are_null_with_a_warning(source: str, message: str) -> None:
    value, warnings = _warned(source)
    assert value is None
    assert warnings == [message]
    assert compile_expression('date("2024-02-29")').evaluate() is not None
    _still_works()


def test_iterating_a_huge_range_is_null_with_a_warning() -> None:
    started = time.perf_counter()
    for source in (
        "for i in 1..1e7 return i",
        "some i in 0..1e30 satisfies i < 0",
        "count(for i in 1..1e999 return i)",
    ):
        value, warnings = _warned(source)
        assert value is None and warnings, source
    assert time.perf_counter() - started < 5
    assert _warned("for i in 1..1e7 return i")[1] == ["iteration range too large"]
    _still_works()


BUDGET_MESSAGE = f"evaluation exceeded its budget of {STEP_BUDGET:,} steps (iterations and calls)"


@pytest.mark.parametrize(
    "source",
    [
        # each range is allowed on its own; nested they would be 9,000,000 iterations
        "count(for x in 1..3000, y in 1..3000 return 1)",
        "some x in 1..3000, y in 1..3000 satisfies x + y < 0",
        # exponential recursion: about 2.7 million calls
        "{fib: function(n) if n < 2 then n else fib(n - 1) + fib(n - 2), r: fib(30)}.r",
    ],
)
def test_an_evaluation_that_exhausts_its_step_budget_is_null_as_a_whole(source: str) -> None:
    value, warnings = _warned(source)
    assert value is None
    assert BUDGET_MESSAGE in warnings
    _still_works()


def test_the_budget_is_per_evaluation_and_leaves_ordinary_work_alone() -> None:
    expression = compile_expression("count(for x in 1..300, y in 1..300 return x * y)")
    # 90,300 steps each: three runs together would pass the budget, so it must not carry over
    for _ in range(3):
        assert expression.evaluate() == 90_000
    recursion = "{fib: function(n) if n < 2 then n else fib(n - 1) + fib(n - 2), r: fib(15)}.r"
    assert _warned(recursion) == (610, [])
