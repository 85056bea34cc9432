"""What every element builder shares while one file is read: the compilers, the root definitions that
elements refer to by id (messages, errors, escalations, signals) and the problem collector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from cadenza.bpmn.errors import Problems
from cadenza.bpmn.expressions import ExpressionCompiler
from cadenza.bpmn.zeebe_ext import ZeebeReader

__all__ = ["BPMN_NS", "BuildContext", "RootRefs", "XmlElement", "bpmn_tag", "line_of", "local_name"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XmlElement = etree._Element
Report = Callable[[str], None]


def bpmn_tag(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def line_of(node: XmlElement) -> int | None:
    """lxml's ``sourceline``; the stubs type it loosely, and lines past 65535 may be None."""
    line: object = node.sourceline
    return line if isinstance(line, int) else None


def local_name(node: XmlElement) -> str:
    return etree.QName(node).localname


@dataclass
class RootRefs:
    """Root elements by id. Kept as XML because what they mean depends on the referring event (a throw may
    use a FEEL error code, a catch may not)."""

    messages: dict[str, XmlElement] = field(default_factory=dict)
    errors: dict[str, XmlElement] = field(default_factory=dict)
    escalations: dict[str, XmlElement] = field(default_factory=dict)
    signals: dict[str, XmlElement] = field(default_factory=dict)


@dataclass
class BuildContext:
    expr: ExpressionCompiler
    zeebe: ZeebeReader
    problems: Problems
    refs: RootRefs

    def report(self, node: XmlElement) -> Report:
        """A reporter naming ``node``'s id and line."""
        return self.problems.sink(node.get("id"), line_of(node))

    @staticmethod
    def extensions(node: XmlElement) -> XmlElement | None:
        return node.find(bpmn_tag("extensionElements"))
