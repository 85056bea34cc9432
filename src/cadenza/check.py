"""``cadenza check``: validates BPMN and DMN files the way deployment will, without deploying anything.

A ``.bpmn`` file goes through :func:`cadenza.bpmn.parse_bpmn`, which reports every problem at once; a ``.dmn``
file through :func:`cadenza.dmn.load_dmn`, which stops at the first. Each problem keeps the element id (when
there is one) and the line, for people and, as JSON, for editors and CI.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cadenza.bpmn import BpmnError, parse_bpmn
from cadenza.dmn import DmnError, load_dmn
from cadenza.xmlsafe import XmlError, read_source

__all__ = ["FileReport", "Issue", "check_file"]

# DMN messages name an element as ``decision 'Risk' (id=risk)``; the first such id is the element's.
_DMN_ID = re.compile(r"\(id=([^)]+)\)")


@dataclass(frozen=True)
class Issue:
    """One problem: ``element`` is the id of the element at fault (None for the file as a whole)."""

    message: str
    element: str | None = None
    line: int | None = None

    def render(self, file: str) -> str:
        where = file if self.line is None else f"{file}:{self.line}"
        if self.element is not None:
            where += f": element '{self.element}'"
        return f"{where}: {self.message}"


@dataclass
class FileReport:
    """The outcome for one file: what it holds when valid (process or decision ids), its problems if not."""

    file: str
    kind: str
    contents: list[str] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "valid": self.valid,
            "contents": self.contents,
            "problems": [asdict(problem) for problem in self.problems],
        }


def check_file(path: Path) -> FileReport:
    """Validates one file, chosen by its extension (``.bpmn`` or ``.dmn``, any case)."""
    kind = path.suffix.lower().lstrip(".")
    report = FileReport(str(path), kind)
    if kind not in ("bpmn", "dmn"):
        report.problems.append(Issue("not a .bpmn or .dmn file"))
        return report
    if kind == "bpmn":
        _check_bpmn(path, report)
    else:
        _check_dmn(path, report)
    return report


def _check_bpmn(path: Path, report: FileReport) -> None:
    try:
        data, _ = read_source(path)  # the size bound holds before the file is read
        definitions = parse_bpmn(data, resource_name=path.name)
    except XmlError as exc:
        report.problems.append(Issue(exc.message, None, exc.line))
        return
    except BpmnError as exc:
        report.problems.extend(Issue(p.message, p.element_id, p.line) for p in exc.problems)
        return
    report.contents = [process.id for process in definitions.processes]


def _check_dmn(path: Path, report: FileReport) -> None:
    try:
        model = load_dmn(path)
    except DmnError as exc:
        found = _DMN_ID.search(exc.element or "") or _DMN_ID.search(exc.message)
        element = found.group(1) if found else exc.element
        report.problems.append(Issue(exc.message, element, exc.line))
        return
    report.contents = [decision.id for decision in model.definitions.decisions]
