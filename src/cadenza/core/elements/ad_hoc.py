"""Ad-hoc sub-processes, as Camunda 8.8 runs their BPMN implementation.

On activation the sub-process records ``adHocSubProcessElements`` (what may be activated: the children with no
incoming flow), starts an empty ``outputCollection`` when it has one, and evaluates
``activeElementsCollection`` (a list of those ids; absent or empty: nothing runs and it stays active). Each
chosen element runs inside an inner instance of its own (``AD_HOC_SUB_PROCESS_INNER_INSTANCE``, element id
``<id>#innerInstance``), so what one activation writes stays local to it. When an inner instance completes,
its ``outputElement`` is appended to the collection and the completion condition is evaluated in the
sub-process's scope: without one, the sub-process completes once nothing is left active; when it holds,
``cancelRemainingInstances`` terminates what still runs (default) or waits for it. More elements can be
activated later by ``AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE`` (``processors/ad_hoc.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cadenza.bpmn.model import AdHocSubProcess, BoundaryEvent, EventSubProcess, FlowNode, Process, StartEvent
from cadenza.core.elements.flow import (
    COMPLETION_HOOK_TYPES,
    COMPLETION_HOOKS,
    activate_command,
    child_value,
    model_of,
    terminate,
)
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type
from cadenza.core.elements.variables import propagate, set_local, to_text
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer
from cadenza.feel.json_values import loads

__all__ = [
    "ELEMENTS_VARIABLE",
    "INNER_INSTANCE",
    "activatable",
    "activate_ad_hoc",
    "activate_inner",
    "unknown_ids",
]

_PI = ValueType.PROCESS_INSTANCE
_I = ProcessInstanceIntent
_ACTIVATED = str(_I.ELEMENT_ACTIVATED)
_NAME = re.compile(r"[^\W\d]\w*")
#: Zeebe 8.8's ``BpmnElementType`` of the instance each activated element runs in.
INNER_INSTANCE = "AD_HOC_SUB_PROCESS_INNER_INSTANCE"
ELEMENTS_VARIABLE = "adHocSubProcessElements"


def activatable(element: AdHocSubProcess, model: Process) -> dict[str, FlowNode]:
    """The elements an activation may name: children without incoming flows that are not events a trigger
    starts (boundary events, event sub-processes) or start events."""
    found: dict[str, FlowNode] = {}
    for child_id in element.child_ids:
        child = model.elements[child_id]
        if child.incoming or isinstance(child, BoundaryEvent | EventSubProcess | StartEvent):
            continue
        found[child_id] = child
    return found


def unknown_ids(element: AdHocSubProcess, model: Process, ids: list[str]) -> list[str]:
    known = activatable(element, model)
    return [element_id for element_id in ids if element_id not in known]


def activate_ad_hoc(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, model: Process
) -> None:
    assert isinstance(element, AdHocSubProcess)
    metadata = [
        {"elementId": node.id, "elementName": node.name or "", "properties": dict(node.properties)}
        for node in activatable(element, model).values()
    ]
    set_local(writer, key, ELEMENTS_VARIABLE, to_text(metadata), value)
    if element.output_collection and element.output_collection not in writer.state.variables.local(key):
        set_local(writer, key, element.output_collection, "[]", value)
    ids = _active_elements(writer, key, value, element, model)
    if ids is None:
        return
    writer.event(_PI, _I.ELEMENT_ACTIVATED, key, value, value["tenantId"])
    nodes = activatable(element, model)
    for element_id in ids:
        activate_inner(writer, key, value, nodes[element_id], {})


def _active_elements(
    writer: Writer, key: int, value: dict[str, Any], element: AdHocSubProcess, model: Process
) -> list[str] | None:
    """The ids to activate, or None after raising the incident Zeebe raises for a bad collection."""
    expression = element.active_elements_collection
    if expression is None:
        return []
    ids = expression.evaluate(writer.state.variables.view(key))
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        kind = "ARRAY" if not isinstance(ids, list) else "ARRAY of STRING"
        message = "Failed to activate ad-hoc elements. " + expected_type(expression, kind, ids)
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return None
    missing = unknown_ids(element, model, ids)
    if missing:
        names = ", ".join(f"'{i}'" for i in missing)
        message = f"Failed to activate ad-hoc elements. No BPMN elements found with ids: {names}."
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return None
    return ids


def activate_inner(
    writer: Writer, key: int, value: dict[str, Any], node: FlowNode, variables: dict[str, str]
) -> int:
    """An inner instance (written as events, as Zeebe does) with ``variables`` as its locals, then the
    element in it."""
    inner = dict(value)
    inner.pop("businessKey", None)
    inner["elementId"] = f"{value['elementId']}#innerInstance"
    inner["bpmnElementType"] = INNER_INSTANCE
    inner["bpmnEventType"] = "UNSPECIFIED"
    inner["flowScopeKey"] = key
    inner_key = writer.next_key()
    tenant = value["tenantId"]
    writer.event(_PI, _I.ELEMENT_ACTIVATING, inner_key, inner, tenant)
    writer.event(_PI, _I.ELEMENT_ACTIVATED, inner_key, inner, tenant)
    element = model_of(writer, value).elements[value["elementId"]]
    preset = _preset_output_element(element)
    if preset and preset not in variables:
        set_local(writer, inner_key, preset, "null", inner)
    for name, text in variables.items():
        set_local(writer, inner_key, name, text, inner)
    activate_command(writer, child_value(inner, inner_key, node))
    return inner_key


def _preset_output_element(element: FlowNode) -> str | None:
    """A bare-variable ``outputElement`` starts as an inner-instance local null, so a result of that name
    lands in this activation rather than the process root (as multi-instance inner instances do)."""
    if not isinstance(element, AdHocSubProcess) or element.output_element is None:
        return None
    name = (element.output_element.feel_source or "").strip()
    return name if _NAME.fullmatch(name) else None


def _on_completing(writer: Writer, key: int, value: dict[str, Any]) -> bool | Callable[[], None]:
    kind = value["bpmnElementType"]
    if kind == "AD_HOC_SUB_PROCESS":
        _hand_up_output(writer, key, value)
        return False
    if kind != INNER_INSTANCE:
        return False
    scope = writer.state.elements.get(value["flowScopeKey"])
    if scope is None:
        return False
    element = model_of(writer, value).elements[scope["v"]["elementId"]]
    assert isinstance(element, AdHocSubProcess)
    scope_key = int(scope["k"])
    collected = _collect_output(writer, key, scope_key, element)
    verdict = None
    if element.completion_condition is not None:
        view = writer.state.variables.view(scope_key)
        if collected is not None:
            view = view.with_overlay({collected[0]: loads(collected[1])})
        verdict = element.completion_condition.evaluate(view)
        if not isinstance(verdict, bool):
            message = "Failed to evaluate completion condition. " + expected_type(
                element.completion_condition, "BOOLEAN", verdict
            )
            raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
            return True
    if collected is not None:  # written only once nothing can fail, so a resolved incident appends once
        set_local(writer, scope_key, collected[0], collected[1], scope["v"])
    return lambda: _after_inner(writer, scope_key, element, verdict)


def _collect_output(
    writer: Writer, key: int, scope_key: int, element: AdHocSubProcess
) -> tuple[str, str] | None:
    """``(collection name, its new JSON text)`` with the inner instance's output element appended."""
    if not element.output_collection or element.output_element is None:
        return None
    result = element.output_element.evaluate(writer.state.variables.view(key))
    entry = writer.state.variables.local(scope_key).get(element.output_collection)
    current = loads(entry[1]) if entry is not None else []
    items = list(current) if isinstance(current, list) else []
    items.append(result)
    return element.output_collection, to_text(items)


