"""TIMER TRIGGER: the adapter submits it for every timer that ``state.timers.due(now)`` returns (§6.5–6.7).

The timer fires its catch event; a cycle re-arms (from the previous due date, the expression evaluated again)
while its owner is still waiting: a timer start event, a non-interrupting boundary or event sub-process.
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import BoundaryEvent, StartEvent
from cadenza.bpmn.timers import TimerDefinition, TimerValueError
from cadenza.core.elements.flow import model_of
from cadenza.core.elements.timer_values import Schedule, next_due
from cadenza.core.elements.triggers import trigger_event
from cadenza.core.intents import ProcessInstanceIntent, TimerIntent
from cadenza.core.processors.start_events import start_instance
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["trigger_timer"]


def trigger_timer(writer: Writer, command: Record) -> None:
    timer = writer.state.timers.get(command.key)
    if timer is None or timer["tenantId"] != command.tenant:
        reason = f"Expected to trigger timer with key '{command.key}', but no such timer was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    if timer["dueDate"] > writer.timestamp:
        reason = (
            f"Expected to trigger timer with key '{command.key}', but it is not due until {timer['dueDate']}"
        )
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    writer.respond(
        writer.event(ValueType.TIMER, TimerIntent.TRIGGERED, command.key, timer, timer["tenantId"])
    )
    owner_key = timer["elementInstanceKey"]
    if owner_key > 0:
        trigger_event(writer, owner_key, timer["targetElementId"], {})
    else:
        start_instance(writer, timer["processDefinitionKey"], timer["targetElementId"], {})
    _rearm(writer, timer)


def _rearm(writer: Writer, timer: dict[str, Any]) -> None:
    owner_key = timer["elementInstanceKey"]
    owner = writer.state.elements.get(owner_key) if owner_key > 0 else None
    if owner_key > 0 and (owner is None or owner["s"] != ProcessInstanceIntent.ELEMENT_ACTIVATED):
        return
    model = (
        writer.state.processes.model(timer["processDefinitionKey"])
        if owner is None
        else model_of(writer, owner["v"])
    )
    catch = model.elements[timer["targetElementId"]]
    repeatable = isinstance(catch, StartEvent | BoundaryEvent) and (owner is None or not catch.interrupting)
    definition = getattr(catch, "definition", None)
    if not repeatable or not isinstance(definition, TimerDefinition):
        return
    variables: Any = {} if owner is None else writer.state.variables.view(owner_key)
    try:
        schedule = next_due(definition, variables, Schedule(timer["dueDate"], timer["repetitions"]))
    except TimerValueError:
        return  # the cycle's expression no longer evaluates: the timer stops repeating
    if schedule is not None:
        again = {**timer, "dueDate": schedule.due, "repetitions": schedule.repetitions}
        writer.event(ValueType.TIMER, TimerIntent.CREATED, writer.next_key(), again, timer["tenantId"])
