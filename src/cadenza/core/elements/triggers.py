"""What happens when a subscribed event fires (Zeebe's ``EventTriggerBehavior``, ZEEBE-SEMANTICS §6.8–6.9).

The subscription's owner decides: its own catch event or receive task completes; a boundary event activates
beside the activity (interrupting: after the activity terminated); an event sub-process activates in the
scope (interrupting: after everything else in the scope terminated); an event-based gateway completes towards
the catch event that fired. An event that must wait for a termination is written as a pending trigger
(``PROCESS_EVENT TRIGGERING``), consumed (``TRIGGERED``) when the element it waits for has terminated.

``document`` is the event's payload as ``name -> JSON text``: element locals when the catch event has
output mappings, else merged outward like a job result; error payloads are dropped unless output-mapped.
"""

from __future__ import annotations

import json
from typing import Any

from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    ElementKind,
    Event,
    EventSubProcess,
    EventType,
    FlowNode,
    Process,
    StartEvent,
    SubProcess,
)
from cadenza.core.elements.flow import (
    child_value,
    complete,
    model_of,
    scope_changed,
    scope_closed,
    scope_done,
    terminate,
)
from cadenza.core.elements.subscriptions import close_subscriptions
from cadenza.core.elements.variables import propagate, set_local
from cadenza.core.intents import ProcessEventIntent, ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = [
    "activate_triggered",
    "apply_result",
    "document_text",
    "on_terminated",
    "take_pending",
    "trigger_event",
]

_PI = ValueType.PROCESS_INSTANCE
_I = ProcessInstanceIntent
_ACTIVATED = str(_I.ELEMENT_ACTIVATED)
Document = dict[str, str]


def document_text(document: Document) -> str:
    """A ``name -> JSON text`` document as one JSON object text, every digit kept."""
    return "{" + ",".join(f"{json.dumps(name)}:{text}" for name, text in document.items()) + "}"


def trigger_event(writer: Writer, owner_key: int, catch_id: str, document: Document) -> bool:
    """Fires ``catch_id`` for the subscription owned by ``owner_key``; False if the owner is not active or
    its flow scope is closed (interrupted by another element: its queued termination ends it instead)."""
    owner = writer.state.elements.get(owner_key)
    if owner is None or owner["s"] != _ACTIVATED:
        return False
    value = owner["v"]
    if scope_closed(writer, value["flowScopeKey"], value["elementId"]):
        return False
    model = model_of(writer, value)
    catch = model.elements[catch_id]
    element = model.elements.get(value["elementId"])
    if element is not None and element.id == catch_id:
        close_subscriptions(writer, owner_key)  # a catch event or receive task fires once
        apply_result(writer, owner_key, value, catch, document)
        writer.follow_up(_PI, _I.COMPLETE_ELEMENT, owner_key, value)
    elif element is not None and element.kind is ElementKind.EVENT_BASED_GATEWAY:
        _write_pending(writer, value, value["flowScopeKey"], catch_id, document)
        complete(writer, owner_key, tuple(f for f in element.outgoing if f.target_id == catch_id))
    elif isinstance(catch, BoundaryEvent) and catch.interrupting:
        _write_pending(writer, value, owner_key, catch_id, document)
        terminate(writer, owner_key)
    elif isinstance(catch, BoundaryEvent):
        activate_triggered(writer, value["flowScopeKey"], catch, document)
    else:
        assert isinstance(catch, StartEvent)
        esp = model.elements[catch.scope_id]
        assert isinstance(esp, EventSubProcess)
        if catch.interrupting:
            _interrupt_scope(writer, owner_key, model, esp, document)
        else:
            activate_event_subprocess(writer, owner_key, esp, document)
    return True


def apply_result(
    writer: Writer, key: int, value: dict[str, Any], catch: FlowNode, document: Document
) -> None:
    if catch.io.outputs:
        for name, text in document.items():  # output mappings read them when the element completes
            set_local(writer, key, name, text, value)
    elif getattr(catch, "event_type", None) is not EventType.ERROR:
        propagate(writer, key, document, value)


def activate_triggered(writer: Writer, scope_key: int, catch: Event, document: Document) -> int | None:
    """Activates and completes a catch event that already fired (boundary, event sub-process or process
    start): it has nothing left to wait for. None when its scope closed meanwhile (an interrupting
    boundary's activity ended after another element interrupted the scope)."""
    if scope_closed(writer, scope_key, catch.id):
        return None
    scope = writer.state.elements.get(scope_key)
    assert scope is not None
    value = child_value(scope["v"], scope_key, catch)
    key = writer.next_key()
    tenant = value["tenantId"]
    writer.event(_PI, _I.ELEMENT_ACTIVATING, key, value, tenant)
    apply_result(writer, key, value, catch, document)
    writer.event(_PI, _I.ELEMENT_ACTIVATED, key, value, tenant)
    complete(writer, key)
    return key


