"""Inclusive gateways (ZEEBE-SEMANTICS §5.2-5.3): fork on every true condition, join on what can still arrive."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def _steps(engine: EngineDriver, instance: int, element: str) -> list[str]:
    return [i for e, i in engine.trace(instance) if e == element]


def test_the_fork_takes_every_true_flow_and_the_join_waits_for_all_of_them(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive.bpmn")
    instance = engine.create("inclusive", {"wantA": True, "wantB": True}).value["processInstanceKey"]
    taken = [e for e, i in engine.trace(instance) if i == "SEQUENCE_FLOW_TAKEN"]
    assert taken == ["f1", "toA", "toB"]
    assert engine.complete_all("a") == 1
    assert _steps(engine, instance, "join") == []
    assert engine.complete_all("b") == 1
    assert _steps(engine, instance, "join") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    assert not engine.is_active(instance)


def test_the_join_fires_at_once_for_a_single_taken_branch_and_the_default_is_taken_alone(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "inclusive.bpmn")
    one = engine.create("inclusive", {"wantA": True, "wantB": False}).value["processInstanceKey"]
    assert engine.complete_all("a") == 1
    assert not engine.is_active(one)
    default = engine.create("inclusive", {"wantA": False, "wantB": False}).value["processInstanceKey"]
    assert ("toC", "SEQUENCE_FLOW_TAKEN") in engine.trace(default)
    assert engine.complete_all("c") == 1
    assert not engine.is_active(default)


def test_a_condition_that_is_not_boolean_is_an_incident(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive.bpmn")
    instance = engine.create("inclusive", {"wantA": True}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident.value["errorMessage"] == (
        "Expected result of the expression 'wantB' to be 'BOOLEAN', but was 'NULL'."
    )


def test_the_join_ignores_branches_that_cannot_reach_it(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-reach.bpmn")
    instance = engine.create("inclusive-reach", {"wantX": False}).value["processInstanceKey"]
    assert engine.complete_all("a") == 1  # d is active but ends elsewhere
    assert _steps(engine, instance, "join")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert engine.complete_all("after") == 1
    assert engine.complete_all("d") == 1
    assert not engine.is_active(instance)


def test_the_join_fires_when_a_branch_that_could_reach_it_ends_elsewhere(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-reach.bpmn")
    instance = engine.create("inclusive-reach", {"wantX": True, "go": False}).value["processInstanceKey"]
    assert engine.complete_all("a") == 1
    assert _steps(engine, instance, "join") == []  # x may still route to the join
    assert engine.complete_all("x") == 1  # ... but goes to "skipped"
    assert _steps(engine, instance, "join")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert engine.complete_all("after") == 1 and engine.complete_all("d") == 1
    assert not engine.is_active(instance)
    assert _steps(engine, instance, "join").count("ELEMENT_ACTIVATING") == 1


def test_the_join_fires_when_an_interrupting_boundary_leads_the_last_token_away(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-terminated.bpmn")
    instance = engine.create("inclusive-terminated").value["processInstanceKey"]
    assert engine.complete_all("a") == 1
    assert _steps(engine, instance, "join") == []  # b may still arrive
    engine.broadcast("abort")  # b terminates; its token goes on to "handle", which cannot reach the join
    assert _steps(engine, instance, "join") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    assert engine.complete_all("c") == 1
    assert engine.is_active(instance)  # "handle" is still running
    assert engine.complete_all("handle") == 1
    assert not engine.is_active(instance)
    assert _steps(engine, instance, "join").count("ELEMENT_ACTIVATING") == 1


def test_the_join_fires_when_an_error_caught_on_the_branch_leads_its_token_away(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-terminated.bpmn")
    instance = engine.create("inclusive-terminated").value["processInstanceKey"]
    assert engine.complete_all("a") == 1
    [job] = engine.activate("b")
    engine.throw_error(job["key"], "FAIL")
    assert ("failed", "ELEMENT_COMPLETED") in engine.trace(instance)
    assert _steps(engine, instance, "join")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert engine.complete_all("c") == 1 and engine.complete_all("handle") == 1
    assert not engine.is_active(instance)


def test_the_join_still_waits_while_a_terminated_branch_can_reach_it(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-terminated.bpmn")
    instance = engine.create("inclusive-terminated").value["processInstanceKey"]
    engine.broadcast("abort")  # b leaves towards "handle"; a can still reach the join
    assert _steps(engine, instance, "join") == []
    assert engine.complete_all("a") == 1
    assert _steps(engine, instance, "join")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert engine.complete_all("c") == 1 and engine.complete_all("handle") == 1
    assert not engine.is_active(instance)


def test_the_join_fires_when_an_exclusive_gateway_routes_the_last_token_away(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-terminated.bpmn")
    instance = engine.create("inclusive-routed").value["processInstanceKey"]
    assert engine.complete_all("ra") == 1
    assert _steps(engine, instance, "rJoin") == []
    assert engine.complete_all("rb", {"go": False}) == 1  # routed to "review", which cannot reach the join
    assert _steps(engine, instance, "rJoin")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert engine.complete_all("rc") == 1
    assert engine.is_active(instance)
    assert engine.complete_all("review") == 1
    assert not engine.is_active(instance)
    assert _steps(engine, instance, "rJoin").count("ELEMENT_ACTIVATING") == 1


def test_the_join_fires_once_when_the_routed_token_arrives_after_all(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "inclusive-terminated.bpmn")
    instance = engine.create("inclusive-routed").value["processInstanceKey"]
    assert engine.complete_all("ra") == 1
    assert engine.complete_all("rb", {"go": True}) == 1
    assert _steps(engine, instance, "rJoin").count("ELEMENT_ACTIVATING") == 1
    assert engine.complete_all("rc") == 1
    assert not engine.is_active(instance)


def test_the_join_fires_when_a_modification_terminates_the_last_branch_that_could_arrive(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "inclusive-terminated.bpmn")
    instance = engine.create("inclusive-terminated").value["processInstanceKey"]
    assert engine.complete_all("a") == 1
    [b] = [
        r.key
        for r in engine.events(ValueType.PROCESS_INSTANCE, instance=instance)
        if r.value["elementId"] == "b"
    ][:1]
    value = {
        "processInstanceKey": instance,
        "activateInstructions": [],
        "terminateInstructions": [{"elementInstanceKey": b}],
    }
    engine.submit(ValueType.PROCESS_INSTANCE_MODIFICATION, "MODIFY", value, instance)
    assert _steps(engine, instance, "join")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert engine.complete_all("c") == 1
    assert not engine.is_active(instance)
