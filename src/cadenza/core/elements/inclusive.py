"""Inclusive gateways (ZEEBE-SEMANTICS §5.2-5.3).

Fork: every outgoing flow whose condition is true is taken, else the default, else a CONDITION_ERROR incident.
Join: the gateway activates when each incoming flow has been taken, or when no active element and no flow in
flight in the same scope can still reach it along sequence flows (and boundary events), not counting incoming
flows already taken. The join is checked when a token arrives, and again whenever another token of the scope
moves on, ends or is terminated (an exclusive gateway or a boundary event may lead it away from the join).
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import Activity, ElementKind, FlowNode, Gateway, Process, SubProcess
from cadenza.core.elements.flow import (
    JOIN_CHECKS,
    SCOPE_CHANGED,
    activate_command,
    child_value,
    complete,
    model_of,
)
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["activate_inclusive"]

_PI = ValueType.PROCESS_INSTANCE
_ACTIVATE = str(ProcessInstanceIntent.ACTIVATE_ELEMENT)
_NO_FLOW = "Expected at least one condition to evaluate to true, or to have a default flow"


def activate_inclusive(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _model: Process
) -> None:
    assert isinstance(element, Gateway)
    view = writer.state.variables.view(key)
    taken = []
    for flow in element.outgoing:
        if flow is element.default_flow:
            continue
        verdict = True if flow.condition is None else flow.condition.evaluate(view)
        if verdict is True:
            taken.append(flow)
        elif verdict is not False:
            assert flow.condition is not None
            message = expected_type(flow.condition, "BOOLEAN", verdict)
            raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
            return
    if not taken and element.default_flow is not None:
        taken.append(element.default_flow)
    if not taken and element.outgoing:
        raise_incident(writer, key, value, ErrorType.CONDITION_ERROR, _NO_FLOW)
        return
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, value["tenantId"])
    complete(writer, key, tuple(taken))


def _is_join(element: FlowNode) -> bool:
    return element.kind is ElementKind.INCLUSIVE_GATEWAY and len(element.incoming) > 1


def _join_check(writer: Writer, scope_key: int, target: FlowNode, model: Process) -> bool | None:
    if target.kind is not ElementKind.INCLUSIVE_GATEWAY or len(target.incoming) < 2:  # _is_join, inlined:
        return None  # this runs for every flow taken
    return _can_fire(writer, scope_key, target, model)


def _can_fire(writer: Writer, scope_key: int, gateway: FlowNode, model: Process) -> bool:
    if _queued(writer, scope_key, gateway.id):
        return False  # already on its way: a second activation would find no tokens left
    elements = writer.state.elements
    taken = elements.taken_flows(scope_key, gateway.id)
    if all(flow.id in taken for flow in gateway.incoming):
        return True
    starts = [row["v"]["elementId"] for row in elements.children(scope_key)]
    starts += [
        element_id
        for element_id in _scope_children(writer, scope_key, model)
        if element_id != gateway.id and elements.taken_flows(scope_key, element_id)
    ]
    return not _reaches(model, starts, gateway, set(taken))


def _queued(writer: Writer, scope_key: int, element_id: str) -> bool:
    return any(
        command.intent == _ACTIVATE
        and command.value.get("flowScopeKey") == scope_key
        and command.value.get("elementId") == element_id
        for command in writer.follow_ups
    )


def _scope_children(writer: Writer, scope_key: int, model: Process) -> tuple[str, ...]:
    row = writer.state.elements.get(scope_key)
    if row is None:
        return ()
    # An ad-hoc sub-process's inner instance ("<id>#innerInstance") holds the ad-hoc's children.
    scope = model.elements.get(row["v"]["elementId"].removesuffix("#innerInstance"))
    return scope.child_ids if isinstance(scope, SubProcess) else model.child_ids


def _reaches(model: Process, starts: list[str], gateway: FlowNode, taken: set[str]) -> bool:
    """Whether a token at any of ``starts`` can still arrive at ``gateway`` by a flow not yet taken."""
    seen: set[str] = set()
    stack = [element_id for element_id in starts if element_id != gateway.id]
    while stack:
        element_id = stack.pop()
        if element_id in seen:
            continue
        seen.add(element_id)
        element = model.elements[element_id]
        outgoing = list(element.outgoing)
        if isinstance(element, Activity):
            outgoing += [flow for boundary in element.boundary_events for flow in boundary.outgoing]
        for flow in outgoing:
            if flow.target_id == gateway.id:
                if flow.id not in taken:
                    return True
            else:
                stack.append(flow.target_id)
    return False


def _tokens_moved(writer: Writer, scope_key: int) -> None:
    """A token of the scope moved on, ended or was terminated without reaching a join: waiting inclusive
    joins in the scope may fire now, if it was the last that could still reach them."""
    row = writer.state.elements.get(scope_key)
    if row is None:
        return
    model = model_of(writer, row["v"])
    if not model.has_inclusive_joins:
        return
    elements = writer.state.elements
    for element_id in _scope_children(writer, scope_key, model):
        gateway = model.elements[element_id]
        if not _is_join(gateway) or not elements.taken_flows(scope_key, element_id):
            continue
        if _can_fire(writer, scope_key, gateway, model):
            activate_command(writer, child_value(row["v"], scope_key, gateway))


JOIN_CHECKS.append(_join_check)
SCOPE_CHANGED.append(_tokens_moved)
