"""MigrateProcessInstance (PROCESS_INSTANCE_MIGRATION MIGRATE): active elements move to another process."""

from __future__ import annotations

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import Record, ValueType
from cadenza.core.testing import EngineDriver

HOUR = 3_600_000


def _migrate(engine: EngineDriver, instance: int, target: int, mapping: dict[str, str]) -> Record:
    value = {
        "processInstanceKey": instance,
        "targetProcessDefinitionKey": target,
        "mappingInstructions": [{"sourceElementId": s, "targetElementId": t} for s, t in mapping.items()],
    }
    return engine.submit(ValueType.PROCESS_INSTANCE_MIGRATION, "MIGRATE", value, instance)


def _start(engine: EngineDriver) -> tuple[int, int, int]:
    """An instance of version 1 waiting at task ``a``, and the keys of both versions."""
    v1 = engine.deploy(FIXTURES / "migrate-v1.bpmn").value["processesMetadata"][0]["processDefinitionKey"]
    instance = engine.create("migrate", {"orderId": "o-1"}).value["processInstanceKey"]
    v2 = engine.deploy(FIXTURES / "migrate-v2.bpmn").value["processesMetadata"][0]["processDefinitionKey"]
    return instance, v1, v2


def _keys(engine: EngineDriver, instance: int) -> set[int]:
    """The process definition keys of the instance's active element instances."""
    rows = engine.engine.state.elements
    keys = {r.key for r in engine.events(ValueType.PROCESS_INSTANCE, instance=instance)}
    return {row["v"]["processDefinitionKey"] for key in keys if (row := rows.get(key)) is not None}


def test_a_task_with_its_job_and_a_mapped_timer_moves_to_the_target_and_continues_there(
    engine: EngineDriver,
) -> None:
    instance, _, v2 = _start(engine)
    timer_before = engine.events(ValueType.TIMER)[0]
    migrated = _migrate(engine, instance, v2, {"a": "a2", "slow": "slow2"})
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_MIGRATION", "MIGRATE"),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED"),  # the process instance
        ("VARIABLE", "MIGRATED"),  # its variable orderId
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED"),  # a -> a2
        ("JOB", "MIGRATED"),
        ("TIMER", "MIGRATED"),  # slow -> slow2 keeps its due date
        ("PROCESS_MESSAGE_SUBSCRIPTION", "CREATED"),  # a2's new message boundary subscribes
        ("MESSAGE_SUBSCRIPTION", "CREATED"),
        ("PROCESS_INSTANCE_MIGRATION", "MIGRATED"),
    ]
    assert migrated.intent == "MIGRATED" and migrated.key == instance
    assert migrated.value["targetProcessDefinitionKey"] == v2
    root, task = engine.events(ValueType.PROCESS_INSTANCE)[-2:]
    assert (root.key, root.value["elementId"], root.value["version"]) == (instance, "migrate", 2)
    assert (task.value["elementId"], task.value["processDefinitionKey"]) == ("a2", v2)
    [timer] = [r for r in engine.events(ValueType.TIMER) if r.intent == "MIGRATED"]
    assert timer.key == timer_before.key and timer.value["targetElementId"] == "slow2"
    assert timer.value["dueDate"] == timer_before.value["dueDate"] == engine.now + HOUR
    [job] = engine.activate("a")  # the job keeps its type: jobs are not re-created
    assert (job["elementId"], job["processDefinitionKey"], job["processDefinitionVersion"]) == ("a2", v2, 2)
    assert _keys(engine, instance) == {v2}
    engine.complete(job["key"])
    assert engine.trace(instance)[-2:] == [("check", "ELEMENT_ACTIVATING"), ("check", "ELEMENT_ACTIVATED")]


def test_an_unmapped_catch_event_closes_and_the_targets_catch_events_subscribe_anew(
    engine: EngineDriver,
) -> None:
    instance, _, v2 = _start(engine)
    engine.now += HOUR // 2
    _migrate(engine, instance, v2, {"a": "a2"})
    assert written_by_last(engine)[4:9] == [
        ("JOB", "MIGRATED"),
        ("TIMER", "CANCELED"),
        ("TIMER", "CREATED"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "CREATED"),
        ("MESSAGE_SUBSCRIPTION", "CREATED"),
    ]
    armed = engine.events(ValueType.TIMER)[-1]
    assert armed.value["targetElementId"] == "slow2" and armed.value["dueDate"] == engine.now + 2 * HOUR
    engine.publish("cancel", "o-1")
    assert engine.trace(instance)[-1] == ("migrate", "ELEMENT_COMPLETED")
    assert ("cancelEnd", "ELEMENT_COMPLETED") in engine.trace(instance)


