"""Activating ad-hoc sub-process activities over HTTP (Camunda 8.8's call), against a real embedded engine."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from cadenza.api import create_app
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "ad-hoc-tools.bpmn"


async def _tools_key(engine: EmbeddedEngine, instance: int) -> int:
    for _ in range(200):
        for r in await engine.history(instance):
            if r.value.get("elementId") == "tools" and r.intent == "ELEMENT_ACTIVATED":
                return r.key
        await asyncio.sleep(0.01)
    raise AssertionError("the ad-hoc sub-process was not activated")


def test_activities_are_activated_later_and_bad_requests_are_problems(tmp_path: Path) -> None:
    async def main() -> None:
        engine = EmbeddedEngine(open_store(tmp_path / "cadenza.db"), tick_seconds=0.01)
        await engine.start()
        transport = httpx.ASGITransport(app=create_app(engine))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://cadenza") as client:
                resource = {"name": FIXTURE.name, "content": FIXTURE.read_text()}
                assert (
                    await client.post("/v1/deployments", json={"resources": [resource]})
                ).status_code == 200
                started = await client.post("/v1/process-instances", json={"bpmnProcessId": "ad-hoc-tools"})
                instance = started.json()["processInstanceKey"]
                tools = await _tools_key(engine, instance)
                url = f"/v1/element-instances/ad-hoc-activities/{tools}/activation"
                body = {"elements": [{"elementId": "lookup", "variables": {"orderId": "7"}}]}
                assert (await client.post(url, json=body)).status_code == 204
                jobs = (await client.post("/v1/jobs/activate", json={"type": "lookup"})).json()["jobs"]
                assert [job["variables"]["orderId"] for job in jobs] == ["7"]
                unknown = await client.post(url, json={"elements": [{"elementId": "nope"}]})
                assert unknown.status_code == 404 and "[nope] do not exist" in unknown.json()["detail"]
                wrong = await client.post(
                    f"/v1/element-instances/ad-hoc-activities/{instance}/activation", json=body
                )
                assert wrong.status_code == 404 and "no ad-hoc sub-process instance" in wrong.json()["detail"]
                assert (await client.post(url, json={"elements": []})).status_code == 400
                await client.post(f"/v1/jobs/{jobs[0]['key']}/complete", json={"variables": {"done": True}})
                view = (await client.get(f"/v1/process-instances/{instance}")).json()
                assert view["state"] == "completed"
        finally:
            await engine.stop()

    asyncio.run(main())
