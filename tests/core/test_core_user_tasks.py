"""User tasks (ZEEBE-SEMANTICS §9): Camunda user tasks with their commands, and job-based user tasks."""

from __future__ import annotations

import json
from typing import Any

from core_fixtures import FIXTURES
from variables_log import scope_variables

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.testing import EngineDriver

DUE = "2026-12-01T10:00:00+01:00"


def _task(engine: EngineDriver, command: str, key: int, **value: Any) -> Record:
    return engine.submit(ValueType.USER_TASK, command, value, key)


def _start(engine: EngineDriver, **variables: Any) -> tuple[int, dict[str, Any]]:
    engine.deploy(FIXTURES / "user-task.bpmn", FIXTURES / "review-form.form")
    instance = engine.create("user-task", {"owner": "ann", "dueAt": DUE, **variables}).value[
        "processInstanceKey"
    ]
    tasks = engine.engine.state.user_tasks.open_tasks(process_instance_key=instance)
    return instance, tasks[0] if tasks else {}


def test_a_camunda_user_task_is_created_with_its_evaluated_properties(engine: EngineDriver) -> None:
    instance, task = _start(engine)
    assert {name: task[name] for name in ("assignee", "candidateGroupsList", "dueDate", "priority")} == {
        "assignee": "ann",
        "candidateGroupsList": ["managers", "auditors"],
        "dueDate": DUE,
        "priority": 70,
    }
    [form] = engine.events(ValueType.FORM)
    assert task["formKey"] == form.key and task["customHeaders"] == {"kind": "review"}
    assert task["creationTimestamp"] == engine.now
    assert engine.events(ValueType.JOB, instance=instance) == []
    [created] = engine.events(ValueType.USER_TASK)
    assert created.intent == "CREATED" and created.key == task["userTaskKey"]


def test_completing_a_user_task_merges_its_variables_and_completes_the_element(engine: EngineDriver) -> None:
    instance, task = _start(engine)
    done = _task(engine, "COMPLETE", task["userTaskKey"], variables=json.dumps({"approved": True}))
    assert done.intent == "COMPLETED" and done.value["action"] == "complete"
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["approved"] is True
    assert engine.engine.state.user_tasks.open_tasks() == []
    again = _task(engine, "COMPLETE", task["userTaskKey"])
    assert again.rejection_type == "NOT_FOUND"
    assert again.rejection_reason == (
        f"Expected to complete user task with key '{task['userTaskKey']}', but no such user task was found"
    )


def test_assign_claim_and_update_follow_zeebe_rules(engine: EngineDriver) -> None:
    _, task = _start(engine)
    key = task["userTaskKey"]
    refused = _task(engine, "CLAIM", key, assignee="bob")
    assert refused.rejection_type == "INVALID_STATE"
    assert refused.rejection_reason.endswith("but it has already been assigned")
    empty = _task(engine, "CLAIM", key, assignee="")
    assert (
        empty.rejection_reason
        == f"Expected to claim user task with key '{key}', but provided assignee is empty"
    )
    same = _task(engine, "CLAIM", key, assignee="ann")
    assert same.intent == "ASSIGNED" and same.value["changedAttributes"] == []
    assert same.value["action"] == "claim"
    assigned = _task(engine, "ASSIGN", key, assignee="bob")
    assert assigned.intent == "ASSIGNED" and assigned.value["assignee"] == "bob"
    updated = _task(engine, "UPDATE", key, changeset={"priority": 90, "candidateUsersList": ["eve"]})
    assert updated.intent == "UPDATED"
    assert updated.value["changedAttributes"] == ["candidateUsersList", "priority"]
    [open_task] = engine.engine.state.user_tasks.open_tasks()
    assert (open_task["assignee"], open_task["priority"], open_task["candidateUsersList"]) == (
        "bob",
        90,
        ["eve"],
    )
    bad = _task(engine, "UPDATE", key, changeset={"priority": 101})
    assert bad.rejection_type == "INVALID_ARGUMENT"
    bad_date = _task(engine, "UPDATE", key, changeset={"dueDate": "tomorrow"})
    assert bad_date.rejection_type == "INVALID_ARGUMENT"


def test_a_property_of_the_wrong_type_is_an_incident(engine: EngineDriver) -> None:
    instance, task = _start(engine, owner=["ann"])
    assert task == {}
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident.value["errorMessage"] == (
        "Expected result of the expression 'owner' to be 'STRING', but was 'ARRAY'."
    )
    engine.submit(
        ValueType.VARIABLE_DOCUMENT, "UPDATE", {"scopeKey": instance, "variables": '{"owner": "x"}'}
    )
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    [created] = engine.engine.state.user_tasks.open_tasks()
    assert created["assignee"] == "x"


def test_cancelling_the_instance_cancels_the_user_task(engine: EngineDriver) -> None:
    instance, task = _start(engine)
    engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, instance)
    assert [r.intent for r in engine.events(ValueType.USER_TASK)] == ["CREATED", "CANCELED"]
    assert engine.engine.state.user_tasks.open_tasks() == []
    late = _task(engine, "ASSIGN", task["userTaskKey"], assignee="bob")
    assert late.record_type is RecordType.COMMAND_REJECTION


def test_a_job_based_user_task_is_a_job_with_the_user_task_headers(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "user-task-job.bpmn")
    instance = engine.create("user-task-job").value["processInstanceKey"]
    [job] = engine.activate("io.camunda.zeebe:userTask")
    assert job["customHeaders"] == {
        "io.camunda.zeebe:assignee": "demo",
        "io.camunda.zeebe:candidateUsers": '["ann","bob"]',
        "io.camunda.zeebe:formKey": "camunda-forms:bpmn:form1",
    }
    assert job["retries"] == 1
    engine.complete(job["key"], {"ok": True})
    assert not engine.is_active(instance)
