"""Evaluation of FEEL expressions: operators, null logic, control forms, functions and the API promises."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest

from cadenza.feel import FeelWarning, compile_expression, evaluate
from cadenza.feel.values import Range, YearsMonthsDuration

D = Decimal


def run(source: str, **variables: Any) -> Any:
    return compile_expression(source, names=variables).evaluate(variables)


def run_warned(source: str, **variables: Any) -> tuple[Any, list[FeelWarning]]:
    warnings: list[FeelWarning] = []
    return compile_expression(source).evaluate(variables, warnings=warnings), warnings


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 / 4", D("2.5")),
        ("2 ** 10", D(1024)),
        ("-3 ** 2", D(9)),
        ("--10", D(10)),
        ("1 - 2 - 3", D(-4)),
        ('"a" + "b"', "ab"),
        ("1 = 1", True),
        ("1 != 1", False),
        ("2 < 3 = true", True),
        ('"a" < "b"', True),
        ("[1, 2] = [1, 2]", True),
        ("{a: 1} = {a: 1}", True),
        ("null = null", True),
        ("1 = null", False),
        ("5 between 1 and 10", True),
        ("0 between 1 and 10", False),
        ('@"2021-01-02" - @"2021-01-01"', dt.timedelta(days=1)),
        ('@"P1Y2M"', YearsMonthsDuration(14)),
        ('@"2021-03-04".month', D(3)),
        ('@"10:20:30".second', D(30)),
        ('@"P2DT3H".hours', D(3)),
        ("[1..10).end included", False),
        ("< 10", Range(None, D(10), False, False)),
        ("1.2e3", D(1200)),
    ],
)
def test_operators_and_literals(source: str, expected: Any) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("a", "b", "conj", "disj"),
    [
        ("true", "true", True, True),
        ("true", "false", False, True),
        ("true", "null", None, True),
        ("false", "false", False, False),
        ("false", "null", False, None),
        ("null", "null", None, None),
        ('"x"', "true", None, True),
    ],
)
def test_three_valued_logic(a: str, b: str, conj: bool | None, disj: bool | None) -> None:
    for left, right in ((a, b), (b, a)):
        assert run(f"{left} and {right}") is conj
        assert run(f"{left} or {right}") is disj


def test_not_truth_table() -> None:
    assert (run("not(true)"), run("not(false)"), run("not(null)")) == (False, True, None)


def test_if_with_non_boolean_condition_takes_else() -> None:
    assert run('if null then "a" else "b"') == "b"
    assert run('if 1 then "a" else "b"') == "b"
    assert run('if 2 > 1 then "a" else "b"') == "a"


def test_lists_filters_and_paths() -> None:
    people = [{"name": "a", "age": D(30)}, {"name": "b", "age": D(10)}]
    assert run("L[item > 1]", L=[D(1), D(2), D(3)]) == [D(2), D(3)]
    assert run("L[1]", L=[D(5), D(6)]) == D(5)
    assert run("L[-1]", L=[D(5), D(6)]) == D(6)
    assert run("L[5]", L=[D(5)]) is None
    assert run("people[age > 18].name", people=people) == ["a"]
    assert run("people.age", people=people) == [D(30), D(10)]
    assert run("[][item > 1]") == []
    assert run("5[item > 1]") == [D(5)]


def test_contexts_see_earlier_entries() -> None:
    assert run('{a: 1, "b c": a + 1, d: b c * 2}') == {"a": D(1), "b c": D(2), "d": D(4)}
    assert run("{a: {b: {c: 7}}}.a.b.c") == D(7)
    assert run("ctx.missing", ctx={"x": D(1)}) is None


def test_for_some_every() -> None:
    assert run("for x in [1, 2], y in 1..2 return x * 10 + y") == [D(11), D(12), D(21), D(22)]
    assert run("for i in 3..1 return i") == [D(3), D(2), D(1)]
    factorials = [D(1), D(2), D(6), D(24), D(120)]
    assert run("for i in 1..5 return if i = 1 then 1 else i * partial[-1]") == factorials
    assert run('for d in @"2021-01-30"..@"2021-02-01" return d.day') == [D(30), D(31), D(1)]
    assert run("some x in [1, 5] satisfies x > 3") is True
    assert run("every x in [1, 5] satisfies x > 3") is False
    assert run("every x in [] satisfies x > 3") is True


def test_in_operator() -> None:
    assert run("5 in (1, 5, 9)") is True
    assert run("5 in [1..5]") is True
    assert run("5 in (1..5)") is False
    assert run("5 in < 6") is True
    assert run("5 in (< 3, > 4)") is True
    assert run("1 in [[2..4], [1..3]]") is True
    assert run('"b" in ["a", "b"]') is True


def test_instance_of() -> None:
    assert run("1 instance of number") is True
    assert run("[1, 2] instance of list<number>") is True
    assert run("{a: 1} instance of context<a: number>") is True
    assert run('@"2021-01-01" instance of date and time') is False
    assert run("null instance of Null") is True
    assert run("(function(a: number) a) instance of function<number> -> Any") is True


def test_functions() -> None:
    assert run("(function(a, b) a - b)(5, 3)") == D(2)
    assert run("(function(a, b) a - b)(b: 5, a: 3)") == D(-2)
    assert run("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(20)}.r") == D(2432902008176640000)
    assert run("{sq: function(x: number) x * x}.sq([3])") == D(9)  # singleton list to element
    assert run('{sq: function(x: number) x * x}.sq("a")') is None
    assert run('string length("abc") + count([1, 2])') == D(5)
    assert run('substring(string: "abcdef", start position: 3)') == "cdef"


def test_builtins_may_be_shadowed() -> None:
    assert run("count(1)", count=None) is None
    assert run("sum", sum=D(1)) == D(1)


def test_names_with_spaces_and_symbols() -> None:
    scope = {"Monthly Salary": D(10), "Loan-to-value": D(2), "Applicant's age": D(40)}
    assert compile_expression("Monthly Salary * 12").evaluate(scope) == D(120)
    expr = compile_expression("Loan-to-value + Applicant's age", names=scope)
    assert expr.evaluate(scope) == D(42)
    assert evaluate("Loan-to-value * 2", scope) == D(4)


def test_errors_become_null_with_warnings() -> None:
    value, warnings = run_warned("1 / 0")
    assert value is None and warnings and warnings[0].source == "1 / 0"
    assert run_warned('1 + "a"')[0] is None
    assert run_warned('[1, 1 + "a", 3]')[0] == [D(1), None, D(3)]
    assert run_warned("unknown + 1")[1][0].message == "no variable named 'unknown'"
    assert run_warned('@"not a date"')[0] is None
    assert run_warned("{a: 1, a: 2}")[0] is None
    value, warnings = run_warned('(function(a) external {java: {class: "x"}})(1)')
    assert value is None and "external" in warnings[0].message


def test_huge_numbers_never_crash() -> None:
    assert run("1" + "0" * 400) == D("1e400")
    value, warnings = run_warned("1" + "0" * 10_000)
    assert value is None and warnings
    assert run_warned("10 ** 10000 ** 10")[0] is None


def test_runaway_recursion_is_null() -> None:
    value, warnings = run_warned("{f: function(n) f(n + 1), r: f(1)}.r")
    assert value is None and warnings


def test_thread_safety() -> None:
    expr = compile_expression("for i in 1..200 return i * x + {a: x}.a")
    errors: list[str] = []

    def work(x: int) -> None:
        for _ in range(20):
            got = expr.evaluate({"x": D(x)})
            if got != [D(i * x + x) for i in range(1, 201)]:
                errors.append(f"thread {x}")

    threads = [threading.Thread(target=work, args=(x,)) for x in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
