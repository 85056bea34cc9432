"""Human tasks through the REST API: visibility, claims, form validation, approvals, comments, audit, and
bad input that changes nothing; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from rest_support import REPO, assert_problem, deploy, eventually, execute, run

from cadenza.api.rest.wiring import LocalApi
from cadenza.core.records import RecordType, ValueType

EXPENSE = [REPO / "bpmn" / "expense-approval.bpmn", REPO / "bpmn" / "expense-review.form"]
VALID = {"costCenter": "CC-1234", "approved": True, "category": "travel", "approvedAmount": 120}


async def _task_of(client: httpx.AsyncClient, instance: str) -> dict[str, Any]:
    async def find() -> dict[str, Any] | None:
        items = (await client.get(f"/v1/tasks?processInstanceKey={instance}")).json()["items"]
        return items[0] if items else None

    found: dict[str, Any] = await eventually(find, f"the task of instance {instance}")
    return found


def _user_task_commands(api: LocalApi, intent: str) -> int:
    records = api.engine.store.read_records(1)
    return sum(
        1
        for r in records
        if r.value_type is ValueType.USER_TASK and r.intent == intent and r.record_type is RecordType.EVENT
    )


def test_an_approver_sees_claims_and_approves_a_task_and_the_process_goes_on(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        alice, bob, demo = api.client("alice"), api.client("bob"), api.client("demo")
        await deploy(demo, *EXPENSE)
        instance = await execute(demo, "expense-approval", {"amount": 120, "requester": "carol"})
        task = await _task_of(alice, instance)
        assert task["name"] == "Approve expense" and task["candidateGroups"] == ["approvers"]
        assert task["approval"] is True and task["assignee"] is None and task["formKey"]
        assert (await bob.get(f"/v1/tasks?processInstanceKey={instance}")).json()["items"] == []
        assert_problem(await bob.get(f"/v1/tasks/{task['key']}"), 404, "no task")
        detail = (await alice.get(f"/v1/tasks/{task['key']}")).json()
        assert detail["variables"] == {"amount": 120, "requester": "carol"}
        assert [c["key"] for c in detail["form"]["components"] if "key" in c][-1] == "approved"
        claimed = await alice.post(f"/v1/tasks/{task['key']}/claim")
        assert claimed.status_code == 200 and claimed.json()["assignee"] == "alice"
        assert_problem(await demo.post(f"/v1/tasks/{task['key']}/claim"), 409, "claimed by 'alice'")
        assert_problem(
            await demo.post(f"/v1/tasks/{task['key']}/complete", json={"variables": VALID}), 409, "alice"
        )
        mine = (await alice.get("/v1/tasks?assignee=me")).json()["items"]
        assert [t["key"] for t in mine] == [task["key"]]
        decided = await alice.post(
            f"/v1/approvals/{task['key']}/decision",
            json={"decision": "approve", "comment": "fine", "variables": {"costCenter": "CC-1234"}},
        )
        assert decided.status_code == 200, decided.text
        assert_problem(
            await alice.post(f"/v1/approvals/{task['key']}/decision", json={"decision": "reject"}),
            409,
            "already",
        )
        execution = (await demo.get(f"/v1/executions/{instance}")).json()
        assert execution["state"] == "completed"
        assert execution["variables"]["approved"] is True and execution["variables"]["decidedBy"] == "alice"
        graph = (await demo.get(f"/v1/executions/{instance}/graph")).json()
        assert "to-approved" in graph["takenFlows"] and "to-rejected" not in graph["takenFlows"]
        done = (await alice.get(f"/v1/tasks/{task['key']}")).json()
        assert done["state"] == "completed" and [c["text"] for c in done["comments"]] == ["fine"]
        assert [h["action"] for h in done["history"]] == ["claim", "approve", "comment"]
        assert (
            done["history"][1]["actor"] == "alice" and done["history"][1]["changes"]["variables"]["approved"]
        )
        decided_list = (await alice.get("/v1/approvals?status=decided")).json()["items"]
        assert [t["key"] for t in decided_list] == [task["key"]]

    run(store_url, scenario)


def test_bad_task_input_gets_a_problem_and_changes_nothing(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        alice = api.client("alice")
        await deploy(alice, *EXPENSE)
        instance = await execute(alice, "expense-approval", {"amount": 5})
        task = await _task_of(alice, instance)
        await alice.post(f"/v1/tasks/{task['key']}/claim")
        completions = _user_task_commands(api, "COMPLETED")
        invalid = {
            "costCenter": "XX",
            "approved": "yes",
            "category": "food",
            "approvedAmount": -1,
            "note": "a",
        }
        problem = assert_problem(
            await alice.post(f"/v1/tasks/{task['key']}/complete", json={"variables": invalid}), 400, "5 field"
        )
        fields = {e["loc"][1]: e["msg"] for e in problem["errors"]}
        assert set(fields) == {"costCenter", "approved", "category", "approvedAmount", "note"}
        assert "pattern" in fields["costCenter"] and "at least 0" in fields["approvedAmount"]
        missing = await alice.post(
            f"/v1/tasks/{task['key']}/complete", json={"variables": {"approved": True}}
        )
        assert assert_problem(missing, 400, "1 field")["errors"][0]["loc"] == ["variables", "costCenter"]
        malformed = await alice.post(
            f"/v1/tasks/{task['key']}/complete",
            content=b'{"variables": {',
            headers={"content-type": "application/json"},
        )
        assert_problem(malformed, 400, "not valid JSON")
        huge = await alice.post(f"/v1/tasks/{task['key']}/comments", json={"text": "x" * 10_001})
        assert_problem(huge, 400, "text")
        assert_problem(await alice.post("/v1/tasks/999999/claim"), 404, "no task")
        assert_problem(await alice.post("/v1/tasks/not-a-key/claim"), 404, "no task")
        assert _user_task_commands(api, "COMPLETED") == completions
        detail = (await alice.get(f"/v1/tasks/{task['key']}")).json()
        assert detail["state"] == "created" and detail["assignee"] == "alice" and detail["comments"] == []
        assert [h["action"] for h in detail["history"]] == ["claim"]
        assert (await alice.get(f"/v1/executions/{instance}")).json()["state"] == "active"
        rejected = await alice.post(
            f"/v1/approvals/{task['key']}/decision",
            json={"decision": "reject", "comment": "no receipt", "variables": {"costCenter": "CC-0001"}},
        )
        assert rejected.status_code == 200, rejected.text
        graph = (await alice.get(f"/v1/executions/{instance}/graph")).json()
        assert "to-rejected" in graph["takenFlows"]

    run(store_url, scenario)


def test_unclaim_and_assign_follow_the_rules_for_managers(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        alice, bob, demo = api.client("alice"), api.client("bob"), api.client("demo")
        await deploy(demo, *EXPENSE)
        instance = await execute(demo, "expense-approval", {"amount": 5})
        task = await _task_of(alice, instance)
        await alice.post(f"/v1/tasks/{task['key']}/claim")
        assert_problem(await bob.post(f"/v1/tasks/{task['key']}/unclaim"), 404, "no task")
        assigned = await demo.post(f"/v1/tasks/{task['key']}/assign", json={"assignee": "bob"})
        assert assigned.status_code == 200 and assigned.json()["assignee"] == "bob"
        assert (await bob.get(f"/v1/tasks/{task['key']}")).json()["assignee"] == "bob"
        assert_problem(
            await alice.post(f"/v1/tasks/{task['key']}/assign", json={"assignee": "alice"}), 403, "managers"
        )
        unclaimed = await bob.post(f"/v1/tasks/{task['key']}/unclaim")
        assert unclaimed.status_code == 200 and unclaimed.json()["assignee"] is None
        unassigned = (await alice.get("/v1/tasks?unassigned=true&candidateGroup=approvers")).json()["items"]
        assert [t["key"] for t in unassigned] == [task["key"]]

    run(store_url, scenario)
