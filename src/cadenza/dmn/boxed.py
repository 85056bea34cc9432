"""Compiles boxed expressions into evaluators: ``Callable[[Scope], value]``.

Compilation happens once per model; evaluation only walks closures. A DMN-level evaluation error (a hit
policy violation, calling something that is not a function...) raises :class:`FeelEvalError`; the decision
turns it into null plus a warning, like FEEL does for its own errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cadenza.dmn.audit import Scope
from cadenza.dmn.feelc import FeelCompiler, Where
from cadenza.dmn.itemdef import DmnType, TypeResolver, conform, conform_argument
from cadenza.dmn.model import (
    Conditional,
    Context,
    DecisionTable,
    Expression,
    Filter,
    FunctionDefinition,
    Invocation,
    Iterator,
    ListExpression,
    LiteralExpression,
    Relation,
)
from cadenza.feel.values import FeelEvalError, FeelFunction, NativeFunction, Param, Range

__all__ = ["Compiler", "Evaluator", "make_function"]

Evaluator = Callable[[Scope], Any]


def _null(_scope: Scope) -> Any:
    return None


class Compiler:
    """Compiles the boxed expressions of one model."""

    def __init__(self, feel: FeelCompiler, types: TypeResolver) -> None:
        self.feel = feel
        self.types = types

    def compile(self, expr: Expression | None, where: Where) -> Evaluator:
        if expr is None:
            return _null
        if expr.line is not None:
            where = Where(where.element, where.part, expr.line)
        if isinstance(expr, DecisionTable):
            # A table's typeRef is not applied to its result: tools write the output's type there even for
            # multi-hit tables, whose result is a list. Each output column is converted to its own type.
            from cadenza.dmn.decision_table import compile_table

            return compile_table(expr, self, where)
        evaluate = self._untyped(expr, where)
        if not expr.type_ref or isinstance(expr, FunctionDefinition):
            return evaluate  # a function definition's typeRef is its result type, applied by the function
        kind, what = self.types.resolve(expr.type_ref), where.describe()

        def typed(scope: Scope) -> Any:
            return conform(kind, evaluate(scope), scope.session.warnings, what)

        return typed

    def _untyped(self, expr: Expression, where: Where) -> Evaluator:
        handlers: dict[type, Callable[[Any, Where], Evaluator]] = {
            LiteralExpression: self._literal,
            Context: self._context,
            Invocation: self._invocation,
            Relation: self._relation,
            ListExpression: self._list,
            Conditional: self._conditional,
            Iterator: self._iterator,
            Filter: self._filter,
            FunctionDefinition: self._function,
        }
        return handlers[type(expr)](expr, where)

    def _literal(self, expr: LiteralExpression, where: Where) -> Evaluator:
        if not expr.text.strip():
            return _null
        compiled = self.feel.expression(expr.text, where)

        def literal(scope: Scope) -> Any:
            return compiled.evaluate(scope.variables, scope.session.warnings)

        return literal

    def _context(self, expr: Context, where: Where) -> Evaluator:
        entries: list[tuple[str | None, DmnType, Evaluator]] = []
        for entry in expr.entries:
            name = entry.variable.name if entry.variable else None
            kind = self.types.resolve(entry.variable.type_ref if entry.variable else None)
            part = f"context entry '{name}'" if name else "context result"
            entries.append((name, kind, self.compile(entry.value, where.within(part))))

        def context(scope: Scope) -> Any:
            local = dict(scope.variables)
            inner = Scope(local, scope.session)
            result: dict[str, Any] = {}
            for name, kind, evaluate in entries:
                value = evaluate(inner)
                if name is None:
                    return value
                value = conform(kind, value, scope.session.warnings, f"context entry '{name}'")
                local[name] = result[name] = value
            return result

        return context

    def _invocation(self, expr: Invocation, where: Where) -> Evaluator:
        callee = self.compile(expr.callee, where.within("invoked function"))
        bindings = [
            (b.parameter.name, self.compile(b.value, where.within(f"binding '{b.parameter.name}'")))
            for b in expr.bindings
        ]

        def invocation(scope: Scope) -> Any:
            function = callee(scope)
            if not isinstance(function, FeelFunction):
                raise FeelEvalError(f"{where.describe()}: the invoked name is not a function")
            return function.call_named({name: evaluate(scope) for name, evaluate in bindings})

        return invocation

    def _relation(self, expr: Relation, where: Where) -> Evaluator:
        names = [column.name for column in expr.columns]
        rows = [
            [self.compile(cell, where.within(f"relation row {r + 1}")) for cell in row]
            for r, row in enumerate(expr.rows)
        ]

        def relation(scope: Scope) -> Any:
            return [{name: cell(scope) for name, cell in zip(names, row, strict=True)} for row in rows]

        return relation

    def _list(self, expr: ListExpression, where: Where) -> Evaluator:
        items = [self.compile(item, where.within(f"list item {i + 1}")) for i, item in enumerate(expr.items)]
        return lambda scope: [item(scope) for item in items]

    def _conditional(self, expr: Conditional, where: Where) -> Evaluator:
        condition = self.compile(expr.condition, where.within("if"))
        then = self.compile(expr.then, where.within("then"))
        otherwise = self.compile(expr.otherwise, where.within("else"))
        return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)

    def _iterator(self, expr: Iterator, where: Where) -> Evaluator:
        source = self.compile(expr.source, where.within(f"{expr.kind} in"))
        body = self.compile(expr.body, where.within("return" if expr.kind == "for" else "satisfies"))
        variable, kind = expr.variable, expr.kind

        def iterate(scope: Scope) -> Any:
            items = _iterable(source(scope), where)
            results = [body(scope.with_vars({variable: item})) for item in items]
            if kind == "for":
                return results
            return _quantify(kind == "some", results)

        return iterate

    def _filter(self, expr: Filter, where: Where) -> Evaluator:
        source = self.compile(expr.source, where.within("filter in"))
        match = self.compile(expr.match, where.within("filter match"))

        def filter_(scope: Scope) -> Any:
            items = _iterable(source(scope), where)
            kept = []
            for item in items:
                extra = dict(item) if isinstance(item, dict) else {}
                extra["item"] = item
                verdict = match(scope.with_vars(extra))
                if verdict is not None and not isinstance(verdict, bool):
                    raise FeelEvalError(f"{where.describe()}: the filter's match is not a boolean")
                if verdict is True:
                    kept.append(item)
            return kept

        return filter_

    def _function(self, expr: FunctionDefinition, where: Where) -> Evaluator:
        if expr.kind.upper() != "FEEL":
            message = f"{where.describe()}: {expr.kind} functions are not supported"

            def unsupported(_scope: Scope) -> Any:
                raise FeelEvalError(message)

            return unsupported
        body = self.compile(expr.body, where.within("function body"))
        params = [(p.name, self.types.resolve(p.type_ref)) for p in expr.parameters]
        result_type = self.types.resolve(expr.type_ref)

        def typed_body(scope: Scope) -> Any:
            return conform(result_type, body(scope), scope.session.warnings, f"{where.describe()}: result")

        return lambda scope: make_function("anonymous", params, typed_body, scope)


def make_function(
    name: str, params: Sequence[tuple[str, DmnType]], body: Evaluator, closure: Scope
) -> NativeFunction:
    """A FEEL function value evaluating ``body`` in ``closure`` plus its (type-converted) arguments."""

    def impl(*args: Any) -> Any:
        session = closure.session
        if session.depth >= session.MAX_DEPTH:
            raise FeelEvalError(f"{name}: invocations nested too deeply")
        bound = {
            p: conform_argument(kind, arg, f"{name}: parameter '{p}'")
            for (p, kind), arg in zip(params, args, strict=True)
        }
        for key in [k for k in bound if "." in k]:
            _bind_path(bound, key, bound[key])
        session.depth += 1
        try:
            return body(closure.with_vars(bound))
        finally:
            session.depth -= 1

    return NativeFunction(name, [Param(p) for p, _kind in params], impl)


def _quantify(some: bool, results: list[Any]) -> bool | None:
    """``some``/``every`` in FEEL's three-valued logic: a decisive value wins, otherwise null poisons."""
    decisive = some  # some: one true decides; every: one false decides
    if any(r is decisive for r in results):
        return decisive
    if all(r is (not decisive) for r in results):
        return not decisive
    return None


def _bind_path(scope: dict[str, Any], dotted: str, value: Any) -> None:
    """Makes ``a.b`` reachable as a path too: ``scope["a"]["b"] = value`` (copying, never mutating inputs)."""
    head, _, rest = dotted.partition(".")
    nested = dict(scope[head]) if isinstance(scope.get(head), dict) else {}
    if "." in rest:
        _bind_path(nested, rest, value)
    else:
        nested[rest] = value
    scope[head] = nested


def _iterable(value: Any, where: Where) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Range):
        return _range_items(value, where)
    raise FeelEvalError(f"{where.describe()}: iteration needs a list, got {type(value).__name__}")


def _range_items(value: Range, where: Where) -> list[Any]:
    import decimal

    start, end = value.start, value.end
    if not (isinstance(start, decimal.Decimal) and isinstance(end, decimal.Decimal)):
        raise FeelEvalError(f"{where.describe()}: only ranges of integers can be iterated")
    step = 1 if end >= start else -1
    first = int(start) if value.start_included else int(start) + step
    last = int(end) if value.end_included else int(end) - step
    return [decimal.Decimal(i) for i in range(first, last + step, step)]
