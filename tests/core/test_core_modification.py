"""ModifyProcessInstance (PROCESS_INSTANCE_MODIFICATION MODIFY): activate and terminate element instances."""

from __future__ import annotations

import json
from typing import Any

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import Record, ValueType
from cadenza.core.testing import EngineDriver

PI = "PROCESS_INSTANCE"


def _modify(
    engine: EngineDriver,
    instance: int,
    activate: list[dict[str, Any]] | None = None,
    terminate: list[int] = (),
) -> Record:
    value = {
        "processInstanceKey": instance,
        "activateInstructions": activate or [],
        "terminateInstructions": [{"elementInstanceKey": key} for key in terminate],
    }
    return engine.submit(ValueType.PROCESS_INSTANCE_MODIFICATION, "MODIFY", value, instance)


def _activate(element_id: str, ancestor: int = -1, **scopes: dict[str, Any]) -> dict[str, Any]:
    variables = [
        {"variables": json.dumps(doc), "scopeId": scope.replace("root", "")} for scope, doc in scopes.items()
    ]
    return {
        "elementId": element_id,
        "ancestorElementInstanceKey": ancestor,
        "variableInstructions": variables,
    }


def _instances(engine: EngineDriver, element_id: str) -> list[int]:
    """Keys of the active instances of an element, oldest first."""
    rows = engine.engine.state.elements
    keys = {r.key for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["elementId"] == element_id}
    return sorted(key for key in keys if rows.get(key) is not None)


def _start(engine: EngineDriver) -> tuple[int, int]:
    engine.deploy(FIXTURES / "modify.bpmn")
    instance = engine.create("modify", {"note": "hi"}).value["processInstanceKey"]
    return instance, _instances(engine, "a")[0]


def test_activating_inside_a_missing_sub_process_creates_it_and_sets_the_variables(
    engine: EngineDriver,
) -> None:
    instance, a = _start(engine)
    modified = _modify(
        engine, instance, [_activate("inner", root={"z": 3}, sub={"x": 1}, inner={"y": 2})], [a]
    )
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_MODIFICATION", "MODIFY"),
        ("VARIABLE", "CREATED"),  # z on the process instance, which is reused
        (PI, "ELEMENT_ACTIVATING"),  # sub, created by events: no input mappings, no start event
        ("VARIABLE", "CREATED"),  # x on sub
        ("TIMER", "CREATED"),  # sub's boundary event subscribes
        (PI, "ELEMENT_ACTIVATED"),
        ("VARIABLE", "CREATED"),  # y on the inner task's key, before it activates
        (PI, "ELEMENT_TERMINATING"),  # a
        ("JOB", "CANCELED"),
        (PI, "ELEMENT_TERMINATED"),
        ("PROCESS_INSTANCE_MODIFICATION", "MODIFIED"),
        (PI, "ELEMENT_ACTIVATING"),  # inner, as a follow-up, with its input mapping
        ("VARIABLE", "CREATED"),
        ("JOB", "CREATED"),
        (PI, "ELEMENT_ACTIVATED"),
    ]
    [sub] = _instances(engine, "sub")
    assert modified.intent == "MODIFIED" and modified.key == instance
    assert modified.value["activateInstructions"][0]["ancestorScopeKeys"] == [instance, sub]
    assert modified.value["terminateInstructions"] == [{"elementInstanceKey": a}]
    [job] = engine.activate("inner")
    assert json.loads(job["variables"]) == {"y": 2, "seen": "hi", "x": 1, "note": "hi", "z": 3}
    engine.complete(job["key"])
    assert not engine.is_active(instance)
    assert engine.trace(instance)[-2:] == [("modify", "ELEMENT_COMPLETING"), ("modify", "ELEMENT_COMPLETED")]


def test_terminating_the_last_element_terminates_the_process_instance(engine: EngineDriver) -> None:
    instance, a = _start(engine)
    _modify(engine, instance, terminate=[a])
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_MODIFICATION", "MODIFY"),
        (PI, "ELEMENT_TERMINATING"),
        ("JOB", "CANCELED"),
        (PI, "ELEMENT_TERMINATED"),
        (PI, "ELEMENT_TERMINATING"),
        (PI, "ELEMENT_TERMINATED"),
        ("PROCESS_INSTANCE_MODIFICATION", "MODIFIED"),
    ]
    assert engine.trace(instance)[-4:] == [
        ("a", "ELEMENT_TERMINATING"),
        ("a", "ELEMENT_TERMINATED"),
        ("modify", "ELEMENT_TERMINATING"),
        ("modify", "ELEMENT_TERMINATED"),
    ]
    assert not engine.is_active(instance)


