"""Zeebe's expression rule: ``=`` marks FEEL, anything else is a static value."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bpmn_support import EXAMPLES

from cadenza.bpmn import parse_bpmn
from cadenza.bpmn import reader as bpmn_reader
from cadenza.bpmn.expressions import BpmnExpression, CompiledFeel, ExpressionCompiler, default_feel_compiler
from cadenza.feel import Expression, compile_expression
from cadenza.feel.errors import FeelSyntaxError


class _Recording:
    def __init__(self, source: str) -> None:
        self.source = source

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        return ("evaluated", self.source, dict(variables))


def _ignore(message: str) -> None:
    raise AssertionError(f"unexpected problem: {message}")


def _record(source: str) -> CompiledFeel:
    if source.startswith("!"):
        raise FeelSyntaxError("unexpected '!'", 2, 7)
    return _Recording(source)


def test_static_value_is_returned_as_is() -> None:
    problems: list[str] = []
    expression = ExpressionCompiler(_record).value("  order-task ", "type", problems.append)
    assert expression == BpmnExpression("  order-task ")
    assert (
        expression.is_static and expression.static_value == "  order-task " and expression.feel_source is None
    )
    assert expression.evaluate({"x": 1}) == "  order-task "
    assert problems == []


def test_feel_value_is_compiled_once_without_its_marker() -> None:
    expression = ExpressionCompiler(_record).value("= a + 1", "retries", _ignore)
    assert expression is not None and not expression.is_static
    assert expression.source == "= a + 1" and expression.feel_source == " a + 1"
    assert expression.evaluate({"a": 2}) == ("evaluated", " a + 1", {"a": 2})


def test_always_feel_attributes_accept_the_marker_or_not() -> None:
    compiler = ExpressionCompiler(_record)
    with_marker = compiler.feel("=items", "inputCollection", _ignore)
    without = compiler.feel("items", "inputCollection", _ignore)
    assert with_marker is not None and without is not None
    assert with_marker.evaluate({}) == without.evaluate({}) == ("evaluated", "items", {})


def test_absent_empty_and_invalid_expressions() -> None:
    problems: list[str] = []
    compiler = ExpressionCompiler(_record)
    assert compiler.value(None, "x", problems.append) is None
    assert compiler.value("=  ", "condition", problems.append) is None
    assert compiler.value("=!x", "condition", problems.append) is None
    assert problems == [
        "condition is an empty FEEL expression",
        "FEEL syntax error in condition at line 2, column 7: unexpected '!'",
    ]


def test_the_real_feel_compiler_is_the_default() -> None:
    assert default_feel_compiler() is compile_expression
    assert bpmn_reader.default_feel_compiler is default_feel_compiler


def test_model_expressions_are_real_compiled_feel() -> None:
    definitions = parse_bpmn(
        (EXAMPLES / "order-process.bpmn").read_bytes(), resource_name="order-process.bpmn"
    )
    condition = definitions.process("order-process").flows["Flow_Valid"].condition
    assert condition is not None and isinstance(condition.compiled, Expression)
    assert condition.evaluate({"order": {"valid": True}}) is True
    assert condition.evaluate({"order": {"valid": False}}) is False
    expression = ExpressionCompiler(default_feel_compiler()).value("= amount > 100", "condition", _ignore)
    assert expression is not None
    assert expression.evaluate({"amount": 25000}) is True  # a host int, converted at the FEEL boundary
    assert expression.evaluate({"amount": Decimal(50)}) is False


def test_real_compiler_rejects_what_the_fixtures_rely_on() -> None:
    for bad in ("(amount > 10", "a +"):
        try:
            compile_expression(bad)
        except FeelSyntaxError as error:
            assert error.line == 1 and error.column >= 1
        else:
            raise AssertionError(f"{bad!r} compiled")
