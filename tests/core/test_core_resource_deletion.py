"""DeleteResource (RESOURCE_DELETION DELETE): process definitions, decision requirements graphs, forms."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import Record, ValueType
from cadenza.core.testing import EngineDriver

THREE = (FIXTURES / "three-tasks.bpmn").read_text()


def _delete(engine: EngineDriver, key: int, tenant: str = "") -> Record:
    return engine.submit(ValueType.RESOURCE_DELETION, "DELETE", {"resourceKey": key, "tenantId": tenant})


def _keys(deployed: Record) -> list[int]:
    return [p["processDefinitionKey"] for p in deployed.value["processesMetadata"]]


def test_a_process_with_running_instances_stays_and_is_deleted_once_they_are_done(
    engine: EngineDriver,
) -> None:
    [key] = _keys(engine.deploy(FIXTURES / "three-tasks.bpmn"))
    engine.create("three-tasks")
    refused = _delete(engine, key)
    assert refused.rejection_type == "INVALID_STATE"
    assert (
        refused.rejection_reason
        == f"Expected to delete resource with key `{key}` but there are still running instances"
    )
    for _ in range(3):
        engine.complete_all("work")
    deleted = _delete(engine, key)
    assert written_by_last(engine) == [
        ("RESOURCE_DELETION", "DELETE"),
        ("RESOURCE_DELETION", "DELETING"),
        ("PROCESS", "DELETING"),
        ("PROCESS", "DELETED"),
        ("RESOURCE_DELETION", "DELETED"),
    ]
    assert deleted.intent == "DELETED" and deleted.value == {"resourceKey": key, "tenantId": "<default>"}
    [record] = [r for r in engine.events(ValueType.PROCESS) if r.intent == "DELETED"]
    assert record.value["processDefinitionKey"] == key and record.value["bpmnProcessId"] == "three-tasks"
    assert "resource" not in record.value  # as Zeebe: the deleted record leaves the resource out
    missing = engine.create("three-tasks")
    assert missing.rejection_type == "NOT_FOUND"
    assert (
        _delete(engine, key).rejection_reason
        == f"Expected to delete resource but no resource found with key `{key}`"
    )


def test_deleting_the_latest_version_makes_the_previous_one_the_latest_without_reusing_its_number(
    engine: EngineDriver,
) -> None:
    [first] = _keys(engine.deploy(FIXTURES / "three-tasks.bpmn"))
    [second] = _keys(
        engine.deploy(
            resources={"three-tasks.bpmn": THREE.replace('id="c"', 'id="c2"').replace('"c"', '"c2"')}
        )
    )
    _delete(engine, second)
    created = engine.create("three-tasks")
    assert created.value["processDefinitionKey"] == first and created.value["version"] == 1
    again = engine.deploy(resources={"three-tasks.bpmn": THREE + "\n"})
    assert again.value["processesMetadata"][0]["version"] == 3


def test_deleting_the_latest_version_moves_the_start_event_subscriptions_to_the_previous_one(
    engine: EngineDriver,
) -> None:
    timer = (FIXTURES / "timer-start.bpmn").read_text()
    [first] = _keys(engine.deploy(resources={"timer-start.bpmn": timer}))
    [second] = _keys(engine.deploy(resources={"timer-start.bpmn": timer.replace("PT1H", "PT2H")}))
    _delete(engine, second)
    assert written_by_last(engine) == [
        ("RESOURCE_DELETION", "DELETE"),
        ("RESOURCE_DELETION", "DELETING"),
        ("PROCESS", "DELETING"),
        ("TIMER", "CANCELED"),
        ("TIMER", "CREATED"),
        ("PROCESS", "DELETED"),
        ("RESOURCE_DELETION", "DELETED"),
    ]
    [armed] = [r for r in engine.events(ValueType.TIMER)][-1:]
    assert armed.value["processDefinitionKey"] == first
    assert engine.engine.state.timers.of_start_events(first) == [armed.key]
    assert engine.engine.state.timers.of_start_events(second) == []


def test_deleting_a_drg_deletes_its_decisions_and_the_previous_version_is_evaluated_again(
    engine: EngineDriver,
) -> None:
    pricing = (FIXTURES / "pricing.dmn").read_text()
    engine.deploy(resources={"pricing.dmn": pricing})
    newer = engine.deploy(resources={"pricing.dmn": pricing.replace("<text>0.2</text>", "<text>0.5</text>")})
    [drg] = newer.value["decisionRequirementsMetadata"]
    _delete(engine, drg["decisionRequirementsKey"])
    assert written_by_last(engine) == [
        ("RESOURCE_DELETION", "DELETE"),
        ("RESOURCE_DELETION", "DELETING"),
        ("DECISION", "DELETED"),
        ("DECISION", "DELETED"),
        ("DECISION_REQUIREMENTS", "DELETED"),
        ("RESOURCE_DELETION", "DELETED"),
    ]
    value = {"decisionKey": -1, "decisionId": "rate", "variables": json.dumps({"tier": "gold"})}
    answer = engine.submit(ValueType.DECISION_EVALUATION, "EVALUATE", value)
    assert answer.value["decisionVersion"] == 1 and answer.value["decisionOutput"] == "0.2"
    # A decision's own key is no resource key: only its DRG can be deleted.
    decision_key = engine.events(ValueType.DECISION)[0].key
    assert _delete(engine, decision_key).rejection_type == "NOT_FOUND"


def test_deleting_a_form_leaves_user_tasks_without_it(engine: EngineDriver) -> None:
    deployed = engine.deploy(FIXTURES / "form-task.bpmn", FIXTURES / "intake.form")
    [form] = deployed.value["formMetadata"]
    _delete(engine, form["formKey"])
    assert written_by_last(engine)[2:4] == [("FORM", "DELETED"), ("RESOURCE_DELETION", "DELETED")]
    instance = engine.create("form-task").value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "FORM_NOT_FOUND"


def test_an_unknown_key_or_another_tenants_resource_is_not_found(engine: EngineDriver) -> None:
    [key] = _keys(engine.deploy(FIXTURES / "three-tasks.bpmn"))
    unknown = _delete(engine, 42)
    assert unknown.rejection_type == "NOT_FOUND"
    assert unknown.rejection_reason == "Expected to delete resource but no resource found with key `42`"
    assert _delete(engine, key, tenant="acme").rejection_type == "NOT_FOUND"
    text = engine.submit(ValueType.RESOURCE_DELETION, "DELETE", {"resourceKey": str(key)})
    assert text.rejection_type == "INVALID_ARGUMENT"
    assert text.rejection_reason == f"Expected 'resourceKey' to be an integer, but was \"{key}\""
    assert engine.events(ValueType.RESOURCE_DELETION) == []
    assert engine.engine.state.processes.process(key) is not None
