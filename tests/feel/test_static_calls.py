"""The static check of built-in invocations: a call no signature accepts, unless a name in scope shadows it."""

from __future__ import annotations

import pytest

from cadenza.feel import FeelStaticError, FeelWarning, compile_expression, compile_unary_tests
from cadenza.feel.parser import parse_expression, parse_unary_tests
from cadenza.feel.static_calls import builtin_call_problem


def problem(source: str, bound: tuple[str, ...] = ()) -> str | None:
    return builtin_call_problem(parse_expression(source), bound)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("string()", "built-in function 'string' takes 1 argument, not 0"),
        ('string("foo", "bar")', "built-in function 'string' takes 1 argument, not 2"),
        ("date(2020, 1)", "built-in function 'date' takes 1 or 3 arguments, not 2"),
        ("time()", "built-in function 'time' takes 1, 3 or 4 arguments, not 0"),
        ("now(1)", "built-in function 'now' takes no arguments, not 1"),
        ("max()", "built-in function 'max' takes 1 or more arguments, not 0"),
        ('string(value: "x")', "built-in function 'string' has no signature with the named parameters value"),
        ("substring(start position: 2)", "named parameters start position"),
        ("1 + (if true then [string()] else 0)", "'string' takes 1 argument, not 0"),
        ("sum([1, abs()])", "'abs' takes 1 argument, not 0"),
    ],
)
def test_calls_no_signature_accepts(source: str, message: str) -> None:
    found = problem(source)
    assert found is not None
    assert message in found


@pytest.mark.parametrize(
    "source",
    [
        'string(from: "x")',
        'substring("abc", 2)',
        'substring(string: "abc", start position: 2, length: 1)',
        "max(1, 2, 3)",
        "max([1, 2])",
        "date(2020, 1, 2)",
        "f(1, 2, 3)",  # not a built-in: resolved at evaluation
        "(function(x) x)(1, 2)",  # not a name: resolved at evaluation
    ],
)
def test_calls_a_signature_accepts(source: str) -> None:
    assert problem(source) is None


def test_names_bound_by_the_caller_shadow_built_ins() -> None:
    assert problem("abs(1, 2)") is not None
    assert problem("abs(1, 2)", bound=("abs",)) is None


@pytest.mark.parametrize(
    "source",
    [
        "(function(abs) abs(1, 2))(function(a, b) a - b)",
        "for abs in [function(a, b) a] return abs(1, 2)",
        "some abs in [function(a, b) a] satisfies abs(1, 2)",
        "{abs: function(a, b) a - b, r: abs(3, 1)}.r",
        # A later entry may define the function an earlier entry's function calls.
        "{g: function() abs(1, 2), abs: function(a, b) a - b}.g()",
        # Inside a filter, the entries of the filtered contexts are names: unknowable before evaluation.
        "[{abs: function(a, b) a}][abs(1, 2) = 1]",
    ],
)
def test_names_bound_inside_the_expression_shadow_built_ins(source: str) -> None:
    assert problem(source) is None


def test_scopes_end_where_their_binding_form_ends() -> None:
    assert problem("[for abs in [1] return abs, abs(1, 2)]") is not None
    assert problem("[(function(abs) abs)(1), abs(1, 2)]") is not None
    assert problem("[[1][abs(1, 2)], abs(1, 2)]") is not None  # the filter's base is still checked


def test_unary_tests_are_checked() -> None:
    assert builtin_call_problem(parse_unary_tests("> abs(), < 3"), ()) is not None
    assert builtin_call_problem(parse_unary_tests("not(abs(1, 2))"), ()) is not None
    assert builtin_call_problem(parse_unary_tests("string length(?) > 2"), ()) is None


def test_long_sums_do_not_exhaust_the_stack() -> None:
    source = " + ".join(["1"] * 5000) + " + abs()"
    assert problem(source) is not None


def test_compile_raises_only_when_asked() -> None:
    with pytest.raises(FeelStaticError, match="'string' takes 1 argument, not 0"):
        compile_expression("string()", bound=())
    with pytest.raises(FeelStaticError):
        compile_unary_tests("string(1, 2)", bound=())
    # Without bound names, today's behaviour: null and a warning at each evaluation.
    warnings: list[FeelWarning] = []
    assert compile_expression("string()").evaluate({}, warnings=warnings) is None
    assert warnings
