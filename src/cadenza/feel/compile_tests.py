"""Compiles unary tests (DMN 1.5 10.3.2.11 / 10.3.3.3) and the ``in`` operator that shares them.

A test is compiled to ``test(env, input) -> bool | None``. Comparisons (``< 5``) and intervals (``[1..10]``)
test the input directly; any other expression is evaluated (with ``?`` bound to the input) and then: an
expression mentioning ``?`` matches when it is true; a range value matches when it contains the input; a
list when the input equals it or one of its items; a boolean, against a non-boolean input, when it is true;
anything else when it equals the input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cadenza.feel import nodes as n
from cadenza.feel import semantics
from cadenza.feel.compile_base import EVAL_ERRORS, Env, Fn, TestFn
from cadenza.feel.compile_expr import compare_values, compile_node, handles
from cadenza.feel.values import Range

__all__ = ["compile_test", "compile_tests", "mentions_input"]


def mentions_input(node: Any) -> bool:
    """Whether ``?`` occurs in the tree (walked generically over the node dataclasses)."""
    if isinstance(node, n.Name):
        return node.name == "?"
    if isinstance(node, tuple):
        return any(mentions_input(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return any(mentions_input(getattr(node, f.name)) for f in dataclasses.fields(node))
    return False


def _range_contains(value: Range, subject: Any, env: Env) -> bool | None:
    try:
        return semantics.range_contains(value, subject)
    except EVAL_ERRORS as exc:
        env.warn(str(exc))
        return None


def match_value(subject: Any, value: Any, env: Env) -> bool | None:
    if isinstance(value, Range):
        return _range_contains(value, subject, env)
    if isinstance(value, list):
        if isinstance(subject, list) and semantics.equal(subject, value):
            return True
        return any(
            (
                _range_contains(item, subject, env)
                if isinstance(item, Range)
                else semantics.equal(subject, item)
            )
            is True
            for item in value
        )
    if isinstance(value, bool) and not isinstance(subject, bool) and subject is not None:
        return value
    return semantics.equal(subject, value)


def compile_test(node: n.Node) -> TestFn:
    if isinstance(node, n.UnaryCompare):
        operand, op = compile_node(node.operand), node.op
        return lambda env, subject: compare_values(op, subject, operand(env), env)
    if isinstance(node, n.RangeLit):
        bounds = compile_node(node)

        def in_range(env: Env, subject: Any) -> bool | None:
            value = bounds(env)
            return None if value is None else _range_contains(value, subject, env)

        return in_range
    value_of = compile_node(node)
    if mentions_input(node):
        return lambda env, subject: value_of(env.child({"?": subject})) is True
    return lambda env, subject: match_value(subject, value_of(env), env)


def compile_tests(tests: tuple[n.Node, ...]) -> TestFn:
    """Positive unary tests: true if any test is true, else null if any is null, else false."""
    compiled = [compile_test(test) for test in tests]
    if len(compiled) == 1:
        return compiled[0]

    def run(env: Env, subject: Any) -> bool | None:
        result: bool | None = False
        for test in compiled:
            verdict = test(env, subject)
            if verdict is True:
                return True
            if verdict is None:
                result = None
        return result

    return run


@handles(n.In)
def _in(node: n.In) -> Fn:
    value, tests = compile_node(node.value), compile_tests(node.tests)
    return lambda env: tests(env, value(env))
