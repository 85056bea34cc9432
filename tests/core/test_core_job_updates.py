"""UpdateJobTimeout and UpdateJobRetries (JOB UPDATE_TIMEOUT / UPDATE_RETRIES) with Zeebe 8.6's reasons."""

from __future__ import annotations

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def test_a_new_timeout_counts_from_now_and_the_job_times_out_then(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    engine.create("three-tasks")
    [job] = engine.activate("work", timeout=1_000)
    engine.now += 500
    updated = engine.submit(ValueType.JOB, "UPDATE_TIMEOUT", {"timeout": 10_000}, job["key"])
    assert written_by_last(engine) == [("JOB", "UPDATE_TIMEOUT"), ("JOB", "TIMEOUT_UPDATED")]
    assert updated.value["deadline"] == engine.now + 10_000
    jobs = engine.engine.state.jobs
    engine.now += 1_000
    assert jobs.timed_out(engine.now) == []  # the old deadline has passed: it no longer counts
    engine.now += 9_000
    assert jobs.timed_out(engine.now) == [job["key"]]


def test_updating_an_unknown_or_inactive_job_is_rejected(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    engine.create("three-tasks")
    unknown = engine.submit(ValueType.JOB, "UPDATE_TIMEOUT", {"timeout": 1}, 42)
    assert (unknown.rejection_type, unknown.rejection_reason) == (
        "NOT_FOUND",
        "Expected to update job with key '42', but no such job was found",
    )
    retries = engine.submit(ValueType.JOB, "UPDATE_RETRIES", {"retries": 1}, 42)
    assert retries.rejection_reason == "Expected to update job with key '42', but no such job was found"
    job_key = engine.events(ValueType.JOB)[0].key
    inactive = engine.submit(ValueType.JOB, "UPDATE_TIMEOUT", {"timeout": 1}, job_key)
    assert (inactive.rejection_type, inactive.rejection_reason) == (
        "INVALID_STATE",
        f"Expected to update the timeout of job with key '{job_key}', but it is not active",
    )
    assert engine.engine.state.jobs.get(job_key)["v"]["deadline"] == -1
