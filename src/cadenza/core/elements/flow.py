"""The element lifecycle: activate, complete, take flows, terminate; scopes complete when nothing is left.

Each step writes ``PROCESS_INSTANCE`` events; work for other elements is queued as follow-up commands, so a
long path never deepens the Python stack and parallel branches interleave as in Zeebe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.bpmn.model import ElementKind, FlowNode, Process, SequenceFlow
from cadenza.core.elements.subscriptions import element_leaving
from cadenza.core.elements.variables import evaluate_mappings, propagate, to_text
from cadenza.core.intents import IncidentIntent, JobIntent, ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = [
    "AFTER_TERMINATED",
    "BODY",
    "COMPLETION_HOOKS",
    "COMPLETION_HOOK_SCOPE_TYPES",
    "COMPLETION_HOOK_TYPES",
    "JOIN_CHECKS",
    "SCOPE_CHANGED",
    "TERMINATION_HOOKS",
    "activate_command",
    "child_value",
    "complete",
    "finish_termination",
    "model_of",
    "scope_closed",
    "take_flows",
    "scope_changed",
    "terminate",
]

_PI = ValueType.PROCESS_INSTANCE
_I = ProcessInstanceIntent
_ACTIVATED = str(_I.ELEMENT_ACTIVATED)
_TERMINATING = str(_I.ELEMENT_TERMINATING)
_COMPLETING = str(_I.ELEMENT_COMPLETING)
_SEQUENCE_FLOW_TAKEN = _I.SEQUENCE_FLOW_TAKEN
_ACTIVATE_ELEMENT = _I.ACTIVATE_ELEMENT
_PARALLEL = ElementKind.PARALLEL_GATEWAY
#: Zeebe's ``bpmnElementType`` of a multi-instance body (its inner instances carry the activity's own type).
BODY = "MULTI_INSTANCE_BODY"

# Element-specific modules (multi-instance, call activities, user tasks, inclusive joins) extend the generic
# lifecycle through these lists, filled when those modules are imported, so this module stays the one path.
# Each hook is called for every element and returns quickly when the element is not its kind.

#: After output mappings, before COMPLETED, while the element's variables still live. Returns False to go
#: on as usual, True when it raised an incident (the element stays COMPLETING), or a function that runs
#: after COMPLETED in place of taking the outgoing flows.
CompletionHook = Callable[[Writer, int, dict[str, Any]], "bool | Callable[[], None]"]
COMPLETION_HOOKS: list[CompletionHook] = []
#: The ``bpmnElementType``s a completion hook may act on, of the completing element itself or of its flow
#: scope; a module adding a hook adds the types it acts on. Other completions (most: tasks, events and
#: gateways of a process or sub-process) skip the hooks without a call each.
COMPLETION_HOOK_TYPES: set[str] = set()
COMPLETION_HOOK_SCOPE_TYPES: set[str] = set()
#: After TERMINATING: cancels what the element owns; True when termination must wait for that work.
TerminationHook = Callable[[Writer, int, dict[str, Any]], bool]
TERMINATION_HOOKS: list[TerminationHook] = []
#: After TERMINATED (the row is gone; ``value`` is its record value).
AfterTerminated = Callable[[Writer, int, dict[str, Any]], None]
AFTER_TERMINATED: list[AfterTerminated] = []
#: For a join other than a parallel one: may the token that just arrived activate it now?
JoinCheck = Callable[[Writer, int, FlowNode, Process], bool | None]
JOIN_CHECKS: list[JoinCheck] = []
#: Tokens of a scope moved on, ended or were terminated (waiting joins may now be able to fire).
ScopeChanged = Callable[[Writer, int], None]
SCOPE_CHANGED: list[ScopeChanged] = []


def model_of(writer: Writer, value: dict[str, Any]) -> Process:
    return writer.state.processes.model(value["processDefinitionKey"])


def child_value(scope: dict[str, Any], scope_key: int, element: FlowNode) -> dict[str, Any]:
    """The record value of a new element instance inside ``scope`` (the scope's instance value)."""
    value = dict(scope)
    value.pop("businessKey", None)  # carried by the PROCESS element's records only
    value["elementId"] = element.id
    body = getattr(element, "multi_instance", None) is not None
    value["bpmnElementType"] = BODY if body else str(element.kind)
    value["bpmnEventType"] = str(getattr(element, "event_type", "UNSPECIFIED"))
    value["flowScopeKey"] = scope_key
    return value


def activate_command(writer: Writer, value: dict[str, Any]) -> None:
    writer.follow_up(_PI, _I.ACTIVATE_ELEMENT, -1, value)


def scope_closed(writer: Writer, scope_key: int, element_id: str) -> bool:
    """Whether ``element_id`` must not activate or complete in the scope: the scope is gone, terminating,
    or interrupted by another element (Zeebe's state transition guard). A scope stays interrupted once an
    interrupting event sub-process triggered or a terminate end event completed in it, so a token that was
    on its way when that happened is dropped, never run beside the interruption."""
    if scope_key < 0:
        return False
    scope = writer.state.elements.get(scope_key)
    if scope is None or scope["s"] == _TERMINATING:
        return True
    interrupted_by = scope.get("interrupted")
    return interrupted_by is not None and interrupted_by != element_id


def complete(writer: Writer, key: int, flows: tuple[SequenceFlow, ...] | None = None) -> None:
    """COMPLETING, output mappings, COMPLETED, then the outgoing flows (or the scope's completion)."""
    row = writer.state.elements.get(key)
    if row is None:
        return
    value = row["v"]
    if scope_closed(writer, value["flowScopeKey"], value["elementId"]):
        return  # a TERMINATE_ELEMENT queued when its scope closed ends it instead
    tenant = value["tenantId"]
    if row["s"] != _COMPLETING:  # a resolved incident re-runs the completion without a second COMPLETING
        writer.event(_PI, _I.ELEMENT_COMPLETING, key, value, tenant)
        element_leaving(writer, key)
    model = writer.state.processes.model(value["processDefinitionKey"])
    element = model.elements.get(value["elementId"])
    scope_key = value["flowScopeKey"]
    # A multi-instance body has no mappings of its own: the activity's mappings apply per inner instance.
    if element is not None and element.io.outputs and value["bpmnElementType"] != BODY:
        _output_mappings(writer, key, value, element)
    then: Callable[[], None] | None = None
    if _hooked(writer, value):
        for hook in COMPLETION_HOOKS:
            outcome = hook(writer, key, value)
            if outcome is True:
                return
            if outcome is not False:
                then = outcome
    writer.event(_PI, _I.ELEMENT_COMPLETED, key, value, tenant)
    if then is not None:
        then()
        return
    if element is None:  # the process itself
        return
    outgoing = element.outgoing if flows is None else flows
    if outgoing:
        take_flows(writer, value, scope_key, outgoing, model)
        if model.has_inclusive_joins:  # a gateway or a boundary path not taken: a join may wait in vain now
            scope_changed(writer, scope_key)
    else:
        scope_done(writer, scope_key)


def _hooked(writer: Writer, value: dict[str, Any]) -> bool:
    if value["bpmnElementType"] in COMPLETION_HOOK_TYPES:
        return True
    scope = writer.state.elements.get(value["flowScopeKey"])
    return scope is not None and scope["v"]["bpmnElementType"] in COMPLETION_HOOK_SCOPE_TYPES


def _output_mappings(writer: Writer, key: int, value: dict[str, Any], element: FlowNode) -> None:
    outputs = evaluate_mappings(element.io.outputs, writer.state.variables.view(key), merge_into_visible=True)
    scope_key = value["flowScopeKey"]
    # An inner instance's results merge from the instance itself, where its output element is preset.
    scope = writer.state.elements.get(scope_key)
    start = key if scope is not None and scope["v"]["bpmnElementType"] == BODY else scope_key
    propagate(writer, start, {name: to_text(v) for name, v in outputs.items()}, value)


def take_flows(
    writer: Writer, value: dict[str, Any], scope_key: int, flows: tuple[SequenceFlow, ...], model: Process
) -> None:
    elements = writer.state.elements
    scope_row = elements.get(scope_key)
    if scope_row is None:
        return
    scope_value = scope_row["v"]
    tenant = value["tenantId"]
    nodes = model.elements
    for flow in flows:
        flow_value = dict(value)
        flow_value["elementId"] = flow.id
        flow_value["bpmnElementType"] = "SEQUENCE_FLOW"
        flow_value["bpmnEventType"] = "UNSPECIFIED"
        writer.event(_PI, _SEQUENCE_FLOW_TAKEN, writer.next_key(), flow_value, tenant)
        target = nodes[flow.target_id]
        if target.kind is _PARALLEL and len(target.incoming) > 1:
            taken = elements.taken_flows(scope_key, target.id)
            # Only the target's incoming flows are counted for it: fewer than those is a join still waiting.
            if len(taken) < len(target.incoming) or not all(flow.id in taken for flow in target.incoming):
                continue  # the join waits for its other branches
        if _join_waits(writer, scope_key, target, model):
            continue
        writer.follow_up(_PI, _ACTIVATE_ELEMENT, -1, child_value(scope_value, scope_key, target))


def _join_waits(writer: Writer, scope_key: int, target: FlowNode, model: Process) -> bool:
    # A loop, not any(generator): this runs for every flow taken.
    for check in JOIN_CHECKS:  # noqa: SIM110
        if check(writer, scope_key, target, model) is False:
            return True
    return False


def scope_changed(writer: Writer, scope_key: int) -> None:
    """Tokens of the scope moved on, ended or were terminated: a waiting join may be able to fire now."""
    for changed in SCOPE_CHANGED:
        changed(writer, scope_key)


def scope_done(writer: Writer, scope_key: int) -> None:
    """A child left its scope without taking a flow: the scope completes once nothing else is active."""
    scope_changed(writer, scope_key)
    row = writer.state.elements.get(scope_key)
    if row is not None and row["s"] == _ACTIVATED and row["n"] == 0:
        writer.follow_up(_PI, _I.COMPLETE_ELEMENT, scope_key, row["v"])
    elif row is not None and row["s"] == _TERMINATING and row["n"] == 0:
        finish_termination(writer, scope_key)


def terminate(writer: Writer, key: int) -> None:
    """TERMINATING, cancel what the element owns (job, children), TERMINATED when nothing is left."""
    row = writer.state.elements.get(key)
    if row is None or row["s"] == _TERMINATING:
        return
    value = row["v"]
    writer.event(_PI, _I.ELEMENT_TERMINATING, key, value, value["tenantId"])
    element_leaving(writer, key)
    job_key = row.get("job")
    if job_key is not None:
        job = writer.state.jobs.get(job_key)
        if job is not None:
            writer.event(ValueType.JOB, JobIntent.CANCELED, job_key, job["v"], value["tenantId"])
    _resolve_incidents(writer, key)
    waits = [hook(writer, key, value) for hook in TERMINATION_HOOKS]
    children = writer.state.elements.children(key)
    for child in children:
        writer.follow_up(_PI, _I.TERMINATE_ELEMENT, child["k"], child["v"])
    if not children and not any(waits):
        finish_termination(writer, key)


def _resolve_incidents(writer: Writer, key: int) -> None:
    incident_key = (writer.state.elements.get(key) or {}).get("incident")
    if incident_key is None:
        return
    incident = writer.state.incidents.get(incident_key)
    if incident is not None:
        writer.event(
            ValueType.INCIDENT, IncidentIntent.RESOLVED, incident_key, incident, incident["tenantId"]
        )


def finish_termination(writer: Writer, key: int) -> None:
    row = writer.state.elements.get(key)
    if row is None:
        return
    value = row["v"]
    writer.event(_PI, _I.ELEMENT_TERMINATED, key, value, value["tenantId"])
    parent = writer.state.elements.get(value["flowScopeKey"])
    if parent is not None and parent["s"] == _TERMINATING and parent["n"] == 0:
        finish_termination(writer, value["flowScopeKey"])
    elif parent is not None and parent["s"] == _ACTIVATED:
        # Imported here: the trigger behaviour builds on this module.
        from cadenza.core.elements.triggers import on_terminated

        on_terminated(writer, key, value)
    for hook in AFTER_TERMINATED:
        hook(writer, key, value)
