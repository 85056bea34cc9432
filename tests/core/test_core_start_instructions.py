"""CreateProcessInstance with start instructions: the instance starts before the given elements."""

from __future__ import annotations

import json
from typing import Any

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import Record, ValueType
from cadenza.core.testing import EngineDriver

PI = "PROCESS_INSTANCE"
PREFIX = "Expected to create instance of process with start instructions but "


def _create(
    engine: EngineDriver, process_id: str, *element_ids: str, variables: dict[str, Any] | None = None
) -> Record:
    value = {
        "bpmnProcessId": process_id,
        "version": -1,
        "variables": json.dumps(variables or {}),
        "startInstructions": [{"elementId": element_id} for element_id in element_ids],
    }
    return engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)


def _ids(engine: EngineDriver, instance: int) -> list[str]:
    """The elements of the instance in the order they were activated."""
    return [element for element, intent in engine.trace(instance) if intent == "ELEMENT_ACTIVATING"]


def test_a_process_without_a_none_start_event_starts_before_the_given_task(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "message-start.bpmn")
    assert engine.create("message-start").rejection_type == "INVALID_STATE"  # no instructions: refused
    created = _create(engine, "message-start", "work", variables={"order": 7})
    instance = created.value["processInstanceKey"]
    assert created.intent == "CREATED"
    assert created.value["startInstructions"] == [{"elementId": "work"}]
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_CREATION", "CREATE"),
        (PI, "ELEMENT_ACTIVATING"),  # the process, activated by events
        ("VARIABLE", "CREATED"),  # the request's variables are root locals first
        (PI, "ELEMENT_ACTIVATED"),
        ("PROCESS_INSTANCE_CREATION", "CREATED"),
        (PI, "ELEMENT_ACTIVATING"),  # work, as a follow-up
        ("JOB", "CREATED"),
        (PI, "ELEMENT_ACTIVATED"),
    ]
    assert _ids(engine, instance) == ["message-start", "work"]  # the message start event never ran
    [job] = engine.activate("work")
    assert json.loads(job["variables"]) == {"order": 7}
    engine.complete(job["key"])
    assert not engine.is_active(instance)
    assert engine.trace(instance)[-1] == ("message-start", "ELEMENT_COMPLETED")
    at_end = _create(engine, "message-start", "end", "work").value["processInstanceKey"]
    assert engine.is_active(at_end)  # the end event completed, but work, activated after it, still runs
    assert engine.complete_all("work") == 1
    assert not engine.is_active(at_end)
    assert _ids(engine, at_end) == ["message-start", "end", "work", "end"]


def test_an_element_inside_a_sub_process_gets_its_flow_scope_and_its_input_mappings(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "modify.bpmn")
    instance = _create(engine, "modify", "inner", variables={"note": "hi"}).value["processInstanceKey"]
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_CREATION", "CREATE"),
        (PI, "ELEMENT_ACTIVATING"),
        ("VARIABLE", "CREATED"),
        (PI, "ELEMENT_ACTIVATED"),
        (PI, "ELEMENT_ACTIVATING"),  # sub, created by events: no start event
        ("TIMER", "CREATED"),  # its boundary event subscribes
        (PI, "ELEMENT_ACTIVATED"),
        ("PROCESS_INSTANCE_CREATION", "CREATED"),
        (PI, "ELEMENT_ACTIVATING"),  # inner, with its input mapping
        ("VARIABLE", "CREATED"),
        ("JOB", "CREATED"),
        (PI, "ELEMENT_ACTIVATED"),
    ]
    assert engine.activate("a") == []  # the none start event and the task after it did not run
    [job] = engine.activate("inner")
    assert json.loads(job["variables"]) == {"seen": "hi", "note": "hi"}
    engine.complete(job["key"])
    assert _ids(engine, instance) == ["modify", "sub", "inner", "subEnd", "end"]
    assert not engine.is_active(instance)


def test_repeated_instructions_give_one_element_instance_each_and_share_the_flow_scope(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "modify.bpmn")
    instance = _create(engine, "modify", "a", "inner", "a", "inner").value["processInstanceKey"]
    assert _ids(engine, instance) == ["modify", "sub", "a", "inner", "a", "inner"]
    [sub] = {r.key for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["elementId"] == "sub"}
    inner = engine.activate("inner")
    assert [job["elementInstanceKey"] for job in inner] == [  # both in the one sub-process instance
        child["k"] for child in engine.engine.state.elements.children(sub)
    ]
    for job in inner:
        engine.complete(job["key"])
    assert engine.is_active(instance)  # a's two instances are still running
    assert engine.complete_all("a") == 2  # each goes on to sub: two more instances of inner
    assert engine.complete_all("inner") == 2
    assert not engine.is_active(instance)
    assert _ids(engine, instance).count("end") == 3  # the first sub, then the two after a


