"""The one exception the DMN package raises for a model it cannot read, or that is not valid."""

from __future__ import annotations

__all__ = ["DmnError", "describe"]


class DmnError(Exception):
    """A DMN model that cannot be read or is invalid. The message names the element (id/name) and line."""

    def __init__(self, message: str, *, element: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.element = element
        self.line = line
        where = []
        if element:
            where.append(element)
        if line:
            where.append(f"line {line}")
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(text)


def describe(tag: str, element_id: str | None, name: str | None) -> str:
    """How an error message names an element: ``decision 'Risk' (id=risk)``."""
    parts = [tag]
    if name:
        parts.append(f"'{name}'")
    if element_id:
        parts.append(f"(id={element_id})")
    return " ".join(parts)
