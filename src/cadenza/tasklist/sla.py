"""SLAs: a task past its due date is breached once: a breach row, a metric, and an escalation.

Who the task escalates to is a business rule, so it is a DMN decision (``task-escalation`` by default,
see dmn/task-escalation.dmn) evaluated by the engine with the task's facts; its outputs ``escalateTo`` (a
group or user) and ``mode`` (``candidateGroup``, ``candidateUser`` or ``assignee``) say how. Without the
decision deployed the task gets the ``managers`` group as a candidate. The model can escalate too (a
non-interrupting boundary timer on the task); this monitor covers every task with a due date.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from sqlalchemy import insert, select

from cadenza.core.records import RecordType, ValueType
from cadenza.store.views_schema import sla_breaches, tasks
from cadenza.tasklist.audit import audit
from cadenza.tasklist.service import MANAGERS_GROUP, TaskService

__all__ = ["DEFAULT_DECISION", "SlaMonitor"]

DEFAULT_DECISION = "task-escalation"
_log = logging.getLogger(__name__)


class SlaMonitor:
    def __init__(
        self, service: TaskService, *, decision_id: str = DEFAULT_DECISION, interval_seconds: float = 5.0
    ) -> None:
        self.service = service
        self.decision_id = decision_id
        self.interval_seconds = interval_seconds
        #: Breaches seen by this process (the metric); the durable count is the sla_breaches table.
        self.breaches_total = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # one bad task or a busy database must not stop the monitor
                _log.exception("SLA check failed; retrying")
            await asyncio.sleep(self.interval_seconds)

    async def check(self) -> int:
        """Escalates every open task whose due date passed and that has no breach yet; returns how many."""
        now = self.service.now_ms()
        breached = select(sla_breaches.c.task_key)
        query = select(tasks).where(
            tasks.c.state == "created", tasks.c.due_at < now, tasks.c.key.not_in(breached)
        )
        due = await self.service.views.rows(query.limit(100))
        for row in due:
            await self._escalate(row, now)
        return len(due)

    async def _escalate(self, row: Any, now: int) -> None:
        target, mode = await self._target(row, now)
        groups, users = json.loads(row.candidate_groups), json.loads(row.candidate_users)
        value: dict[str, Any]
        if mode == "assignee":
            intent, value = "ASSIGN", {"assignee": target, "action": "escalate"}
        else:
            changes = {"candidateGroupsList": sorted({*groups, target})} if mode == "candidateGroup" else {}
            changes = changes or {"candidateUsersList": sorted({*users, target})}
            intent, value = "UPDATE", {"changeset": changes, "action": "escalate"}
        response = await self.service.engine.submit(
            ValueType.USER_TASK, intent, value, key=row.key, tenant=row.tenant
        )
        if response.record_type is RecordType.COMMAND_REJECTION:  # completed meanwhile: nothing to escalate
            return

        def record() -> None:
            with self.service.views.begin() as conn:
                conn.execute(
                    insert(sla_breaches).values(
                        task_key=row.key,
                        tenant=row.tenant,
                        process_instance_key=row.process_instance_key,
                        due_at=row.due_at,
                        breached_at=now,
                        escalated_to=target,
                    )
                )
                audit(
                    conn,
                    row.tenant,
                    row.key,
                    now,
                    "system:sla",
                    "escalate",
                    {mode: target, "dueDate": row.due_date},
                )

        await self.service.views.run_write(record)
        self.breaches_total += 1
        await self.service.exporter.caught_up(response.position)

    async def _target(self, row: Any, now: int) -> tuple[str, str]:
        facts = {
            "bpmnProcessId": row.bpmn_process_id,
            "elementId": row.element_id,
            "priority": row.priority,
            "overdueMinutes": (now - row.due_at) // 60_000,
            "candidateGroups": json.loads(row.candidate_groups),
            "assignee": row.assignee,
        }
        value = {"decisionId": self.decision_id, "variables": json.dumps(facts), "tenantId": row.tenant}
        response = await self.service.engine.submit(
            ValueType.DECISION_EVALUATION, "EVALUATE", value, tenant=row.tenant
        )
        if response.record_type is not RecordType.EVENT or response.intent != "EVALUATED":
            return MANAGERS_GROUP, "candidateGroup"
        output = json.loads(response.value.get("decisionOutput") or "null")
        if isinstance(output, str):
            return output, "candidateGroup"
        if isinstance(output, dict) and isinstance(output.get("escalateTo"), str):
            mode = output.get("mode")
            return output["escalateTo"], mode if mode in ("candidateUser", "assignee") else "candidateGroup"
        return MANAGERS_GROUP, "candidateGroup"
