"""Interrupting a scope while one of its tokens is on its way (a flow taken, its target not yet activated).

Zeebe's rule (ZEEBE-SEMANTICS §6.9, §6.13): once an interrupting event sub-process has triggered in a scope,
or a terminate end event has completed in it, the scope is interrupted for good: no element but the
interrupting one activates or completes in it, and the flows in flight there are dropped. The same holds for
a scope that is terminating.
"""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def _deployed(engine: EngineDriver) -> EngineDriver:
    engine.deploy(FIXTURES / "interrupt-race.bpmn")
    return engine


def test_a_signal_thrown_in_the_scope_interrupts_its_thrower_before_it_sends_a_token_on(
    engine: EngineDriver,
) -> None:
    instance = _deployed(engine).create("throw-race").value["processInstanceKey"]
    trace = engine.trace(instance)
    # As in Zeebe, the throw event completes by a command queued behind its broadcast: the interrupting
    # event sub-process terminates it first, so f2 is never taken and nothing runs beside the interruption.
    assert [step for step in trace if step[0] == "throwHalt"] == [
        ("throwHalt", "ELEMENT_ACTIVATING"),
        ("throwHalt", "ELEMENT_ACTIVATED"),
        ("throwHalt", "ELEMENT_TERMINATING"),
        ("throwHalt", "ELEMENT_TERMINATED"),
    ]
    assert [step for step in trace if step[0] in {"f2", "after"}] == []
    assert trace[-4:] == [
        ("onHalt", "ELEMENT_COMPLETING"),
        ("onHalt", "ELEMENT_COMPLETED"),
        ("throw-race", "ELEMENT_COMPLETING"),
        ("throw-race", "ELEMENT_COMPLETED"),
    ]
    assert engine.events(ValueType.JOB, instance=instance) == []
    assert not engine.is_active(instance)


def test_an_interrupting_boundary_in_an_interrupted_scope_does_not_activate(engine: EngineDriver) -> None:
    instance = _deployed(engine).create("boundary-race").value["processInstanceKey"]
    engine.broadcast("halt")  # opened first, the event sub-process's subscription fires first
    trace = engine.trace(instance)
    assert [step for step in trace if step[0] == "work"][-2:] == [
        ("work", "ELEMENT_TERMINATING"),
        ("work", "ELEMENT_TERMINATED"),
    ]
    assert [step for step in trace if step[0] in {"workHalted", "b3", "cleanup"}] == []
    assert ("bHaltEnd", "ELEMENT_COMPLETED") in trace
    assert trace[-1] == ("boundary-race", "ELEMENT_COMPLETED")
    assert [str(job.intent) for job in engine.events(ValueType.JOB, instance=instance)] == [
        "CREATED",
        "CANCELED",
    ]
    # Its trigger was consumed, not left behind in state.
    assert engine.engine.state.triggers.get(_key_of(engine, instance, "work"), "workHalted") is None
    assert not engine.is_active(instance)


def test_a_terminate_end_event_drops_the_token_on_its_way_to_a_sibling(engine: EngineDriver) -> None:
    instance = _deployed(engine).create("terminate-race").value["processInstanceKey"]
    trace = engine.trace(instance)
    assert ("t3", "SEQUENCE_FLOW_TAKEN") in trace
    assert [step for step in trace if step[0] == "late"] == []
    assert trace[-1] == ("terminate-race", "ELEMENT_COMPLETED")
    assert not engine.is_active(instance)


def test_an_event_subprocess_of_an_interrupted_scope_does_not_start_a_second_time(
    engine: EngineDriver,
) -> None:
    instance = _deployed(engine).create("boundary-race").value["processInstanceKey"]
    engine.broadcast("halt")
    engine.broadcast("halt")  # the subscription closed when it fired; the scope has completed
    trace = engine.trace(instance)
    assert [step for step in trace if step == ("bOnHalt", "ELEMENT_ACTIVATING")] == [
        ("bOnHalt", "ELEMENT_ACTIVATING")
    ]


def _key_of(engine: EngineDriver, instance: int, element_id: str) -> int:
    for record in engine.events(ValueType.PROCESS_INSTANCE, instance=instance):
        if record.value["elementId"] == element_id:
            return record.key
    raise AssertionError(f"no {element_id} in the log")


def test_a_catch_event_after_an_event_based_gateway_does_not_fire_in_an_interrupted_scope(
    engine: EngineDriver,
) -> None:
    instance = _deployed(engine).create("gateway-race").value["processInstanceKey"]
    engine.broadcast("halt")  # the event sub-process (opened first) and the gateway's catch event both match
    trace = engine.trace(instance)
    assert [step for step in trace if step[0] == "choose"][-2:] == [
        ("choose", "ELEMENT_TERMINATING"),
        ("choose", "ELEMENT_TERMINATED"),
    ]
    assert [step for step in trace if step[0] in {"g2", "gotHalt", "afterHalt"}] == []
    assert trace[-1] == ("gateway-race", "ELEMENT_COMPLETED")
    timers = [str(timer.intent) for timer in engine.events(ValueType.TIMER, instance=instance)]
    assert timers == ["CREATED", "CANCELED"]
    assert not engine.is_active(instance)


