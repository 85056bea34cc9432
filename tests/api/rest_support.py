"""The REST API in-process over a real embedded engine and store (SQLite file or PostgreSQL), with one httpx
client per signed-in user: what the REST tests share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from cadenza.api.rest.wiring import LocalApi, local_api
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
Scenario = Callable[[LocalApi], Awaitable[None]]


def run(store_url: str, scenario: Scenario, **options: Any) -> None:
    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        async with local_api(engine, **options) as api:
            await scenario(api)

    asyncio.run(main())


def resource(path: Path) -> dict[str, str]:
    return {"name": path.name, "content": path.read_text(encoding="utf-8")}


async def deploy(client: httpx.AsyncClient, *paths: Path) -> dict[str, Any]:
    response = await client.post("/v1/workflows", json={"resources": [resource(p) for p in paths]})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def execute(client: httpx.AsyncClient, process_id: str, variables: dict[str, Any]) -> str:
    response = await client.post(f"/v1/workflows/{process_id}/execute", json={"variables": variables})
    assert response.status_code == 200, response.text
    key: str = response.json()["processInstanceKey"]
    return key


def assert_problem(response: httpx.Response, status: int, detail_part: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert set(problem) >= {"type", "title", "status", "detail", "instance"}
    assert problem["status"] == status
    assert detail_part in problem["detail"], problem["detail"]
    return problem


async def eventually(check: Callable[[], Awaitable[Any]], what: str, seconds: float = 5.0) -> Any:
    """Polls ``check`` until it returns something truthy (views follow the log by a few ms)."""
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
