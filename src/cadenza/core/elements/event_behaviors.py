"""Activations of event elements, receive tasks, event-based gateways and event sub-processes.

Catch events and receive tasks wait after ELEMENT_ACTIVATED for their subscription (opened before, by
:func:`~cadenza.core.elements.subscriptions.open_subscriptions`); throw and end events do their work during
activation: an uncaught error leaves the end event ACTIVATING with an incident, an interrupting catch leaves
the thrower to be terminated with its scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.bpmn.model import (
    ElementKind,
    Event,
    EventType,
    FlowNode,
    IntermediateThrowEvent,
    Process,
    SignalDefinition,
)
from cadenza.core.elements.flow import activate_command, child_value, complete
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.subscriptions import after_event_gateway
from cadenza.core.elements.throwing import throw_error_event, throw_escalation
from cadenza.core.elements.triggers import apply_result, document_text, take_pending
from cadenza.core.intents import ProcessInstanceIntent, SignalIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["EVENT_ACTIVATIONS", "EVENT_TYPES"]

_PI = ValueType.PROCESS_INSTANCE
Activation = Callable[[Writer, int, dict[str, Any], FlowNode, Process], None]


def _activated(writer: Writer, key: int, value: dict[str, Any]) -> None:
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, value["tenantId"])


def _wait(writer: Writer, key: int, value: dict[str, Any], _element: FlowNode, _model: Process) -> None:
    """Receive tasks, event-based gateways: their subscriptions are open; a trigger completes them."""
    _activated(writer, key, value)


def _catch(writer: Writer, key: int, value: dict[str, Any], element: FlowNode, model: Process) -> None:
    _activated(writer, key, value)
    assert isinstance(element, Event)
    if element.event_type is EventType.LINK:
        complete(writer, key)
    elif after_event_gateway(model, element):
        # The gateway already consumed the event that chose this path; its payload waits here.
        document = take_pending(writer, value["flowScopeKey"], element.id)
        apply_result(writer, key, value, element, document or {})
        complete(writer, key)


def _throw(writer: Writer, key: int, value: dict[str, Any], element: FlowNode, model: Process) -> None:
    assert isinstance(element, Event)
    if getattr(element, "job", None) is not None:
        # Message throw and end events are job-based, like a send task. Imported here: behaviors imports us.
        from cadenza.core.elements.behaviors import _activate_job_task

        _activate_job_task(writer, key, value, element, model)
        return
    if not _thrown(writer, key, value, element):
        return
    _activated(writer, key, value)
    if isinstance(element, IntermediateThrowEvent) and element.link_target_id is not None:
        # Queued before this event completes, so the scope never looks empty in between.
        target = model.elements[element.link_target_id]
        scope = writer.state.elements.get(value["flowScopeKey"])
        assert scope is not None
        activate_command(writer, child_value(scope["v"], value["flowScopeKey"], target))
        complete(writer, key, ())
        return
    if element.event_type is EventType.SIGNAL:
        # Completed by a command queued behind its broadcast, as in Zeebe: an interrupting event the signal
        # fires in this scope terminates the thrower instead of racing the token it would have sent on.
        writer.follow_up(_PI, ProcessInstanceIntent.COMPLETE_ELEMENT, key, value)
        return
    complete(writer, key)
    if element.event_type is EventType.TERMINATE:
        for child in writer.state.elements.children(value["flowScopeKey"]):
            writer.follow_up(_PI, ProcessInstanceIntent.TERMINATE_ELEMENT, child["k"], child["v"])


def _thrown(writer: Writer, key: int, value: dict[str, Any], element: Event) -> bool:
    """Throws the event's error, escalation or signal; False when the element must stop here."""
    if element.event_type is EventType.SIGNAL:
        return _broadcast(writer, key, value, element)
    if element.event_type not in (EventType.ERROR, EventType.ESCALATION):
        return True
    code = _code(writer, key, value, element)
    if code is None:
        return False
    if element.event_type is EventType.ESCALATION:
        return not throw_escalation(writer, key, value, code)
    if not throw_error_event(writer, key, code, {}):
        message = (
            f"Expected to throw an error event with the code '{code}', but it was not caught. "
            "No error events are available in the scope."
        )
        raise_incident(writer, key, value, ErrorType.UNHANDLED_ERROR_EVENT, message)
    return False


def _code(writer: Writer, key: int, value: dict[str, Any], element: Event) -> str | None:
    code_expression = getattr(element.definition, "code", None)
    assert code_expression is not None
    code = code_expression.evaluate(writer.state.variables.view(key))
    if isinstance(code, str):
        return code
    shown = "NULL" if code is None else type(code).__name__.upper()
    message = (
        f"Expected result of the expression '{code_expression.feel_source}' to be 'STRING', "
        f"but was '{shown}'."
    )
    raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
    return None


def _broadcast(writer: Writer, key: int, value: dict[str, Any], element: Event) -> bool:
    """A signal throw sends its local variables (its input mappings' results) as the payload (§6.10)."""
    assert isinstance(element.definition, SignalDefinition)
    name = element.definition.name.evaluate(writer.state.variables.view(key))
    if not isinstance(name, str):
        shown = "NULL" if name is None else type(name).__name__.upper()
        message = (
            f"Expected result of the expression '{element.definition.name.feel_source}' to be 'STRING', "
            f"but was '{shown}'."
        )
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return False
    local = writer.state.variables.local(key)
    variables = {name_: text for name_, (_, text) in local.items()}
    signal = {"signalName": name, "variables": document_text(variables), "tenantId": value["tenantId"]}
    writer.follow_up(ValueType.SIGNAL, SignalIntent.BROADCAST, -1, signal)
    return True


EVENT_ACTIVATIONS: dict[ElementKind, Activation] = {
    ElementKind.INTERMEDIATE_CATCH_EVENT: _catch,
    ElementKind.INTERMEDIATE_THROW_EVENT: _throw,
    ElementKind.END_EVENT: _throw,
    ElementKind.RECEIVE_TASK: _wait,
    ElementKind.EVENT_BASED_GATEWAY: _wait,
    ElementKind.BOUNDARY_EVENT: _wait,
}

#: Event types the engine runs, besides NONE.
EVENT_TYPES = frozenset(
    {
        EventType.TIMER,
        EventType.MESSAGE,
        EventType.SIGNAL,
        EventType.ERROR,
        EventType.ESCALATION,
        EventType.LINK,
        EventType.TERMINATE,
        EventType.CONDITIONAL,
    }
)
