"""`cadenza serve` with a users file and a signing secret: a token outlives a restart, and the views (tasks,
executions) come back from the store, caught up, after a SIGKILL."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from cadenza.identity import hash_password
from serve_support import ServeProcess

REPO = Path(__file__).resolve().parents[2]
EXPENSE = [REPO / "bpmn" / "expense-approval.bpmn", REPO / "bpmn" / "expense-review.form"]


def _tasks(server: ServeProcess, token: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 10
    while True:
        items: list[dict[str, Any]] = httpx.get(f"{server.address}/v1/tasks", headers=headers).json()["items"]
        if items or time.monotonic() > deadline:
            return items
        time.sleep(0.05)


def test_a_token_and_the_views_outlive_a_killed_server(
    tmp_path: Path, serve_process: Callable[..., ServeProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    users = tmp_path / "users.toml"
    users.write_text(
        f'[[users]]\nusername = "ann"\npassword_hash = "{hash_password("pw")}"\ngroups = ["approvers"]\n'
    )
    monkeypatch.setenv("CADENZA_SECRET", "a shared signing secret")
    server = serve_process(tmp_path / "data", "--users", str(users))
    assert (
        httpx.post(
            f"{server.address}/v1/auth/token", json={"username": "demo", "password": "demo"}
        ).status_code
        == 401
    )
    token = httpx.post(f"{server.address}/v1/auth/token", json={"username": "ann", "password": "pw"}).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    files = [("files", (p.name, p.read_bytes())) for p in EXPENSE]
    assert httpx.post(f"{server.address}/v1/workflows", files=files, headers=headers).status_code == 200
    started = httpx.post(
        f"{server.address}/v1/workflows/expense-approval/execute",
        json={"variables": {"amount": 3}},
        headers=headers,
    )
    assert started.status_code == 200, started.text
    [task] = _tasks(server, token)
    server.kill()
    server.start()
    assert httpx.get(f"{server.address}/v1/me", headers=headers).json()["username"] == "ann"
    assert [t["key"] for t in _tasks(server, token)] == [task["key"]]
    executions = httpx.get(f"{server.address}/v1/executions", headers=headers).json()["items"]
    assert [e["key"] for e in executions] == [started.json()["key"]]
    ready = httpx.get(f"{server.address}/ready").json()
    assert ready["status"] == "READY" and ready["exportedPosition"] > 0
