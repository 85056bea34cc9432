"""Durability of `cadenza serve`: SIGKILL it while a client works through its HTTP API, restart it on the same
SQLite data directory, carry on. Every acknowledged command's effect must be in the store, every instance must
complete, and no job may complete twice. The figures go to artifacts/durability.json (and the test summary)."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.store import open_store
from serve_support import ServeProcess

FIXTURE = Path(__file__).parent / "fixtures" / "reserve-and-ship.bpmn"
ARTIFACT = Path(__file__).parent.parent.parent / "artifacts" / "durability.json"
INSTANCES = 200
#: Acknowledged-request counts after which the server is killed (each kill lands 0-4 ms later, mid-request).
KILL_AFTER = (150, 350, 550)
JOB_TIMEOUT_MS = 1_500  # jobs locked by a request the kill cut off come back after this


class Killer:
    """Kills the server from another thread a few milliseconds after being armed, while requests run."""

    def __init__(self, server: ServeProcess, seed: int = 7) -> None:
        self.server = server
        self.random = random.Random(seed)
        self.fired = threading.Event()

    def arm(self) -> None:
        self.fired.clear()
        delay = self.random.uniform(0, 0.004)
        threading.Timer(delay, self._fire).start()

    def _fire(self) -> None:
        self.server.kill()
        self.fired.set()


class Client:
    """The client loop: records what the server acknowledged; restarts the server when it dies."""

    def __init__(self, server: ServeProcess, killer: Killer) -> None:
        self.server = server
        self.killer = killer
        self.acked_instances: set[int] = set()
        self.acked_completions: set[int] = set()
        self.seen_instances: set[int] = set()
        self.acked = 0
        self.lost_in_flight = 0
        self.restarts = 0
        self.kills_left = list(KILL_AFTER)
        self.finished: set[int] = set()
        self.http = httpx.Client(timeout=10)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One request; None if the server died under it (the command is then unacknowledged)."""
        try:
            headers = {"Authorization": f"Bearer {self._token()}"}
            response = self.http.request(method, self.server.address + path, json=body, headers=headers)
        except httpx.TransportError:
            self.lost_in_flight += 1
            self._restart()
            return None
        if response.status_code >= 400:
            return response
        self.acked += 1
        if self.kills_left and self.acked >= self.kills_left[0]:
            self.kills_left.pop(0)
            self.killer.arm()
        return response.json()

    def _token(self) -> str:
        """A fresh bearer token (a restarted server signs with a new random key; no CADENZA_SECRET)."""
        answer = self.http.post(
            self.server.address + "/v1/auth/token", json={"username": "demo", "password": "demo"}
        )
        token: str = answer.json()["access_token"]
        return token

    def _restart(self) -> None:
        assert self.killer.fired.wait(10), "the server died without being killed"
        self.server.start()
        self.restarts += 1
        assert_acknowledged_present(self)

    def create(self, n: int) -> None:
        answer = self.call("POST", "/v1/workflows/reserve-and-ship/execute", {"variables": {"n": n}})
        if isinstance(answer, dict):
            self.acked_instances.add(int(answer["processInstanceKey"]))

    def work(self, job_type: str) -> int:
        body = {"type": job_type, "worker": "durability", "maxJobs": 32, "timeout": JOB_TIMEOUT_MS}
        answer = self.call("POST", "/v1/jobs/activate", body)
        jobs = answer["jobs"] if isinstance(answer, dict) else []
        for job in jobs:
            self.seen_instances.add(job["processInstanceKey"])
            done = self.call("POST", f"/v1/jobs/{job['key']}/complete", {"variables": {job_type: True}})
            if isinstance(done, dict):
                self.acked_completions.add(job["key"])
                if job_type == "ship":  # the end event follows: the instance completed in the same batch
                    self.finished.add(job["processInstanceKey"])
        return len(jobs)

    def unfinished(self) -> list[int]:
        for key in sorted((self.acked_instances | self.seen_instances) - self.finished):
            if _completed(self.call("GET", f"/v1/executions/{key}")):
                self.finished.add(key)
        return sorted((self.acked_instances | self.seen_instances) - self.finished)