def activate_event_subprocess(
    writer: Writer, scope_key: int, esp: EventSubProcess, document: Document
) -> None:
    if scope_closed(writer, scope_key, esp.id):
        return  # another event sub-process, or a terminate end event, interrupted the scope
    scope = writer.state.elements.get(scope_key)
    assert scope is not None
    value = child_value(scope["v"], scope_key, esp)
    key = writer.next_key()
    writer.event(_PI, _I.ELEMENT_ACTIVATING, key, value, value["tenantId"])
    writer.event(_PI, _I.ELEMENT_ACTIVATED, key, value, value["tenantId"])
    activate_triggered(writer, key, esp.start_event, document)


def _interrupt_scope(
    writer: Writer, scope_key: int, model: Process, esp: EventSubProcess, document: Document
) -> None:
    """Ends everything else in the scope first; the event sub-process starts when the last child is gone."""
    scope = writer.state.elements.get(scope_key)
    assert scope is not None
    container = model.elements.get(scope["v"]["elementId"], None)
    holder = container if isinstance(container, SubProcess) else model
    starts = frozenset(sub.start_event.id for sub in holder.event_subprocesses)
    close_subscriptions(writer, scope_key, starts)  # an interrupting event sub-process fires once
    _write_pending(writer, scope["v"], scope_key, esp.start_event.id, document, interrupts_scope=True)
    children = writer.state.elements.children(scope_key)
    for child in children:
        writer.follow_up(_PI, _I.TERMINATE_ELEMENT, child["k"], child["v"])
    if not children:
        _start_pending_subprocess(writer, scope_key, holder)


def _write_pending(
    writer: Writer,
    instance: dict[str, Any],
    scope_key: int,
    target_id: str,
    document: Document,
    *,
    interrupts_scope: bool = False,
) -> None:
    value = {
        "scopeKey": scope_key,
        "targetElementId": target_id,
        "variables": document,
        "interruptsScope": interrupts_scope,
        "processInstanceKey": instance["processInstanceKey"],
        "processDefinitionKey": instance["processDefinitionKey"],
        "bpmnProcessId": instance["bpmnProcessId"],
        "tenantId": instance["tenantId"],
    }
    writer.event(
        ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERING, writer.next_key(), value, instance["tenantId"]
    )


def take_pending(writer: Writer, scope_key: int, target_id: str) -> Document | None:
    """Consumes a pending trigger (``PROCESS_EVENT TRIGGERED``) and returns its payload."""
    row = writer.state.triggers.get(scope_key, target_id)
    if row is None:
        return None
    writer.event(
        ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERED, row["k"], row["v"], row["v"]["tenantId"]
    )
    variables: Document = row["v"]["variables"]
    return variables


def on_terminated(writer: Writer, key: int, value: dict[str, Any]) -> None:
    """An element terminated while its scope stays active: a waiting boundary event or event sub-process
    starts now; otherwise the scope completes if nothing is left in it (a terminate end event). A token
    that could have reached a waiting inclusive join may be gone: the scope's joins are checked again."""
    model = model_of(writer, value)
    element = model.elements.get(value["elementId"])
    scope_key = value["flowScopeKey"]
    if isinstance(element, Activity) and _boundary_activated(writer, key, scope_key, element):
        return  # the boundary event's token moved on (or ended), which checked the waiting joins
    scope = writer.state.elements.get(scope_key)
    if scope is None or scope["s"] != _ACTIVATED:
        return
    if scope["n"] > 0:
        scope_changed(writer, scope_key)
        return
    container = model.elements.get(scope["v"]["elementId"])
    holder = container if isinstance(container, SubProcess) else model
    if _start_pending_subprocess(writer, scope_key, holder):
        return
    scope_done(writer, scope_key)


def _boundary_activated(writer: Writer, key: int, scope_key: int, activity: Activity) -> bool:
    """Starts the interrupting boundary event that waited for ``activity`` to terminate, if any."""
    for boundary in activity.boundary_events:
        document = take_pending(writer, key, boundary.id)
        if document is not None:
            return activate_triggered(writer, scope_key, boundary, document) is not None
    return False


def _start_pending_subprocess(writer: Writer, scope_key: int, holder: SubProcess | Process) -> bool:
    for esp in holder.event_subprocesses:
        document = take_pending(writer, scope_key, esp.start_event.id)
        if document is not None:
            activate_event_subprocess(writer, scope_key, esp, document)
            return True
    return False
