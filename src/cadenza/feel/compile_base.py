"""Runtime support for compiled FEEL: the scope chain, warnings and user-defined function values.

A compiled expression is a tree of closures ``fn(env) -> value``. All per-evaluation state lives in the
:class:`Env` passed down the calls, never in the closures, so one compiled expression can run in many threads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cadenza.feel.errors import FeelWarning
from cadenza.feel.host import SCALAR_TYPES, to_feel
from cadenza.feel.types import FeelType, ListType
from cadenza.feel.values import FeelEvalError, FeelFunction, Param

__all__ = [
    "EVAL_ERRORS",
    "STEP_BUDGET",
    "Env",
    "HostEnv",
    "ExternalFunction",
    "Fn",
    "MISSING",
    "StepBudgetExceeded",
    "TestFn",
    "UserFunction",
    "builtin",
    "coerce",
]

#: Errors an operation may raise that mean "this value is null": FEEL's own, and decimal/arithmetic faults.
EVAL_ERRORS: tuple[type[Exception], ...] = (FeelEvalError, ArithmeticError, ValueError, OverflowError)

MISSING: Any = object()

#: Iterations (of for/some/every) plus user-function calls one evaluation may make. Each domain is bounded
#: already (``MAX_ITERATIONS``), but nesting multiplies them and recursion compounds calls: without a total,
#: one expression in a model (``for x in 1..3000, y in 1..3000 ...``) would hold the partition's writer for
#: seconds.
STEP_BUDGET = 250_000


class StepBudgetExceeded(Exception):
    """The evaluation used up its :data:`STEP_BUDGET`; it ends as null with a warning, as a whole."""

    def __init__(self) -> None:
        super().__init__(f"evaluation exceeded its budget of {STEP_BUDGET:,} steps (iterations and calls)")


class Env:
    """One scope of an evaluation: its names, the enclosing scope and the evaluation's warning list.

    Its values are FEEL values (``trusted``); only the root scope of a host evaluation, a :class:`HostEnv`,
    holds host values, converted when first read.
    """

    __slots__ = ("vars", "parent", "warnings", "source", "budget")

    trusted = True

    def __init__(
        self,
        variables: Mapping[str, Any],
        parent: Env | None,
        warnings: list[FeelWarning] | None,
        source: str,
        budget: list[int] | None = None,
    ) -> None:
        self.vars = variables
        self.parent = parent
        self.warnings = warnings
        self.source = source
        # One counter per evaluation, shared by every scope of it (a one-element list, so children share it).
        self.budget = [STEP_BUDGET] if budget is None else budget

    def child(self, variables: Mapping[str, Any]) -> Env:
        return Env(variables, self, self.warnings, self.source, self.budget)

    def spend(self, steps: int) -> None:
        """Charges ``steps`` to the evaluation's budget; raises :class:`StepBudgetExceeded` past it."""
        budget = self.budget
        budget[0] -= steps
        if budget[0] < 0:
            raise StepBudgetExceeded

    def lookup(self, name: str) -> Any:
        env: Env | None = self
        while env is not None:
            scope = env.vars
            if name in scope:
                value = scope[name]
                if env.trusted or type(value) in SCALAR_TYPES:
                    return value
                return env.feel_value(name, value)
            env = env.parent
        return MISSING

    def feel_value(self, name: str, value: Any) -> Any:  # noqa: ARG002
        """``value``, read from this scope under ``name``, as a FEEL value."""
        return value

    def warn(self, message: str) -> None:
        """Records an evaluation error; the caller returns null in its place."""
        if self.warnings is not None:
            self.warnings.append(FeelWarning(message, self.source))


class HostEnv(Env):
    """The root scope of ``Expression.evaluate``: the caller's variables, converted lazily, once per name.

    Only names the expression reads pay for conversion, so a large variable it never reads costs nothing. The
    readers (``lookup`` and the compiled name look-up) return a scalar that already is a FEEL value straight
    away and call :meth:`feel_value` for anything else; a list or context is walked once per evaluation.
    """

    __slots__ = ("_converted",)

    trusted = False

    def __init__(self, variables: Mapping[str, Any], warnings: list[FeelWarning] | None, source: str) -> None:
        self.vars = variables
        self.parent = None
        self.warnings = warnings
        self.source = source
        self.budget = [STEP_BUDGET]
        self._converted: dict[str, Any] | None = None

    def feel_value(self, name: str, value: Any) -> Any:
        converted = self._converted
        if converted is None:
            converted = self._converted = {}
        if name not in converted:
            converted[name] = to_feel(value)
        return converted[name]


Fn = Callable[[Env], Any]
TestFn = Callable[[Env, Any], "bool | None"]


def builtin(name: str) -> FeelFunction | None:
    try:
        from cadenza.feel.builtins import BUILTINS
    except ImportError:  # pragma: no cover - the registry ships with the package
        return None
    return BUILTINS.get(name)


def coerce(value: Any, declared: FeelType | None, what: str) -> Any:
    """DMN 1.5 10.3.2.9.4: a value bound to a typed parameter, with singleton-list conversions."""
    if declared is None or value is None or declared.is_instance(value):
        return value
    if isinstance(value, list) and len(value) == 1 and declared.is_instance(value[0]):
        return value[0]
    if isinstance(declared, ListType) and declared.element.is_instance(value):
        return [value]
    raise FeelEvalError(f"{what}: expected {declared!r}")


class UserFunction(FeelFunction):
    """A ``function(a, b) body`` value: the body closure plus the scope it was defined in."""

    __slots__ = ("names", "types", "body", "env")

    def __init__(self, names: Sequence[str], types: Sequence[FeelType | None], body: Fn, env: Env) -> None:
        self.names = tuple(names)
        self.types = tuple(types)
        self.body = body
        self.env = env

    @property
    def params(self) -> Sequence[Param]:
        return [
            Param(name, repr(declared) if declared else "Any")
            for name, declared in zip(self.names, self.types, strict=True)
        ]

    def call(self, args: Sequence[Any]) -> Any:
        if len(args) != len(self.names):
            raise FeelEvalError(f"function expects {len(self.names)} argument(s) but got {len(args)}")
        scope = {
            name: coerce(value, declared, f"argument {name!r}")
            for name, declared, value in zip(self.names, self.types, args, strict=True)
        }
        env = self.env.child(scope)
        env.spend(1)
        return self.body(env)


class ExternalFunction(FeelFunction):
    """``function(...) external {...}``: Cadenza never calls host code a model names; calling is an error."""

    __slots__ = ("names",)

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    @property
    def params(self) -> Sequence[Param]:
        return [Param(name) for name in self.names]

    def call(self, args: Sequence[Any]) -> Any:  # noqa: ARG002
        raise FeelEvalError("external functions are not supported")
