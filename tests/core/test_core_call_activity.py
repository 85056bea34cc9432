"""Call activities (ZEEBE-SEMANTICS §7.2-7.5): the child instance, variable propagation both ways, output
mappings, termination in both directions, and a called process that is not deployed."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES
from variables_log import scope_variables

from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver


def _child(engine: EngineDriver, parent: int) -> int:
    [created] = [
        r
        for r in engine.events(ValueType.PROCESS_INSTANCE)
        if r.value["bpmnElementType"] == "PROCESS"
        and r.value["parentProcessInstanceKey"] == parent
        and r.intent == "ELEMENT_ACTIVATING"
    ]
    return created.key


def test_a_call_activity_runs_the_child_with_all_variables_and_takes_all_its_variables_back(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "call-child.bpmn", FIXTURES / "call-parent.bpmn")
    parent = engine.create("call-parent", {"order": 7}).value["processInstanceKey"]
    child = _child(engine, parent)
    [call] = [r for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["elementId"] == "call"][:1]
    child_records = engine.events(ValueType.PROCESS_INSTANCE, instance=child)
    assert {r.value["parentElementInstanceKey"] for r in child_records} == {call.key}
    assert {r.value["parentProcessInstanceKey"] for r in child_records} == {parent}
    [job] = engine.activate("child-work")
    assert json.loads(job["variables"]) == {"order": 7}
    engine.complete(job["key"], {"shipped": True})
    assert not engine.is_active(child) and not engine.is_active(parent)
    assert scope_variables(engine, parent) == {"order": 7, "shipped": True}
    assert engine.trace(parent)[-2:] == [
        ("call-parent", "ELEMENT_COMPLETING"),
        ("call-parent", "ELEMENT_COMPLETED"),
    ]
    call_steps = [i for e, i in engine.trace(parent) if e == "call"]
    assert call_steps == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]


def test_without_propagation_only_mapped_values_cross_in_either_direction(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "call-child.bpmn", FIXTURES / "call-mapped.bpmn")
    variables = {"childId": "call-child", "secret": 41, "noise": "x"}
    parent = engine.create("call-mapped", variables).value["processInstanceKey"]
    [job] = engine.activate("child-work")
    assert json.loads(job["variables"]) == {"given": 42}
    engine.complete(job["key"], {"answer": "yes", "extra": 1})
    assert scope_variables(engine, parent) == {**variables, "mapped": "yes"}
    assert not engine.is_active(parent)


def test_child_variables_are_dropped_when_not_propagated_and_unmapped(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "call-child.bpmn", FIXTURES / "call-silent.bpmn")
    parent = engine.create("call-silent", {"a": 1}).value["processInstanceKey"]
    engine.complete_all("child-work", {"b": 2})
    assert not engine.is_active(parent)
    assert scope_variables(engine, parent) == {"a": 1}


def test_cancelling_the_parent_terminates_the_child_first_and_the_child_cannot_be_cancelled_alone(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "call-child.bpmn", FIXTURES / "call-parent.bpmn")
    parent = engine.create("call-parent").value["processInstanceKey"]
    child = _child(engine, parent)
    refused = engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, child)
    assert refused.rejection_type == "INVALID_STATE"
    assert refused.rejection_reason.endswith(f"Cancel the root process instance '{parent}' instead.")
    engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, parent)
    assert not engine.is_active(parent) and not engine.is_active(child)
    assert engine.activate("child-work") == []
    terminated = [
        (r.value["elementId"], r.value["processInstanceKey"])
        for r in engine.events(ValueType.PROCESS_INSTANCE)
        if r.intent == "ELEMENT_TERMINATED"
    ]
    assert terminated == [
        ("child-work", child),
        ("call-child", child),
        ("call", parent),
        ("call-parent", parent),
    ]


def test_a_missing_called_process_is_an_incident_resolved_once_it_is_deployed(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "call-parent.bpmn")
    parent = engine.create("call-parent").value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=parent)
    assert incident.value["errorType"] == "CALLED_ELEMENT_ERROR"
    assert incident.value["errorMessage"] == (
        "Expected process with BPMN process id 'call-child' to be deployed, but not found."
    )
    engine.deploy(FIXTURES / "call-child.bpmn")
    resolved = engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert resolved.record_type is RecordType.EVENT
    assert engine.complete_all("child-work") == 1
    assert not engine.is_active(parent)


def test_a_process_id_expression_that_is_not_a_string_is_an_incident(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "call-child.bpmn", FIXTURES / "call-mapped.bpmn")
    parent = engine.create("call-mapped", {"childId": 3, "secret": 1}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=parent)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "to be 'STRING', but was 'NUMBER'" in incident.value["errorMessage"]


def _child_version(tag: str) -> str:
    text = (FIXTURES / "call-child.bpmn").read_text()
    return text.replace(
        '<bpmn:process id="call-child" isExecutable="true">',
        '<bpmn:process id="call-child" isExecutable="true">'
        f'<bpmn:extensionElements><zeebe:versionTag value="{tag}" /></bpmn:extensionElements>',
    )


def test_a_multi_instance_call_activity_binds_by_version_tag_and_collects_each_child_result(
    engine: EngineDriver,
) -> None:
    engine.deploy(resources={"call-child.bpmn": _child_version("v1")})
    engine.deploy(resources={"call-child.bpmn": _child_version("v2")})
    engine.deploy(FIXTURES / "mi-call.bpmn")
    parent = engine.create("mi-call", {"items": ["x", "y"]}).value["processInstanceKey"]
    children = [
        r.value
        for r in engine.events(ValueType.PROCESS_INSTANCE)
        if r.value["bpmnElementType"] == "PROCESS" and r.intent == "ELEMENT_ACTIVATING"
    ][1:]
    assert [child["version"] for child in children] == [1, 1]
    for job in engine.activate("child-work"):
        engine.complete(job["key"], {"shipped": json.loads(job["variables"])["item"].upper()})
    assert not engine.is_active(parent)
    assert scope_variables(engine, parent) == {"items": ["x", "y"], "out": ["X", "Y"]}
