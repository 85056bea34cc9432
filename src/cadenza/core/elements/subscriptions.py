"""Event subscriptions of an element instance (ZEEBE-SEMANTICS §6.1, §6.5–6.10).

An element instance subscribes, while it is active, to the events that can interrupt or continue it: its own
catch event or receive task, its boundary events, the start events of its event sub-processes, or (an
event-based gateway) the catch events after it. Subscriptions open on activation, before ELEMENT_ACTIVATED,
and close when the instance completes or terminates. A subscription remembers the element instance it
belongs to and the catch event it triggers (``targetElementId`` / ``elementId`` / ``catchElementId``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    ElementKind,
    Event,
    EventType,
    FlowNode,
    IntermediateCatchEvent,
    MessageDefinition,
    Process,
    ReceiveTask,
    SignalDefinition,
    StartEvent,
    SubProcess,
)
from cadenza.bpmn.timers import TimerDefinition, TimerValueError
from cadenza.core.elements.conditions import close_conditions, open_conditional
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.timer_values import first_due
from cadenza.core.intents import (
    MessageStartEventSubscriptionIntent,
    MessageSubscriptionIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = [
    "SubscriptionError",
    "after_event_gateway",
    "catch_elements",
    "check_catch_events",
    "close_subscriptions",
    "correlation_key",
    "element_leaving",
    "instance_role",
    "is_interrupting",
    "message_of",
    "open_catch_events",
    "open_subscriptions",
]

#: Zeebe's element type of a multi-instance activity's body instance.
MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"
_SUBSCRIBING = frozenset({EventType.TIMER, EventType.MESSAGE, EventType.SIGNAL, EventType.CONDITIONAL})
CatchElement = Event | ReceiveTask


class SubscriptionError(Exception):
    """A timer, message name, correlation key or signal name could not be evaluated."""


def after_event_gateway(model: Process, element: FlowNode) -> bool:
    return any(
        model.elements[flow.source_id].kind is ElementKind.EVENT_BASED_GATEWAY for flow in element.incoming
    )


def instance_role(element: FlowNode | None, instance_type: str) -> tuple[bool, bool]:
    """``(has its own events, has the boundary events)``: a multi-instance activity's body holds the
    boundary events (§2.7), each inner instance its own catch and event sub-processes."""
    if instance_type == MULTI_INSTANCE_BODY:
        return False, True
    if instance_type == "AD_HOC_SUB_PROCESS_INNER_INSTANCE":  # no element of its own: nothing to catch
        return False, False
    inner = isinstance(element, Activity) and element.multi_instance is not None
    return True, not inner


#: Kinds whose instances subscribe to nothing but their boundary events: no catch event of their own, no
#: event sub-processes, no event-based choice.
_PASSIVE = frozenset(
    {
        ElementKind.START_EVENT,
        ElementKind.END_EVENT,
        ElementKind.INTERMEDIATE_THROW_EVENT,
        ElementKind.TASK,
        ElementKind.MANUAL_TASK,
        ElementKind.SERVICE_TASK,
        ElementKind.SEND_TASK,
        ElementKind.USER_TASK,
        ElementKind.SCRIPT_TASK,
        ElementKind.BUSINESS_RULE_TASK,
        ElementKind.EXCLUSIVE_GATEWAY,
        ElementKind.INCLUSIVE_GATEWAY,
        ElementKind.PARALLEL_GATEWAY,
        ElementKind.CALL_ACTIVITY,
    }
)


def catch_elements(model: Process, element: FlowNode | None, instance_type: str = "") -> list[CatchElement]:
    """What an instance of ``element`` (None: the process) subscribes to while it is active."""
    if element is not None and element.kind in _PASSIVE and not getattr(element, "boundary_events", ()):
        return []  # the common case, decided without the checks below: it runs for every element
    own, boundaries = instance_role(element, instance_type)
    found: list[CatchElement] = []
    if own and isinstance(element, IntermediateCatchEvent) and not after_event_gateway(model, element):
        found.append(element)
    if own and isinstance(element, ReceiveTask):
        found.append(element)
    if boundaries and isinstance(element, Activity):
        found.extend(element.boundary_events)
    scope = model if element is None else element
    if own and isinstance(scope, Process | SubProcess):
        found.extend(esp.start_event for esp in scope.event_subprocesses)
    if element is not None and element.kind is ElementKind.EVENT_BASED_GATEWAY:
        found.extend(_event(model.elements[flow.target_id]) for flow in element.outgoing)
    return [c for c in found if isinstance(c, ReceiveTask) or c.event_type in _SUBSCRIBING]


def _event(node: FlowNode) -> Event:
    assert isinstance(node, Event)
    return node


def message_of(catch: CatchElement) -> MessageDefinition:
    definition = catch.message if isinstance(catch, ReceiveTask) else catch.definition
    assert isinstance(definition, MessageDefinition)
    return definition


def is_interrupting(catch: CatchElement) -> bool:
    if isinstance(catch, BoundaryEvent | StartEvent):
        return catch.interrupting
    return True


def correlation_key(value: Any, source: str) -> str:
    """Keys must be strings or numbers; numbers become integer strings (decimals truncated, as Zeebe does)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return str(int(value))
    shown = "NULL" if value is None else type(value).__name__.upper()
    raise SubscriptionError(
        f"Failed to extract the correlation key for '{source}': The value must be either a string or a "
        f"number, but was '{shown}'."
    )


