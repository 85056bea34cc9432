"""Reading the tasks view: visibility, filters, sorting and cursors, as SQL both databases run alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select

from cadenza.identity import Principal
from cadenza.store.views_schema import tasks

__all__ = ["TaskFilter", "task_page_query", "task_query", "visible_to"]

Sort = Literal["due", "created", "priority"]
_NO_DUE = 2**62  # sorts tasks without a due date after every real one


@dataclass(frozen=True, slots=True)
class TaskFilter:
    state: str | None = "created"
    assignee: str | None = None
    unassigned: bool = False
    candidate_group: str | None = None
    candidate_user: str | None = None
    process_id: str | None = None
    process_instance_key: int | None = None
    due_before: int | None = None
    priority_min: int | None = None
    approval: bool | None = None
    sort: Sort = "created"
    order: Literal["asc", "desc"] = "desc"


def _listed(column: Any, name: str) -> ColumnElement[bool]:
    """A JSON list column holds ``name``: matched as its quoted JSON form, LIKE wildcards escaped."""
    condition: ColumnElement[bool] = column.contains(json.dumps(name), autoescape=True)
    return condition


def visible_to(user: Principal) -> ColumnElement[bool]:
    """Assigned to the user, a candidate (by name or group), or open to all (no assignee, no candidates)."""
    return and_(
        tasks.c.tenant.in_(user.tenants),
        or_(
            tasks.c.assignee == user.username,
            _listed(tasks.c.candidate_users, user.username),
            *[_listed(tasks.c.candidate_groups, group) for group in user.groups],
            and_(tasks.c.assignee == "", tasks.c.candidate_users == "[]", tasks.c.candidate_groups == "[]"),
        ),
    )


def _sort_column(sort: Sort) -> Any:
    if sort == "due":
        return func.coalesce(tasks.c.due_at, literal(_NO_DUE))
    return tasks.c.created_at if sort == "created" else tasks.c.priority


def _filtered(query: Select[Any], wanted: TaskFilter, user: Principal) -> Select[Any]:
    conditions = []
    if wanted.state:
        conditions.append(tasks.c.state == wanted.state)
    if wanted.assignee:
        conditions.append(tasks.c.assignee == (user.username if wanted.assignee == "me" else wanted.assignee))
    if wanted.unassigned:
        conditions.append(tasks.c.assignee == "")
    if wanted.candidate_group:
        conditions.append(_listed(tasks.c.candidate_groups, wanted.candidate_group))
    if wanted.candidate_user:
        conditions.append(_listed(tasks.c.candidate_users, wanted.candidate_user))
    if wanted.process_id:
        conditions.append(tasks.c.bpmn_process_id == wanted.process_id)
    if wanted.process_instance_key is not None:
        conditions.append(tasks.c.process_instance_key == wanted.process_instance_key)
    if wanted.due_before is not None:
        conditions.append(tasks.c.due_at < wanted.due_before)
    if wanted.priority_min is not None:
        conditions.append(tasks.c.priority >= wanted.priority_min)
    if wanted.approval is not None:
        conditions.append(tasks.c.approval == int(wanted.approval))
    return query.where(*conditions)


def task_page_query(user: Principal, wanted: TaskFilter, after: list[Any] | None, limit: int) -> Select[Any]:
    """One page (limit + 1 rows: the caller sees whether more follow) after the cursor ``[value, key]``."""
    column = _sort_column(wanted.sort)
    query = _filtered(select(tasks, column.label("sort_value")).where(visible_to(user)), wanted, user)
    if after is not None:
        value, key = int(after[0]), int(after[1])
        if wanted.order == "asc":
            query = query.where(or_(column > value, and_(column == value, tasks.c.key > key)))
        else:
            query = query.where(or_(column < value, and_(column == value, tasks.c.key < key)))
    if wanted.order == "asc":
        query = query.order_by(column.asc(), tasks.c.key.asc())
    else:
        query = query.order_by(column.desc(), tasks.c.key.desc())
    return query.limit(limit + 1)


def task_query(key: int, user: Principal) -> Select[Any]:
    """The task if the user may see it; no row otherwise (another tenant's task looks like no task)."""
    return select(tasks).where(tasks.c.key == key, visible_to(user))
