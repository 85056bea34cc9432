"""The public face of the FEEL front end: compile once, evaluate many times.

Nothing raised while evaluating reaches the caller: evaluation errors become null plus a :class:`FeelWarning`,
and so do a blown Python stack or a fault in a built-in (the boundary catches every ``Exception``).

``evaluate``/``matches`` accept host values (``int``, ``float``, tuples, any mapping) and convert them
with :mod:`cadenza.feel.host`; ``evaluate_feel``/``matches_feel`` skip that step for callers, such as the
DMN engine, whose values are FEEL values by construction.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from cadenza.feel import compile_flow as _flow  # noqa: F401  (registers the for/call/function compilers)
from cadenza.feel import nodes as n
from cadenza.feel.compile_base import Env, Fn, HostEnv, StepBudgetExceeded, TestFn
from cadenza.feel.compile_expr import compile_node
from cadenza.feel.compile_tests import compile_tests
from cadenza.feel.errors import FeelStaticError, FeelSyntaxError, FeelWarning
from cadenza.feel.host import to_feel
from cadenza.feel.lexer import is_name_part, is_name_start
from cadenza.feel.parser import MAX_NESTING, parse_expression, parse_unary_tests
from cadenza.feel.static_calls import builtin_call_problem

__all__ = ["Expression", "UnaryTests", "compile_expression", "compile_unary_tests", "evaluate"]

_EMPTY: Mapping[str, Any] = {}


def _guarded_compile(build: Any) -> Any:
    try:
        return build()
    except RecursionError:
        raise FeelSyntaxError(f"nesting deeper than {MAX_NESTING}", 1, 1, []) from None


def _failed(env: Env, exc: Exception) -> None:
    if isinstance(exc, RecursionError):
        env.warn("evaluation nested too deeply (runaway recursion?)")
    elif isinstance(exc, StepBudgetExceeded):
        env.warn(str(exc))
    else:
        env.warn(f"evaluation failed: {exc or type(exc).__name__}")


def _test(test: TestFn, root: Env, input_value: Any) -> bool:
    env = root.child({"?": input_value})
    try:
        return test(env, input_value) is True
    except Exception as exc:
        _failed(env, exc)
    return False


class Expression:
    """A compiled FEEL expression. Immutable and thread-safe; ``evaluate`` may run concurrently."""

    __slots__ = ("source", "_run")

    def __init__(self, source: str, run: Fn) -> None:
        self.source = source
        self._run = run

    def evaluate(
        self, variables: Mapping[str, Any] | None = None, *, warnings: list[FeelWarning] | None = None
    ) -> Any:
        """The value over ``variables``, host values converted (``25000`` is the FEEL number 25000)."""
        # Converted lazily, per name read (HostEnv): a variable the expression never reads costs nothing.
        env = HostEnv(_EMPTY if variables is None else variables, warnings, self.source)
        try:
            return self._run(env)
        except Exception as exc:  # the API promise: an evaluation never raises
            _failed(env, exc)
        return None

    def evaluate_feel(self, variables: Mapping[str, Any], warnings: list[FeelWarning] | None = None) -> Any:
        """Like :meth:`evaluate` for ``variables`` that hold FEEL values only: nothing is converted."""
        env = Env(variables, None, warnings, self.source)
        try:
            return self._run(env)
        except Exception as exc:
            _failed(env, exc)
        return None

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


class UnaryTests:
    """Compiled DMN unary tests (a decision table input entry). Immutable and thread-safe."""

    __slots__ = ("source", "_test")

    def __init__(self, source: str, test: TestFn) -> None:
        self.source = source
        self._test = test

    def matches(
        self,
        input_value: Any,
        variables: Mapping[str, Any] | None = None,
        *,
        warnings: list[FeelWarning] | None = None,
    ) -> bool:
        """True when ``input_value`` passes the tests; host values are converted as for ``evaluate``."""
        root = HostEnv(_EMPTY if variables is None else variables, warnings, self.source)
        return _test(self._test, root, to_feel(input_value))

    def matches_feel(
        self, input_value: Any, variables: Mapping[str, Any], warnings: list[FeelWarning] | None = None
    ) -> bool:
        """Like :meth:`matches` for FEEL values only: nothing is converted."""
        return _test(self._test, Env(variables, None, warnings, self.source), input_value)

    def __repr__(self) -> str:
        return f"UnaryTests({self.source!r})"


def _check_calls(tree: n.Node | n.UnaryTestsNode, bound: Collection[str] | None) -> None:
    if bound is None:
        return
    problem = builtin_call_problem(tree, bound)
    if problem is not None:
        raise FeelStaticError(problem)


def compile_expression(
    source: str, *, names: Iterable[str] = (), bound: Collection[str] | None = None
) -> Expression:
    """Parses and compiles ``source``. ``names`` are in-scope names that may contain spaces or symbols.

    With ``bound`` (every name a variable may have when evaluating), a call of a built-in that no signature of
    it accepts raises :class:`FeelStaticError` instead of being left to fail (null) at each evaluation."""
    node = _guarded_compile(lambda: parse_expression(source, names))
    _check_calls(node, bound)
    return Expression(source, _guarded_compile(lambda: compile_node(node)))


def _always(env: Env, subject: Any) -> bool:  # noqa: ARG001
    return True


def compile_unary_tests(
    source: str, *, names: Iterable[str] = (), bound: Collection[str] | None = None
) -> UnaryTests:
    """Parses and compiles DMN unary tests (``-``, ``< 5, > 10``, ``not("a", "b")``, ``? > x``); ``bound`` as
    for :func:`compile_expression`."""
    tree = _guarded_compile(lambda: parse_unary_tests(source, names))
    _check_calls(tree, bound)
    if tree.any:
        return UnaryTests(source, _always)
    positive: TestFn = _guarded_compile(lambda: compile_tests(tree.tests))
    if not tree.negated:
        return UnaryTests(source, positive)

    def negated(env: Env, subject: Any) -> bool | None:
        verdict = positive(env, subject)
        return None if verdict is None else not verdict

    return UnaryTests(source, negated)


def _special_names(variables: Mapping[str, Any]) -> frozenset[str]:
    # Only names that are not one plain word need the lexer's known-name table.
    return frozenset(
        key
        for key in variables
        if isinstance(key, str)
        and not (key and is_name_start(key[0]) and all(is_name_part(c) for c in key[1:]))
    )


@functools.lru_cache(maxsize=512)
def _cached(source: str, names: frozenset[str]) -> Expression:
    return compile_expression(source, names=names)


def evaluate(source: str, variables: Mapping[str, Any] | None = None) -> Any:
    """Compiles (cached) and evaluates ``source`` over host or FEEL values (see :meth:`Expression.evaluate`).
    Raises :class:`FeelSyntaxError` for invalid text."""
    scope = variables or _EMPTY
    return _cached(source, _special_names(scope)).evaluate(scope)
