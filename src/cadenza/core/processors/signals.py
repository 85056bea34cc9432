"""SIGNAL BROADCAST: from a client, or from a signal throw event inside the engine (ZEEBE-SEMANTICS §6.10).

Every open subscription with the signal's name fires, in the order they were opened: catch events, boundary
events, event sub-processes, and the start events of the latest process versions.
"""

from __future__ import annotations

from cadenza.core.elements.triggers import trigger_event
from cadenza.core.intents import SignalIntent
from cadenza.core.processors.instances import parse_document
from cadenza.core.processors.start_events import start_instance
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["broadcast_signal"]


def broadcast_signal(writer: Writer, command: Record) -> None:
    value = command.value
    tenant = str(value.get("tenantId") or command.tenant)
    name = str(value.get("signalName") or "")
    document = parse_document(value.get("variables"))
    if isinstance(document, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, document)
        return
    signal = {"signalName": name, "variables": value.get("variables") or "{}", "tenantId": tenant}
    event = writer.event(ValueType.SIGNAL, SignalIntent.BROADCASTED, writer.next_key(), signal, tenant)
    if command.position > 0:  # a throw event's broadcast is a follow-up: the batch answers its own command
        writer.respond(event)
    signals = writer.state.signals
    for sub_key in signals.named(tenant, name):
        sub = signals.get(sub_key)
        if sub is None:
            continue  # closed by an earlier trigger of this broadcast
        if sub["catchEventInstanceKey"] > 0:
            trigger_event(writer, sub["catchEventInstanceKey"], sub["catchElementId"], document)
        else:
            start_instance(writer, sub["processDefinitionKey"], sub["catchElementId"], document)
