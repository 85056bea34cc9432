"""Deployment problems: every problem of a model is collected and reported at once, each with its element id
and source line, so a modeler fixes a file in one round trip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BpmnError", "Problem", "Problems"]


@dataclass(frozen=True, slots=True)
class Problem:
    element_id: str | None
    line: int | None
    message: str

    def render(self, resource_name: str) -> str:
        where = resource_name if self.line is None else f"{resource_name}:{self.line}"
        if self.element_id is not None:
            where += f" element '{self.element_id}'"
        return f"{where}: {self.message}"


class BpmnError(Exception):
    """A model that cannot be deployed; ``problems`` lists every reason, in document order."""

    def __init__(self, problems: list[Problem], resource_name: str = "model.bpmn") -> None:
        self.problems = problems
        self.resource_name = resource_name
        super().__init__("\n".join(problem.render(resource_name) for problem in problems))


class Problems:
    """The collector that the reader and the validator append to."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, element_id: str | None, line: int | None, message: str) -> None:
        self._items.append(Problem(element_id, line, message))

    def sink(self, element_id: str | None, line: int | None) -> Callable[[str], None]:
        """A one-argument reporter bound to an element, for helpers that only know the message."""

        def report(message: str) -> None:
            self.add(element_id, line, message)

        return report

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self, resource_name: str) -> None:
        if self._items:
            ordered = sorted(self._items, key=lambda p: (p.line is None, p.line or 0))
            raise BpmnError(ordered, resource_name)
