"""The ``zeebe:`` extension elements (namespace ``http://camunda.org/schema/zeebe/1.0``) and their readers.

Names follow zeebe-bpmn-moddle's ``resources/zeebe.json`` exactly. Absent optional extensions read as None;
Zeebe's defaults (retries 3, propagate-all true, binding type latest) are filled in here so the engine never
has to know them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lxml import etree

from cadenza.bpmn.expressions import BpmnExpression, ExpressionCompiler

__all__ = [
    "ZEEBE_NS",
    "Assignment",
    "CalledDecision",
    "CalledElement",
    "FormDefinition",
    "IoMapping",
    "JobDefinition",
    "Script",
    "TaskSchedule",
    "VariableMapping",
    "ZeebeReader",
    "check_variable_name",
    "empty_mapping",
]

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
DEFAULT_RETRIES = "3"
EMPTY: Mapping[str, str] = MappingProxyType({})


def empty_mapping() -> Mapping[str, str]:
    """A default factory: dataclasses refuse an unhashable mapping proxy as a plain default."""
    return EMPTY


# A FEEL name or dotted path such as ``order.total``; Zeebe nests the value under the path's segments.
_TARGET = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_NAME = re.compile(r"[^\W\d]\w*")


def check_variable_name(value: str | None, what: str, report: Report) -> str | None:
    """A plain variable name (``resultVariable``, ``inputElement``, ...): stripped, or None when absent."""
    name = (value or "").strip()
    if not name:
        return None
    if not _NAME.fullmatch(name):
        report(f"{what} '{name}' is not a variable name")
    return name


Report = Callable[[str], None]
XmlElement = etree._Element


@dataclass(frozen=True, slots=True)
class JobDefinition:
    """Makes an element job-based: workers activate jobs of ``type``."""

    type: BpmnExpression
    retries: BpmnExpression
    headers: Mapping[str, str] = field(default_factory=empty_mapping)


@dataclass(frozen=True, slots=True)
class VariableMapping:
    source: BpmnExpression
    target: str


@dataclass(frozen=True, slots=True)
class IoMapping:
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()


NO_MAPPINGS = IoMapping()


@dataclass(frozen=True, slots=True)
class Assignment:
    assignee: BpmnExpression | None = None
    candidate_groups: BpmnExpression | None = None
    candidate_users: BpmnExpression | None = None


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    due_date: BpmnExpression | None = None
    follow_up_date: BpmnExpression | None = None


@dataclass(frozen=True, slots=True)
class FormDefinition:
    """Exactly one of: an embedded form key, a deployed form id, or an external form reference."""

    form_key: str | None = None
    form_id: str | None = None
    external_reference: BpmnExpression | None = None
    binding_type: str = "latest"
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class CalledElement:
    process_id: BpmnExpression
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True
    binding_type: str = "latest"
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class CalledDecision:
    decision_id: BpmnExpression
    result_variable: str
    binding_type: str = "latest"
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class Script:
    expression: BpmnExpression
    result_variable: str


_BINDING_TYPES = frozenset({"latest", "deployment", "versionTag"})


def _flag(value: str | None, default: bool, name: str, report: Report) -> bool:
    if value is None:
        return default
    if value.strip() in ("true", "false"):
        return value.strip() == "true"
    report(f"{name} must be 'true' or 'false', not '{value}'")
    return default


class ZeebeReader:
    """Reads the zeebe extensions under one element's ``bpmn:extensionElements``."""

    __slots__ = ("_expr",)

    def __init__(self, compiler: ExpressionCompiler) -> None:
        self._expr = compiler

    @staticmethod
    def find(ext: XmlElement | None, name: str) -> XmlElement | None:
        return None if ext is None else ext.find(f"{{{ZEEBE_NS}}}{name}")

    @staticmethod
    def find_all(ext: XmlElement | None, name: str) -> list[XmlElement]:
        return [] if ext is None else ext.findall(f"{{{ZEEBE_NS}}}{name}")

    def job(self, ext: XmlElement | None, report: Report, what: str | None = None) -> JobDefinition | None:
        """The task definition; ``what`` names an element that must have one ("service task")."""
        node = self.find(ext, "taskDefinition")
        missing = f"{what or 'zeebe:taskDefinition'} has no zeebe:taskDefinition type"
        if node is None:
            if what is not None:
                report(missing)
            return None
        type_ = self._expr.value(node.get("type"), "zeebe:taskDefinition type", report)
        if type_ is None or (type_.is_static and not type_.source.strip()):
            report(missing)
            return None
        retries = self._expr.value(
            node.get("retries") or DEFAULT_RETRIES, "zeebe:taskDefinition retries", report
        )
        if retries is not None and retries.is_static and not retries.source.strip().isdigit():
            report(f"zeebe:taskDefinition retries must be a non-negative integer, not '{retries.source}'")
        return JobDefinition(
            type=type_,
            retries=retries or BpmnExpression(DEFAULT_RETRIES),
            headers=self.headers(ext, report),
        )

    def headers(self, ext: XmlElement | None, report: Report) -> Mapping[str, str]:
        headers: dict[str, str] = {}
        for block in self.find_all(ext, "taskHeaders"):
            for header in block.findall(f"{{{ZEEBE_NS}}}header"):
                key = header.get("key")
                if not key:
                    report("zeebe:header has no key")
                    continue
                headers[key] = header.get("value", "")
        return MappingProxyType(headers) if headers else EMPTY

    def properties(self, ext: XmlElement | None) -> Mapping[str, str]:
        found = {
            prop.get("name", ""): prop.get("value", "")
            for block in self.find_all(ext, "properties")
            for prop in block.findall(f"{{{ZEEBE_NS}}}property")
            if prop.get("name")
        }
        return MappingProxyType(found) if found else EMPTY

    def io_mapping(self, ext: XmlElement | None, report: Report) -> IoMapping:
        node = self.find(ext, "ioMapping")
        if node is None:
            return NO_MAPPINGS
        return IoMapping(
            inputs=self._mappings(node, "input", report),
            outputs=self._mappings(node, "output", report),
        )

    def _mappings(self, node: XmlElement, kind: str, report: Report) -> tuple[VariableMapping, ...]:
        result: list[VariableMapping] = []
        for item in node.findall(f"{{{ZEEBE_NS}}}{kind}"):
            target = (item.get("target") or "").strip()
            if not _TARGET.fullmatch(target):
                report(f"zeebe:{kind} target '{target}' is not a variable name or path")
                continue
            # An absent source maps the variable of the same name (the modeler writes both, Zeebe reads so).
            source = self._expr.value(item.get("source") or f"={target}", f"zeebe:{kind} source", report)
            if source is not None:
                result.append(VariableMapping(source=source, target=target))
        return tuple(result)

    def binding(self, node: XmlElement, report: Report) -> tuple[str, str | None]:
        binding = node.get("bindingType") or "latest"
        version_tag = node.get("versionTag")
        if binding not in _BINDING_TYPES:
            report(f"bindingType must be one of latest, deployment, versionTag; not '{binding}'")
        elif binding == "versionTag" and not version_tag:
            report("bindingType versionTag needs a versionTag")
        return binding, version_tag

    def called_element(self, ext: XmlElement | None, report: Report) -> CalledElement | None:
        node = self.find(ext, "calledElement")
        process_id = None if node is None else self._expr.value(node.get("processId"), "processId", report)
        if node is None or process_id is None or not process_id.source.strip():
            report("call activity has no zeebe:calledElement processId")
            return None
        binding, version_tag = self.binding(node, report)
        return CalledElement(
            process_id=process_id,
            propagate_all_child_variables=_flag(
                node.get("propagateAllChildVariables"), True, "propagateAllChildVariables", report
            ),
            propagate_all_parent_variables=_flag(
                node.get("propagateAllParentVariables"), True, "propagateAllParentVariables", report
            ),
            binding_type=binding,
            version_tag=version_tag,
        )

    def called_decision(self, ext: XmlElement | None, report: Report) -> CalledDecision | None:
        node = self.find(ext, "calledDecision")
        if node is None:
            return None
        decision = self._expr.value(node.get("decisionId"), "decisionId", report)
        result_variable = check_variable_name(node.get("resultVariable"), "resultVariable", report) or ""
        if decision is None or not decision.source.strip():
            report("zeebe:calledDecision has no decisionId")
            return None
        if not result_variable:
            report("zeebe:calledDecision has no resultVariable")
        binding, version_tag = self.binding(node, report)
        return CalledDecision(decision, result_variable, binding, version_tag)

    def script(self, ext: XmlElement | None, report: Report) -> Script | None:
        node = self.find(ext, "script")
        if node is None:
            return None
        expression = self._expr.feel(node.get("expression"), "zeebe:script expression", report)
        result_variable = check_variable_name(node.get("resultVariable"), "resultVariable", report) or ""
        if expression is None:
            report("zeebe:script has no expression")
            return None
        if not result_variable:
            report("zeebe:script has no resultVariable")
        return Script(expression, result_variable)

    def assignment(self, ext: XmlElement | None, report: Report) -> Assignment:
        node = self.find(ext, "assignmentDefinition")
        if node is None:
            return Assignment()
        return Assignment(
            assignee=self._expr.value(node.get("assignee"), "assignee", report),
            candidate_groups=self._expr.value(node.get("candidateGroups"), "candidateGroups", report),
            candidate_users=self._expr.value(node.get("candidateUsers"), "candidateUsers", report),
        )

    def schedule(self, ext: XmlElement | None, report: Report) -> TaskSchedule:
        node = self.find(ext, "taskSchedule")
        if node is None:
            return TaskSchedule()
        return TaskSchedule(
            due_date=self._expr.value(node.get("dueDate"), "dueDate", report),
            follow_up_date=self._expr.value(node.get("followUpDate"), "followUpDate", report),
        )

    def form(self, ext: XmlElement | None, report: Report) -> FormDefinition | None:
        node = self.find(ext, "formDefinition")
        if node is None:
            return None
        form_key, form_id = node.get("formKey"), node.get("formId")
        external = self._expr.value(node.get("externalReference"), "externalReference", report)
        if sum(value is not None for value in (form_key, form_id, external)) != 1:
            report("zeebe:formDefinition needs exactly one of formKey, formId, externalReference")
        binding, version_tag = self.binding(node, report)
        return FormDefinition(form_key, form_id, external, binding, version_tag)

    def priority(self, ext: XmlElement | None, report: Report) -> BpmnExpression | None:
        node = self.find(ext, "priorityDefinition")
        if node is None:
            return None
        priority = self._expr.value(node.get("priority"), "priority", report)
        static = None if priority is None else priority.static_value
        if static is not None and not (static.strip().isdigit() and 0 <= int(static) <= 100):
            report(f"zeebe:priorityDefinition priority must be an integer from 0 to 100, not '{static}'")
        return priority

    def subscription_key(self, ext: XmlElement | None, report: Report) -> BpmnExpression | None:
        node = self.find(ext, "subscription")
        if node is None:
            return None
        key = node.get("correlationKey")
        return self._expr.value(key, "correlationKey", report) if key and key.strip() else None
