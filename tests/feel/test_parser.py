"""The FEEL parser: tree shapes, precedence, names with spaces and syntax errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cadenza.feel import FeelSyntaxError, compile_expression, compile_unary_tests
from cadenza.feel import nodes as n
from cadenza.feel.parser import MAX_NESTING, parse_expression, parse_unary_tests


def test_precedence_and_associativity() -> None:
    tree = parse_expression("1 + 2 * 3")
    assert isinstance(tree, n.Arith) and tree.op == "+"
    assert isinstance(tree.right, n.Arith) and tree.right.op == "*"
    power = parse_expression("2 ** 3 ** 2")  # left associative (TCK 0075)
    assert isinstance(power, n.Arith) and isinstance(power.left, n.Arith)
    three, two = n.Literal(Decimal(3)), n.Literal(Decimal(2))
    assert parse_expression("-3 ** 2") == n.Arith("**", n.Negate(three), two)


def test_and_or_chains_are_flat() -> None:
    tree = parse_expression("a or b and c or d")
    assert isinstance(tree, n.Or) and len(tree.operands) == 3
    assert isinstance(tree.operands[1], n.And)


def test_names_with_spaces_and_keywords() -> None:
    assert parse_expression("Monthly Salary * 12") == n.Arith(
        "*", n.Name("Monthly Salary"), n.Literal(Decimal(12))
    )
    call = parse_expression('date and time("2020-01-01T00:00:00")')
    assert isinstance(call, n.Call) and call.function == n.Name("date and time")
    assert isinstance(parse_expression("a and b"), n.And)


def test_named_arguments_and_paths() -> None:
    call = parse_expression('substring(string: "abc", start position: 2)')
    assert isinstance(call, n.Call) and call.named is not None
    assert [key for key, _ in call.named] == ["string", "start position"]
    path = parse_expression("d.time offset")
    assert path == n.Path(n.Name("d"), "time offset")


def test_ranges_and_lists() -> None:
    one, two = n.Literal(Decimal(1)), n.Literal(Decimal(2))
    assert parse_expression("[1..2)") == n.RangeLit(one, two, True, False)
    assert parse_expression("]1..2[") == n.RangeLit(one, two, False, False)
    assert parse_expression("[1, 2]") == n.ListLit((one, two))
    assert isinstance(parse_expression("< 10"), n.UnaryCompare)


def test_unary_tests_forms() -> None:
    assert parse_unary_tests("-").any
    negated = parse_unary_tests('not("a", "b")')
    assert negated.negated and len(negated.tests) == 2
    assert len(parse_unary_tests("< 5, [10..20], 30").tests) == 3


@pytest.mark.parametrize(
    ("source", "line", "column", "expected"),
    [
        ("f(1, 2", 1, 7, ["','", "')'"]),
        ("if x then 1", 1, 12, ["'else'"]),
        ("{a: 1,\n b 2}", 2, 4, ["':'"]),
        ("1 +", 1, 4, ["an expression"]),
    ],
)
def test_syntax_errors_name_position_and_expectation(
    source: str, line: int, column: int, expected: list[str]
) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(source)
    assert (info.value.line, info.value.column, info.value.expected) == (line, column, expected)


def test_error_message_format() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("(1 + 2")
    assert str(info.value) == "line 1, column 7: expected ')' but found end of input"


def test_ten_thousand_parentheses_are_a_clean_error() -> None:
    source = "(" * 10_000 + "1" + ")" * 10_000
    with pytest.raises(FeelSyntaxError, match=f"nesting deeper than {MAX_NESTING}"):
        compile_expression(source)
    with pytest.raises(FeelSyntaxError, match="nesting deeper"):
        compile_unary_tests("[" * 10_000)


def test_nesting_within_the_limit_works() -> None:
    depth = MAX_NESTING - 5
    assert compile_expression("(" * depth + "1" + ")" * depth).evaluate() == Decimal(1)
    assert compile_expression("-(" * depth + "1" + ")" * depth).evaluate() == Decimal(-1)


def test_long_flat_chains_do_not_recurse() -> None:
    assert compile_expression(" + ".join(["1"] * 5000)).evaluate() == Decimal(5000)
    assert compile_expression(" and ".join(["true"] * 5000)).evaluate() is True
