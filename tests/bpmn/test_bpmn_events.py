"""Start, end, intermediate and boundary events, event sub-processes and links."""

from __future__ import annotations

import datetime as dt

import pytest
from bpmn_support import fixture_bytes

from cadenza.bpmn import (
    ConditionalDefinition,
    EndEvent,
    ErrorDefinition,
    EscalationDefinition,
    EventSubProcess,
    EventType,
    IntermediateThrowEvent,
    IsoDuration,
    MessageDefinition,
    Process,
    SignalDefinition,
    StartEvent,
    TimerCycle,
    TimerDefinition,
    TimerKind,
    parse_bpmn,
)


@pytest.fixture(scope="module")
def process() -> Process:
    return parse_bpmn(fixture_bytes("events.bpmn"), resource_name="events.bpmn").process("events")


def _timer(process: Process, element_id: str) -> TimerDefinition:
    definition = getattr(process.elements[element_id], "definition", None)
    assert isinstance(definition, TimerDefinition)
    return definition


def test_top_level_start_events_of_every_kind(process: Process) -> None:
    kinds = {s.id: s.event_type for s in process.start_events}
    assert kinds == {
        "StartNone": EventType.NONE,
        "StartMessage": EventType.MESSAGE,
        "StartCycle": EventType.TIMER,
        "StartCron": EventType.TIMER,
        "StartDate": EventType.TIMER,
        "StartSignal": EventType.SIGNAL,
        "StartConditional": EventType.CONDITIONAL,
    }
    assert process.none_start_event is not None and process.none_start_event.id == "StartNone"
    message = process.elements["StartMessage"]
    assert isinstance(message, StartEvent) and isinstance(message.definition, MessageDefinition)
    assert message.definition.correlation_key is None  # a start event needs no key


def test_timer_start_events_are_parsed_at_deploy_time(process: Process) -> None:
    cycle = _timer(process, "StartCycle")
    assert cycle.kind is TimerKind.CYCLE
    assert cycle.static == TimerCycle(repetitions=5, interval=IsoDuration(exact=dt.timedelta(seconds=10)))
    cron = _timer(process, "StartCron")
    assert cron.static == TimerCycle(cron="0 0 9-17 * * MON-FRI")
    date = _timer(process, "StartDate")
    assert date.static == dt.datetime(2026, 12, 24, 17, 0, tzinfo=dt.UTC)


def test_conditional_start_with_filter(process: Process) -> None:
    start = process.elements["StartConditional"]
    assert isinstance(start, StartEvent) and isinstance(start.definition, ConditionalDefinition)
    assert start.definition.condition.feel_source == "stock < 10"
    assert start.definition.variable_names == ("stock", "price")
    assert start.definition.variable_events == ("create", "update")


def test_boundary_events_are_attached_in_document_order(process: Process) -> None:
    work = process.elements["Work"]
    boundaries = getattr(work, "boundary_events", ())
    assert [b.id for b in boundaries] == [
        "BTimer",
        "BMessage",
        "BError",
        "BErrorAll",
        "BEscalation",
        "BSignal",
        "BConditional",
    ]
    assert all(b.attached_to_id == "Work" and b.scope_id == "events" for b in boundaries)
    by_id = {b.id: b for b in boundaries}
    assert not by_id["BTimer"].interrupting and by_id["BMessage"].interrupting
    assert not by_id["BEscalation"].interrupting
    timer = by_id["BTimer"].definition
    assert isinstance(timer, TimerDefinition) and timer.static == TimerCycle(
        repetitions=None, interval=IsoDuration(exact=dt.timedelta(hours=1))
    )
    error = by_id["BError"].definition
    assert isinstance(error, ErrorDefinition) and error.code is not None
    assert error.code.static_value == "PAYMENT_FAILED"
    catch_all = by_id["BErrorAll"].definition
    assert isinstance(catch_all, ErrorDefinition) and catch_all.code is None


def test_throw_events(process: Process) -> None:
    message = process.elements["ThrowMessage"]
    assert isinstance(message, IntermediateThrowEvent) and message.job is not None
    assert message.job.type.static_value == "publish"
    signal = process.elements["ThrowSignal"]
    assert isinstance(signal, IntermediateThrowEvent) and isinstance(signal.definition, SignalDefinition)
    assert signal.definition.name.static_value == "go"
    escalation = process.elements["ThrowEscalation"]
    assert isinstance(escalation.definition, EscalationDefinition)  # type: ignore[attr-defined]
    assert process.elements["ThrowNone"].event_type is EventType.NONE  # type: ignore[attr-defined]


def test_link_throw_is_resolved_to_its_catch(process: Process) -> None:
    link_out = process.elements["LinkOut"]
    assert isinstance(link_out, IntermediateThrowEvent)
    assert link_out.link_target_id == "LinkIn"
    assert process.elements["LinkIn"].outgoing[0].target_id == "EndError"


def test_end_events(process: Process) -> None:
    ends = {e.id: e for e in process.elements.values() if isinstance(e, EndEvent)}
    assert {i: e.event_type for i, e in ends.items()} == {
        "EndError": EventType.ERROR,
        "EndEscalation": EventType.ESCALATION,
        "EndMessage": EventType.MESSAGE,
        "EndSignal": EventType.SIGNAL,
        "EndTerminate": EventType.TERMINATE,
    }
    error = ends["EndError"].definition
    assert isinstance(error, ErrorDefinition) and error.code is not None
    assert error.code.feel_source == "errorCode"  # a thrown code may be FEEL
    job = ends["EndMessage"].job
    assert job is not None and job.retries.static_value == "1"


def test_event_sub_processes_are_listed_on_their_scope(process: Process) -> None:
    subs = {s.id: s for s in process.event_subprocesses}
    assert list(subs) == ["OnTimeout", "OnUpdate", "OnError", "OnEscalation", "OnSignal", "OnCondition"]
    assert all(isinstance(s, EventSubProcess) for s in subs.values())
    assert subs["OnTimeout"].interrupting and not subs["OnUpdate"].interrupting
    assert subs["OnError"].start_event.event_type is EventType.ERROR
    timeout = subs["OnTimeout"].start_event.definition
    assert isinstance(timeout, TimerDefinition) and timeout.static is None  # FEEL: evaluated when armed
    assert timeout.expression.feel_source == "timeout"
    assert subs["OnCondition"].start_event.event_type is EventType.CONDITIONAL
    assert process.elements["OnUpdateStart"].scope_id == "OnUpdate"
    # event sub-process starts are not process start events
    assert "OnTimeoutStart" not in {s.id for s in process.start_events}
