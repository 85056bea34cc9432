"""USER_TASK commands on Camunda user tasks (ZEEBE-SEMANTICS §9.3): assign, claim, update, complete.

Tasks are acted on only while CREATED; completing one merges its variables as the element result (§1.7) and
completes the element.
"""

from __future__ import annotations

import json
from typing import Any

from cadenza.core.elements.results import set_result
from cadenza.core.elements.user_tasks import valid_date
from cadenza.core.intents import ProcessInstanceIntent, UserTaskIntent
from cadenza.core.processors.instances import parse_document
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.state.user_tasks import CREATED
from cadenza.core.writer import Writer

__all__ = ["USER_TASK_PROCESSORS"]

_UT = ValueType.USER_TASK


def _task(writer: Writer, command: Record, doing: str) -> dict[str, Any] | None:
    """The open task the command names, or None after rejecting the command."""
    row = writer.state.user_tasks.get(command.key)
    if row is None or row["v"]["tenantId"] != command.tenant:
        reason = f"Expected to {doing} user task with key '{command.key}', but no such user task was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return None
    if row["s"] != CREATED:
        reason = f"Expected to {doing} user task with key '{command.key}', but it is in state '{row['s']}'"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return None
    task: dict[str, Any] = row["v"]
    return task


def _assignee(writer: Writer, command: Record) -> str | None:
    assignee = command.value.get("assignee") or ""
    if not isinstance(assignee, str):
        reason = f"Expected the assignee of user task '{command.key}' to be a string, but was '{assignee}'"
        writer.reject(command, RejectionType.INVALID_ARGUMENT, reason)
        return None
    return assignee


def assign(writer: Writer, command: Record) -> None:
    task = _task(writer, command, "assign")
    assignee = None if task is None else _assignee(writer, command)
    if task is None or assignee is None:
        return
    action = str(command.value.get("action") or "assign")
    _assigned(writer, command, task, assignee, action)


def claim(writer: Writer, command: Record) -> None:
    task = _task(writer, command, "claim")
    assignee = None if task is None else _assignee(writer, command)
    if task is None or assignee is None:
        return
    if not assignee.strip():
        reason = f"Expected to claim user task with key '{command.key}', but provided assignee is empty"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    if task["assignee"] and task["assignee"] != assignee:
        reason = f"Expected to claim user task with key '{command.key}', but it has already been assigned"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    _assigned(writer, command, task, assignee, str(command.value.get("action") or "claim"))


def _assigned(writer: Writer, command: Record, task: dict[str, Any], assignee: str, action: str) -> None:
    changed = ["assignee"] if assignee != task["assignee"] else []
    value = {**task, "assignee": assignee, "action": action, "changedAttributes": changed}
    writer.respond(writer.event(_UT, UserTaskIntent.ASSIGNED, command.key, value, task["tenantId"]))


def complete(writer: Writer, command: Record) -> None:
    task = _task(writer, command, "complete")
    if task is None:
        return
    document = parse_document(command.value.get("variables"))
    if isinstance(document, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, document)
        return
    value = {
        **task,
        "variables": command.value.get("variables") or "{}",
        "action": str(command.value.get("action") or "complete"),
        "changedAttributes": [],
    }
    writer.respond(writer.event(_UT, UserTaskIntent.COMPLETED, command.key, value, task["tenantId"]))
    element_key = task["elementInstanceKey"]
    element = writer.state.elements.get(element_key)
    if element is None:
        return
    instance = element["v"]
    node = writer.state.processes.model(instance["processDefinitionKey"]).elements[instance["elementId"]]
    set_result(writer, element_key, bool(node.io.outputs), document)
    writer.follow_up(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.COMPLETE_ELEMENT, element_key, instance
    )


def update(writer: Writer, command: Record) -> None:
    task = _task(writer, command, "update")
    if task is None:
        return
    changeset = command.value.get("changeset") or {}
    problem = (
        _changeset_problem(changeset) if isinstance(changeset, dict) else "the changeset is not an object"
    )
    if problem:
        reason = f"Expected to update user task with key '{command.key}', but {problem}"
        writer.reject(command, RejectionType.INVALID_ARGUMENT, reason)
        return
    changes = {name: changeset[name] for name in _UPDATABLE if name in changeset}
    value = {
        **task,
        **changes,
        "action": str(command.value.get("action") or "update"),
        "changedAttributes": sorted(changes),
    }
    writer.respond(writer.event(_UT, UserTaskIntent.UPDATED, command.key, value, task["tenantId"]))


_UPDATABLE = ("candidateGroupsList", "candidateUsersList", "dueDate", "followUpDate", "priority")


def _changeset_problem(changeset: dict[str, Any]) -> str:
    for name, value in changeset.items():
        if name not in _UPDATABLE:
            return f"'{name}' cannot be updated (only {', '.join(_UPDATABLE)})"
        if name.endswith("List") and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            return f"'{name}' must be a list of strings, not {json.dumps(value)}"
        if name.endswith("Date") and not (isinstance(value, str) and (value == "" or valid_date(value))):
            return f"'{name}' must be an ISO 8601 date-time or empty, not {json.dumps(value)}"
        if name == "priority" and not (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100
        ):
            return f"'priority' must be an integer from 0 to 100, not {json.dumps(value)}"
    return ""


USER_TASK_PROCESSORS = {
    UserTaskIntent.ASSIGN: assign,
    UserTaskIntent.CLAIM: claim,
    UserTaskIntent.COMPLETE: complete,
    UserTaskIntent.UPDATE: update,
}
