"""Throwing errors and escalations: the nearest matching catch wins (ZEEBE-SEMANTICS §3.7, §6.11, §6.14).

The search starts at the throwing element instance and walks outward through its flow scopes (and from a
called process into its call activity): at each instance, the boundary events of its element and the start
events of its event sub-processes compete, and an exact code beats a catch-all.
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import (
    Activity,
    ErrorDefinition,
    EscalationDefinition,
    Event,
    EventType,
    Process,
    SubProcess,
)
from cadenza.core.elements.flow import model_of
from cadenza.core.elements.subscriptions import instance_role
from cadenza.core.elements.triggers import Document, trigger_event
from cadenza.core.intents import EscalationIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["find_catch", "throw_error_event", "throw_escalation"]


def find_catch(
    writer: Writer, thrower_key: int, event_type: EventType, code: str
) -> tuple[int, Event] | None:
    """``(owner element instance key, catch event)`` of the nearest catch for ``code``, or None."""
    key = thrower_key
    elements = writer.state.elements
    while key > 0:
        row = elements.get(key)
        if row is None:
            return None
        value = row["v"]
        model = model_of(writer, value)
        candidates = _candidates(model, value["elementId"], value["bpmnElementType"], event_type)
        catch = _best(candidates, code)
        if catch is not None:
            return key, catch
        parent = value.get("parentElementInstanceKey", -1) if value["flowScopeKey"] < 0 else -1
        key = parent if parent > 0 else value["flowScopeKey"]
    return None


def _candidates(model: Process, element_id: str, instance_type: str, event_type: EventType) -> list[Event]:
    element = model.elements.get(element_id)
    own, boundaries = instance_role(element, instance_type)
    found: list[Event] = []
    holder = model if element is None else element
    if own and isinstance(holder, Process | SubProcess):
        found.extend(esp.start_event for esp in holder.event_subprocesses)
    if boundaries and isinstance(element, Activity):
        found.extend(element.boundary_events)
    return [event for event in found if event.event_type is event_type]


def _best(candidates: list[Event], code: str) -> Event | None:
    catch_all = None
    for event in candidates:
        definition = event.definition
        assert isinstance(definition, ErrorDefinition | EscalationDefinition)
        expected = None if definition.code is None else definition.code.source
        if expected == code:
            return event
        if not expected and catch_all is None:
            catch_all = event
    return catch_all


def throw_error_event(writer: Writer, thrower_key: int, code: str, document: Document) -> bool:
    """Triggers the catching event; False when nothing catches ``code`` (the caller raises the incident)."""
    found = find_catch(writer, thrower_key, EventType.ERROR, code)
    if found is None:
        return False
    owner_key, catch = found
    return trigger_event(writer, owner_key, catch.id, document)


def throw_escalation(writer: Writer, thrower_key: int, instance: dict[str, Any], code: str) -> bool:
    """Escalates ``code``; True when an interrupting catch took over (the thrower must not continue).

    Uncaught escalations are no incident: the flow just continues (§6.11).
    """
    found = find_catch(writer, thrower_key, EventType.ESCALATION, code)
    record = {
        "processInstanceKey": instance["processInstanceKey"],
        "escalationCode": code,
        "throwElementId": instance["elementId"],
        "catchElementId": "" if found is None else found[1].id,
        "tenantId": instance["tenantId"],
    }
    intent = EscalationIntent.NOT_ESCALATED if found is None else EscalationIntent.ESCALATED
    writer.event(ValueType.ESCALATION, intent, writer.next_key(), record, instance["tenantId"])
    if found is None:
        return False
    owner_key, catch = found
    trigger_event(writer, owner_key, catch.id, {})
    return bool(getattr(catch, "interrupting", True))