def test_terminating_a_sub_process_child_ends_the_emptied_sub_process_but_not_the_instance(
    engine: EngineDriver,
) -> None:
    instance, a = _start(engine)
    engine.complete_all("a")
    [inner] = _instances(engine, "inner")
    _modify(engine, instance, [_activate("end")], [inner])
    kept_running = engine.trace(instance)
    assert ("sub", "ELEMENT_TERMINATED") in kept_running and ("inner", "ELEMENT_TERMINATED") in kept_running
    assert kept_running[-2:] == [("modify", "ELEMENT_COMPLETING"), ("modify", "ELEMENT_COMPLETED")]
    assert ("lateEnd", "ELEMENT_ACTIVATING") not in kept_running  # the boundary timer closed with sub
    assert engine.engine.state.timers.due(engine.now + 10_000_000) == []


def test_ancestor_selection_picks_reuses_or_creates_the_flow_scope_instance(engine: EngineDriver) -> None:
    instance, a = _start(engine)
    _modify(engine, instance, [_activate("sub"), _activate("sub")], [a])
    first, second = _instances(engine, "sub")
    ambiguous = _modify(engine, instance, [_activate("inner")])
    assert ambiguous.rejection_type == "INVALID_ARGUMENT"
    assert ambiguous.rejection_reason == (
        "Expected to modify instance of process 'modify' but it contains one or more activate instructions for "
        "an element that has a flow scope with more than one active instance: 'sub'. Can't decide in which "
        "instance of the flow scope the element should be activated. Please specify an ancestor element "
        "instance key for this activate instruction."
    )
    chosen = _modify(engine, instance, [_activate("inner", ancestor=second)])
    assert chosen.value["activateInstructions"][0]["ancestorScopeKeys"] == [instance, second]
    assert len(engine.engine.state.elements.children(second)) == 2
    fresh = _modify(engine, instance, [_activate("inner", ancestor=instance)])
    created = fresh.value["activateInstructions"][0]["ancestorScopeKeys"][1]
    assert created not in (first, second) and _instances(engine, "sub") == [first, second, created]


def test_instructions_that_break_zeebe_rules_are_rejected_and_change_nothing(engine: EngineDriver) -> None:
    instance, a = _start(engine)
    engine.deploy(FIXTURES / "event-gateway.bpmn")
    prefix = "Expected to modify instance of process 'modify' but it contains one or more "
    cases: list[tuple[list[dict[str, Any]], list[int], str]] = [
        ([_activate("nope")], [], "activate instructions with an element that could not be found: 'nope'"),
        (
            [_activate("start"), _activate("late")],
            [],
            "activate instructions for elements that are unsupported: 'start', 'late'. The activation of "
            "elements with type 'START_EVENT', 'BOUNDARY_EVENT' is not supported. Supported element types are: "
            "[PROCESS, SUB_PROCESS, EVENT_SUB_PROCESS, AD_HOC_SUB_PROCESS, AD_HOC_SUB_PROCESS_INNER_INSTANCE, "
            "INTERMEDIATE_CATCH_EVENT, INTERMEDIATE_THROW_EVENT, END_EVENT, SERVICE_TASK, RECEIVE_TASK, "
            "USER_TASK, MANUAL_TASK, TASK, EXCLUSIVE_GATEWAY, PARALLEL_GATEWAY, EVENT_BASED_GATEWAY, "
            "INCLUSIVE_GATEWAY, MULTI_INSTANCE_BODY, CALL_ACTIVITY, BUSINESS_RULE_TASK, SCRIPT_TASK, SEND_TASK].",
        ),
        ([], [42], "terminate instructions with an element instance that could not be found: '42'"),
        (
            [_activate("a", ghost={"x": 1})],
            [],
            "variable instructions with a scope element id that could not be found: 'ghost'",
        ),
        (
            [_activate("a", sub={"x": 1})],
            [],
            "variable instructions with a scope element that doesn't belong to the activating element's flow "
            "scope. These variables should be set before or after the modification.",
        ),
        (
            [_activate("inner", ancestor=99)],
            [],
            "activate instructions with an ancestor scope key that does not exist, or is not in an active "
            "state: '99'",
        ),
        (
            [_activate("inner", ancestor=a)],
            [],
            "activate instructions with an ancestor scope key that is not an ancestor of the element to "
            f"activate:\n- instance '{a}' of element 'a' is not an ancestor of element 'inner'",
        ),
        (
            [_activate("a")],
            [instance],
            "activate instructions for elements whose required flow scope instance is also being terminated: "
            f"element 'a' requires flow scope instance '{instance}' which is being terminated. Please provide a "
            "valid ancestor scope key for the activation or avoid terminating the required flow scope.",
        ),
    ]
    for activate, terminate, reason in cases:
        refused = _modify(engine, instance, activate, terminate)
        assert (refused.rejection_type, refused.rejection_reason) == ("INVALID_ARGUMENT", prefix + reason)
        assert written_by_last(engine) == [
            ("PROCESS_INSTANCE_MODIFICATION", "MODIFY"),
            ("PROCESS_INSTANCE_MODIFICATION", "REJECTED MODIFY"),
        ]
    bad_json = _modify(engine, instance, [{"elementId": "a", "variableInstructions": [{"variables": "[1]"}]}])
    assert bad_json.rejection_type == "INVALID_ARGUMENT" and "root level object" in bad_json.rejection_reason
    not_a_key = _modify(engine, instance, [{"elementId": "a", "ancestorElementInstanceKey": "x"}])
    assert (
        not_a_key.rejection_reason == "Expected 'ancestorElementInstanceKey' to be an integer, but was \"x\""
    )
    shapeless = engine.submit(
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        "MODIFY",
        {"processInstanceKey": instance, "activateInstructions": "a"},
    )
    assert (
        shapeless.rejection_reason == "Expected 'activateInstructions' to be a list of objects, but was 'a'"
    )
    unknown = _modify(engine, 12345, [_activate("a")])
    assert (unknown.rejection_type, unknown.rejection_reason) == (
        "NOT_FOUND",
        "Expected to modify process instance but no process instance found with key '12345'",
    )
    gateway = engine.create("event-gateway", {"id": "g"}).value["processInstanceKey"]
    refused = _modify(engine, gateway, [_activate("approved")])
    assert refused.rejection_reason == (
        "Expected to modify instance of process 'event-gateway' but it contains one or more activate "
        "instructions for elements that are unsupported: 'approved'. The activation of events belonging to "
        "an event-based gateway is not supported."
    )
    assert _instances(engine, "a") == [a] and _instances(engine, "sub") == []


