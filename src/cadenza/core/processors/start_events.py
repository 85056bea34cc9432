"""Process start events other than the none start: timer, message, signal and conditional starts
(ZEEBE-SEMANTICS §6.4–6.6, §6.10; conditional starts are a Cadenza addition).

Deploying a new version opens its start-event subscriptions (timers are evaluated now) and closes the previous
version's; a fired start event creates an instance of that version and starts it at that event.
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import (
    ConditionalDefinition,
    EventType,
    MessageDefinition,
    Process,
    SignalDefinition,
    StartEvent,
)
from cadenza.bpmn.timers import TimerDefinition, TimerValueError
from cadenza.core.elements.subscriptions import open_subscriptions
from cadenza.core.elements.timer_values import first_due
from cadenza.core.elements.triggers import Document, activate_triggered
from cadenza.core.intents import (
    ConditionalSubscriptionIntent,
    MessageStartEventSubscriptionIntent,
    ProcessInstanceIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["close_start_subscriptions", "deploy_problems", "open_start_subscriptions", "start_instance"]

_PI = ValueType.PROCESS_INSTANCE


def deploy_problems(process: Process) -> list[str]:
    """Timers the engine could never arm: a process's timer start events (armed at deployment) and static
    cron cycles anywhere (the BPMN reader checks only their shape; ``L``/``W``/``#`` are not supported)."""
    problems = []
    for element in process.elements.values():
        definition = getattr(element, "definition", None)
        if not isinstance(definition, TimerDefinition):
            continue
        static = definition.static
        cron = getattr(static, "cron", None)
        try:
            if cron is not None or (isinstance(element, StartEvent) and element.scope_id == process.id):
                first_due(definition, {}, 0)
        except TimerValueError as error:
            problems.append(f"element '{element.id}': {error}")
    return problems


def open_start_subscriptions(
    writer: Writer, row: dict[str, Any], process: Process, previous: dict[str, Any] | None
) -> None:
    if previous is not None:
        close_start_subscriptions(writer, previous["processDefinitionKey"])
    tenant = row["tenantId"]
    base = {
        "processDefinitionKey": row["processDefinitionKey"],
        "bpmnProcessId": row["bpmnProcessId"],
        "tenantId": tenant,
    }
    for start in process.start_events:
        definition = start.definition
        if isinstance(definition, TimerDefinition):
            schedule = first_due(definition, {}, writer.timestamp)
            timer = {**base, "elementInstanceKey": -1, "processInstanceKey": -1, "dueDate": schedule.due}
            timer.update(targetElementId=start.id, repetitions=schedule.repetitions)
            writer.event(ValueType.TIMER, TimerIntent.CREATED, writer.next_key(), timer, tenant)
        elif isinstance(definition, MessageDefinition):
            sub = {**base, "startEventId": start.id, "messageName": str(definition.name.evaluate({}))}
            intent = MessageStartEventSubscriptionIntent.CREATED
            writer.event(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, intent, writer.next_key(), sub, tenant)
        elif isinstance(definition, SignalDefinition):
            signal = {**base, "signalName": str(definition.name.evaluate({})), "catchElementId": start.id}
            signal.update(catchEventInstanceKey=-1, processInstanceKey=-1)
            created = SignalSubscriptionIntent.CREATED
            writer.event(ValueType.SIGNAL_SUBSCRIPTION, created, writer.next_key(), signal, tenant)
        elif isinstance(definition, ConditionalDefinition):
            condition = {**base, "elementId": start.id, "elementInstanceKey": -1, "processInstanceKey": -1}
            condition.update(interrupting=True, satisfied=False)
            opened = ConditionalSubscriptionIntent.CREATED
            writer.event(ValueType.CONDITIONAL_SUBSCRIPTION, opened, writer.next_key(), condition, tenant)


def close_start_subscriptions(writer: Writer, definition_key: int) -> None:
    state = writer.state
    for key in state.timers.of_start_events(definition_key):
        timer = state.timers.get(key)
        assert timer is not None
        writer.event(ValueType.TIMER, TimerIntent.CANCELED, key, timer, timer["tenantId"])
    for key in state.messages.start_subscriptions_of(definition_key):
        sub = state.messages.start_subscription(key)
        assert sub is not None
        intent = MessageStartEventSubscriptionIntent.DELETED
        writer.event(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, intent, key, sub, sub["tenantId"])
    for key in state.signals.of_start_events(definition_key):
        signal = state.signals.get(key)
        assert signal is not None
        writer.event(
            ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.DELETED, key, signal, signal["tenantId"]
        )
    for key in state.conditions.of_start_events(definition_key):
        condition = state.conditions.get(key)
        assert condition is not None
        deleted = ConditionalSubscriptionIntent.DELETED
        writer.event(ValueType.CONDITIONAL_SUBSCRIPTION, deleted, key, condition, condition["tenantId"])


def start_instance(
    writer: Writer, process_key: int, start_id: str, document: Document, key: int | None = None
) -> int | None:
    """Creates an instance of the process version ``process_key`` that starts at the start event that
    fired; its payload merges into the new instance's root scope."""
    row = writer.state.processes.process(process_key)
    if row is None:
        return None
    model = writer.state.processes.model(process_key)
    start = model.elements[start_id]
    assert isinstance(start, StartEvent) and start.event_type is not EventType.NONE
    key = writer.next_key() if key is None else key
    tenant = row["tenantId"]
    instance = {
        "bpmnProcessId": row["bpmnProcessId"],
        "version": row["version"],
        "processDefinitionKey": process_key,
        "processInstanceKey": key,
        "elementId": row["bpmnProcessId"],
        "bpmnElementType": "PROCESS",
        "bpmnEventType": "UNSPECIFIED",
        "flowScopeKey": -1,
        "parentProcessInstanceKey": -1,
        "parentElementInstanceKey": -1,
        "tenantId": tenant,
    }
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING, key, instance, tenant)
    if open_subscriptions(writer, key, instance, None, model):
        writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, instance, tenant)
        activate_triggered(writer, key, start, document)
    return key