def _after_inner(writer: Writer, scope_key: int, element: AdHocSubProcess, verdict: bool | None) -> None:
    row = writer.state.elements.get(scope_key)
    if row is None or row["s"] != _ACTIVATED or verdict is False:
        return
    if verdict is True and element.cancel_remaining_instances and row["n"] > 0:
        for child in writer.state.elements.children(scope_key):
            terminate(writer, int(child["k"]))
        return  # the last child's termination completes the sub-process (``triggers.on_terminated``)
    if row["n"] == 0:
        writer.follow_up(_PI, _I.COMPLETE_ELEMENT, scope_key, row["v"])


def _hand_up_output(writer: Writer, key: int, value: dict[str, Any]) -> None:
    """The output collection propagates to the flow scope, as the sub-process's result (Zeebe 8.8)."""
    element = model_of(writer, value).elements.get(value["elementId"])
    if not isinstance(element, AdHocSubProcess) or not element.output_collection:
        return
    entry = writer.state.variables.local(key).get(element.output_collection)
    if entry is not None:
        propagate(writer, value["flowScopeKey"], {element.output_collection: entry[1]}, value)


COMPLETION_HOOKS.append(_on_completing)
COMPLETION_HOOK_TYPES.update(("AD_HOC_SUB_PROCESS", INNER_INSTANCE))
