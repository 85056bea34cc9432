"""Events: their event definitions resolved against the file's root elements, checked against what Zeebe
allows where (a process start may be a timer, a sub-process start may not, ...)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from cadenza.bpmn.context import BuildContext, Report, XmlElement, bpmn_tag, line_of, local_name
from cadenza.bpmn.expressions import BpmnExpression
from cadenza.bpmn.model import (
    BoundaryEvent,
    ConditionalDefinition,
    ElementKind,
    EndEvent,
    ErrorDefinition,
    EscalationDefinition,
    Event,
    EventDefinition,
    EventType,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkDefinition,
    MessageDefinition,
    SignalDefinition,
    StartEvent,
)
from cadenza.bpmn.timers import TimerDefinition, TimerKind, TimerValue, TimerValueError, parse_timer_value
from cadenza.bpmn.zeebe_ext import ZEEBE_NS

__all__ = ["EVENT_TAGS", "Role", "build_event", "common_fields", "message_definition", "read_definition"]

_T = EventType


class Role(Enum):
    """Where an event sits; decides which event definitions are allowed. The value is its label."""

    PROCESS_START = "process start event"
    SUBPROCESS_START = "sub-process start event"
    EVENT_SUBPROCESS_START = "event sub-process start event"
    END = "end event"
    CATCH = "intermediate catch event"
    THROW = "intermediate throw event"
    BOUNDARY = "boundary event"

    @property
    def label(self) -> str:
        return str(self.value)

    @property
    def allowed(self) -> frozenset[EventType]:
        return _ALLOWED[self]


# What Zeebe supports where, plus Cadenza's conditional events.
_ALLOWED: dict[Role, frozenset[EventType]] = {
    Role.PROCESS_START: frozenset({_T.NONE, _T.MESSAGE, _T.TIMER, _T.SIGNAL, _T.CONDITIONAL}),
    Role.SUBPROCESS_START: frozenset({_T.NONE}),
    Role.EVENT_SUBPROCESS_START: frozenset(
        {_T.MESSAGE, _T.TIMER, _T.ERROR, _T.ESCALATION, _T.SIGNAL, _T.CONDITIONAL}
    ),
    Role.END: frozenset({_T.NONE, _T.ERROR, _T.ESCALATION, _T.MESSAGE, _T.SIGNAL, _T.TERMINATE}),
    Role.CATCH: frozenset({_T.MESSAGE, _T.TIMER, _T.SIGNAL, _T.LINK, _T.CONDITIONAL}),
    Role.THROW: frozenset({_T.NONE, _T.MESSAGE, _T.SIGNAL, _T.LINK, _T.ESCALATION}),
    Role.BOUNDARY: frozenset({_T.MESSAGE, _T.TIMER, _T.ERROR, _T.ESCALATION, _T.SIGNAL, _T.CONDITIONAL}),
}
_DEFINITIONS = {
    "messageEventDefinition": _T.MESSAGE,
    "timerEventDefinition": _T.TIMER,
    "errorEventDefinition": _T.ERROR,
    "escalationEventDefinition": _T.ESCALATION,
    "signalEventDefinition": _T.SIGNAL,
    "linkEventDefinition": _T.LINK,
    "terminateEventDefinition": _T.TERMINATE,
    "conditionalEventDefinition": _T.CONDITIONAL,
}
_UNSUPPORTED_DEFINITIONS = {"compensateEventDefinition": "compensation", "cancelEventDefinition": "cancel"}
_THROWING = {Role.END, Role.THROW}
EVENT_TAGS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)


def common_fields(node: XmlElement, ctx: BuildContext, kind: ElementKind, scope_id: str) -> dict[str, Any]:
    """The fields every flow node has, read the same way for all of them."""
    ext = ctx.extensions(node)
    report = ctx.report(node)
    return {
        "id": node.get("id", ""),
        "kind": kind,
        "name": node.get("name"),
        "scope_id": scope_id,
        "line": line_of(node),
        "io": ctx.zeebe.io_mapping(ext, report),
        "properties": ctx.zeebe.properties(ext),
    }


def _definition_node(node: XmlElement, role: Role, report: Report) -> tuple[EventType, XmlElement | None]:
    found: list[tuple[EventType, XmlElement]] = []
    for child in node:
        if not isinstance(child.tag, str) or not child.tag.startswith(bpmn_tag("")):
            continue
        name = local_name(child)
        if name in _UNSUPPORTED_DEFINITIONS:
            report(f"unsupported element: {_UNSUPPORTED_DEFINITIONS[name]} events are not supported")
            return _T.NONE, None
        if name in _DEFINITIONS:
            found.append((_DEFINITIONS[name], child))
    if node.get("eventDefinitionRefs") or len(found) > 1:
        report(f"unsupported element: {role.label} with several event definitions")
    event_type, definition = found[0] if found else (_T.NONE, None)
    if event_type not in role.allowed:
        report(f"unsupported element: {event_type.value.lower()} {role.label}")
    return event_type, definition


def message_definition(
    definition: XmlElement, ctx: BuildContext, report: Report, *, needs_key: bool
) -> MessageDefinition | None:
    ref = definition.get("messageRef")
    message = ctx.refs.messages.get(ref or "")
    if message is None:
        report(
            "message catch event has no message" if not ref else f"messageRef '{ref}' names no bpmn:message"
        )
        return None
    raw_name = (message.get("name") or "").strip()
    if not raw_name:
        report(f"message '{ref}' has no name")
        return None
    name = ctx.expr.value(raw_name, "message name", report)
    if name is None:
        return None
    key = ctx.zeebe.subscription_key(ctx.extensions(message), report)
    if needs_key and key is None:
        report(f"message '{ref}' has no zeebe:subscription correlationKey")
    return MessageDefinition(message_id=ref or "", name=name, correlation_key=key)


def _timer(
    definition: XmlElement, ctx: BuildContext, report: Report, allowed: set[TimerKind]
) -> TimerDefinition | None:
    present = [
        (kind, child) for kind in TimerKind if (child := definition.find(bpmn_tag(kind.value))) is not None
    ]
    if len(present) != 1:
        report("a timer needs exactly one of timeDate, timeDuration, timeCycle")
        return None
    kind, child = present[0]
    if kind not in allowed:
        names = " or ".join(sorted(k.value for k in allowed))
        report(f"a timer here takes {names}, not {kind.value}")
    expression = ctx.expr.value((child.text or "").strip(), f"timer {kind.value}", report)
    if expression is None:
        return None
    static: TimerValue | None = None
    if expression.is_static:
        try:
            static = parse_timer_value(kind, expression.source)
        except TimerValueError as error:
            report(f"timer {kind.value}: {error}")
            return None
    return TimerDefinition(kind=kind, expression=expression, static=static)


def _coded(
    definition: XmlElement, ctx: BuildContext, report: Report, *, what: str, throw: bool
) -> ErrorDefinition | EscalationDefinition:
    """Error and escalation references: a throw needs a code (static or FEEL); a catch may omit it (a
    catch-all), and its code must be static because Zeebe matches catches against deploy-time codes."""
    ref = definition.get(f"{what}Ref")
    refs = ctx.refs.errors if what == "error" else ctx.refs.escalations
    target = refs.get(ref or "")
    code: BpmnExpression | None = None
    if ref and target is None:
        report(f"{what}Ref '{ref}' names no bpmn:{what}")
    elif target is not None:
        raw = target.get(f"{what}Code")
        if throw:
            code = ctx.expr.value(raw, f"{what}Code", report)
        elif raw:
            if raw.strip().startswith("="):
                report(f"a catching {what} event needs a static {what}Code, not '{raw}'")
            code = BpmnExpression(raw)
    if throw and (code is None or not code.source.strip()):
        report(f"a throwing {what} event needs an {what}Ref with an {what}Code")
    if what == "error":
        return ErrorDefinition(ref, code)
    return EscalationDefinition(ref, code)


def _signal(definition: XmlElement, ctx: BuildContext, report: Report) -> SignalDefinition | None:
    ref = definition.get("signalRef") or ""
    signal = ctx.refs.signals.get(ref)
    raw_name = "" if signal is None else (signal.get("name") or "").strip()
    if not raw_name:
        report(f"signal event has no signal name (signalRef '{ref}')")
        return None
    name = ctx.expr.value(raw_name, "signal name", report)
    return None if name is None else SignalDefinition(signal_id=ref, name=name)


def _conditional(definition: XmlElement, ctx: BuildContext, report: Report) -> ConditionalDefinition | None:
    condition_node = definition.find(bpmn_tag("condition"))
    text = None if condition_node is None else (condition_node.text or "")
    condition = ctx.expr.feel(text, "condition", report)
    if condition is None:
        if text is None:
            report("conditional event has no condition")
        return None
    found = ctx.extensions(definition)
    flt = None if found is None else found.find(f"{{{ZEEBE_NS}}}conditionalFilter")
    names = () if flt is None else _csv(flt.get("variableNames"))
    events = () if flt is None else _csv(flt.get("variableEvents"))
    return ConditionalDefinition(condition=condition, variable_names=names, variable_events=events)


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _timer_kinds(role: Role, interrupting: bool) -> set[TimerKind]:
    if role is Role.PROCESS_START:
        return {TimerKind.DATE, TimerKind.CYCLE}
    if role is Role.CATCH or (role is Role.BOUNDARY and interrupting):
        return {TimerKind.DATE, TimerKind.DURATION}
    return set(TimerKind)


def read_definition(
    node: XmlElement, ctx: BuildContext, role: Role, interrupting: bool = True
) -> tuple[EventType, EventDefinition | None]:
    report = ctx.report(node)
    event_type, definition = _definition_node(node, role, report)
    if definition is None:
        return event_type, None
    throw = role in _THROWING
    result: EventDefinition | None = None
    if event_type is _T.MESSAGE and not throw:
        result = message_definition(definition, ctx, report, needs_key=role is not Role.PROCESS_START)
    elif event_type is _T.TIMER:
        result = _timer(definition, ctx, report, _timer_kinds(role, interrupting))
    elif event_type in (_T.ERROR, _T.ESCALATION):
        result = _coded(definition, ctx, report, what=event_type.value.lower(), throw=throw)
    elif event_type is _T.SIGNAL:
        result = _signal(definition, ctx, report)
    elif event_type is _T.LINK:
        name = (definition.get("name") or "").strip()
        result = LinkDefinition(name) if name else None
        if not name:
            report("link event has no name")
    elif event_type is _T.CONDITIONAL:
        result = _conditional(definition, ctx, report)
    return event_type, result


def _flag(node: XmlElement, attribute: str) -> bool:
    return (node.get(attribute) or "true").strip() != "false"


def build_event(node: XmlElement, tag: str, ctx: BuildContext, scope_id: str, start_role: Role) -> Event:
    """One event element; ``start_role`` says what kind of scope a start event would start."""
    report = ctx.report(node)
    if tag == "startEvent":
        interrupting = _flag(node, "isInterrupting")
        event_type, definition = read_definition(node, ctx, start_role, interrupting)
        if event_type is _T.ERROR and not interrupting:
            report("an error start event is always interrupting")
        fields = common_fields(node, ctx, ElementKind.START_EVENT, scope_id)
        return StartEvent(**fields, event_type=event_type, definition=definition, interrupting=interrupting)
    if tag == "boundaryEvent":
        interrupting = _flag(node, "cancelActivity")
        event_type, definition = read_definition(node, ctx, Role.BOUNDARY, interrupting)
        if event_type is _T.ERROR and not interrupting:
            report("an error boundary event is always interrupting")
        fields = common_fields(node, ctx, ElementKind.BOUNDARY_EVENT, scope_id)
        attached = node.get("attachedToRef") or ""
        return BoundaryEvent(
            **fields,
            event_type=event_type,
            definition=definition,
            attached_to_id=attached,
            interrupting=interrupting,
        )
    if tag == "intermediateCatchEvent":
        event_type, definition = read_definition(node, ctx, Role.CATCH)
        fields = common_fields(node, ctx, ElementKind.INTERMEDIATE_CATCH_EVENT, scope_id)
        return IntermediateCatchEvent(**fields, event_type=event_type, definition=definition)
    role = Role.END if tag == "endEvent" else Role.THROW
    event_type, definition = read_definition(node, ctx, role)
    job = None
    if event_type is _T.MESSAGE:
        job = ctx.zeebe.job(ctx.extensions(node), report, f"message {role.label}")
    if role is Role.END:
        fields = common_fields(node, ctx, ElementKind.END_EVENT, scope_id)
        return EndEvent(**fields, event_type=event_type, definition=definition, job=job)
    fields = common_fields(node, ctx, ElementKind.INTERMEDIATE_THROW_EVENT, scope_id)
    return IntermediateThrowEvent(**fields, event_type=event_type, definition=definition, job=job)
