"""Workflows (deploy as JSON or multipart, list, get, XML), execute with idempotency keys and correlation ids,
variables, decisions; on SQLite and PostgreSQL."""

from __future__ import annotations

from rest_support import FIXTURES, REPO, assert_problem, deploy, eventually, run

from cadenza.api.rest.wiring import LocalApi

FIXTURE = FIXTURES / "charge-and-wait.bpmn"


def test_deployed_workflows_are_listed_paged_and_readable(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        first = await deploy(client, FIXTURE)
        files = {
            "files": (FIXTURE.name, FIXTURE.read_text().replace("<bpmn:process ", "<bpmn:process name='v2' "))
        }
        second = await client.post("/v1/workflows", files=files)
        assert second.status_code == 200, second.text
        assert second.json()["processes"][0]["version"] == 2
        expense = await deploy(
            client, REPO / "bpmn" / "expense-approval.bpmn", REPO / "bpmn" / "expense-review.form"
        )
        assert expense["forms"][0]["formId"] == "expense-review"
        page = (await client.get("/v1/workflows?limit=2")).json()
        assert len(page["items"]) == 2 and page["nextCursor"]
        rest = (await client.get(f"/v1/workflows?limit=2&cursor={page['nextCursor']}")).json()
        assert rest["nextCursor"] is None
        keys = [w["key"] for w in page["items"] + rest["items"]]
        assert len(set(keys)) == 3 and keys == sorted(keys, key=int, reverse=True)
        latest = (await client.get("/v1/workflows?bpmnProcessId=charge-and-wait&latest=true")).json()["items"]
        assert [(w["version"], w["name"]) for w in latest] == [(2, "v2")]
        key = first["processes"][0]["key"]
        shown = (await client.get(f"/v1/workflows/{key}")).json()
        assert shown["version"] == 1 and "charge" in {e["elementId"] for e in shown["elements"]}
        xml = await client.get(f"/v1/workflows/{key}/xml")
        assert xml.headers["content-type"].startswith("application/xml") and xml.text == FIXTURE.read_text()
        assert_problem(await client.get("/v1/workflows?cursor=garbage"), 400, "cursor")
        broken = {"files": ("bad.bpmn", b"<bpmn:definitions xmlns:bpmn='x'><unclosed></bpmn:definitions>")}
        problem = assert_problem(await client.post("/v1/workflows", files=broken), 400, "problem")
        assert problem["errors"][0]["resource"] == "bad.bpmn"
        assert len((await client.get("/v1/workflows?limit=100")).json()["items"]) == 3

    run(store_url, scenario)


def test_an_idempotency_key_starts_one_instance_and_refuses_a_different_body(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        await deploy(client, FIXTURE)
        body = {"variables": {"orderId": "i-1"}, "correlationId": "req-77", "businessKey": "order-i-1"}
        headers = {"Idempotency-Key": "k-1"}
        first = await client.post("/v1/workflows/charge-and-wait/execute", json=body, headers=headers)
        again = await client.post("/v1/workflows/charge-and-wait/execute", json=body, headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
        other = await client.post(
            "/v1/workflows/charge-and-wait/execute", json={"variables": {"orderId": "i-2"}}, headers=headers
        )
        assert_problem(other, 409, "different request body")
        listed = (await client.get("/v1/executions?correlationId=req-77")).json()["items"]
        assert [e["key"] for e in listed] == [first.json()["key"]]
        assert listed[0]["businessKey"] == "order-i-1"
        assert len((await client.get("/v1/executions")).json()["items"]) == 1
        shown = (await client.get(f"/v1/executions/{first.json()['key']}")).json()
        assert shown["correlationId"] == "req-77" and shown["businessKey"] == "order-i-1"

    run(store_url, scenario)


def test_variables_are_read_and_patched_and_decisions_evaluate(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        await deploy(client, FIXTURE, REPO / "dmn" / "task-escalation.dmn")
        started = await client.post(
            "/v1/workflows/charge-and-wait/execute", json={"variables": {"orderId": "v"}}
        )
        key = started.json()["key"]
        patched = await client.patch(f"/v1/executions/{key}/variables", json={"variables": {"note": "rush"}})
        assert patched.json() == {"variables": {"orderId": "v", "note": "rush"}}
        assert (await client.get(f"/v1/executions/{key}/variables")).json()["variables"]["note"] == "rush"
        assert_problem(
            await client.patch(f"/v1/executions/{key}/variables", json={"variables": [1]}), 400, "variables"
        )
        evaluated = await client.post(
            "/v1/decisions/task-escalation/evaluate",
            json={"variables": {"priority": 90, "overdueMinutes": 3}},
        )
        assert evaluated.status_code == 200, evaluated.text
        assert evaluated.json()["output"] == {"escalateTo": "bob", "mode": "assignee"}
        assert evaluated.json()["evaluatedDecisions"][0]["decisionId"] == "task-escalation"
        unknown = await client.post("/v1/decisions/nope/evaluate", json={"variables": {}})
        assert_problem(unknown, 404, "nope")
        listed = await eventually(
            lambda: _items(client, "/v1/executions?state=active&bpmnProcessId=charge-and-wait"),
            "the execution",
        )
        assert listed[0]["key"] == key

    run(store_url, scenario)


async def _items(client: object, path: str) -> list[dict[str, object]]:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    items: list[dict[str, object]] = (await client.get(path)).json()["items"]
    return items
