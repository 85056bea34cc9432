"""The variable document size limit: every command that carries variables is bounded (ARCHITECTURE §4)."""

from __future__ import annotations

import json
from typing import Any

from core_fixtures import FIXTURES

from cadenza.core.engine import Engine
from cadenza.core.limits import DEFAULT_MAX_VARIABLES_BYTES, Limits
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.testing import EngineDriver

LIMIT = 200
BIG = {"blob": "x" * LIMIT}


def _driver() -> tuple[EngineDriver, int, int]:
    """A driver with a small limit, one three-tasks instance and its activated job."""
    driver = EngineDriver(limits=Limits(max_variables_bytes=LIMIT))
    driver.deploy(FIXTURES / "three-tasks.bpmn")
    instance = driver.create("three-tasks").value["processInstanceKey"]
    [job] = driver.activate("work")
    return driver, instance, job["key"]


def _state(driver: EngineDriver) -> dict[str, Any]:
    """The state without the position and key counters, which a rejection advances."""
    return {name: rows for name, rows in driver.engine.state.snapshot().items() if name != "meta"}


def _assert_rejected(driver: EngineDriver, response: Record, before: dict[str, Any]) -> None:
    assert response.rejection_type is RejectionType.INVALID_ARGUMENT
    assert f"at most {LIMIT} bytes" in response.rejection_reason
    assert f"it is {len(json.dumps(BIG))} bytes" in response.rejection_reason
    assert _state(driver) == before
    assert response.value["variables"] == "{}"  # the log does not keep the oversized document
    driver.assert_replay_equal()


def test_an_oversized_document_is_rejected_by_every_command_that_carries_one() -> None:
    driver, instance, job_key = _driver()
    text = json.dumps(BIG)
    commands: list[tuple[ValueType, str, dict[str, Any], int]] = [
        (ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"}, -1),
        (ValueType.JOB, "COMPLETE", {}, job_key),
        (ValueType.JOB, "FAIL", {"retries": 1}, job_key),
        (ValueType.JOB, "THROW_ERROR", {"errorCode": "e"}, job_key),
        (ValueType.VARIABLE_DOCUMENT, "UPDATE", {"scopeKey": instance}, -1),
        (ValueType.MESSAGE, "PUBLISH", {"name": "m", "correlationKey": "k", "timeToLive": 1000}, -1),
        (ValueType.SIGNAL, "BROADCAST", {"signalName": "s"}, -1),
        (ValueType.CONDITIONAL_EVALUATION, "EVALUATE", {}, -1),
    ]
    for value_type, intent, value, key in commands:
        before = _state(driver)
        response = driver.submit(value_type, intent, {**value, "variables": text}, key)
        _assert_rejected(driver, response, before)
    assert driver.complete(job_key, {"small": 1}).intent == "COMPLETED"  # under the limit: accepted


def test_an_oversized_user_task_completion_is_rejected() -> None:
    driver = EngineDriver(limits=Limits(max_variables_bytes=LIMIT))
    driver.deploy(FIXTURES / "user-task.bpmn", FIXTURES / "review-form.form")
    instance = driver.create("user-task", {"owner": "ann"}).value["processInstanceKey"]
    [task] = driver.engine.state.user_tasks.open_tasks(process_instance_key=instance)
    before = _state(driver)
    value = {"variables": json.dumps(BIG)}
    response = driver.submit(ValueType.USER_TASK, "COMPLETE", value, task["userTaskKey"])
    _assert_rejected(driver, response, before)


def test_the_limit_counts_utf8_bytes_and_defaults_to_4_mb() -> None:
    assert Engine().limits.max_variables_bytes == DEFAULT_MAX_VARIABLES_BYTES == 4 * 1024 * 1024
    driver = EngineDriver(limits=Limits(max_variables_bytes=LIMIT))
    driver.deploy(FIXTURES / "three-tasks.bpmn")
    # 60 characters, each 3 bytes in UTF-8: under the limit in characters, over it in bytes.
    response = driver.create("three-tasks", {"word": "€" * 60})
    assert response.rejection_type is RejectionType.INVALID_ARGUMENT
    assert driver.create("three-tasks", {"word": "€" * 10}).intent == "CREATED"
    driver.assert_replay_equal()


def test_the_default_limit_rejects_a_document_over_4_mb(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    response = engine.create("three-tasks", {"blob": "y" * DEFAULT_MAX_VARIABLES_BYTES})
    assert response.rejection_type is RejectionType.INVALID_ARGUMENT
    assert f"at most {DEFAULT_MAX_VARIABLES_BYTES} bytes" in response.rejection_reason
    assert engine.create("three-tasks", {"blob": "y" * 1000}).intent == "CREATED"
