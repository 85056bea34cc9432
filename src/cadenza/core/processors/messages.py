"""MESSAGE PUBLISH / EXPIRE and the correlation of buffered messages (ZEEBE-SEMANTICS §6.1–6.4).

One partition holds both sides, so a message correlates within the batch that publishes it: to every open
subscription with its name and correlation key (at most once per BPMN process id), then to message start
events. A message with a time to live stays buffered for subscriptions opened later; the adapter expires it
with MESSAGE EXPIRE when ``state.messages.expired(now)`` lists it.
"""

from __future__ import annotations

from typing import Any

from cadenza.core.elements.triggers import Document, trigger_event
from cadenza.core.intents import (
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    MessageSubscriptionIntent,
    ProcessMessageSubscriptionIntent,
)
from cadenza.core.processors.instances import parse_document
from cadenza.core.processors.start_events import start_instance
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["correlate_buffered", "expire_message", "publish_message", "start_buffered"]


def publish_message(writer: Writer, command: Record) -> None:
    value = command.value
    ttl = int(value.get("timeToLive") or 0)
    message: dict[str, Any] = {
        "name": str(value.get("name") or ""),
        "correlationKey": str(value.get("correlationKey") or ""),
        "timeToLive": ttl,
        "messageId": str(value.get("messageId") or ""),
        "variables": value.get("variables") or "{}",
        "deadline": writer.timestamp + ttl,
        "tenantId": str(value.get("tenantId") or command.tenant),
    }
    document = parse_document(message["variables"])
    problem = _problem(writer, message, document)
    if problem is not None:
        writer.reject(command, *problem)
        return
    assert isinstance(document, dict)
    key = writer.next_key()
    tenant = str(message["tenantId"])
    writer.respond(writer.event(ValueType.MESSAGE, MessageIntent.PUBLISHED, key, message, tenant))
    _correlate_subscriptions(writer, key, message, document)
    _correlate_start_events(writer, key, message, document)
    if ttl <= 0:  # not buffered: it must not correlate again
        writer.event(ValueType.MESSAGE, MessageIntent.EXPIRED, key, message, tenant)


def _problem(
    writer: Writer, message: dict[str, Any], document: Document | str
) -> tuple[RejectionType, str] | None:
    if isinstance(document, str):
        return RejectionType.INVALID_ARGUMENT, document
    if not message["name"]:
        return RejectionType.INVALID_ARGUMENT, "Expected to publish a message with a name, but none given"
    slot = (message["tenantId"], message["name"], message["correlationKey"])
    message_id = message["messageId"]
    if message_id and writer.state.messages.has_message_id(*slot, message_id):
        reason = (
            f"Expected to publish a new message with id '{message_id}', but a message with that id was "
            "already published"
        )
        return RejectionType.ALREADY_EXISTS, reason
    return None


def _already(writer: Writer, message_key: int, process_id: str) -> bool:
    row = writer.state.messages.message(message_key)
    return row is None or process_id in row["c"]


def _correlate_subscriptions(writer: Writer, key: int, message: dict[str, Any], document: Document) -> None:
    messages = writer.state.messages
    for sub_key in messages.subscriptions(message["tenantId"], message["name"], message["correlationKey"]):
        sub = messages.subscription(sub_key)
        if sub is not None and not _already(writer, key, sub["bpmnProcessId"]):
            _correlate(writer, sub_key, sub, key, document)


def _correlate(
    writer: Writer, sub_key: int, sub: dict[str, Any], message_key: int, document: Document
) -> None:
    owner = writer.state.elements.get(sub["elementInstanceKey"])
    if owner is None or owner["s"] != "ELEMENT_ACTIVATED":
        return
    tenant = sub["tenantId"]
    correlated = {**sub, "messageKey": message_key}
    writer.event(
        ValueType.MESSAGE_SUBSCRIPTION, MessageSubscriptionIntent.CORRELATED, sub_key, correlated, tenant
    )
    intent = ProcessMessageSubscriptionIntent.CORRELATED
    writer.event(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, intent, sub_key, correlated, tenant)
    trigger_event(writer, sub["elementInstanceKey"], sub["elementId"], document)


def _correlate_start_events(writer: Writer, key: int, message: dict[str, Any], document: Document) -> None:
    messages = writer.state.messages
    tenant = message["tenantId"]
    correlation = message["correlationKey"]
    for sub_key in messages.start_subscriptions(tenant, message["name"]):
        sub = messages.start_subscription(sub_key)
        if sub is None or _already(writer, key, sub["bpmnProcessId"]):
            continue
        if correlation:
            # One instance per correlation key at a time (§6.4); an empty key always starts one.
            running = messages.started_with(tenant, sub["bpmnProcessId"], correlation)
            if running is not None and writer.state.elements.get(running) is not None:
                continue
        _start(writer, sub_key, sub, key, correlation, document)


def _start(
    writer: Writer, sub_key: int, sub: dict[str, Any], message_key: int, correlation: str, document: Document
) -> None:
    instance_key = writer.next_key()
    correlated = {**sub, "messageKey": message_key, "correlationKey": correlation}
    correlated["processInstanceKey"] = instance_key
    intent = MessageStartEventSubscriptionIntent.CORRELATED
    writer.event(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, intent, sub_key, correlated, sub["tenantId"])
    start_instance(writer, sub["processDefinitionKey"], sub["startEventId"], document, instance_key)


def start_buffered(writer: Writer, command: Record) -> None:
    """MESSAGE_START_EVENT_SUBSCRIPTION CORRELATE (internal): the instance a keyed message started is gone;
    the oldest buffered message with that key, if any, starts the next instance of the latest version."""
    value = command.value
    tenant, process_id, correlation = value["tenantId"], value["bpmnProcessId"], value["correlationKey"]
    latest = writer.state.processes.latest_process(tenant, process_id)
    if latest is None:
        return
    messages = writer.state.messages
    for sub_key in messages.start_subscriptions_of(latest["processDefinitionKey"]):
        sub = messages.start_subscription(sub_key)
        assert sub is not None
        for message_key in messages.buffered(tenant, sub["messageName"], correlation):
            row = messages.message(message_key)
            if row is None or row["v"]["deadline"] <= writer.timestamp or process_id in row["c"]:
                continue
            document = parse_document(row["v"]["variables"])
            _start(
                writer, sub_key, sub, message_key, correlation, document if isinstance(document, dict) else {}
            )
            return


def correlate_buffered(writer: Writer, command: Record) -> None:
    """PROCESS_MESSAGE_SUBSCRIPTION CORRELATE (internal): a new subscription found a buffered message."""
    if writer.unsettled():
        writer.follow_ups.append(command)  # once the batch's other work is done, as in Zeebe (see Writer)
        return
    sub = writer.state.messages.subscription(command.key)
    message_key = int(command.value["messageKey"])
    row = writer.state.messages.message(message_key)
    if sub is None or row is None or _already(writer, message_key, sub["bpmnProcessId"]):
        return
    document = parse_document(row["v"]["variables"])
    _correlate(writer, command.key, sub, message_key, document if isinstance(document, dict) else {})


def expire_message(writer: Writer, command: Record) -> None:
    row = writer.state.messages.message(command.key)
    if row is None or row["v"]["tenantId"] != command.tenant:
        reason = f"Expected to expire message with key '{command.key}', but no such message was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    if row["v"]["deadline"] > writer.timestamp:
        reason = f"Expected to expire message with key '{command.key}', but its time to live has not passed"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    writer.respond(
        writer.event(ValueType.MESSAGE, MessageIntent.EXPIRED, command.key, row["v"], row["v"]["tenantId"])
    )
