"""Timers: intermediate catch, boundary (interrupting, cycles on non-interrupting), start events."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver

LIFE = ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]


def _timers(engine: EngineDriver) -> list[tuple[str, str, int]]:
    return [
        (str(r.intent), r.value["targetElementId"], r.value["dueDate"])
        for r in engine.events(ValueType.TIMER)
    ]


def test_a_timer_catch_event_waits_until_due_and_then_continues(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "timer-catch.bpmn")
    start = engine.now
    instance = engine.create("timer-catch", {"delay": "PT10S"}).value["processInstanceKey"]
    assert _timers(engine) == [("CREATED", "wait", start + 10_000)]
    assert engine.engine.state.timers.next_due() == start + 10_000
    [timer] = engine.events(ValueType.TIMER)
    early = engine.submit(ValueType.TIMER, "TRIGGER", {}, timer.key)
    assert early.record_type is RecordType.COMMAND_REJECTION and early.rejection_type == "INVALID_STATE"
    assert engine.advance(9_999) == [] and engine.is_active(instance)
    [response] = engine.advance(1)
    assert str(response.intent) == "TRIGGERED"
    records = [
        (str(r.value_type), str(r.intent), r.value.get("elementId", r.value.get("targetElementId")))
        for r in engine.log
        if r.record_type is RecordType.EVENT and r.value_type in (ValueType.TIMER, ValueType.PROCESS_INSTANCE)
    ]
    waiting = records.index(("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "wait"))
    assert records[waiting:] == [
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "wait"),
        ("TIMER", "CREATED", "wait"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "wait"),
        ("TIMER", "TRIGGERED", "wait"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "wait"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "wait"),
        ("PROCESS_INSTANCE", "SEQUENCE_FLOW_TAKEN", "f2"),
        *[("PROCESS_INSTANCE", intent, "end") for intent in LIFE],
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "timer-catch"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "timer-catch"),
    ]
    assert not engine.is_active(instance)
    assert engine.engine.state.timers.next_due() is None


def test_a_bad_timer_expression_is_an_incident_and_resolving_re_arms(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "timer-catch.bpmn")
    instance = engine.create("timer-catch", {"delay": 5}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR" and incident.value["elementId"] == "wait"
    assert engine.events(ValueType.TIMER) == []
    engine.submit(
        ValueType.VARIABLE_DOCUMENT, "UPDATE", {"scopeKey": instance, "variables": '{"delay": "PT1S"}'}
    )
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    engine.advance(1_000)
    assert not engine.is_active(instance)


def test_an_interrupting_timer_boundary_terminates_the_task_and_its_job(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "timer-boundary.bpmn")
    instance = engine.create("timer-boundary").value["processInstanceKey"]
    assert sorted(t for _, t, _ in _timers(engine)) == ["remind", "timeout"]
    engine.advance(60_000)
    trace = engine.trace(instance)
    work_end = trace.index(("work", "ELEMENT_TERMINATED"))
    assert trace[work_end - 1] == ("work", "ELEMENT_TERMINATING")
    assert trace[work_end + 1 :] == [
        *[("timeout", intent) for intent in LIFE],
        ("f3", "SEQUENCE_FLOW_TAKEN"),
        *[("timedOut", intent) for intent in LIFE],
        ("timer-boundary", "ELEMENT_COMPLETING"),
        ("timer-boundary", "ELEMENT_COMPLETED"),
    ]
    # The reminder cycle fired twice (10 s, 20 s) before the timeout, and was canceled with the task.
    assert [e for e, i in trace if e == "reminded" and i == "ELEMENT_COMPLETED"] == ["reminded", "reminded"]
    jobs = [str(r.intent) for r in engine.events(ValueType.JOB, instance=instance)]
    assert jobs == ["CREATED", "CANCELED"]
    assert engine.engine.state.timers.next_due() is None
    assert not engine.is_active(instance)


def test_a_non_interrupting_timer_cycle_repeats_and_counts_from_the_previous_due_date(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "timer-boundary.bpmn")
    start = engine.now
    instance = engine.create("timer-boundary").value["processInstanceKey"]
    engine.advance(15_000)
    remind = [(i, d) for i, t, d in _timers(engine) if t == "remind"]
    assert remind == [("CREATED", start + 10_000), ("TRIGGERED", start + 10_000), ("CREATED", start + 20_000)]
    engine.advance(30_000)  # the second and last repetition; no third timer
    remind = [(i, d) for i, t, d in _timers(engine) if t == "remind"]
    assert remind[-1] == ("TRIGGERED", start + 20_000) and len(remind) == 4
    assert engine.complete_all("work") == 1
    assert not engine.is_active(instance)
    assert [i for i, t, _ in _timers(engine) if t == "timeout"] == ["CREATED", "CANCELED"]


def test_timer_start_events_create_instances_and_a_new_version_cancels_the_old_timers(
    engine: EngineDriver,
) -> None:
    first = engine.deploy(FIXTURES / "timer-start.bpmn")
    start = engine.now
    [created] = engine.events(ValueType.TIMER)
    assert created.value["dueDate"] == start + 3_600_000 and created.value["repetitions"] == 2
    engine.advance(3_600_000)
    instances = [r for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["elementId"] == "tick"]
    assert [str(r.intent) for r in instances] == LIFE
    assert (
        engine.activate("work")[0]["processDefinitionKey"]
        == first.value["processesMetadata"][0]["processDefinitionKey"]
    )
    [rearmed] = engine.engine.state.timers.due(engine.now + 3_600_000)
    text = (FIXTURES / "timer-start.bpmn").read_text().replace("R2/PT1H", "R/PT2H")
    engine.deploy(resources={"timer-start.bpmn": text})
    timers = engine.events(ValueType.TIMER)
    assert [str(t.intent) for t in timers[-2:]] == ["CANCELED", "CREATED"]
    assert timers[-2].key == rearmed and timers[-1].value["repetitions"] == -1
    refused = engine.submit(ValueType.TIMER, "TRIGGER", {}, rearmed)
    assert refused.rejection_type == "NOT_FOUND"