def test_a_user_task_in_a_sub_process_moves_with_its_scope(engine: EngineDriver) -> None:
    instance, _, v2 = _start(engine)
    engine.complete_all("a")
    [task] = engine.engine.state.user_tasks.open_tasks(process_instance_key=instance)
    _migrate(engine, instance, v2, {"sub": "sub2", "review": "review2"})
    assert written_by_last(engine) == [
        ("PROCESS_INSTANCE_MIGRATION", "MIGRATE"),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED"),
        ("VARIABLE", "MIGRATED"),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED"),  # sub -> sub2
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED"),  # review -> review2
        ("USER_TASK", "MIGRATED"),
        ("PROCESS_INSTANCE_MIGRATION", "MIGRATED"),
    ]
    [moved] = engine.engine.state.user_tasks.open_tasks(process_instance_key=instance)
    assert moved["userTaskKey"] == task["userTaskKey"]
    assert (moved["elementId"], moved["processDefinitionKey"]) == ("review2", v2)
    engine.submit(ValueType.USER_TASK, "COMPLETE", {"variables": "{}"}, task["userTaskKey"])
    assert engine.trace(instance)[-1] == ("migrate", "ELEMENT_COMPLETED")


def test_an_incident_moves_with_its_element_and_can_be_resolved_in_the_target(engine: EngineDriver) -> None:
    instance, _, v2 = _start(engine)
    [job] = engine.activate("a")
    engine.fail(job["key"], retries=0, message="down")
    [incident] = engine.events(ValueType.INCIDENT)
    _migrate(engine, instance, v2, {"a": "a2", "slow": "slow2"})
    [moved] = [r for r in engine.events(ValueType.INCIDENT) if r.intent == "MIGRATED"]
    assert moved.key == incident.key and moved.value["elementId"] == "a2"
    assert moved.value["processDefinitionKey"] == v2
    engine.submit(ValueType.JOB, "UPDATE_RETRIES", {"retries": 1}, job["key"])
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert engine.complete_all("a") == 1
    assert ("check", "ELEMENT_ACTIVATED") in engine.trace(instance)


