"""Unassigning a Camunda user task (what the tasklist's unclaim sends): Zeebe has no UNASSIGN command; ASSIGN
with an empty assignee and the action ``unassign`` does it, and a later CLAIM by anyone succeeds."""

from __future__ import annotations

from typing import Any

from core_fixtures import FIXTURES

from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver


def _task(engine: EngineDriver) -> dict[str, Any]:
    engine.deploy(FIXTURES / "user-task.bpmn", FIXTURES / "review-form.form")
    engine.create("user-task", {"owner": "ann", "dueAt": "2026-12-01T10:00:00Z"})
    [task] = engine.engine.state.user_tasks.open_tasks()
    return task


def test_assign_with_an_empty_assignee_unassigns_and_another_user_can_claim(engine: EngineDriver) -> None:
    task = _task(engine)
    key = task["userTaskKey"]
    unassigned = engine.submit(ValueType.USER_TASK, "ASSIGN", {"assignee": "", "action": "unassign"}, key)
    assert (unassigned.record_type, unassigned.intent) == (RecordType.EVENT, "ASSIGNED")
    assert unassigned.value["assignee"] == "" and unassigned.value["action"] == "unassign"
    assert unassigned.value["changedAttributes"] == ["assignee"]
    claimed = engine.submit(ValueType.USER_TASK, "CLAIM", {"assignee": "bob"}, key)
    assert claimed.intent == "ASSIGNED" and claimed.value["assignee"] == "bob"
    [open_task] = engine.engine.state.user_tasks.open_tasks()
    assert open_task["assignee"] == "bob"
    intents = [r.intent for r in engine.events(ValueType.USER_TASK)]
    assert intents == ["CREATED", "ASSIGNED", "ASSIGNED"]
