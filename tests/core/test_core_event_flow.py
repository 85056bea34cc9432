"""Event-based gateways, link events, terminate end events and event sub-processes."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver

LIFE = ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]


def test_the_first_event_after_an_event_based_gateway_wins_and_the_others_close(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "event-gateway.bpmn")
    approved = engine.create("event-gateway", {"id": "a"}).value["processInstanceKey"]
    timed_out = engine.create("event-gateway", {"id": "b"}).value["processInstanceKey"]
    engine.publish("approved", "a", {"by": "alice"})
    trace = engine.trace(approved)
    at = trace.index(("choose", "ELEMENT_COMPLETING"))
    assert trace[at:] == [
        ("choose", "ELEMENT_COMPLETING"),
        ("choose", "ELEMENT_COMPLETED"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        *[("approved", intent) for intent in LIFE],
        ("f4", "SEQUENCE_FLOW_TAKEN"),
        *[("approvedEnd", intent) for intent in LIFE],
        ("event-gateway", "ELEMENT_COMPLETING"),
        ("event-gateway", "ELEMENT_COMPLETED"),
    ]
    timers = [(str(r.intent), r.value["processInstanceKey"]) for r in engine.events(ValueType.TIMER)]
    assert ("CANCELED", approved) in timers
    assert [r.value["name"] for r in engine.events(ValueType.VARIABLE, instance=approved)] == ["id", "by"]
    engine.advance(3_600_000)
    assert ("timeoutEnd", "ELEMENT_COMPLETED") in engine.trace(timed_out)
    assert engine.engine.state.messages.subscriptions("<default>", "approved", "b") == []
    assert engine.engine.state.triggers.get(timed_out, "timeout") is None


def test_a_link_throw_jumps_to_its_catch_and_a_terminate_end_event_ends_the_other_branches(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "link-terminate.bpmn")
    instance = engine.create("link-terminate").value["processInstanceKey"]
    trace = engine.trace(instance)
    at = trace.index(("jump", "ELEMENT_COMPLETED"))
    assert trace[at + 1 : at + 3] == [("landing", "ELEMENT_ACTIVATING"), ("landing", "ELEMENT_ACTIVATED")]
    assert engine.complete_all("wait") == 1
    trace = engine.trace(instance)
    at = trace.index(("stop", "ELEMENT_COMPLETED"))
    assert trace[at + 1 :] == [
        ("work", "ELEMENT_TERMINATING"),
        ("work", "ELEMENT_TERMINATED"),
        ("link-terminate", "ELEMENT_COMPLETING"),
        ("link-terminate", "ELEMENT_COMPLETED"),
    ]
    assert engine.activate("work") == []


def test_a_non_interrupting_event_sub_process_fires_repeatedly_and_an_interrupting_one_ends_the_rest(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "event-subprocesses.bpmn")
    instance = engine.create("event-subprocesses", {"id": "x"}).value["processInstanceKey"]
    engine.advance(25_000)
    trace = engine.trace(instance)
    assert [e for e, i in trace if i == "ELEMENT_COMPLETED" and e == "reminder"] == ["reminder", "reminder"]
    assert engine.is_active(instance)
    engine.publish("cancel", "x", {"reason": "customer"})
    trace = engine.trace(instance)
    at = trace.index(("work", "ELEMENT_TERMINATED"))
    assert trace[at + 1 : at + 3] == [("canceling", "ELEMENT_ACTIVATING"), ("canceling", "ELEMENT_ACTIVATED")]
    assert engine.engine.state.timers.next_due() is None  # the interrupting one closed the reminder cycle
    assert engine.variables(instance)["reason"] == "customer"
    assert engine.complete_all("cleanup") == 1
    assert not engine.is_active(instance)
    engine.advance(60_000)
    assert engine.engine.state.triggers.get(instance, "onCancel") is None


def test_a_cron_timer_start_event_fires_at_each_matching_time(engine: EngineDriver) -> None:
    engine.now = 1_764_064_800_000  # 2025-11-25T10:00:00Z, a Tuesday
    cron = (FIXTURES / "timer-start.bpmn").read_text().replace("R2/PT1H", "0 30 9 * * MON-FRI")
    engine.deploy(resources={"cron.bpmn": cron})
    [timer] = engine.events(ValueType.TIMER)
    assert timer.value["dueDate"] == 1_764_064_800_000 + 23.5 * 3_600_000 and timer.value["repetitions"] == -1
    engine.advance(4 * 86_400_000)  # Wednesday to Friday fire; the next is Monday
    assert len(engine.activate("work")) == 3
    assert engine.engine.state.timers.next_due() == 1_764_064_800_000 + (6 * 24 - 0.5) * 3_600_000


def test_a_message_throw_event_is_job_based_like_a_send_task(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "message-throw.bpmn")
    instance = engine.create("message-throw").value["processInstanceKey"]
    assert engine.trace(instance)[-1] == ("notify", "ELEMENT_ACTIVATED")
    assert engine.complete_all("send") == 1
    assert not engine.is_active(instance)


def test_timer_values_the_engine_cannot_arm_are_rejected_at_deployment(engine: EngineDriver) -> None:
    cron = (FIXTURES / "timer-start.bpmn").read_text().replace("R2/PT1H", "0 0 0 30 2 *")
    response = engine.deploy(resources={"cron.bpmn": cron})
    assert response.rejection_type == "INVALID_ARGUMENT"
    assert "element 'tick'" in response.rejection_reason and "never fires" in response.rejection_reason
    feel = (FIXTURES / "timer-start.bpmn").read_text().replace("R2/PT1H", "= missing")
    response = engine.deploy(resources={"feel.bpmn": feel})
    assert response.rejection_type == "INVALID_ARGUMENT" and "element 'tick'" in response.rejection_reason
    assert engine.events(ValueType.TIMER) == []


def test_an_interrupting_timer_event_sub_process_ends_its_sub_process_normally(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "subprocess-timers.bpmn")
    instance = engine.create("subprocess-timers", {"limit": "PT1M"}).value["processInstanceKey"]
    assert sorted(r.value["targetElementId"] for r in engine.events(ValueType.TIMER)) == [
        "late",
        "subTimeout",
    ]
    engine.advance(60_000)
    trace = engine.trace(instance)
    at = trace.index(("inner", "ELEMENT_TERMINATED"))
    assert trace[at + 1 :] == [
        ("giveUp", "ELEMENT_ACTIVATING"),
        ("giveUp", "ELEMENT_ACTIVATED"),
        *[("subTimeout", intent) for intent in LIFE],
        ("g1", "SEQUENCE_FLOW_TAKEN"),
        *[("gaveUp", intent) for intent in LIFE],
        ("giveUp", "ELEMENT_COMPLETING"),
        ("giveUp", "ELEMENT_COMPLETED"),
        ("sub", "ELEMENT_COMPLETING"),
        ("sub", "ELEMENT_COMPLETED"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        *[("end", intent) for intent in LIFE],
        ("subprocess-timers", "ELEMENT_COMPLETING"),
        ("subprocess-timers", "ELEMENT_COMPLETED"),
    ]
    assert [
        str(r.intent) for r in engine.events(ValueType.TIMER) if r.value["targetElementId"] == "late"
    ] == [
        "CREATED",
        "CANCELED",
    ]


def test_canceling_an_instance_closes_its_timers_and_subscriptions(engine: EngineDriver) -> None:
    engine.deploy(
        FIXTURES / "subprocess-timers.bpmn", FIXTURES / "message-boundary.bpmn", FIXTURES / "signals.bpmn"
    )
    keys = [
        engine.create("subprocess-timers", {"limit": "PT1M"}).value["processInstanceKey"],
        engine.create("message-boundary", {"orderId": 1}).value["processInstanceKey"],
        engine.create("signal-catch").value["processInstanceKey"],
    ]
    for key in keys:
        engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, key)
    state = engine.engine.state
    assert state.timers.next_due() is None
    assert state.messages.subscriptions("<default>", "cancel", "1") == []
    assert state.signals.named("<default>", "go") == []
    assert [r.value["catchElementId"] for r in engine.events(ValueType.SIGNAL_SUBSCRIPTION)][-1] == "waitGo"


def test_a_terminate_end_event_also_drops_tokens_waiting_at_a_join(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "terminate-join.bpmn")
    instance = engine.create("terminate-join").value["processInstanceKey"]
    assert engine.engine.state.elements.taken_flows(instance, "join") == {"f6": 1}
    engine.advance(60_000)
    trace = engine.trace(instance)
    assert trace[-4:] == [
        ("work", "ELEMENT_TERMINATING"),
        ("work", "ELEMENT_TERMINATED"),
        ("terminate-join", "ELEMENT_COMPLETING"),
        ("terminate-join", "ELEMENT_COMPLETED"),
    ]
    assert not engine.is_active(instance)
