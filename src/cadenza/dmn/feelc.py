"""The DMN side of the FEEL boundary: compiling cell and expression texts, with DMN-quality error messages.

Every FEEL text in a model is compiled once, at load time. A syntax error is a :class:`DmnError` naming the
decision, the rule or column and the line/column; in *lenient* mode (the TCK runner) it is deferred instead,
so the broken decision evaluates to null with a warning and the rest of the model stays usable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cadenza.dmn.errors import DmnError
from cadenza.feel import (
    Expression,
    FeelStaticError,
    FeelSyntaxError,
    FeelWarning,
    UnaryTests,
    compile_expression,
    compile_unary_tests,
)
from cadenza.feel.values import FeelEvalError

__all__ = ["CompiledExpr", "CompiledTests", "FeelCompiler", "Where"]


@dataclass(frozen=True)
class Where:
    """Names the place a FEEL text sits, for error messages: element, part (rule 3, input 'Age'...), line."""

    element: str
    part: str = ""
    line: int | None = None

    def at(self, part: str, line: int | None = None) -> Where:
        return Where(self.element, part, line if line is not None else self.line)

    def within(self, part: str) -> Where:
        """A part nested in this one: ``context entry 'a' > context entry 'b'``."""
        return Where(self.element, f"{self.part} > {part}" if self.part else part, self.line)

    def describe(self) -> str:
        return f"{self.element}, {self.part}" if self.part else self.element


class CompiledExpr(Protocol):
    source: str

    def evaluate(self, variables: Mapping[str, Any], warnings: list[FeelWarning]) -> Any: ...


class CompiledTests(Protocol):
    source: str

    def matches(self, value: Any, variables: Mapping[str, Any], warnings: list[FeelWarning]) -> bool: ...


class _Expr:
    # Values inside a DMN evaluation are FEEL values already (inputs are converted once, in DmnModel), so the
    # compiled FEEL runs without the host-value conversion of the public ``evaluate``.
    __slots__ = ("source", "_compiled")

    def __init__(self, source: str, compiled: Expression) -> None:
        self.source = source
        self._compiled = compiled

    def evaluate(self, variables: Mapping[str, Any], warnings: list[FeelWarning]) -> Any:
        return self._compiled.evaluate_feel(variables, warnings)


class _Tests:
    __slots__ = ("source", "_compiled")

    def __init__(self, source: str, compiled: UnaryTests) -> None:
        self.source = source
        self._compiled = compiled

    def matches(self, value: Any, variables: Mapping[str, Any], warnings: list[FeelWarning]) -> bool:
        return bool(self._compiled.matches_feel(value, variables, warnings))


class _Broken:
    """A text that did not compile (lenient mode): evaluating it is an evaluation error."""

    __slots__ = ("source", "message")

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.message = message

    def evaluate(self, variables: Mapping[str, Any], warnings: list[FeelWarning]) -> Any:  # noqa: ARG002
        raise FeelEvalError(self.message)

    def matches(self, value: Any, variables: Mapping[str, Any], warnings: list[FeelWarning]) -> bool:  # noqa: ARG002
        raise FeelEvalError(self.message)


class FeelCompiler:
    """Compiles with the model's names in scope, so names with spaces and other specials parse.

    Strict compilation also rejects calls of built-ins that no signature accepts (``string()``). A built-in is
    taken to be shadowed by any name the model declares anywhere (``self.names``), which errs on the side of
    accepting; in lenient mode such calls stay evaluation errors (null plus a warning)."""

    def __init__(self, names: Iterable[str], *, lenient: bool = False) -> None:
        self.names = frozenset(names)
        self.lenient = lenient
        self._bound = None if lenient else self.names

    def expression(self, text: str, where: Where) -> CompiledExpr:
        try:
            return _Expr(text, compile_expression(text, names=self.names, bound=self._bound))
        except FeelSyntaxError as exc:
            return self._failed(text, exc, where)
        except FeelStaticError as exc:
            raise DmnError(f"{exc.message} in {text!r}", element=where.describe(), line=where.line) from exc

    def unary_tests(self, text: str, where: Where) -> CompiledTests:
        try:
            return _Tests(text, compile_unary_tests(text, names=self.names, bound=self._bound))
        except FeelSyntaxError as exc:
            return self._failed(text, exc, where)
        except FeelStaticError as exc:
            raise DmnError(f"{exc.message} in {text!r}", element=where.describe(), line=where.line) from exc

    def _failed(self, text: str, exc: FeelSyntaxError, where: Where) -> _Broken:
        line = (where.line or 1) + exc.line - 1
        message = (
            f"FEEL syntax error in {where.describe()} at line {line}, column {exc.column}: {exc.message}"
        )
        if exc.expected:
            message += f" (expected {', '.join(exc.expected[:6])})"
        message += f" in {text!r}"
        if self.lenient:
            return _Broken(text, message)
        raise DmnError(message, line=line) from exc