def _name(definition: MessageDefinition | SignalDefinition, variables: Mapping[str, Any]) -> str:
    name = definition.name.evaluate(variables)
    if not isinstance(name, str):
        raise SubscriptionError(
            f"Expected result of the expression '{definition.name.feel_source}' to be 'STRING', "
            f"but was '{'NULL' if name is None else type(name).__name__.upper()}'."
        )
    return name


def open_subscriptions(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode | None, model: Process
) -> bool:
    """Opens the instance's subscriptions; on a bad expression raises an incident and returns False."""
    catches = catch_elements(model, element, value["bpmnElementType"])
    if not catches:
        return True
    close_subscriptions(writer, key)  # a re-run activation (incident resolved) must not subscribe twice
    return open_catch_events(writer, key, value, catches)


def open_catch_events(writer: Writer, key: int, value: dict[str, Any], catches: list[CatchElement]) -> bool:
    """Subscribes the element instance ``key`` to ``catches``; on a bad expression raises an incident."""
    view = writer.state.variables.view(key)
    try:
        for catch in catches:
            _OPENERS[catch.event_type if isinstance(catch, Event) else EventType.MESSAGE](
                writer, key, value, catch, view
            )
    except (SubscriptionError, TimerValueError) as error:
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, str(error))
        return False
    return True


def check_catch_events(catches: list[CatchElement], view: Mapping[str, Any], now: int) -> str:
    """Why subscribing to ``catches`` would fail (a timer, message name, correlation key or signal name that
    cannot be evaluated), or "": a check before writing anything (process instance migration)."""
    try:
        for catch in catches:
            definition = message_of(catch) if isinstance(catch, ReceiveTask) else catch.definition
            if isinstance(definition, TimerDefinition):
                first_due(definition, view, now)
            elif isinstance(definition, MessageDefinition):
                _name(definition, view)
                assert definition.correlation_key is not None
                key = definition.correlation_key
                correlation_key(key.evaluate(view), key.source)
            elif isinstance(definition, SignalDefinition):
                _name(definition, view)
    except (SubscriptionError, TimerValueError) as error:
        return str(error)
    return ""


def _open_timer(
    writer: Writer, key: int, value: dict[str, Any], catch: CatchElement, view: Mapping[str, Any]
) -> None:
    assert isinstance(catch, Event) and isinstance(catch.definition, TimerDefinition)
    schedule = first_due(catch.definition, view, writer.timestamp)
    timer = {
        "elementInstanceKey": key,
        "processInstanceKey": value["processInstanceKey"],
        "processDefinitionKey": value["processDefinitionKey"],
        "dueDate": schedule.due,
        "targetElementId": catch.id,
        "repetitions": schedule.repetitions,
        "tenantId": value["tenantId"],
    }
    writer.event(ValueType.TIMER, TimerIntent.CREATED, writer.next_key(), timer, value["tenantId"])