def test_a_buffered_message_interrupts_the_scope_once_its_tokens_wait(engine: EngineDriver) -> None:
    _deployed(engine).publish("stop", "k1", ttl=60_000)
    instance = engine.create("message-race", {"id": "k1"}).value["processInstanceKey"]
    trace = engine.trace(instance)
    # Zeebe opens the subscription after the creating batch, so the start event's token reaches mWork
    # first; the interrupt then terminates mWork instead of racing the token (or letting it run on).
    assert trace[trace.index(("mWork", "ELEMENT_ACTIVATED")) + 1 :][:3] == [
        ("mWork", "ELEMENT_TERMINATING"),
        ("mWork", "ELEMENT_TERMINATED"),
        ("mOnStop", "ELEMENT_ACTIVATING"),
    ]
    assert [step for step in trace if step[0] in {"m2", "mEnd"}] == []
    assert trace[-1] == ("message-race", "ELEMENT_COMPLETED")
    jobs = [str(job.intent) for job in engine.events(ValueType.JOB, instance=instance)]
    assert jobs == ["CREATED", "CANCELED"]
    assert not engine.is_active(instance)


def test_an_error_or_escalation_caught_in_the_scope_drops_the_sibling_token_on_its_way(
    engine: EngineDriver,
) -> None:
    _deployed(engine)
    for process, thrower, sibling, handler in (
        ("error-race", "boom", "eSibling", "eCaughtEnd"),
        ("escalation-race", "up", "xSibling", "xCaughtEnd"),
    ):
        instance = engine.create(process).value["processInstanceKey"]
        trace = engine.trace(instance)
        assert [step for step in trace if step[0] == thrower][-1] == (thrower, "ELEMENT_TERMINATED")
        assert [step for step in trace if step[0] == sibling] == []
        assert (handler, "ELEMENT_COMPLETED") in trace
        assert trace[-1] == (process, "ELEMENT_COMPLETED")
        assert engine.events(ValueType.JOB, instance=instance) == []


def test_a_message_correlates_to_the_interrupting_event_subprocess_only(engine: EngineDriver) -> None:
    instance = _deployed(engine).create("message-pair", {"id": "k2"}).value["processInstanceKey"]
    engine.publish("stop", "k2", ttl=60_000)
    trace = engine.trace(instance)
    assert [step for step in trace if step[0] in {"pStopped", "p3", "pStoppedEnd"}] == []
    assert ("pEspEnd", "ELEMENT_COMPLETED") in trace and trace[-1] == ("message-pair", "ELEMENT_COMPLETED")
    correlated = [
        r.value["elementId"]
        for r in engine.events(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, instance=instance)
        if str(r.intent) == "CORRELATED"
    ]
    assert correlated == ["pEspStopped"]


def test_an_interrupting_boundary_on_the_sub_process_terminates_the_signal_thrower_inside(
    engine: EngineDriver,
) -> None:
    instance = _deployed(engine).create("subprocess-race").value["processInstanceKey"]
    trace = engine.trace(instance)
    assert [step for step in trace if step[0] == "innerThrow"][-1] == ("innerThrow", "ELEMENT_TERMINATED")
    assert [step for step in trace if step[0] in {"i2", "innerWork", "s2", "sEnd"}] == []
    assert trace[trace.index(("inner", "ELEMENT_TERMINATED")) + 1] == ("innerHalted", "ELEMENT_ACTIVATING")
    assert trace[-1] == ("subprocess-race", "ELEMENT_COMPLETED")
    assert engine.events(ValueType.JOB, instance=instance) == []


def test_a_modification_may_activate_an_element_in_an_interrupted_scope(engine: EngineDriver) -> None:
    instance = _deployed(engine).create("modify-interrupted").value["processInstanceKey"]
    engine.broadcast("halt")
    assert ("dWork", "ELEMENT_TERMINATED") in engine.trace(instance)
    # Zeebe clears the interrupted state of the scopes an activation instruction uses (its MODIFIED applier).
    value = {
        "processInstanceKey": instance,
        "activateInstructions": [{"elementId": "dWork"}],
        "terminateInstructions": [],
    }
    modified = engine.submit(ValueType.PROCESS_INSTANCE_MODIFICATION, "MODIFY", value, instance)
    assert str(modified.intent) == "MODIFIED"
    assert engine.trace(instance)[-2:] == [("dWork", "ELEMENT_ACTIVATING"), ("dWork", "ELEMENT_ACTIVATED")]
    assert engine.complete_all("dWork") == 1 and engine.complete_all("dRepair") == 1
    assert not engine.is_active(instance)