def test_an_element_inside_a_multi_instance_body_needs_an_existing_inner_instance(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-subprocess.bpmn")
    running = engine.create("mi-subprocess", {"orders": [{"id": 1}, {"id": 2}]}).value["processInstanceKey"]
    body, first, _ = _instances(engine, "each")  # the body, then its two inner instances
    assert engine.engine.state.elements.get(body)["v"]["bpmnElementType"] == "MULTI_INSTANCE_BODY"
    fresh_body = _modify(engine, running, [_activate("ship", ancestor=running)])
    assert fresh_body.rejection_type == "INVALID_ARGUMENT"
    assert fresh_body.rejection_reason == (
        "Expected to modify instance of process 'mi-subprocess' but it contains one or more activate "
        "instructions that would result in the activation of multi-instance element 'each', which is "
        "currently unsupported."
    )
    assert (
        "more than one active instance: 'each'"
        in _modify(engine, running, [_activate("ship")]).rejection_reason
    )
    chosen = _modify(engine, running, [_activate("ship", ancestor=first)])
    assert chosen.value["activateInstructions"][0]["ancestorScopeKeys"] == [running, body, first]
    assert len(engine.activate("ship")) == 3


def test_terminating_every_element_of_a_called_instance_is_rejected(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "call-parent.bpmn", FIXTURES / "call-child.bpmn")
    parent = engine.create("call-parent").value["processInstanceKey"]
    child = next(
        r.key for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["elementId"] == "call-child"
    )
    [work] = _instances(engine, "child-work")
    refused = _modify(engine, child, terminate=[work])
    assert refused.rejection_type == "INVALID_ARGUMENT"
    assert refused.rejection_reason == (
        "Expected to modify instance of process 'call-child' but the given instructions would terminate the "
        "instance. The instance was created by a call activity in the parent process. To terminate this "
        "instance please modify the parent process instead."
    )
    assert engine.is_active(child) and engine.is_active(parent)
    [call] = _instances(engine, "call")
    _modify(engine, parent, [_activate("end")], [call])
    assert not engine.is_active(child) and not engine.is_active(parent)
    assert engine.trace(parent)[-1] == ("call-parent", "ELEMENT_COMPLETED")


def test_an_activated_event_sub_process_starts_at_its_start_event_and_interrupts_nothing(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "event-subprocesses.bpmn")
    instance = engine.create("event-subprocesses", {"id": "o-1"}).value["processInstanceKey"]
    _modify(engine, instance, [_activate("canceling")])
    assert engine.trace(instance)[-9:] == [
        ("canceling", "ELEMENT_ACTIVATING"),
        ("canceling", "ELEMENT_ACTIVATED"),
        ("onCancel", "ELEMENT_ACTIVATING"),
        ("onCancel", "ELEMENT_ACTIVATED"),
        ("onCancel", "ELEMENT_COMPLETING"),
        ("onCancel", "ELEMENT_COMPLETED"),
        ("c1", "SEQUENCE_FLOW_TAKEN"),
        ("cleanup", "ELEMENT_ACTIVATING"),
        ("cleanup", "ELEMENT_ACTIVATED"),
    ]
    assert engine.complete_all("cleanup") == 1 and engine.complete_all("work") == 1
    assert not engine.is_active(instance)
