"""The durable side tables of tasks: the audit trail (who, when, what, which fields changed) and comments."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Select, insert, select

from cadenza.store.views_schema import task_audit, task_comments

__all__ = ["add_comment", "audit", "audit_entries", "audit_query", "comments_query"]


def audit(
    conn: Connection, tenant: str, task_key: int, at: int, actor: str, action: str, changes: dict[str, Any]
) -> None:
    conn.execute(
        insert(task_audit).values(
            tenant=tenant, task_key=task_key, at=at, actor=actor, action=action, changes=json.dumps(changes)
        )
    )


def audit_query(task_key: int) -> Select[Any]:
    return select(task_audit).where(task_audit.c.task_key == task_key).order_by(task_audit.c.id)


def audit_entries(rows: list[Any]) -> list[dict[str, Any]]:
    """The rows of ``audit_query`` as the API shows them."""
    return [
        {"at": r.at, "actor": r.actor, "action": r.action, "changes": json.loads(r.changes)} for r in rows
    ]


def add_comment(
    conn: Connection, tenant: str, task_key: int, author: str, at: int, text: str
) -> dict[str, Any]:
    result = conn.execute(
        insert(task_comments)
        .values(tenant=tenant, task_key=task_key, author=author, at=at, text=text)
        .returning(task_comments.c.id)
    )
    return {"id": str(result.scalar_one()), "author": author, "at": at, "text": text}


def comments_query(task_key: int, after: int | None, limit: int) -> Select[Any]:
    query = select(task_comments).where(task_comments.c.task_key == task_key)
    if after is not None:
        query = query.where(task_comments.c.id > after)
    return query.order_by(task_comments.c.id).limit(limit + 1)
