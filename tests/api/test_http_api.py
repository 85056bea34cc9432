"""The HTTP API against a real embedded engine on SQLite, through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from cadenza.api import create_app
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "charge-and-wait.bpmn"
Scenario = Callable[[httpx.AsyncClient, EmbeddedEngine], Awaitable[None]]


@asynccontextmanager
async def _api(tmp_path: Path, limit: int) -> AsyncIterator[tuple[httpx.AsyncClient, EmbeddedEngine]]:
    engine = EmbeddedEngine(open_store(tmp_path / "cadenza.db"), tick_seconds=0.01)
    await engine.start()
    app = create_app(engine, max_variables_bytes=limit)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cadenza") as client:
            yield client, engine
    finally:
        await engine.stop()


def run(tmp_path: Path, scenario: Scenario, *, limit: int = 4 * 1024 * 1024) -> None:
    async def main() -> None:
        async with _api(tmp_path, limit) as (client, engine):
            await scenario(client, engine)

    asyncio.run(main())


async def _deploy_and_start(client: httpx.AsyncClient, variables: dict[str, Any]) -> int:
    deployed = await client.post(
        "/v1/deployments", json={"resources": [{"name": FIXTURE.name, "content": FIXTURE.read_text()}]}
    )
    assert deployed.status_code == 200, deployed.text
    assert deployed.json()["processes"][0]["bpmnProcessId"] == "charge-and-wait"
    started = await client.post(
        "/v1/process-instances", json={"bpmnProcessId": "charge-and-wait", "variables": variables}
    )
    assert started.status_code == 200, started.text
    key: int = started.json()["processInstanceKey"]
    return key


async def _activate(client: httpx.AsyncClient, job_type: str = "charge") -> list[dict[str, Any]]:
    response = await client.post(
        "/v1/jobs/activate", json={"type": job_type, "maxJobs": 5, "timeout": 60_000}
    )
    assert response.status_code == 200, response.text
    jobs: list[dict[str, Any]] = response.json()["jobs"]
    return jobs


def _assert_problem(response: httpx.Response, status: int, detail_part: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert set(problem) >= {"type", "title", "status", "detail"}
    assert problem["status"] == status
    assert detail_part in problem["detail"], problem["detail"]
    return problem


def test_an_instance_runs_to_its_end_and_shows_its_history(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _engine: EmbeddedEngine) -> None:
        assert (await client.get("/health")).json()["status"] == "UP"
        key = await _deploy_and_start(client, {"orderId": "o-1", "amount": 12.5})
        view = (await client.get(f"/v1/process-instances/{key}")).json()
        assert view["state"] == "active"
        assert [(e["elementId"], e["state"]) for e in view["activeElements"]] == [
            ("charge", "ELEMENT_ACTIVATED")
        ]
        assert view["variables"] == {"root": {"orderId": "o-1", "amount": 12.5}}
        [job] = await _activate(client)
        assert job["variables"] == {"orderId": "o-1", "amount": 12.5} and job["processInstanceKey"] == key
        done = await client.post(f"/v1/jobs/{job['key']}/complete", json={"variables": {"charged": True}})
        assert done.status_code == 200, done.text
        published = await client.post("/v1/messages", json={"name": "paid", "correlationKey": "o-1"})
        assert published.status_code == 200 and published.json()["messageKey"] > 0
        view = (await client.get(f"/v1/process-instances/{key}")).json()
        assert view["state"] == "completed" and view["activeElements"] == []
        assert view["variables"]["root"]["charged"] is True
        intents = [(h["valueType"], h["intent"]) for h in view["history"]]
        assert intents.count(("JOB", "COMPLETED")) == 1
        assert intents[-1] == ("PROCESS_INSTANCE", "ELEMENT_COMPLETED")

    run(tmp_path, scenario)


def test_with_result_answers_once_the_instance_completes(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _engine: EmbeddedEngine) -> None:
        await _deploy_and_start(client, {"orderId": "warm-up"})
        body = {"bpmnProcessId": "charge-and-wait", "variables": {"orderId": "o-2"}, "withResult": True}
        waiting = asyncio.create_task(client.post("/v1/process-instances", json=body))
        jobs: list[dict[str, Any]] = []
        while len(jobs) < 2:
            jobs += await _activate(client)
        for job in jobs:
            await client.post(f"/v1/jobs/{job['key']}/complete", json={"variables": {"n": 1}})
        await client.post("/v1/messages", json={"name": "paid", "correlationKey": "o-2"})
        answer = await asyncio.wait_for(waiting, 5)
        assert answer.status_code == 200, answer.text
        assert answer.json()["variables"] == {"orderId": "o-2", "n": 1}

    run(tmp_path, scenario)


def test_a_failed_job_without_retries_shows_an_incident_that_needs_retries(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _engine: EmbeddedEngine) -> None:
        key = await _deploy_and_start(client, {"orderId": "o-3"})
        [job] = await _activate(client)
        failed = await client.post(
            f"/v1/jobs/{job['key']}/fail", json={"retries": 0, "errorMessage": "card declined"}
        )
        assert failed.status_code == 200, failed.text
        [incident] = (await client.get(f"/v1/process-instances/{key}")).json()["incidents"]
        assert incident["errorMessage"] == "card declined" and incident["elementId"] == "charge"
        resolved = await client.post(f"/v1/incidents/{incident['key']}/resolve")
        problem = _assert_problem(resolved, 409, "has no retries left")
        assert problem["rejectionType"] == "INVALID_STATE"

    run(tmp_path, scenario)


def test_a_cancelled_instance_is_terminated_and_cannot_be_cancelled_again(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _engine: EmbeddedEngine) -> None:
        key = await _deploy_and_start(client, {"orderId": "o-4"})
        assert (await client.post(f"/v1/process-instances/{key}/cancel")).status_code == 200
        assert (await client.get(f"/v1/process-instances/{key}")).json()["state"] == "terminated"
        again = await client.post(f"/v1/process-instances/{key}/cancel")
        _assert_problem(again, 404, "no such process was found")

    run(tmp_path, scenario)


def test_bad_requests_get_problem_documents(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _engine: EmbeddedEngine) -> None:
        headers = {"content-type": "application/json"}
        malformed = await client.post("/v1/process-instances", content=b'{"bpmnProcessId": ', headers=headers)
        _assert_problem(malformed, 400, "not valid JSON")
        not_object = await client.post(
            "/v1/process-instances", json={"bpmnProcessId": "x", "variables": [1, 2]}
        )
        _assert_problem(not_object, 400, "variables must be a JSON object, but was an array")
        misspelt = await client.post("/v1/process-instances", json={"bpmnProcesId": "x"})
        _assert_problem(misspelt, 400, "bpmnProcesId")
        _assert_problem(await client.get("/v1/process-instances/12345"), 404, "no process instance")
        _assert_problem(await client.get("/v1/process-instances/abc"), 400, "key")
        unknown_job = await client.post("/v1/jobs/777/complete", json={"variables": {}})
        assert _assert_problem(unknown_job, 404, "no such job")["rejectionType"] == "NOT_FOUND"
        _assert_problem(await client.post("/v1/incidents/777/resolve"), 404, "no such incident")
        unknown_process = await client.post("/v1/process-instances", json={"bpmnProcessId": "nope"})
        _assert_problem(unknown_process, 404, "'nope'")
        bad_model = {"resources": [{"name": "x.bpmn", "content": "<not-bpmn"}]}
        _assert_problem(await client.post("/v1/deployments", json=bad_model), 400, "x.bpmn")

    run(tmp_path, scenario)


def test_variables_over_the_limit_are_refused_and_change_nothing(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, engine: EmbeddedEngine) -> None:
        key = await _deploy_and_start(client, {"orderId": "o-5"})
        [job] = await _activate(client)
        before = engine.store.read_records(1)
        big = {"blob": "x" * 2_000}
        started = await client.post(
            "/v1/process-instances", json={"bpmnProcessId": "charge-and-wait", "variables": big}
        )
        problem = _assert_problem(started, 413, "over the limit of 1,024 bytes")
        assert problem["limit"] == 1024 and problem["size"] > 2_000
        completed = await client.post(f"/v1/jobs/{job['key']}/complete", json={"variables": big})
        _assert_problem(completed, 413, "nothing was changed")
        assert engine.store.read_records(1) == before
        view = (await client.get(f"/v1/process-instances/{key}")).json()
        assert [e["elementId"] for e in view["activeElements"]] == ["charge"]

    run(tmp_path, scenario, limit=1024)


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, engine: EmbeddedEngine) -> None:
        before = engine.store.read_records(1)
        huge = b'{"variables": {"x": "' + b"x" * 200_000 + b'"}}'
        declared = await client.post(
            "/v1/jobs/1/complete", content=huge, headers={"content-type": "application/json"}
        )
        problem = _assert_problem(declared, 413, "over this path's limit of 66,560 bytes")
        assert problem["limit"] == 1024 + 64 * 1024

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(huge), 10_000):
                yield huge[start : start + 10_000]

        chunked = await client.post(
            "/v1/jobs/1/complete", content=chunks(), headers={"content-type": "application/json"}
        )
        _assert_problem(chunked, 413, "over this path's limit")
        assert engine.store.read_records(1) == before  # neither reached the engine
        json_type = {"content-type": "application/json"}
        small = await client.post(
            "/v1/jobs/1/complete", content=_chunked(b'{"variables": {}}'), headers=json_type
        )
        _assert_problem(small, 404, "no such job")  # a small chunked body is read whole and replayed

    run(tmp_path, scenario, limit=1024)


async def _chunked(body: bytes) -> AsyncIterator[bytes]:
    yield body[:5]
    yield body[5:]
