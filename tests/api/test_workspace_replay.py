"""The instance graph folded from the record log, at the end and at any earlier position (the modeler's
history slider), on a real embedded engine."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from cadenza.api.rest.wiring import local_api
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "charge-and-wait.bpmn"


def _states(graph: dict[str, Any]) -> dict[str, str]:
    return {e["elementId"]: e["state"] for e in graph["elements"]}


async def _scenario(client: httpx.AsyncClient) -> None:
    resources = [{"name": FIXTURE.name, "content": FIXTURE.read_text()}]
    assert (await client.post("/v1/workflows", json={"resources": resources})).status_code == 200
    started = await client.post(
        "/v1/workflows/charge-and-wait/execute", json={"variables": {"orderId": "o-1"}}
    )
    key = started.json()["processInstanceKey"]
    waiting = (await client.get(f"/v1/executions/{key}/graph")).json()
    assert _states(waiting) == {"start": "completed", "charge": "active"}
    assert waiting["takenFlows"] == ["f1"] and waiting["state"] == "active"
    jobs = (await client.post("/v1/jobs/activate", json={"type": "charge", "maxJobs": 1})).json()["jobs"]
    failed = await client.post(
        f"/v1/jobs/{jobs[0]['key']}/fail", json={"retries": 0, "errorMessage": "card declined"}
    )
    assert failed.status_code == 200
    broken = (await client.get(f"/v1/executions/{key}/graph")).json()
    assert broken["state"] == "incident" and _states(broken)["charge"] == "incident"
    assert broken["incidents"][0]["elementId"] == "charge"
    assert broken["incidents"][0]["errorMessage"] == "card declined"
    # Back in time: at the position the first graph was read at, nothing had failed yet.
    assert waiting["position"] < broken["position"]
    earlier = (
        await client.get(f"/v1/executions/{key}/graph", params={"position": waiting["position"]})
    ).json()
    assert earlier["incidents"] == [] and _states(earlier)["charge"] == "active"
    first = (
        await client.get(f"/v1/executions/{key}/graph", params={"position": broken["positions"][0]})
    ).json()
    assert first["takenFlows"] == [] and first["position"] == broken["positions"][0]
    assert (await client.get(f"/v1/executions/{key}/graph", params={"position": -1})).status_code == 400
    assert (await client.get("/v1/executions/123/graph")).status_code == 404
    assert (await client.get("/v1/executions/abc/graph")).status_code == 404


async def _completed(client: httpx.AsyncClient) -> None:
    resources = [{"name": FIXTURE.name, "content": FIXTURE.read_text()}]
    await client.post("/v1/workflows", json={"resources": resources})
    started = await client.post(
        "/v1/workflows/charge-and-wait/execute", json={"variables": {"orderId": "o-2"}}
    )
    key = started.json()["processInstanceKey"]
    jobs = (await client.post("/v1/jobs/activate", json={"type": "charge", "maxJobs": 1})).json()["jobs"]
    await client.post(f"/v1/jobs/{jobs[0]['key']}/complete", json={"variables": {}})
    await client.post("/v1/messages", json={"name": "paid", "correlationKey": "o-2"})
    for _ in range(100):
        graph = (await client.get(f"/v1/executions/{key}/graph")).json()
        if graph["state"] == "completed":
            break
        await asyncio.sleep(0.02)
    assert graph["state"] == "completed"
    assert set(_states(graph).values()) == {"completed"}
    assert graph["takenFlows"] == ["f1", "f2", "f3"]
    charge = next(e for e in graph["elements"] if e["elementId"] == "charge")
    assert charge["count"] == 1 and charge["durationMs"] >= 0 and charge["completedAt"].endswith("Z")


def _run(tmp_path: Path, scenario: Any) -> None:
    async def main() -> None:
        engine = EmbeddedEngine(open_store(tmp_path / "c.db"), tick_seconds=0.01)
        async with local_api(engine) as api, api.client("demo") as client:
            await scenario(client)

    asyncio.run(main())


def test_the_graph_shows_an_incident_and_replays_to_an_earlier_position(tmp_path: Path) -> None:
    _run(tmp_path, _scenario)


def test_the_graph_of_a_completed_instance_has_every_element_timed(tmp_path: Path) -> None:
    _run(tmp_path, _completed)