def test_migrations_that_break_zeebe_rules_are_rejected_and_change_nothing(engine: EngineDriver) -> None:
    instance, v1, v2 = _start(engine)
    prefix = f"Expected to migrate process instance '{instance}' but "
    state_cases = {
        "no mapping instruction defined for active element with id 'a'. Elements cannot be migrated "
        "without a mapping.": {"slow": "slow2"},
        "active element with id 'a' and type 'SERVICE_TASK' is mapped to an element with id 'outside' and "
        "different type 'USER_TASK'. Elements must be mapped to elements of the same type.": {"a": "outside"},
        "the flow scope of active element with id 'a' is changed. The flow scope of the active element is "
        "expected to be 'migrate' but was 'sub2'. The flow scope of an element cannot be changed during "
        "migration yet.": {"a": "jobReview"},
        "active element with id 'a' is mapped to an element with id 'a2' and has a catch event with id "
        "'slow' that is mapped to a catch event with id 'slowEnd'. These mappings detach the catch event "
        "from the element in the target process. Catch events must stay attached to the same element "
        "instance.": {"a": "a2", "slow": "slowEnd"},
        "active element with id 'a' has a catch event with id 'slow' that is mapped to a catch event with id "
        "'cancel'. These catch events have different event types: 'TIMER' and 'MESSAGE'. The event type of a "
        "catch event cannot be changed by process instance migration. Please ensure the event type of the "
        "catch event remains the same or remove the mapping instruction for these catch events.": {
            "a": "a2",
            "slow": "cancel",
        },
    }
    for reason, mapping in state_cases.items():
        refused = _migrate(engine, instance, v2, mapping)
        assert (refused.rejection_type, refused.rejection_reason) == ("INVALID_STATE", prefix + reason)
        assert written_by_last(engine) == [
            ("PROCESS_INSTANCE_MIGRATION", "MIGRATE"),
            ("PROCESS_INSTANCE_MIGRATION", "REJECTED MIGRATE"),
        ]
    argument_cases = {
        "the mapping instructions contain duplicate source element ids '[a]'.": [("a", "a2"), ("a", "check")],
        "mapping instructions contain a non-existing source element id 'x'. Elements provided in mapping "
        "instructions must exist in the source process definition.": [("x", "a2")],
        "mapping instructions contain a non-existing target element id 'y'. Elements provided in mapping "
        "instructions must exist in the target process definition.": [("a", "y")],
    }
    for reason, pairs in argument_cases.items():
        value = {
            "processInstanceKey": instance,
            "targetProcessDefinitionKey": v2,
            "mappingInstructions": [{"sourceElementId": s, "targetElementId": t} for s, t in pairs],
        }
        refused = engine.submit(ValueType.PROCESS_INSTANCE_MIGRATION, "MIGRATE", value, instance)
        assert (refused.rejection_type, refused.rejection_reason) == ("INVALID_ARGUMENT", prefix + reason)
    missing = _migrate(engine, 42, v2, {})
    assert (missing.rejection_type, missing.rejection_reason) == (
        "NOT_FOUND",
        "Expected to migrate process instance but no process instance found with key '42'",
    )
    no_target = _migrate(engine, instance, 43, {"a": "a2"})
    assert (no_target.rejection_type, no_target.rejection_reason) == (
        "NOT_FOUND",
        "Expected to migrate process instance to process definition but no process definition found with key "
        "'43'",
    )
    bad = {"processInstanceKey": instance, "targetProcessDefinitionKey": "v2", "mappingInstructions": []}
    refused = engine.submit(ValueType.PROCESS_INSTANCE_MIGRATION, "MIGRATE", bad, instance)
    assert (
        refused.rejection_reason == "Expected 'targetProcessDefinitionKey' to be an integer, but was \"v2\""
    )
    bad = {
        "processInstanceKey": instance,
        "targetProcessDefinitionKey": v2,
        "mappingInstructions": {"a": "a2"},
    }
    refused = engine.submit(ValueType.PROCESS_INSTANCE_MIGRATION, "MIGRATE", bad, instance)
    assert refused.rejection_reason == (
        "Expected 'mappingInstructions' to be a list of objects, but was {'a': 'a2'}"
    )
    assert _keys(engine, instance) == {v1}
    assert engine.activate("a")[0]["elementId"] == "a"


def test_a_changed_user_task_implementation_and_unsupported_elements_are_rejected(
    engine: EngineDriver,
) -> None:
    instance, _, v2 = _start(engine)
    engine.complete_all("a")
    job_based = (
        (FIXTURES / "migrate-v2.bpmn")
        .read_text()
        .replace(
            '<bpmn:userTask id="review2"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements>',
            '<bpmn:userTask id="review2">',
        )
    )
    v3 = engine.deploy(resources={"migrate-v3.bpmn": job_based}).value["processesMetadata"][0]
    refused = _migrate(engine, instance, v3["processDefinitionKey"], {"sub": "sub2", "review": "review2"})
    assert refused.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active user task with id 'review' and "
        "implementation 'zeebe user task' is mapped to an user task with id 'review2' and different "
        "implementation 'job worker'. Elements must be mapped to elements of the same implementation."
    )
    engine.deploy(FIXTURES / "mi-parallel.bpmn")
    multi = engine.create("mi-parallel", {"items": [1, 2]}).value["processInstanceKey"]
    target = engine.events(ValueType.PROCESS)[-1].key
    refused = _migrate(engine, multi, target, {"work": "work"})
    assert refused.rejection_type == "INVALID_STATE"
    assert refused.rejection_reason == (
        f"Expected to migrate process instance '{multi}' but active element with id 'work' has an unsupported "
        "type. The migration of a MULTI_INSTANCE_BODY is not supported."
    )


def test_a_conditional_boundary_event_cannot_migrate(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    [process] = [p for p in engine.events(ValueType.PROCESS) if p.value["bpmnProcessId"] == "cond-boundary"]
    instance = engine.create("cond-boundary", {"amount": 1}).value["processInstanceKey"]
    refused = _migrate(engine, instance, process.key, {"work": "work"})
    assert (refused.rejection_type, refused.rejection_reason) == (
        "INVALID_STATE",
        f"Expected to migrate process instance '{instance}' but active element with id 'work' has one or more "
        "boundary events of types 'CONDITIONAL'. Migrating active elements with boundary events of these "
        "types is not possible yet.",
    )
