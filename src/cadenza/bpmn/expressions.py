"""Model expressions: Zeebe's rule that an attribute starting with ``=`` is FEEL and anything else is static.

Every expression is compiled once, at deploy time, so a syntax error is a deployment problem (with the FEEL
line and column) and never an incident at run time; the engine only calls :meth:`BpmnExpression.evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cadenza.feel import compile_expression
from cadenza.feel.errors import FeelSyntaxError

__all__ = [
    "BpmnExpression",
    "CompiledFeel",
    "ExpressionCompiler",
    "FeelCompiler",
    "default_feel_compiler",
]


class CompiledFeel(Protocol):
    """What :func:`cadenza.feel.compile_expression` returns; only evaluation is needed here."""

    def evaluate(self, variables: Mapping[str, Any]) -> Any: ...


#: ``source -> compiled`` raising :class:`FeelSyntaxError`; injectable so a caller (or a test) can swap it.
FeelCompiler = Callable[[str], CompiledFeel]


def default_feel_compiler() -> FeelCompiler:
    """Cadenza's own FEEL compiler, :func:`cadenza.feel.compile_expression`."""
    return compile_expression


@dataclass(frozen=True, slots=True)
class BpmnExpression:
    """An attribute value: either a static string or a compiled FEEL expression.

    ``source`` is the text as written in the XML (``=`` included), kept for messages, export and records.
    """

    source: str
    compiled: CompiledFeel | None = None

    @property
    def is_static(self) -> bool:
        return self.compiled is None

    @property
    def static_value(self) -> str | None:
        """The literal value of a static expression, None for FEEL."""
        return self.source if self.compiled is None else None

    @property
    def feel_source(self) -> str | None:
        """The FEEL text without its ``=`` marker, None for a static value."""
        if self.compiled is None:
            return None
        return self.source[1:] if self.source.startswith("=") else self.source

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """The static string, or the FEEL result over ``variables``."""
        if self.compiled is None:
            return self.source
        return self.compiled.evaluate(variables)


ProblemSink = Callable[[str], None]


class ExpressionCompiler:
    """Compiles model attributes, reporting FEEL syntax errors to a sink instead of raising, so that one parse
    collects every problem of a model."""

    __slots__ = ("_feel",)

    def __init__(self, feel: FeelCompiler) -> None:
        self._feel = feel

    def value(self, raw: str | None, attribute: str, report: ProblemSink) -> BpmnExpression | None:
        """Zeebe's static-or-FEEL rule; None when the attribute is absent."""
        if raw is None:
            return None
        text = raw.strip()
        if not text.startswith("="):
            return BpmnExpression(source=raw)
        return self._compile(text, text[1:], attribute, report)

    def feel(self, raw: str | None, attribute: str, report: ProblemSink) -> BpmnExpression | None:
        """An attribute that is always FEEL (conditions, collections): the ``=`` marker is optional."""
        if raw is None:
            return None
        text = raw.strip()
        body = text[1:] if text.startswith("=") else text
        return self._compile(text, body, attribute, report)

    def _compile(self, text: str, body: str, attribute: str, report: ProblemSink) -> BpmnExpression | None:
        if not body.strip():
            report(f"{attribute} is an empty FEEL expression")
            return None
        try:
            compiled = self._feel(body)
        except FeelSyntaxError as error:
            where = f"line {error.line}, column {error.column}"
            report(f"FEEL syntax error in {attribute} at {where}: {error.message}")
            return None
        return BpmnExpression(source=text, compiled=compiled)
