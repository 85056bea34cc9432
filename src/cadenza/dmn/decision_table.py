"""Decision tables: rule matching and every hit policy of DMN 1.5 (section 8.2.11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cadenza.dmn.audit import EvaluatedInput, RuleMatch, Scope
from cadenza.dmn.boxed import Compiler, Evaluator
from cadenza.dmn.feelc import CompiledExpr, CompiledTests, Where
from cadenza.dmn.itemdef import DmnType, conform
from cadenza.dmn.model import DecisionTable, OutputClause, Rule
from cadenza.dmn.table_policy import apply_hit_policy, split_unary_tests
from cadenza.feel.values import FeelEvalError

__all__ = ["compile_table"]


@dataclass
class _Output:
    id: str | None
    name: str
    kind: DmnType
    allowed: CompiledTests | None
    priorities: list[CompiledTests]
    default: CompiledExpr | None


@dataclass
class _Rule:
    index: int
    id: str | None
    tests: list[CompiledTests | None]
    outputs: list[CompiledExpr]
    where: Where


@dataclass
class _Table:
    id: str | None
    hit_policy: str
    aggregation: str | None
    #: (evaluator, allowed input values, label, clause id) per input column.
    inputs: list[tuple[Evaluator, CompiledTests | None, str, str | None]]
    outputs: list[_Output]
    rules: list[_Rule]
    where: Where
    single_name: str | None
    #: Names the table in hit policy errors: ``decision 'X' (id=x), decision table (id=t) at line 7``.
    label: str = ""


def compile_table(table: DecisionTable, compiler: Compiler, where: Where) -> Evaluator:
    feel = compiler.feel
    inputs = []
    for i, clause in enumerate(table.inputs):
        label = clause.label or clause.expression.text.strip() or f"input {i + 1}"
        part = where.at(f"input '{label}'", clause.expression.line)
        allowed = clause.input_values
        tests = (
            feel.unary_tests(allowed.text, part.at(f"input values of '{label}'", allowed.line))
            if allowed
            else None
        )
        inputs.append((compiler.compile(clause.expression, part), tests, label, clause.id))
    outputs = [_output(clause, compiler, where, i) for i, clause in enumerate(table.outputs)]
    rules = [_rule(rule, table, compiler, where) for rule in table.rules]
    if table.aggregation and len(outputs) > 1:
        raise _invalid(where, "a COLLECT aggregation needs exactly one output")
    ordered = table.hit_policy in ("PRIORITY", "OUTPUT ORDER")
    if ordered and not compiler.feel.lenient and not any(o.priorities for o in outputs):
        raise _invalid(where, f"hit policy {table.hit_policy} needs output values to order the outputs by")
    single = None
    if len(outputs) == 1:
        single = table.outputs[0].name
    label = where.at("decision table" + (f" (id={table.id})" if table.id else "")).describe()
    label += f" at line {table.line}" if table.line else ""
    compiled = _Table(
        table.id, table.hit_policy, table.aggregation, inputs, outputs, rules, where, single, label
    )
    return lambda scope: _evaluate(compiled, scope)


def _invalid(where: Where, message: str) -> Exception:
    from cadenza.dmn.errors import DmnError

    return DmnError(f"{where.describe()}: {message}", line=where.line)


def _output(clause: OutputClause, compiler: Compiler, where: Where, i: int) -> _Output:
    name = clause.name or clause.label or f"output {i + 1}"
    part = where.at(f"output '{name}'")
    feel = compiler.feel
    values = clause.output_values
    allowed = (
        feel.unary_tests(values.text, part.at(f"output values of '{name}'", values.line)) if values else None
    )
    priorities = (
        [
            feel.unary_tests(text, part.at("output values", values.line))
            for text in split_unary_tests(values.text)
        ]
        if values
        else []
    )
    default = None
    if clause.default_output is not None and clause.default_output.text.strip():
        default = feel.expression(
            clause.default_output.text, part.at(f"default output of '{name}'", clause.default_output.line)
        )
    return _Output(clause.id, name, compiler.types.resolve(clause.type_ref), allowed, priorities, default)


def _rule(rule: Rule, table: DecisionTable, compiler: Compiler, where: Where) -> _Rule:
    label = f"rule {rule.index}" + (f" (id={rule.id})" if rule.id else "")
    part = where.at(label, rule.line)
    tests: list[CompiledTests | None] = []
    for i, cell in enumerate(rule.input_entries):
        text = cell.text.strip()
        column = table.inputs[i].label or f"input {i + 1}"
        tests.append(
            None
            if text in ("", "-")
            else compiler.feel.unary_tests(text, part.at(f"{label}, input '{column}'", cell.line))
        )
    outputs = [
        compiler.feel.expression(entry.text, part.at(f"{label}, output {o + 1}", entry.line))
        for o, entry in enumerate(rule.output_entries)
    ]
    return _Rule(rule.index, rule.id, tests, outputs, part)


def _evaluate(table: _Table, scope: Scope) -> Any:
    warnings = scope.session.warnings
    frame = scope.session.frame
    values = []
    for evaluate, allowed, label, input_id in table.inputs:
        value = evaluate(scope)
        frame.evaluated_inputs.append(EvaluatedInput(input_id, label, value))
        if (
            allowed is not None
            and value is not None
            and not allowed.matches(value, scope.variables, warnings)
        ):
            raise FeelEvalError(f"{table.where.describe()}: input '{label}' is not one of its input values")
        values.append(value)
    matched = [rule for rule in table.rules if _matches(rule, values, scope)]
    if table.hit_policy == "FIRST":
        matched = matched[:1]  # the first hit is the result: later matches are neither evaluated nor audited
    results = [_rule_outputs(table, rule, scope) for rule in matched]
    output_ids = tuple(output.id for output in table.outputs)
    for rule, outputs in zip(matched, results, strict=True):
        frame.matched_rules.append(RuleMatch(table.id, rule.index, rule.id, outputs, output_ids))
    if not matched:
        return _no_match(table, scope)
    priorities = [_priority(table.outputs, outputs, scope) for outputs in results]
    rows = [
        (rule.index, rule.id, _shape(table, outputs)) for rule, outputs in zip(matched, results, strict=True)
    ]
    return apply_hit_policy(table.hit_policy, table.aggregation, rows, priorities, table.label)


def _matches(rule: _Rule, values: Sequence[Any], scope: Scope) -> bool:
    warnings = scope.session.warnings
    for tests, value in zip(rule.tests, values, strict=True):
        if tests is not None and not tests.matches(value, scope.variables, warnings):
            return False
    return True


def _rule_outputs(table: _Table, rule: _Rule, scope: Scope) -> dict[str, Any]:
    warnings = scope.session.warnings
    outputs: dict[str, Any] = {}
    for output, expr in zip(table.outputs, rule.outputs, strict=True):
        value = conform(
            output.kind, expr.evaluate(scope.variables, warnings), warnings, f"output '{output.name}'"
        )
        if (
            output.allowed is not None
            and value is not None
            and not output.allowed.matches(value, {}, warnings)
        ):
            raise FeelEvalError(
                f"{rule.where.describe()}: output '{output.name}' is not one of its output values"
            )
        outputs[output.name] = value
    return outputs


def _shape(table: _Table, outputs: dict[str, Any]) -> Any:
    """One output column gives its value; several give a context of output name to value."""
    if table.single_name is not None or len(outputs) == 1:
        return next(iter(outputs.values()))
    return outputs


def _priority(outputs: list[_Output], values: dict[str, Any], scope: Scope) -> tuple[int, ...]:
    key = []
    for output in outputs:
        value = values[output.name]
        position = len(output.priorities)
        for i, tests in enumerate(output.priorities):
            if tests.matches(value, {}, scope.session.warnings):
                position = i
                break
        key.append(position)
    return tuple(key)


def _no_match(table: _Table, scope: Scope) -> Any:
    if any(output.default is not None for output in table.outputs):
        defaults = {
            output.name: output.default.evaluate(scope.variables, scope.session.warnings)
            if output.default
            else None
            for output in table.outputs
        }
        return _shape(table, defaults)
    if table.hit_policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER"):
        if table.aggregation and table.aggregation.upper() == "COUNT":
            from decimal import Decimal

            return Decimal(0)
        return None if table.aggregation else []
    return None
