"""A small client of ``cadenza serve``'s HTTP API, for the CLI's client commands and for tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["DEFAULT_ADDRESS", "CadenzaClient", "ClientError"]

DEFAULT_ADDRESS = "http://127.0.0.1:8080"


class ClientError(Exception):
    """The server refused a request (its problem document's detail) or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, problem: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class CadenzaClient:
    """Signs in with a token (``CADENZA_TOKEN``) or a user and password (``CADENZA_USERNAME`` and
    ``CADENZA_PASSWORD``; the demo user ``demo``/``demo`` when neither is set, as ``cadenza serve`` without a
    users file accepts)."""

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        *,
        timeout: float = 30.0,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.address = address.rstrip("/")
        self._http = httpx.Client(base_url=self.address, timeout=timeout)
        self._token = token or os.environ.get("CADENZA_TOKEN") or None
        self._username = username or os.environ.get("CADENZA_USERNAME") or "demo"
        self._password = password or os.environ.get("CADENZA_PASSWORD") or "demo"

    def _authorization(self) -> dict[str, str]:
        if self._token is None:
            body = {"username": self._username, "password": self._password}
            self._token = str(self._send("POST", "/v1/auth/token", body, {})["access_token"])
        return {"Authorization": f"Bearer {self._token}"}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CadenzaClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._send(method, path, body, self._authorization())

    def _send(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> Any:
        try:
            response = self._http.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise ClientError(f"cannot reach Cadenza at {self.address}: {error}") from error
        if response.is_success:
            return response.json()
        try:
            problem = response.json()
            detail = problem.get("detail") or problem.get("title")
        except ValueError:
            problem, detail = {}, response.text
        raise ClientError(f"{response.status_code}: {detail}", status=response.status_code, problem=problem)

    def deploy(self, *files: Path) -> Any:
        resources = [{"name": path.name, "content": path.read_text(encoding="utf-8")} for path in files]
        return self.request("POST", "/v1/workflows", {"resources": resources})

    def start(self, process_id: str, variables: Any = None, *, with_result: bool = False) -> Any:
        body = {"variables": variables, "withResult": with_result}
        return self.request("POST", f"/v1/workflows/{quote(process_id, safe='')}/execute", body)

    def show(self, instance_key: int | str) -> Any:
        """The execution with its whole history (every page of it)."""
        view = self.request("GET", f"/v1/executions/{instance_key}")
        history: list[Any] = []
        cursor = ""
        while True:
            page = self.request("GET", f"/v1/executions/{instance_key}/history?limit=500{cursor}")
            history += page["items"]
            if not page["nextCursor"]:
                break
            cursor = f"&cursor={page['nextCursor']}"
        return {**view, "history": history}

    def activate(
        self, job_type: str, *, max_jobs: int = 10, timeout_ms: int = 60_000, wait_ms: int = 0
    ) -> Any:
        body = {
            "type": job_type,
            "worker": "cadenza-cli",
            "maxJobs": max_jobs,
            "timeout": timeout_ms,
            "requestTimeoutMs": wait_ms,
        }
        return self.request("POST", "/v1/jobs/activate", body)

    def complete_job(self, job_key: int, variables: Any = None) -> Any:
        return self.request("POST", f"/v1/jobs/{job_key}/complete", {"variables": variables})
