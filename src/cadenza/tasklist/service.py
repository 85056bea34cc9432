"""TaskService: claim, unclaim, assign, complete, comment and decide, each checked against the task's state in
the tasks view, then one USER_TASK command through the Engine port, then an audit entry.

The engine has the last word (a claim racing another claim is rejected by the core); the view only lets the
service refuse early with a precise reason and answer without touching the engine. Every action waits
until the view shows its own events, so the answer and the next read agree.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.engine_adapters.port import EnginePort
from cadenza.identity import Principal
from cadenza.store.views_schema import tasks, workflow_forms
from cadenza.tasklist.audit import add_comment, audit
from cadenza.tasklist.forms import FieldError, validate_variables
from cadenza.tasklist.queries import task_query

if TYPE_CHECKING:  # the projections import this package's forms; at run time the service only calls them
    from cadenza.projections import ViewDb, ViewExporter

__all__ = ["MANAGERS_GROUP", "MAX_COMMENT_CHARS", "TaskError", "TaskService"]

MAX_COMMENT_CHARS = 10_000
#: Members may unclaim and reassign tasks that others hold.
MANAGERS_GROUP = "managers"
_STATUS = {RejectionType.NOT_FOUND: 404, RejectionType.INVALID_ARGUMENT: 400}


class TaskError(Exception):
    """A refused task action: HTTP-like status, a reason, per-field errors for form validation."""

    def __init__(self, status: int, detail: str, *, kind: str = "", errors: list[FieldError] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors or []


class TaskService:
    def __init__(
        self,
        engine: EnginePort,
        views: ViewDb,
        exporter: ViewExporter,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.views = views
        self.exporter = exporter
        self.clock = clock
        # Deployed forms never change (a new deployment gets a new key), so each is read and parsed once.
        self._forms: dict[int, Any] = {}

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # -------------------------------------------------------------------------------------------- reads

    async def task(self, key: int, user: Principal) -> Any:
        row = await self.views.first(task_query(key, user))
        if row is None:
            raise TaskError(404, f"no task with key '{key}' was found", kind="not-found")
        return row

    async def _fresh(self, row: Any) -> Any:
        """The row after an action: the actor may no longer see it (an unclaim hands it to others)."""
        return await self.views.first(select(tasks).where(tasks.c.key == row.key))

    async def open_task(self, key: int, user: Principal) -> Any:
        row = await self.task(key, user)
        if row.state != "created":
            raise TaskError(
                409, f"task '{key}' is {row.state}; it cannot change any more", kind="task-closed"
            )
        return row

    async def form(self, row: Any) -> Any:
        """The task's form (parsed JSON), or None. Callers must not change what it returns (it is shared)."""
        if not row.form_key:
            return None
        key = int(row.form_key)
        if key in self._forms:
            return self._forms[key]
        text = await self.views.scalar(select(workflow_forms.c.resource).where(workflow_forms.c.key == key))
        if text is None:  # not exported yet, or never deployed: ask again next time
            return None
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if len(self._forms) >= 1000:  # bounded: forms are few, but a long-lived server deploys many
            self._forms.clear()
        self._forms[key] = parsed
        return parsed

    # ------------------------------------------------------------------------------------------ actions

    async def claim(self, key: int, user: Principal) -> Any:
        row = await self.open_task(key, user)
        if row.assignee and row.assignee != user.username:
            raise TaskError(409, f"task '{key}' is claimed by '{row.assignee}'", kind="already-claimed")
        if row.assignee != user.username:
            await self._command(row, "CLAIM", {"assignee": user.username, "action": "claim"})
            await self._audit(row, user, "claim", {"assignee": [row.assignee or None, user.username]})
        return await self._fresh(row)

    async def unclaim(self, key: int, user: Principal) -> Any:
        row = await self.open_task(key, user)
        if row.assignee and row.assignee != user.username and MANAGERS_GROUP not in user.groups:
            raise TaskError(
                403, f"task '{key}' is claimed by '{row.assignee}'; only they or a manager may unclaim it"
            )
        if row.assignee:
            await self._command(row, "ASSIGN", {"assignee": "", "action": "unassign"})
            await self._audit(row, user, "unclaim", {"assignee": [row.assignee, None]})
        return await self._fresh(row)

    async def assign(self, key: int, user: Principal, assignee: str) -> Any:
        row = await self.open_task(key, user)
        mine = assignee in ("", user.username) and row.assignee in ("", user.username)
        if not mine and MANAGERS_GROUP not in user.groups:
            raise TaskError(
                403, f"only members of '{MANAGERS_GROUP}' may assign tasks to others", kind="forbidden"
            )
        if assignee != row.assignee:
            await self._command(row, "ASSIGN", {"assignee": assignee, "action": "assign"})
            await self._audit(row, user, "assign", {"assignee": [row.assignee or None, assignee or None]})
        return await self._fresh(row)

    async def complete(
        self, key: int, user: Principal, variables: dict[str, Any], action: str = "complete"
    ) -> Any:
        row = await self.open_task(key, user)
        if row.assignee and row.assignee != user.username:
            raise TaskError(409, f"task '{key}' is claimed by '{row.assignee}'; only they may complete it")
        errors = validate_variables(await self.form(row), variables)
        if errors:
            raise TaskError(
                400, f"{len(errors)} field(s) of the form are not valid", kind="invalid-form", errors=errors
            )
        if not row.assignee:
            await self._command(row, "CLAIM", {"assignee": user.username, "action": "claim"})
            await self._audit(row, user, "claim", {"assignee": [None, user.username]})
        document = json.dumps(variables, separators=(",", ":"))
        await self._command(row, "COMPLETE", {"variables": document, "action": action})
        await self._audit(row, user, action, {"state": ["created", "completed"], "variables": variables})
        return await self._fresh(row)

    async def decide(
        self, key: int, user: Principal, approve: bool, comment: str, variables: dict[str, Any]
    ) -> Any:
        row = await self.task(key, user)
        if not row.approval:
            raise TaskError(400, f"task '{key}' is not an approval", kind="not-an-approval")
        if row.state != "created":
            raise TaskError(409, f"task '{key}' was already decided ({row.state})", kind="already-decided")
        decided = {**variables, "approved": approve, "decisionComment": comment, "decidedBy": user.username}
        if len(comment) > MAX_COMMENT_CHARS:
            raise TaskError(
                400, f"a comment has at most {MAX_COMMENT_CHARS:,} characters, not {len(comment):,}"
            )
        done = await self.complete(key, user, decided, action="approve" if approve else "reject")
        if comment.strip():  # only once the decision stands: a refused decision leaves no comment behind
            await self.comment(key, user, comment)
        return done

    async def comment(self, key: int, user: Principal, text: str) -> dict[str, Any]:
        row = await self.task(key, user)
        if not text.strip() or len(text) > MAX_COMMENT_CHARS:
            raise TaskError(400, f"a comment has 1 to {MAX_COMMENT_CHARS:,} characters, not {len(text):,}")
        made: dict[str, Any] = await self.views.run_write(self._write_comment, row, user.username, text)
        return made

    def _write_comment(self, row: Any, author: str, text: str) -> dict[str, Any]:
        with self.views.begin() as conn:
            made = add_comment(conn, row.tenant, row.key, author, self.now_ms(), text)
            audit(conn, row.tenant, row.key, made["at"], author, "comment", {"comment": made["id"]})
        return made

    # ------------------------------------------------------------------------------------------ helpers

    async def _command(self, row: Any, intent: str, value: dict[str, Any]) -> Record:
        response = await self.engine.submit(
            ValueType.USER_TASK, intent, value, key=row.key, tenant=row.tenant
        )
        if response.record_type is RecordType.COMMAND_REJECTION:
            status = _STATUS.get(response.rejection_type, 409)
            raise TaskError(status, response.rejection_reason, kind=str(response.rejection_type).lower())
        await self.exporter.caught_up(response.position)
        return response

    async def _audit(self, row: Any, user: Principal, action: str, changes: dict[str, Any]) -> None:
        await self.views.run_write(self._write_audit, row, user.username, action, changes)

    def _write_audit(self, row: Any, actor: str, action: str, changes: dict[str, Any]) -> None:
        with self.views.begin() as conn:
            audit(conn, row.tenant, row.key, self.now_ms(), actor, action, changes)