def _completed(view: Any) -> bool:
    return isinstance(view, dict) and view["state"] == "completed"


def stored_records(server: ServeProcess) -> list[Record]:
    store = open_store(server.data_dir / "cadenza.db")
    try:
        return store.read_records(1)
    finally:
        store.close()


def _events(records: list[Record], value_type: ValueType, intent: str) -> list[Record]:
    return [
        r
        for r in records
        if r.record_type is RecordType.EVENT and r.value_type is value_type and r.intent == intent
    ]


def assert_acknowledged_present(client: Client) -> None:
    """Right after a restart, before any new command: everything acknowledged is in the store."""
    records = stored_records(client.server)
    created = {r.key for r in _events(records, ValueType.PROCESS_INSTANCE_CREATION, "CREATED")}
    completed = {r.key for r in _events(records, ValueType.JOB, "COMPLETED")}
    assert client.acked_instances <= created
    assert client.acked_completions <= completed


def drive(client: Client) -> None:
    client.call(
        "POST", "/v1/workflows", {"resources": [{"name": FIXTURE.name, "content": FIXTURE.read_text()}]}
    )
    n = 0
    deadline = time.monotonic() + 50
    while time.monotonic() < deadline:
        for _ in range(4):
            if len(client.acked_instances) < INSTANCES:  # a create the kill cut off is tried again
                client.create(n)
                n += 1
        worked = client.work("reserve") + client.work("ship")
        if len(client.acked_instances) >= INSTANCES and not worked:
            if not client.unfinished():
                return
            time.sleep(0.2)
    raise AssertionError("the instances did not all complete within 50 s")


def test_sigkill_loses_no_acknowledged_command_and_completes_no_job_twice(
    serve_process: Callable[..., ServeProcess],
) -> None:
    started = time.monotonic()
    server = serve_process()
    client = Client(server, Killer(server))
    try:
        drive(client)
    finally:
        client.http.close()
    assert server.stop() == 0
    records = stored_records(server)
    created = {r.key for r in _events(records, ValueType.PROCESS_INSTANCE_CREATION, "CREATED")}
    finished = {
        r.key
        for r in _events(records, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")
        if r.value["bpmnElementType"] == "PROCESS"
    }
    jobs_created = Counter(r.key for r in _events(records, ValueType.JOB, "CREATED"))
    jobs_completed = Counter(r.key for r in _events(records, ValueType.JOB, "COMPLETED"))
    assert client.restarts == len(KILL_AFTER) and not client.kills_left
    assert client.acked_instances <= created and len(client.acked_instances) == INSTANCES
    assert created == finished, f"{len(created - finished)} instances did not complete"
    assert client.acked_completions <= set(jobs_completed)
    assert max(jobs_completed.values()) == 1, "a job completed twice"
    assert set(jobs_completed) == set(jobs_created) and len(jobs_created) == 2 * len(created)
    figures = {
        "instances_created": len(created),
        "instances_completed": len(finished),
        "job_completions_in_store": sum(jobs_completed.values()),
        "jobs_completed_twice": sum(1 for count in jobs_completed.values() if count > 1),
        "records_in_store": len(records),
        "seconds": round(time.monotonic() - started, 1),
    }
    _write_figures(client, figures)


def _write_figures(client: Client, figures: dict[str, Any]) -> None:
    figures = {
        "kill_points": len(KILL_AFTER),
        "kills_after_acknowledged_requests": list(KILL_AFTER),
        "requests_cut_off_by_a_kill": client.lost_in_flight,
        "acknowledged_requests": client.acked,
        "acknowledged_instance_creations": len(client.acked_instances),
        "acknowledged_job_completions": len(client.acked_completions),
        **figures,
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n")