def test_a_multi_instance_element_and_an_event_sub_process_child_can_be_start_elements(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-subprocess.bpmn", FIXTURES / "event-subprocesses.bpmn")
    orders = {"orders": [{"id": 1}, {"id": 2}]}
    instance = _create(engine, "mi-subprocess", "each", variables=orders).value["processInstanceKey"]
    assert engine.complete_all("ship") == 2
    ids = [r.value["value"] for r in engine.events(ValueType.VARIABLE) if r.value["name"] == "ids"]
    assert json.loads(ids[-1]) == [{"id": 1, "n": 1}, {"id": 2, "n": 2}]
    assert not engine.is_active(instance)
    other = _create(engine, "event-subprocesses", "cleanup", variables={"id": "o-1"})
    key = other.value["processInstanceKey"]
    assert _ids(engine, key) == ["event-subprocesses", "canceling", "cleanup"]
    assert engine.complete_all("cleanup") == 1
    assert not engine.is_active(key)


def test_the_process_subscriptions_open_and_must_be_able_to_open(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "event-subprocesses.bpmn")
    refused = _create(engine, "event-subprocesses", "work")  # the cancel message needs `id`
    assert refused.rejection_type == "INVALID_ARGUMENT"
    assert "id" in refused.rejection_reason and "correlation key" in refused.rejection_reason
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_CREATION", "CREATE"),
        ("PROCESS_INSTANCE_CREATION", "REJECTED CREATE"),
    ]
    instance = _create(engine, "event-subprocesses", "work", variables={"id": "o-2"})
    key = instance.value["processInstanceKey"]
    engine.publish("cancel", "o-2")
    assert "cleanup" in _ids(engine, key)  # the event sub-process's message start was subscribed


def test_start_instructions_that_break_zeebe_rules_are_refused_and_write_nothing(
    engine: EngineDriver,
) -> None:
    engine.deploy(
        FIXTURES / "modify.bpmn",
        FIXTURES / "mi-subprocess.bpmn",
        FIXTURES / "event-gateway.bpmn",
        FIXTURES / "ad-hoc.bpmn",
    )
    supported = (
        "[PROCESS, SUB_PROCESS, EVENT_SUB_PROCESS, AD_HOC_SUB_PROCESS, AD_HOC_SUB_PROCESS_INNER_INSTANCE, "
        "INTERMEDIATE_CATCH_EVENT, INTERMEDIATE_THROW_EVENT, END_EVENT, SERVICE_TASK, RECEIVE_TASK, USER_TASK, "
        "MANUAL_TASK, TASK, EXCLUSIVE_GATEWAY, PARALLEL_GATEWAY, EVENT_BASED_GATEWAY, INCLUSIVE_GATEWAY, "
        "MULTI_INSTANCE_BODY, CALL_ACTIVITY, BUSINESS_RULE_TASK, SCRIPT_TASK, SEND_TASK]"
    )
    cases = [
        ("modify", ["a", "nope", "start"], "no element found with id 'nope'."),
        (
            "modify",
            ["a", "start"],
            f"the element with id 'start' targets unsupported element type 'START_EVENT'. Supported element "
            f"types are: {supported}",
        ),
        (
            "modify",
            ["f1"],
            f"the element with id 'f1' targets unsupported element type 'SEQUENCE_FLOW'. Supported element "
            f"types are: {supported}",
        ),
        (
            "modify",
            ["late"],
            f"the element with id 'late' targets unsupported element type 'BOUNDARY_EVENT'. Supported element "
            f"types are: {supported}",
        ),
        (
            "mi-subprocess",
            ["ship"],
            "the element with id 'ship' is inside a multi-instance subprocess. The creation of elements inside "
            "a multi-instance subprocess is not supported.",
        ),
        (
            "event-gateway",
            ["approved"],
            "the element with id 'approved' belongs to an event-based gateway. The creation of elements "
            "belonging to an event-based gateway is not supported.",
        ),
        (
            "ad-hoc",
            ["A"],
            "the element with id 'A' is inside an ad-hoc sub-process. Its elements are activated by the ad-hoc "
            "activities instruction (AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE).",
        ),
    ]
    for process_id, element_ids, reason in cases:
        refused = _create(engine, process_id, *element_ids)
        assert (refused.rejection_type, refused.rejection_reason) == ("INVALID_ARGUMENT", PREFIX + reason)
        assert written_by_last(engine) == [
            ("PROCESS_INSTANCE_CREATION", "CREATE"),
            ("PROCESS_INSTANCE_CREATION", "REJECTED CREATE"),
        ]
    value = {"bpmnProcessId": "modify", "variables": "{}", "startInstructions": "a"}
    shapeless = engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)
    assert shapeless.rejection_reason == "Expected 'startInstructions' to be a list of objects, but was 'a'"
    assert engine.events(ValueType.PROCESS_INSTANCE) == []  # no instance was ever started