def _open_message(
    writer: Writer, key: int, value: dict[str, Any], catch: CatchElement, view: Mapping[str, Any]
) -> None:
    definition = message_of(catch)
    name = _name(definition, view)
    assert definition.correlation_key is not None
    correlation = correlation_key(
        definition.correlation_key.evaluate(view), definition.correlation_key.source
    )
    subscription = {
        "elementInstanceKey": key,
        "processInstanceKey": value["processInstanceKey"],
        "processDefinitionKey": value["processDefinitionKey"],
        "bpmnProcessId": value["bpmnProcessId"],
        "elementId": catch.id,
        "messageName": name,
        "correlationKey": correlation,
        "interrupting": is_interrupting(catch),
        "tenantId": value["tenantId"],
    }
    sub_key = writer.next_key()
    # One partition holds both sides of the subscription, so both records are written at once.
    process_side = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
    writer.event(
        process_side, ProcessMessageSubscriptionIntent.CREATED, sub_key, subscription, value["tenantId"]
    )
    message_side = ValueType.MESSAGE_SUBSCRIPTION
    writer.event(message_side, MessageSubscriptionIntent.CREATED, sub_key, subscription, value["tenantId"])
    message_key = buffered_message(writer, subscription)
    if message_key is not None:
        # Correlated once the element is active, after this activation step.
        command = {**subscription, "subscriptionKey": sub_key, "messageKey": message_key}
        writer.follow_up(process_side, ProcessMessageSubscriptionIntent.CORRELATE, sub_key, command)


def buffered_message(writer: Writer, subscription: dict[str, Any]) -> int | None:
    """The oldest live buffered message for a subscription that has not correlated to its process yet."""
    messages = writer.state.messages
    slot = (subscription["tenantId"], subscription["messageName"], subscription["correlationKey"])
    for message_key in messages.buffered(*slot):
        row = messages.message(message_key)
        if (
            row is not None
            and row["v"]["deadline"] > writer.timestamp
            and subscription["bpmnProcessId"] not in row["c"]
        ):
            return message_key
    return None


def _open_signal(
    writer: Writer, key: int, value: dict[str, Any], catch: CatchElement, view: Mapping[str, Any]
) -> None:
    assert isinstance(catch, Event) and isinstance(catch.definition, SignalDefinition)
    subscription = {
        "signalName": _name(catch.definition, view),
        "catchElementId": catch.id,
        "catchEventInstanceKey": key,
        "processInstanceKey": value["processInstanceKey"],
        "processDefinitionKey": value["processDefinitionKey"],
        "bpmnProcessId": value["bpmnProcessId"],
        "tenantId": value["tenantId"],
    }
    writer.event(
        ValueType.SIGNAL_SUBSCRIPTION,
        SignalSubscriptionIntent.CREATED,
        writer.next_key(),
        subscription,
        value["tenantId"],
    )


Opener = Callable[[Writer, int, dict[str, Any], CatchElement, Mapping[str, Any]], None]
_OPENERS: dict[EventType, Opener] = {
    EventType.TIMER: _open_timer,
    EventType.MESSAGE: _open_message,
    EventType.SIGNAL: _open_signal,
    EventType.CONDITIONAL: open_conditional,
}


def element_leaving(writer: Writer, key: int) -> None:
    """An element instance completes or terminates: its subscriptions close. A process instance that a
    message with a correlation key started frees that key, so a buffered message may start the next one
    (§6.4), once this instance is gone."""
    close_subscriptions(writer, key)
    started = writer.state.messages.started_by(key)
    if started is not None:
        intent = MessageStartEventSubscriptionIntent.CORRELATE
        writer.follow_up(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, intent, key, dict(started))


def close_subscriptions(writer: Writer, key: int, targets: frozenset[str] | None = None) -> None:
    """Closes what ``key`` subscribed to (only the catch events in ``targets``, if given)."""
    state = writer.state
    if not state.has_subscriptions(key):
        return  # the usual case (a task without boundary events), answered without a lookup per kind
    for timer_key in state.timers.of_element(key):
        timer = state.timers.get(timer_key)
        if timer is not None and (targets is None or timer["targetElementId"] in targets):
            writer.event(ValueType.TIMER, TimerIntent.CANCELED, timer_key, timer, timer["tenantId"])
    for sub_key in state.messages.subscriptions_of(key):
        sub = state.messages.subscription(sub_key)
        if sub is not None and (targets is None or sub["elementId"] in targets):
            writer.event(
                ValueType.PROCESS_MESSAGE_SUBSCRIPTION,
                ProcessMessageSubscriptionIntent.DELETED,
                sub_key,
                sub,
                sub["tenantId"],
            )
            writer.event(
                ValueType.MESSAGE_SUBSCRIPTION,
                MessageSubscriptionIntent.DELETED,
                sub_key,
                sub,
                sub["tenantId"],
            )
    close_conditions(writer, key, targets)
    for sig_key in state.signals.of_element(key):
        sig = state.signals.get(sig_key)
        if sig is not None and (targets is None or sig["catchElementId"] in targets):
            writer.event(
                ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.DELETED, sig_key, sig, sig["tenantId"]
            )
