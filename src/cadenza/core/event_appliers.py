"""Appliers of the event records: timers, messages, signals and pending event triggers.

Registered into :data:`cadenza.core.appliers.APPLIERS` when that module is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cadenza.core.appliers import APPLIERS, Applier, applies
from cadenza.core.intents import (
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    MessageSubscriptionIntent,
    ProcessEventIntent,
    ProcessInstanceIntent,
    ProcessInstanceModificationIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from cadenza.core.records import ValueType

if TYPE_CHECKING:
    from cadenza.core.state import EngineState

__all__: list[str] = []


@applies(ValueType.TIMER, TimerIntent.CREATED)
def timer_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.timers.put(key, value)


@applies(ValueType.TIMER, TimerIntent.TRIGGERED)
def timer_triggered(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.timers.remove(key)


@applies(ValueType.TIMER, TimerIntent.CANCELED)
def timer_canceled(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.timers.remove(key)


@applies(ValueType.MESSAGE, MessageIntent.PUBLISHED)
def message_published(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.messages.put_message(key, value)


@applies(ValueType.MESSAGE, MessageIntent.EXPIRED)
def message_expired(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.messages.remove_message(key)


@applies(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, ProcessMessageSubscriptionIntent.CREATED)
def subscription_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.messages.put_subscription(key, value)


@applies(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, ProcessMessageSubscriptionIntent.DELETED)
def subscription_deleted(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.messages.remove_subscription(key)


@applies(ValueType.MESSAGE_SUBSCRIPTION, MessageSubscriptionIntent.CORRELATED)
def subscription_correlated(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.messages.mark_correlated(value["messageKey"], value["bpmnProcessId"])


@applies(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, MessageStartEventSubscriptionIntent.CREATED)
def start_subscription_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.messages.put_start_subscription(key, value)


@applies(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, MessageStartEventSubscriptionIntent.DELETED)
def start_subscription_deleted(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.messages.remove_start_subscription(key)


@applies(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, MessageStartEventSubscriptionIntent.CORRELATED)
def start_subscription_correlated(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.messages.mark_correlated(value["messageKey"], value["bpmnProcessId"])
    if value["correlationKey"]:
        state.messages.put_started_with(
            value["tenantId"], value["bpmnProcessId"], value["correlationKey"], value["processInstanceKey"]
        )


@applies(ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.CREATED)
def signal_subscription_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.signals.put(key, value)


@applies(ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.DELETED)
def signal_subscription_deleted(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.signals.remove(key)


@applies(ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERING)
def event_triggering(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.triggers.put(key, value)
    if value.get("interruptsScope"):
        # An interrupting event sub-process ends the scope's other work: tokens waiting at joins and flows
        # in flight are dropped, and only the event sub-process may start in the scope from now on.
        model = state.processes.model(value["processDefinitionKey"])
        _interrupt(state, value["scopeKey"], model.elements[value["targetElementId"]].scope_id)


def _interrupt(state: EngineState, scope_key: int, by_element_id: str) -> None:
    """Marks the scope interrupted for the rest of its life (Zeebe's ``interruptingElementId``)."""
    state.elements.clear_joins(scope_key)
    if state.elements.get(scope_key) is not None:
        state.elements.update(scope_key, interrupted=by_element_id)


@applies(ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERED)
def event_triggered(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.triggers.remove(value)


@applies(ValueType.PROCESS_INSTANCE_MODIFICATION, ProcessInstanceModificationIntent.MODIFIED)
def instance_modified(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    """The scopes an activation instruction uses are interrupted no more, so the element can activate in
    them (Zeebe clears their interrupted state the same way)."""
    for instruction in value.get("activateInstructions") or ():
        for scope_key in instruction.get("ancestorScopeKeys") or ():
            row = state.elements.get(scope_key)
            if row is not None and "interrupted" in row:
                state.elements.update(scope_key, interrupted=None)


def _also_for_events(applier: Applier, *, completed: bool) -> Applier:
    """Wraps the element-left applier: an instance a keyed message started frees its correlation key; a
    completed terminate end event interrupts its scope (tokens waiting at joins and in flight are dropped),
    so the scope completes once its other children are terminated (§6.13)."""

    def apply(state: EngineState, key: int, value: dict[str, Any]) -> None:
        applier(state, key, value)
        if value["flowScopeKey"] < 0:
            state.messages.instance_left(key)
        elif completed and value["bpmnEventType"] == "TERMINATE" and value["bpmnElementType"] == "END_EVENT":
            _interrupt(state, value["flowScopeKey"], value["elementId"])

    return apply


for _intent in (ProcessInstanceIntent.ELEMENT_COMPLETED, ProcessInstanceIntent.ELEMENT_TERMINATED):
    APPLIERS[(ValueType.PROCESS_INSTANCE, _intent)] = _also_for_events(
        APPLIERS[(ValueType.PROCESS_INSTANCE, _intent)],
        completed=_intent is ProcessInstanceIntent.ELEMENT_COMPLETED,
    )


# A migrated subscription is the same subscription with the target process's keys and catch event id.
APPLIERS[(ValueType.TIMER, TimerIntent.MIGRATED)] = timer_created
APPLIERS[(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, ProcessMessageSubscriptionIntent.MIGRATED)] = (
    subscription_created
)
APPLIERS[(ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.MIGRATED)] = signal_subscription_created
