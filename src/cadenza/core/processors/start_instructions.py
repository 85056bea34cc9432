"""Start instructions of PROCESS_INSTANCE_CREATION CREATE (Zeebe's ``startInstructions``).

An instance created with start instructions starts before the given elements instead of at its none start
event. The process instance is activated by events (its event sub-process subscriptions open, no start event
runs); then each element is activated the way ModifyProcessInstance activates one (``modification_plan``,
``modification.activate_planned``): missing flow scopes are created by events (no input mappings, with their
subscriptions) and reused by later instructions, and the element activates as a follow-up, with its input
mappings. The same element twice gives two element instances.

Zeebe rolls a failed command back; Cadenza's writer cannot, so every rule is checked before anything is
written (``start_elements``), in Zeebe's order and with its texts, including that the subscriptions of the
process and of the flow scopes to create can open (Zeebe rejects the creation when they cannot).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cadenza.bpmn.model import Activity, AdHocSubProcess, ElementKind, FlowNode, Process
from cadenza.core.elements.subscriptions import (
    after_event_gateway,
    catch_elements,
    check_catch_events,
    open_subscriptions,
)
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.processors.instances import Rejected
from cadenza.core.processors.modification import activate_planned
from cadenza.core.processors.modification_plan import (
    SUPPORTED_TYPES,
    instruction_list,
    plan_modification,
    scope_ids,
)
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer
from cadenza.feel.json_values import loads

__all__ = ["check_subscriptions", "start_before", "start_elements"]

_PREFIX = "Expected to create instance of process with start instructions but "
#: Zeebe's rejection reasons (``ProcessInstanceCreationCreateProcessor``), after ``_PREFIX``; ``ad_hoc`` is
#: Cadenza's: an element of an ad-hoc sub-process needs an inner instance, which only its instruction makes.
_REASONS = {
    "no_element": "no element found with id '{}'.",
    "multi_instance": "the element with id '{}' is inside a multi-instance subprocess. The creation of "
    "elements inside a multi-instance subprocess is not supported.",
    "kind": "the element with id '{}' targets unsupported element type '{}'. Supported element types are: {}",
    "gateway": "the element with id '{}' belongs to an event-based gateway. The creation of elements "
    "belonging to an event-based gateway is not supported.",
    "ad_hoc": "the element with id '{}' is inside an ad-hoc sub-process. Its elements are activated by the "
    "ad-hoc activities instruction (AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE).",
}
_UNSUPPORTED = frozenset({ElementKind.START_EVENT, ElementKind.BOUNDARY_EVENT})
_SEQUENCE_FLOW = "SEQUENCE_FLOW"


def start_elements(model: Process, value: dict[str, Any]) -> list[FlowNode]:
    """The elements the command's start instructions name, in order (empty: none given); raises
    :class:`Rejected` (INVALID_ARGUMENT, Zeebe's text) if one of them breaks a rule."""
    if not value.get("startInstructions"):
        return []  # the common creation, at the none start event: no checks to run
    instructions = instruction_list(value, "startInstructions")
    ids = [str(instruction.get("elementId") or "") for instruction in instructions]
    _refuse_first(ids, lambda i: i not in model.elements and i not in model.flows, "no_element")
    _refuse_first(ids, lambda i: _in_multi_instance(model, _node(model, i)), "multi_instance")
    for element_id in ids:
        kind = _SEQUENCE_FLOW if element_id in model.flows else model.elements[element_id].kind
        if kind == _SEQUENCE_FLOW or kind in _UNSUPPORTED:
            reason = _REASONS["kind"].format(element_id, kind, SUPPORTED_TYPES)
            raise Rejected("INVALID_ARGUMENT", _PREFIX + reason)
    elements = [model.elements[i] for i in ids]
    _refuse_first(ids, lambda i: after_event_gateway(model, model.elements[i]), "gateway")
    _refuse_first(ids, lambda i: _in_ad_hoc(model, model.elements[i]), "ad_hoc")
    return elements


def check_subscriptions(model: Process, elements: list[FlowNode], variables: dict[str, str]) -> None:
    """Raises :class:`Rejected` if the process instance or a flow scope the instructions create could not
    subscribe to its catch events (a timer or message name that does not evaluate over the request's
    variables, which are all such a scope sees: it is created without input mappings)."""
    catches = catch_elements(model, None, "PROCESS")
    scopes = {scope_id for element in elements for scope_id in scope_ids(model, element)[:-1]}
    for scope_id in sorted(scopes):
        catches += catch_elements(model, model.elements[scope_id], str(model.elements[scope_id].kind))
    view: Mapping[str, Any] = {name: loads(text) for name, text in variables.items()}
    problem = check_catch_events(catches, view, 0)
    if problem:
        raise Rejected("INVALID_ARGUMENT", problem)


def start_before(writer: Writer, key: int, model: Process, elements: list[FlowNode]) -> None:
    """Activates the process instance ``key`` (ELEMENT_ACTIVATING written, variables set) and then each
    element, as checked by :func:`start_elements`."""
    row = writer.state.elements.get(key)
    assert row is not None
    value = row["v"]
    if open_subscriptions(writer, key, value, None, model):  # checked: it does not raise an incident
        intent = ProcessInstanceIntent.ELEMENT_ACTIVATED
        writer.event(ValueType.PROCESS_INSTANCE, intent, key, value, value["tenantId"])
    # The rules above are a superset of modification's for a fresh instance: planning refuses nothing.
    plan = plan_modification(
        writer.state, value, {"activateInstructions": [{"elementId": e.id} for e in elements]}
    )
    activate_planned(writer, plan)


def _node(model: Process, element_id: str) -> FlowNode:
    """The element, or for a sequence flow its source, which lies in the same flow scope."""
    flow = model.flows.get(element_id)
    return model.elements[flow.source_id if flow is not None else element_id]


def _scopes(model: Process, element: FlowNode) -> list[FlowNode]:
    return [model.elements[scope_id] for scope_id in scope_ids(model, element)[:-1]]


def _in_multi_instance(model: Process, element: FlowNode) -> bool:
    return any(isinstance(s, Activity) and s.multi_instance is not None for s in _scopes(model, element))


def _in_ad_hoc(model: Process, element: FlowNode) -> bool:
    return any(isinstance(scope, AdHocSubProcess) for scope in _scopes(model, element))


def _refuse_first(ids: list[str], breaks: Callable[[str], bool], reason: str) -> None:
    """Zeebe checks one rule over all instructions before the next, and names the first that breaks it."""
    for element_id in ids:
        if breaks(element_id):
            raise Rejected("INVALID_ARGUMENT", _PREFIX + _REASONS[reason].format(element_id))
