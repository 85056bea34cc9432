"""Multi-party review (n of m approvals through a multi-instance task) and SLA breaches escalated by the DMN
table; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from rest_support import REPO, deploy, eventually, execute, run
from sqlalchemy import select

from cadenza.api.rest.wiring import LocalApi
from cadenza.store.views_schema import sla_breaches

EXPENSE = [REPO / "bpmn" / "expense-approval.bpmn", REPO / "bpmn" / "expense-review.form"]


async def _open_tasks(client: httpx.AsyncClient, instance: str, count: int) -> list[dict[str, Any]]:
    async def find() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = (await client.get(f"/v1/tasks?processInstanceKey={instance}")).json()[
            "items"
        ]
        return items if len(items) == count else None

    found: list[dict[str, Any]] = await eventually(find, f"{count} open tasks of {instance}")
    return found


def test_two_of_three_approvals_complete_a_multi_party_review(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        demo, alice, bob = api.client("demo"), api.client("alice"), api.client("bob")
        await deploy(demo, REPO / "bpmn" / "multi-party-review.bpmn")
        instance = await execute(
            demo, "multi-party-review", {"reviewers": ["alice", "bob", "demo"], "quorum": 2}
        )
        [mine] = await _open_tasks(alice, instance, 1)  # each reviewer sees only the task assigned to them
        assert mine["assignee"] == "alice" and mine["approval"] is True
        pending = (await demo.get("/v1/approvals?status=pending")).json()["items"]
        assert [t["assignee"] for t in pending] == ["demo"]
        approve = {"decision": "approve", "comment": "ok"}
        assert (await alice.post(f"/v1/approvals/{mine['key']}/decision", json=approve)).status_code == 200
        assert (await demo.get(f"/v1/executions/{instance}")).json()["state"] == "active"
        [bobs] = await _open_tasks(bob, instance, 1)
        assert (await bob.post(f"/v1/approvals/{bobs['key']}/decision", json=approve)).status_code == 200
        execution = (await demo.get(f"/v1/executions/{instance}")).json()
        assert execution["state"] == "completed" and execution["variables"]["votes"][:2] == [True, True]
        graph = (await demo.get(f"/v1/executions/{instance}/graph")).json()
        assert "to-accepted" in graph["takenFlows"]
        canceled = (await demo.get(f"/v1/tasks?state=canceled&processInstanceKey={instance}")).json()["items"]
        assert [t["assignee"] for t in canceled] == ["demo"]

    run(store_url, scenario)


def test_an_overdue_task_is_escalated_once_as_the_decision_table_says(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        demo, bob = api.client("demo"), api.client("bob")
        await deploy(demo, *EXPENSE, REPO / "dmn" / "task-escalation.dmn")
        past = "2020-01-01T00:00:00Z"
        urgent = await execute(demo, "expense-approval", {"amount": 5000, "dueDate": past})
        routine = await execute(demo, "expense-approval", {"amount": 10, "dueDate": past})
        later = await execute(demo, "expense-approval", {"amount": 10, "dueDate": "2999-01-01T00:00:00Z"})
        for instance in (urgent, routine, later):
            await _open_tasks(demo, instance, 1)
        assert api.services.sla is not None
        assert await api.services.sla.check() == 2
        assert await api.services.sla.check() == 0  # a breach escalates once
        assert api.services.sla.breaches_total == 2
        [urgent_task] = await _open_tasks(bob, urgent, 1)
        assert urgent_task["assignee"] == "bob" and urgent_task["overdue"] is True
        [routine_task] = await _open_tasks(demo, routine, 1)
        assert routine_task["candidateGroups"] == ["approvers", "directors"]  # overdue for years: directors
        [later_task] = await _open_tasks(demo, later, 1)
        assert later_task["overdue"] is False and later_task["candidateGroups"] == ["approvers"]
        with api.services.views.begin() as conn:
            rows = conn.execute(select(sla_breaches.c.escalated_to).order_by(sla_breaches.c.task_key)).all()
        assert [r.escalated_to for r in rows] == ["bob", "directors"]
        history = (await bob.get(f"/v1/tasks/{urgent_task['key']}")).json()["history"]
        assert [(h["actor"], h["action"]) for h in history] == [("system:sla", "escalate")]
        metrics = await demo.get("/metrics")
        assert "cadenza_sla_breaches_total 2" in metrics.text

    run(store_url, scenario, sla_interval_seconds=3600)
