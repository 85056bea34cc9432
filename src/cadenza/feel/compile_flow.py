"""Compiles the FEEL forms that bind names: for, some/every, function definitions and invocations."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from typing import Any

from cadenza.feel import nodes as n
from cadenza.feel import wide_dates
from cadenza.feel.compile_base import (
    EVAL_ERRORS,
    MISSING,
    Env,
    ExternalFunction,
    Fn,
    StepBudgetExceeded,
    UserFunction,
    builtin,
)
from cadenza.feel.compile_expr import compile_node, constant, handles
from cadenza.feel.types import DATE
from cadenza.feel.values import FeelEvalError, FeelFunction, Range

__all__ = ["MAX_ITERATIONS"]

#: Largest integer or date range a for/some/every may walk; beyond it the expression is null.
MAX_ITERATIONS = 1_000_000

_ONE = decimal.Decimal(1)


def _span(start: Any, end: Any) -> list[Any]:
    """``a..b`` in an iteration context: integers or dates, counting up or down, both ends included."""
    if isinstance(start, decimal.Decimal) and isinstance(end, decimal.Decimal):
        if start != start.to_integral_value() or end != end.to_integral_value():
            raise FeelEvalError("iteration range endpoints must be integers")
        low, high = int(start), int(end)
        step = 1 if high >= low else -1
        if abs(high - low) >= MAX_ITERATIONS:
            raise FeelEvalError("iteration range too large")
        return [decimal.Decimal(i) for i in range(low, high + step, step)]
    if DATE.is_instance(start) and DATE.is_instance(end):
        first, days = wide_dates.ordinal(start), wide_dates.days_between(end, start)
        if abs(days) >= MAX_ITERATIONS:
            raise FeelEvalError("iteration range too large")
        step = 1 if days >= 0 else -1
        return [wide_dates.from_ordinal(first + step * i) for i in range(abs(days) + 1)]
    raise FeelEvalError("iteration range endpoints must be integers or dates")


def _domain(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Range):
        if value.start is None or value.end is None:
            raise FeelEvalError("cannot iterate over an unbounded range")
        items = _span(value.start, value.end)
        if items and not value.start_included:
            items = items[1:]
        if items and not value.end_included:
            items = items[:-1]
        return items
    if value is None:
        raise FeelEvalError("cannot iterate over null")
    return [value]  # a single value is a singleton list (DMN 1.5 10.3.2.9.4)


def _compile_iterations(iterations: tuple[n.Iteration, ...]) -> list[tuple[str, Fn, Fn | None]]:
    return [(it.name, compile_node(it.domain), compile_node(it.end) if it.end else None) for it in iterations]


def _bindings(steps: list[tuple[str, Fn, Fn | None]], env: Env, level: int = 0) -> Iterator[Env]:
    """Every combination of the iteration contexts; later domains may use earlier names."""
    if level == len(steps):
        yield env
        return
    name, domain, end = steps[level]
    start = domain(env)
    items = _span(start, end(env)) if end is not None else _domain(start)
    env.spend(len(items))
    for item in items:
        yield from _bindings(steps, env.child({name: item}), level + 1)


@handles(n.For)
def _for(node: n.For) -> Fn:
    steps, body = _compile_iterations(node.iterations), compile_node(node.body)

    def run(env: Env) -> list[Any] | None:
        results: list[Any] = []
        try:
            for scope in _bindings(steps, env):
                results.append(body(scope.child({"partial": results})))
        except EVAL_ERRORS as exc:
            env.warn(str(exc))
            return None
        return results

    return run


@handles(n.Quantified)
def _quantified(node: n.Quantified) -> Fn:
    steps, condition, every = _compile_iterations(node.iterations), compile_node(node.condition), node.every

    def run(env: Env) -> bool | None:
        try:
            for scope in _bindings(steps, env):
                verdict = condition(scope)
                if every and verdict is not True:
                    return False
                if not every and verdict is True:
                    return True
        except EVAL_ERRORS as exc:
            env.warn(str(exc))
            return None
        return every

    return run


@handles(n.FunctionDef)
def _function(node: n.FunctionDef) -> Fn:
    names = [name for name, _ in node.params]
    if node.external:
        # The body names host code (Java/PMML); it is never evaluated, let alone called.
        return constant(ExternalFunction(names))
    types = [declared for _, declared in node.params]
    body = compile_node(node.body)
    return lambda env: UserFunction(names, types, body, env)


def _callee(node: n.Node) -> tuple[Fn, str]:
    if isinstance(node, n.Name):
        name = node.name

        def resolve(env: Env) -> Any:
            value = env.lookup(name)
            return builtin(name) if value is MISSING else value

        return resolve, name
    return compile_node(node), "function"


@handles(n.Call)
def _call(node: n.Call) -> Fn:
    callee, label = _callee(node.function)
    args = [compile_node(a) for a in node.args]
    named = [(key, compile_node(a)) for key, a in node.named] if node.named is not None else None

    def run(env: Env) -> Any:
        function = callee(env)
        if not isinstance(function, FeelFunction):
            env.warn(f"{label} is not a function")
            return None
        try:
            if named is not None:
                return function.call_named({key: arg(env) for key, arg in named})
            return function.call([arg(env) for arg in args])
        except (RecursionError, StepBudgetExceeded):
            raise  # only the API boundary can recover from a blown stack or an exhausted budget
        except EVAL_ERRORS as exc:
            env.warn(f"{label}: {exc}" if label not in str(exc) else str(exc))
        except Exception as exc:  # a faulty function must not take the whole evaluation down
            env.warn(f"{label}: internal error ({type(exc).__name__})")
        return None

    return run
