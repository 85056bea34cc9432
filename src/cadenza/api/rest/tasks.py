"""Tasks: the tasklist's list and detail (from the tasks view), and the actions of ``cadenza.tasklist``."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.problems import Problem
from cadenza.api.rest.deps import CurrentUser, Services, Svc, iso, parse_key
from cadenza.api.rest.pagination import MAX_LIMIT, decode_cursor, page
from cadenza.api.views import instance_view
from cadenza.identity import Principal
from cadenza.projections.handlers import due_millis
from cadenza.tasklist import TaskError, TaskFilter
from cadenza.tasklist.audit import audit_entries, audit_query, comments_query
from cadenza.tasklist.queries import task_page_query
from cadenza.tasklist.service import MAX_COMMENT_CHARS

__all__ = ["list_page", "router", "task_item", "task_problem"]

router = APIRouter(tags=["tasks"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(max_length=200)


class Complete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Any] = Field(default_factory=dict)


class NewComment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS)


def task_problem(error: TaskError) -> Problem:
    extra: dict[str, Any] = {"errors": [e.to_json() for e in error.errors]} if error.errors else {}
    return Problem(error.status, error.detail, kind=error.kind or None, **extra)


def task_item(row: Any, now_ms: int) -> dict[str, Any]:
    return {
        "key": str(row.key),
        "name": row.name,
        "elementId": row.element_id,
        "processInstanceKey": str(row.process_instance_key),
        "processDefinitionKey": str(row.process_definition_key),
        "bpmnProcessId": row.bpmn_process_id,
        "state": row.state,
        "assignee": row.assignee or None,
        "candidateGroups": json.loads(row.candidate_groups),
        "candidateUsers": json.loads(row.candidate_users),
        "priority": row.priority,
        "dueDate": row.due_date or None,
        "followUpDate": row.follow_up_date or None,
        "createdAt": iso(row.created_at),
        "completedAt": iso(row.completed_at),
        "overdue": row.state == "created" and row.due_at is not None and row.due_at < now_ms,
        "formKey": row.form_key or None,
        "approval": bool(row.approval),
        "tenantId": row.tenant,
    }


async def list_page(
    services: Services, user: Principal, wanted: TaskFilter, cursor: str | None, limit: int
) -> dict[str, Any]:
    after = decode_cursor(cursor, 2)
    rows = await services.views.rows(task_page_query(user, wanted, after, limit))
    now = services.tasklist.now_ms()
    return page([task_item(r, now) for r in rows], rows, limit, lambda r: [r.sort_value, r.key])


def _millis(text: str | None, name: str) -> int | None:
    if not text:
        return None
    found = due_millis(text)
    if found is None:
        raise Problem(400, f"{name} must be an ISO 8601 date-time, not '{text[:60]}'", kind="invalid-request")
    return found


@router.get("/v1/tasks")
async def list_tasks(
    services: Svc,
    user: CurrentUser,
    state: Literal["created", "completed", "canceled"] | None = "created",
    assignee: str | None = None,
    unassigned: bool = False,
    candidateGroup: str | None = None,
    candidateUser: str | None = None,
    processId: str | None = None,
    processInstanceKey: str | None = None,
    dueBefore: str | None = None,
    priorityMin: Annotated[int | None, Query(ge=0, le=100)] = None,
    sort: Literal["due", "created", "priority"] = "created",
    order: Literal["asc", "desc"] = "desc",
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    wanted = TaskFilter(
        state=state,
        assignee=assignee,
        unassigned=unassigned,
        candidate_group=candidateGroup,
        candidate_user=candidateUser,
        process_id=processId,
        process_instance_key=parse_key(processInstanceKey, "execution") if processInstanceKey else None,
        due_before=_millis(dueBefore, "dueBefore"),
        priority_min=priorityMin,
        sort=sort,
        order=order,
    )
    return await list_page(services, user, wanted, cursor, limit)


def _scope_variables(view: dict[str, Any], element_key: int) -> dict[str, Any]:
    """What the task sees: the root scope's variables, with its own element's local ones over them."""
    return {**view["variables"], **view["scopeVariables"].get(str(element_key), {})}


@router.get("/v1/tasks/{key}")
async def get_task(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    try:
        row = await services.tasklist.task(parse_key(key, "task"), user)
    except TaskError as error:
        raise task_problem(error) from None
    records = await services.engine.history(row.process_instance_key)
    view = instance_view(row.process_instance_key, records)
    notes = [_comment(c) for c in await services.views.rows(comments_query(row.key, None, MAX_LIMIT))]
    entries = audit_entries(await services.views.rows(audit_query(row.key)))
    trail = [{**entry, "at": iso(entry["at"])} for entry in entries]
    return {
        **task_item(row, services.tasklist.now_ms()),
        "form": await services.tasklist.form(row),
        "variables": _scope_variables(view, row.element_instance_key),
        "comments": notes,
        "history": trail,
    }


def _comment(row: Any) -> dict[str, Any]:
    return {"id": str(row.id), "author": row.author, "at": iso(row.at), "text": row.text}


async def _act(services: Services, action: Any) -> dict[str, Any]:
    try:
        row = await action
    except TaskError as error:
        raise task_problem(error) from None
    return task_item(row, services.tasklist.now_ms())


@router.post("/v1/tasks/{key}/claim")
async def claim(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    return await _act(services, services.tasklist.claim(parse_key(key, "task"), user))


@router.post("/v1/tasks/{key}/unclaim")
async def unclaim(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    return await _act(services, services.tasklist.unclaim(parse_key(key, "task"), user))


@router.post("/v1/tasks/{key}/assign")
async def assign(key: str, body: Assign, services: Svc, user: CurrentUser) -> dict[str, Any]:
    return await _act(services, services.tasklist.assign(parse_key(key, "task"), user, body.assignee))


@router.post("/v1/tasks/{key}/complete")
async def complete(
    key: str, services: Svc, user: CurrentUser, body: Complete | None = None
) -> dict[str, Any]:
    variables = body.variables if body else {}
    services.variables(variables)  # the size bound, before anything else
    return await _act(services, services.tasklist.complete(parse_key(key, "task"), user, variables))


@router.get("/v1/tasks/{key}/comments")
async def list_comments(
    key: str, services: Svc, user: CurrentUser, cursor: str | None = None, limit: Limit = 50
) -> dict[str, Any]:
    try:
        row = await services.tasklist.task(parse_key(key, "task"), user)
    except TaskError as error:
        raise task_problem(error) from None
    after = decode_cursor(cursor, 1)
    rows = await services.views.rows(comments_query(row.key, None if after is None else int(after[0]), limit))
    return page([_comment(r) for r in rows], rows, limit, lambda r: [r.id])


@router.post("/v1/tasks/{key}/comments")
async def add_comment(key: str, body: NewComment, services: Svc, user: CurrentUser) -> dict[str, Any]:
    try:
        made = await services.tasklist.comment(parse_key(key, "task"), user, body.text)
    except TaskError as error:
        raise task_problem(error) from None
    return {**made, "at": iso(made["at"])}
