"""The errors and warnings that the FEEL front end reports to its callers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FeelStaticError", "FeelSyntaxError", "FeelWarning"]


class FeelSyntaxError(Exception):
    """A FEEL text that does not follow the grammar; carries a 1-based position and what was expected."""

    def __init__(self, message: str, line: int = 1, column: int = 1, expected: Sequence[str] = ()) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.expected = list(expected)
        super().__init__(f"line {line}, column {column}: {message}")


class FeelStaticError(Exception):
    """A FEEL text that parses but can never evaluate as written, such as a built-in called with arguments
    no signature of it accepts. Only raised when the caller asks for the static check."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class FeelWarning:
    """An evaluation error that was turned into null: what went wrong, and in which expression."""

    message: str
    source: str
