"""Signals (broadcast, catch, boundary, start, throw) and escalations (caught, non-interrupting, uncaught)."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def test_a_broadcast_fires_catch_events_and_start_events_and_a_throw_event_broadcasts_in_the_engine(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "signals.bpmn")
    waiting = engine.create("signal-catch").value["processInstanceKey"]
    subscriptions = engine.events(ValueType.SIGNAL_SUBSCRIPTION)
    assert [(str(r.intent), r.value["catchElementId"]) for r in subscriptions] == [
        ("CREATED", "onKick"),
        ("CREATED", "waitGo"),
    ]
    broadcast = engine.broadcast("go", {"who": "ops"})
    assert str(broadcast.intent) == "BROADCASTED"
    assert ("work", "ELEMENT_ACTIVATED") in engine.trace(waiting)
    # "kick" starts signal-start, whose throw event broadcasts "stop" with its input-mapped local: the stop
    # boundary interrupts the task.
    engine.broadcast("kick", {"who": "ops"})
    trace = engine.trace(waiting)
    assert trace[trace.index(("work", "ELEMENT_TERMINATED")) + 1] == ("stopped", "ELEMENT_ACTIVATING")
    assert not engine.is_active(waiting)
    signals = [(r.value["signalName"], r.value["variables"]) for r in engine.events(ValueType.SIGNAL)]
    assert signals == [
        ("go", '{"who": "ops"}'),
        ("kick", '{"who": "ops"}'),
        ("stop", '{"why":"stopped by ops"}'),
    ]
    started = {r.value["processInstanceKey"] for r in engine.events(ValueType.PROCESS_INSTANCE)} - {waiting}
    assert len(started) == 1 and not engine.is_active(started.pop())
    stop_payload = [r.value["name"] for r in engine.events(ValueType.VARIABLE, instance=waiting)]
    assert stop_payload == ["who", "why"]
    assert engine.broadcast("nobody listens").value["signalName"] == "nobody listens"


def test_escalations_non_interrupting_continue_uncaught_continue_interrupting_abort(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "escalation.bpmn")
    instance = engine.create("escalation").value["processInstanceKey"]
    escalations = [
        (str(r.intent), r.value["escalationCode"], r.value["catchElementId"])
        for r in engine.events(ValueType.ESCALATION)
    ]
    assert escalations == [("ESCALATED", "LATE", "noted"), ("NOT_ESCALATED", "OTHER", "")]
    trace = engine.trace(instance)
    assert ("notedEnd", "ELEMENT_COMPLETED") in trace and ("other", "ELEMENT_COMPLETED") in trace
    assert engine.complete_all("work") == 1
    trace = engine.trace(instance)
    assert [e for e, i in trace if i == "ELEMENT_TERMINATED"] == ["fatal", "sub"]
    assert trace[trace.index(("sub", "ELEMENT_TERMINATED")) + 1] == ("aborted", "ELEMENT_ACTIVATING")
    assert not engine.is_active(instance)
