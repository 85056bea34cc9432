"""Sequence flow, jobs, gateways and sub-processes, asserting the exact record sequence."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver

LIFE = ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]


def _steps(element: str) -> list[tuple[str, str]]:
    return [(element, intent) for intent in LIFE]


def test_three_service_tasks_run_to_completion_with_the_exact_record_sequence(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    created = engine.create("three-tasks", {"x": 1})
    instance = created.value["processInstanceKey"]
    for _ in range(3):
        assert engine.complete_all("work", {"done": True}) == 1
    assert engine.trace(instance) == [
        ("three-tasks", "ELEMENT_ACTIVATING"),
        ("three-tasks", "ELEMENT_ACTIVATED"),
        *_steps("start"),
        ("f1", "SEQUENCE_FLOW_TAKEN"),
        *_steps("a"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        *_steps("b"),
        ("f3", "SEQUENCE_FLOW_TAKEN"),
        *_steps("c"),
        ("f4", "SEQUENCE_FLOW_TAKEN"),
        *_steps("end"),
        ("three-tasks", "ELEMENT_COMPLETING"),
        ("three-tasks", "ELEMENT_COMPLETED"),
    ]
    assert not engine.is_active(instance)
    jobs = engine.events(ValueType.JOB, instance=instance)
    assert [str(j.intent) for j in jobs] == ["CREATED", "COMPLETED"] * 3


def test_keys_encode_the_partition_and_positions_rise_strictly(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    engine.create("three-tasks")
    positions = [r.position for r in engine.log]
    assert positions == sorted(set(positions)) and positions[0] == 1
    assert all(r.key >> 51 == 1 for r in engine.log if r.key > 0)


def test_job_variables_are_the_visible_variables_and_results_merge_into_the_root(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    instance = engine.create("three-tasks", {"amount": 12.50, "name": "x"}).value["processInstanceKey"]
    [job] = engine.activate("work")
    assert job["variables"] == '{"amount":12.5,"name":"x"}'
    engine.complete(job["key"], {"amount": 99, "extra": [1, 2]})
    assert engine.variables(instance) == {"amount": 99, "name": "x", "extra": [1, 2]}


def test_failing_a_job_to_zero_retries_raises_an_incident_that_resolves_after_retries_are_updated(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    instance = engine.create("three-tasks").value["processInstanceKey"]
    [job] = engine.activate("work")
    engine.fail(job["key"], retries=1, message="flaky")
    [again] = engine.activate("work")
    assert again["key"] == job["key"] and again["retries"] == 1
    engine.fail(job["key"], retries=0, message="boom")
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "JOB_NO_RETRIES" and incident.value["errorMessage"] == "boom"
    assert engine.activate("work") == []
    refused = engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert (
        refused.record_type is RecordType.COMMAND_REJECTION and "no retries left" in refused.rejection_reason
    )
    engine.submit(ValueType.JOB, "UPDATE_RETRIES", {"retries": 2}, job["key"])
    resolved = engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert str(resolved.intent) == "RESOLVED"
    assert engine.complete_all("work") == 1


def test_job_commands_are_rejected_with_zeebe_reasons(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    engine.create("three-tasks")
    missing = engine.complete(12345)
    assert missing.rejection_type == "NOT_FOUND"
    assert missing.rejection_reason == "Expected to complete job with key '12345', but no such job was found"
    [job] = engine.activate("work")
    engine.fail(job["key"], retries=0)
    failed = engine.complete(job["key"])
    assert failed.rejection_type == "INVALID_STATE"
    assert failed.rejection_reason.endswith("but it is in state 'FAILED'")
    zero = engine.submit(ValueType.JOB, "UPDATE_RETRIES", {"retries": 0}, job["key"])
    assert zero.rejection_type == "INVALID_ARGUMENT"


def test_a_timed_out_job_can_be_activated_again(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    engine.create("three-tasks")
    [job] = engine.activate("work", timeout=1000)
    assert engine.activate("work") == []
    early = engine.submit(ValueType.JOB, "TIME_OUT", {}, job["key"])
    assert early.record_type is RecordType.COMMAND_REJECTION
    engine.now += 1001
    assert engine.engine.state.jobs.timed_out(engine.now) == [job["key"]]
    engine.submit(ValueType.JOB, "TIME_OUT", {}, job["key"])
    [again] = engine.activate("work")
    assert again["key"] == job["key"]


def test_exclusive_gateway_takes_the_first_true_condition_or_the_default(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "exclusive.bpmn")
    big = engine.create("exclusive", {"amount": 5000}).value["processInstanceKey"]
    small = engine.create("exclusive", {"amount": 5}).value["processInstanceKey"]
    assert ("toBig", "SEQUENCE_FLOW_TAKEN") in engine.trace(big)
    assert ("toSmall", "SEQUENCE_FLOW_TAKEN") in engine.trace(small)
    assert not engine.is_active(small) and engine.is_active(big)


def test_no_true_condition_and_no_default_is_an_incident_fixed_by_setting_variables(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "no-default.bpmn")
    instance = engine.create("no-default", {"x": "maybe"}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "CONDITION_ERROR"
    assert incident.value["elementId"] == "route"
    engine.submit(ValueType.VARIABLE_DOCUMENT, "UPDATE", {"scopeKey": instance, "variables": '{"x": "no"}'})
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert ("no", "SEQUENCE_FLOW_TAKEN") in engine.trace(instance)
    assert not engine.is_active(instance)


def test_a_null_condition_is_an_incident_not_false(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "exclusive.bpmn")
    instance = engine.create("exclusive").value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "'NULL'" in incident.value["errorMessage"]


def test_parallel_gateway_joins_both_branches_once(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "parallel.bpmn")
    instance = engine.create("parallel").value["processInstanceKey"]
    assert engine.complete_all("a") == 1
    assert engine.is_active(instance)
    assert [e for e, i in engine.trace(instance) if e == "join"] == []
    assert engine.complete_all("b") == 1
    joins = [i for e, i in engine.trace(instance) if e == "join"]
    assert joins == LIFE
    assert not engine.is_active(instance)


def test_sub_process_mappings_scope_and_output(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "subprocess.bpmn")
    instance = engine.create("subprocess", {"order": {"total": 21}}).value["processInstanceKey"]
    [job] = engine.activate("inner")
    assert job["retries"] == 2
    assert '"doubled":42' in job["variables"]
    engine.complete(job["key"], {"note": "done"})
    assert not engine.is_active(instance)
    root = [
        r for r in engine.events(ValueType.VARIABLE, instance=instance) if r.value["scopeKey"] == instance
    ]
    names = {r.value["name"]: r.value["value"] for r in root}
    assert names == {"order": '{"total":21}', "note": '"done"', "result": '{"value":43}'}


def test_cancel_terminates_every_active_element_and_its_jobs(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "parallel.bpmn")
    instance = engine.create("parallel").value["processInstanceKey"]
    assert engine.complete_all("a") == 1  # one token now waits at the join
    engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, instance)
    assert not engine.is_active(instance)
    assert engine.activate("b") == []
    terminated = [e for e, i in engine.trace(instance) if i == "ELEMENT_TERMINATED"]
    assert terminated == ["b", "parallel"]
    again = engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, instance)
    assert again.rejection_type == "NOT_FOUND"
