"""REST API latency under load: ``cadenza serve`` in its own process, this process sending 200 requests/s.

The load is open-loop (a request starts on schedule whether or not earlier ones answered, so a slow server
shows as latency, not as a lower rate): for ``--seconds`` it sends ``--rate`` requests per second, a mix of
reads (GET /v1/tasks, GET /v1/executions/{key}, GET /v1/executions) and writes (POST
/v1/workflows/{id}/execute, which creates an instance that stops at a user task; and POST
/v1/tasks/{key}/claim) in the ratio ``--write-share``. Each request's latency is measured from its scheduled
start to the last byte. The peer in the same run is GET /health: the floor of HTTP and the event loop, so the
ratios say what the API's own work costs.

Targets (issue 5): read p99 < 50 ms, write p99 < 100 ms. Run: ``.venv/bin/python bench/api_latency.py``
(``--database postgresql://...`` for PostgreSQL); prints a JSON summary; figures go to docs/bench-api.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from serve_support import free_port  # noqa: E402

MODELS = [REPO / "bpmn" / "expense-approval.bpmn", REPO / "bpmn" / "expense-review.form"]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc): robust where wall-clock latency is not, on a
    machine shared with other benchmarks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids(url: str | None) -> list[int]:
    """The local PostgreSQL server's processes (the postmaster and its backends), to count the database's CPU
    beside the server's; empty for SQLite or a server on another machine."""
    if not url:
        return []
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            data = str(conn.execute("SHOW data_directory").fetchone()[0])  # type: ignore[index]
        postmaster = int(Path(data, "postmaster.pid").read_text().split()[0])
    except (OSError, psycopg.Error, ValueError):
        return []
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return [postmaster, *children]


def _cpu_total(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += _cpu_seconds(pid)
        except OSError:  # a backend that ended meanwhile
            continue
    return total


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _summary(values: list[float]) -> dict[str, float | int]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(_percentile(values, 0.95), 2),
        "p99_ms": round(_percentile(values, 0.99), 2),
        "max_ms": round(max(values), 2),
    }


class Load:
    def __init__(self, client: httpx.AsyncClient, write_share: float) -> None:
        self.client = client
        self.write_share = write_share
        self.instances: list[str] = []
        self.claimable: list[str] = []
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self._count = 0

    def pick(self) -> tuple[str, str, str, dict[str, Any] | None]:
        """(kind, method, path, body): a deterministic rotation, so every run sends the same mix."""
        self._count += 1
        n = self._count
        if n % 10 == 0:
            return "peer", "GET", "/health", None
        if (n % 100) < self.write_share * 100:
            if n % 3 == 0 and self.claimable:
                return "write", "POST", f"/v1/tasks/{self.claimable.pop()}/claim", None
            return "write", "POST", "/v1/workflows/expense-approval/execute", {"variables": {"amount": n}}
        if n % 3 == 0 and self.instances:
            return "read", "GET", f"/v1/executions/{self.instances[-1]}", None
        if n % 3 == 1:
            return "read", "GET", "/v1/tasks?limit=20", None
        return "read", "GET", "/v1/executions?limit=20", None

    async def one(self, scheduled: float) -> None:
        kind, method, path, body = self.pick()
        try:
            response = await self.client.request(method, path, json=body)
        except httpx.HTTPError:
            self.errors[kind] += 1
            return
        elapsed = (time.perf_counter() - scheduled) * 1000
        if response.status_code >= 400 and not path.endswith("/claim"):
            self.errors[kind] += 1
            return
        self.latencies[kind].append(elapsed)
        if path.endswith("/execute"):
            self.instances.append(response.json()["key"])

    async def refresh_tasks(self) -> None:
        """Claims need open, unclaimed tasks: read them now and then (not timed)."""
        answer = await self.client.get("/v1/tasks?unassigned=true&limit=50")
        self.claimable = [item["key"] for item in answer.json()["items"]]


async def run_load(
    address: str, rate: float, seconds: float, write_share: float, server_pid: int, database: str | None
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=address, timeout=30, limits=limits) as client:
        token = (await client.post("/v1/auth/token", json={"username": "demo", "password": "demo"})).json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        files = [("files", (p.name, p.read_bytes())) for p in MODELS]
        assert (await client.post("/v1/workflows", files=files)).status_code == 200
        load = Load(client, write_share)
        for _ in range(20):  # a few instances and tasks to read before the clock starts
            await client.post("/v1/workflows/expense-approval/execute", json={"variables": {"amount": 1}})
        await load.refresh_tasks()
        pending: list[asyncio.Task[None]] = []
        cpu_before = _cpu_seconds(server_pid)
        postgres = _postgres_pids(database)  # after the warm-up: the pool's backends exist by now
        db_before = _cpu_total(postgres)
        start = time.perf_counter()
        total = int(rate * seconds)
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(load.one(scheduled)))
            if i % int(rate) == 0:
                asyncio.create_task(load.refresh_tasks())
        await asyncio.gather(*pending)
        wall = time.perf_counter() - start
        cpu = _cpu_seconds(server_pid) - cpu_before
        db_cpu = _cpu_total(postgres) - db_before
    result: dict[str, Any] = {kind: _summary(values) for kind, values in load.latencies.items()}
    result["errors"] = dict(load.errors)
    result["achieved_rate"] = round(total / wall, 1)
    # The server's own CPU per request (HTTP, API, engine, exporter; not the database server's).
    result["server_cpu_ms_per_request"] = round(cpu * 1000 / total, 2)
    if postgres:  # backends started during the run are not counted: a lower bound
        result["postgres_cpu_ms_per_request"] = round(db_cpu * 1000 / total, 2)
    peer = result["peer"]["p50_ms"]
    for kind in ("read", "write"):
        result[kind]["p50_vs_health"] = round(result[kind]["p50_ms"] / peer, 1) if peer else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--write-share", type=float, default=0.3)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL; default SQLite in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        command = [str(Path(sys.executable).parent / "cadenza"), "serve", "--data-dir", data]
        command += ["--http-port", str(port), "--grpc-port", str(free_port())]
        if args.database:
            command += ["--database", args.database]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            address = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{address}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            result = asyncio.run(
                run_load(address, args.rate, args.seconds, args.write_share, server.pid, args.database)
            )
        finally:
            server.terminate()
            server.wait(15)
    store = "postgresql" if args.database else "sqlite"
    print(json.dumps({"store": store, "rate": args.rate, "seconds": args.seconds, **result}, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
