"""Executions, jobs, messages and incidents through the REST API, on a real embedded engine, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
from rest_support import FIXTURES, assert_problem, deploy, eventually, execute, run

from cadenza.api.rest.wiring import LocalApi

FIXTURE = FIXTURES / "charge-and-wait.bpmn"


async def _deploy_and_start(client: httpx.AsyncClient, variables: dict[str, Any]) -> str:
    deployed = await deploy(client, FIXTURE)
    assert deployed["processes"][0]["bpmnProcessId"] == "charge-and-wait"
    return await execute(client, "charge-and-wait", variables)


async def _activate(client: httpx.AsyncClient, job_type: str = "charge") -> list[dict[str, Any]]:
    response = await client.post(
        "/v1/jobs/activate", json={"type": job_type, "maxJobs": 5, "timeout": 60_000}
    )
    assert response.status_code == 200, response.text
    jobs: list[dict[str, Any]] = response.json()["jobs"]
    return jobs


def test_an_instance_runs_to_its_end_and_shows_its_history(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        assert (await client.get("/health")).json()["status"] == "UP"
        key = await _deploy_and_start(client, {"orderId": "o-1", "amount": 12.5})
        view = (await client.get(f"/v1/executions/{key}")).json()
        assert view["state"] == "active"
        assert [(e["elementId"], e["state"]) for e in view["activeElements"]] == [
            ("charge", "ELEMENT_ACTIVATED")
        ]
        assert view["variables"] == {"orderId": "o-1", "amount": 12.5}
        assert view["bpmnProcessId"] == "charge-and-wait" and view["startedAt"].endswith("Z")
        [job] = await _activate(client)
        assert (
            job["variables"] == {"orderId": "o-1", "amount": 12.5} and str(job["processInstanceKey"]) == key
        )
        done = await client.post(f"/v1/jobs/{job['key']}/complete", json={"variables": {"charged": True}})
        assert done.status_code == 200, done.text
        published = await client.post("/v1/messages", json={"name": "paid", "correlationKey": "o-1"})
        assert published.status_code == 200 and published.json()["messageKey"] > 0
        view = (await client.get(f"/v1/executions/{key}")).json()
        assert view["state"] == "completed" and view["activeElements"] == [] and view["endedAt"]
        assert view["variables"]["charged"] is True
        first = (await client.get(f"/v1/executions/{key}/history?limit=5")).json()
        assert len(first["items"]) == 5 and first["nextCursor"]
        rest = (
            await client.get(f"/v1/executions/{key}/history?limit=500&cursor={first['nextCursor']}")
        ).json()
        history = first["items"] + rest["items"]
        assert [h["position"] for h in history] == sorted({h["position"] for h in history})
        intents = [(h["valueType"], h["intent"]) for h in history]
        assert intents.count(("JOB", "COMPLETED")) == 1
        assert intents[-1] == ("PROCESS_INSTANCE", "ELEMENT_COMPLETED")
        graph = (await client.get(f"/v1/executions/{key}/graph")).json()
        charge = next(e for e in graph["elements"] if e["elementId"] == "charge")
        assert charge["state"] == "completed" and charge["count"] == 1 and charge["durationMs"] >= 0
        assert {e["state"] for e in graph["elements"]} == {"completed"} and graph["takenFlows"]
        listed = await eventually(
            lambda: _listed(client, "?state=completed&bpmnProcessId=charge-and-wait"),
            "the completed execution",
        )
        assert [item["key"] for item in listed] == [key]

    run(store_url, scenario)


def test_with_result_answers_once_the_instance_completes(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        await _deploy_and_start(client, {"orderId": "warm-up"})
        body = {"variables": {"orderId": "o-2"}, "withResult": True}
        waiting = asyncio.create_task(client.post("/v1/workflows/charge-and-wait/execute", json=body))
        jobs: list[dict[str, Any]] = []
        while len(jobs) < 2:
            jobs += await _activate(client)
        for job in jobs:
            await client.post(f"/v1/jobs/{job['key']}/complete", json={"variables": {"n": 1}})
        await client.post("/v1/messages", json={"name": "paid", "correlationKey": "o-2"})
        answer = await asyncio.wait_for(waiting, 5)
        assert answer.status_code == 200, answer.text
        assert answer.json()["variables"] == {"orderId": "o-2", "n": 1}

    run(store_url, scenario)


def test_a_failed_job_without_retries_shows_an_incident_that_needs_retries(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        key = await _deploy_and_start(client, {"orderId": "o-3"})
        [job] = await _activate(client)
        failed = await client.post(
            f"/v1/jobs/{job['key']}/fail", json={"retries": 0, "errorMessage": "card declined"}
        )
        assert failed.status_code == 200, failed.text
        view = (await client.get(f"/v1/executions/{key}")).json()
        [incident] = view["incidents"]
        assert view["state"] == "incident"
        assert incident["errorMessage"] == "card declined" and incident["elementId"] == "charge"
        graph = (await client.get(f"/v1/executions/{key}/graph")).json()
        assert next(e for e in graph["elements"] if e["elementId"] == "charge")["state"] == "incident"
        listed = await client.get("/v1/incidents?state=active")
        assert [i["key"] for i in listed.json()["items"]] == [incident["key"]]
        assert (await client.get("/v1/executions?state=incident")).json()["items"][0]["key"] == key
        resolved = await client.post(f"/v1/incidents/{incident['key']}/resolve")
        problem = assert_problem(resolved, 409, "has no retries left")
        assert problem["rejectionType"] == "INVALID_STATE"
        retried = await client.post(f"/v1/incidents/{incident['key']}/retry", json={"retries": 2})
        assert retried.status_code == 200, retried.text
        assert (await client.get(f"/v1/executions/{key}")).json()["state"] == "active"
        [again] = await _activate(client)
        assert again["retries"] == 2
        assert (await client.get("/v1/incidents?state=active")).json()["items"] == []

    run(store_url, scenario)


def test_a_cancelled_instance_is_terminated_and_cannot_be_cancelled_again(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        key = await _deploy_and_start(client, {"orderId": "o-4"})
        assert (await client.post(f"/v1/executions/{key}/cancel")).status_code == 200
        assert (await client.get(f"/v1/executions/{key}")).json()["state"] == "canceled"
        again = await client.post(f"/v1/executions/{key}/cancel")
        assert_problem(again, 404, "no such process was found")

    run(store_url, scenario)


def test_start_instructions_start_the_execution_before_the_given_element(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        await deploy(client, FIXTURE)
        body = {"variables": {"orderId": "o-9"}, "startInstructions": [{"elementId": "paid"}]}
        started = await client.post("/v1/workflows/charge-and-wait/execute", json=body)
        assert started.status_code == 200, started.text
        key = started.json()["key"]
        view = (await client.get(f"/v1/executions/{key}")).json()
        assert [e["elementId"] for e in view["activeElements"]] == ["paid"]  # charge was skipped
        assert await _activate(client) == []
        flow = {"startInstructions": [{"elementId": "f1"}]}
        refused = await client.post("/v1/workflows/charge-and-wait/execute", json=flow)
        assert_problem(
            refused, 400, "the element with id 'f1' targets unsupported element type 'SEQUENCE_FLOW'"
        )

    run(store_url, scenario)


def test_bad_requests_get_problem_documents(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        headers = {"content-type": "application/json"}
        malformed = await client.post("/v1/workflows/x/execute", content=b'{"variables": ', headers=headers)
        assert_problem(malformed, 400, "not valid JSON")
        not_object = await client.post("/v1/workflows/x/execute", json={"variables": [1, 2]})
        assert_problem(not_object, 400, "variables must be a JSON object, but was an array")
        misspelt = await client.post("/v1/workflows/x/execute", json={"variabels": {}})
        assert assert_problem(misspelt, 400, "variabels")["errors"][0]["loc"] == ["body", "variabels"]
        assert_problem(await client.get("/v1/executions/12345"), 404, "no execution")
        assert_problem(await client.get("/v1/executions/abc"), 404, "no execution")
        unknown_job = await client.post("/v1/jobs/777/complete", json={"variables": {}})
        assert assert_problem(unknown_job, 404, "no such job")["rejectionType"] == "NOT_FOUND"
        assert_problem(await client.post("/v1/incidents/777/resolve"), 404, "no incident")
        unknown_process = await client.post("/v1/workflows/nope/execute", json={})
        assert_problem(unknown_process, 404, "'nope'")
        bad_model = {"resources": [{"name": "x.bpmn", "content": "<not-bpmn"}]}
        problem = assert_problem(await client.post("/v1/workflows", json=bad_model), 400, "problem")
        assert problem["errors"][0]["resource"] == "x.bpmn" and problem["errors"][0]["line"] == 1
        assert (await client.get("/v1/workflows")).json()["items"] == []

    run(store_url, scenario)


def test_variables_over_the_limit_are_refused_and_change_nothing(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client, engine = api.client(), api.engine
        key = await _deploy_and_start(client, {"orderId": "o-5"})
        [job] = await _activate(client)
        before = engine.store.read_records(1)
        big = {"blob": "x" * 2_000}
        started = await client.post("/v1/workflows/charge-and-wait/execute", json={"variables": big})
        problem = assert_problem(started, 413, "over the limit of 1,024 bytes")
        assert problem["limit"] == 1024 and problem["size"] > 2_000
        completed = await client.post(f"/v1/jobs/{job['key']}/complete", json={"variables": big})
        assert_problem(completed, 413, "nothing was changed")
        assert engine.store.read_records(1) == before
        view = (await client.get(f"/v1/executions/{key}")).json()
        assert [e["elementId"] for e in view["activeElements"]] == ["charge"]

    run(store_url, scenario, max_variables_bytes=1024)


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client, engine = api.client(), api.engine
        before = engine.store.read_records(1)
        huge = b'{"variables": {"x": "' + b"x" * 200_000 + b'"}}'
        declared = await client.post(
            "/v1/jobs/1/complete", content=huge, headers={"content-type": "application/json"}
        )
        problem = assert_problem(declared, 413, "over this path's limit of 66,560 bytes")
        assert problem["limit"] == 1024 + 64 * 1024

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(huge), 10_000):
                yield huge[start : start + 10_000]

        chunked = await client.post(
            "/v1/jobs/1/complete", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(chunked, 413, "over this path's limit")
        assert engine.store.read_records(1) == before  # neither reached the engine
        json_type = {"content-type": "application/json"}
        small = await client.post(
            "/v1/jobs/1/complete", content=_chunked(b'{"variables": {}}'), headers=json_type
        )
        assert_problem(small, 404, "no such job")  # a small chunked body is read whole and replayed

    run(store_url, scenario, max_variables_bytes=1024)


async def _chunked(body: bytes) -> AsyncIterator[bytes]:
    yield body[:5]
    yield body[5:]


async def _listed(client: httpx.AsyncClient, query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get(f"/v1/executions{query}")).json()["items"]
    return items
