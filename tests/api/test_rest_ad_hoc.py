"""Activating ad-hoc sub-process activities through the REST API (Camunda 8.8's call), on a real embedded
engine, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from rest_support import FIXTURES, assert_problem, deploy, eventually, execute, run

from cadenza.api.rest.wiring import LocalApi

FIXTURE = FIXTURES / "ad-hoc-tools.bpmn"


async def _tools_key(api: LocalApi, instance: str) -> int | None:
    for record in await api.engine.history(int(instance)):
        if record.value.get("elementId") == "tools" and record.intent == "ELEMENT_ACTIVATED":
            return record.key
    return None


async def _jobs(client: httpx.AsyncClient, job_type: str) -> list[dict[str, Any]]:
    response = await client.post("/v1/jobs/activate", json={"type": job_type, "maxJobs": 5})
    assert response.status_code == 200, response.text
    jobs: list[dict[str, Any]] = response.json()["jobs"]
    return jobs


def test_activities_are_activated_later_and_bad_requests_are_problems(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        await deploy(client, FIXTURE)
        instance = await execute(client, "ad-hoc-tools", {})
        tools = await eventually(lambda: _tools_key(api, instance), "the ad-hoc sub-process")
        url = f"/v1/element-instances/ad-hoc-activities/{tools}/activation"
        body = {"elements": [{"elementId": "lookup", "variables": {"orderId": "7"}}]}
        assert (await client.post(url, json=body)).status_code == 204
        jobs = await _jobs(client, "lookup")
        assert [job["variables"]["orderId"] for job in jobs] == ["7"]
        assert_problem(await client.post(url, json={"elements": [{"elementId": "nope"}]}), 404, "[nope]")
        wrong = f"/v1/element-instances/ad-hoc-activities/{instance}/activation"
        assert_problem(await client.post(wrong, json=body), 404, "no ad-hoc sub-process instance")
        assert_problem(await client.post(url, json={"elements": []}), 400, "")
        assert_problem(
            await client.post("/v1/element-instances/ad-hoc-activities/x1/activation", json=body), 404, ""
        )
        # nothing the refused requests asked for was activated
        assert await _jobs(client, "lookup") == []
        done = await client.post(f"/v1/jobs/{jobs[0]['key']}/complete", json={"variables": {"done": True}})
        assert done.status_code == 200, done.text
        view = (await client.get(f"/v1/executions/{instance}")).json()
        assert view["state"] == "completed"

    run(store_url, scenario)
