"""A small client of ``cadenza serve``'s HTTP API, for the CLI's client commands and for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    def __init__(self, address: str = DEFAULT_ADDRESS, *, timeout: float = 30.0) -> None:
        self.address = address.rstrip("/")
        self._http = httpx.Client(base_url=self.address, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CadenzaClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(method, path, json=body)
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
        return self.request("POST", "/v1/deployments", {"resources": resources})

    def start(self, process_id: str, variables: Any = None, *, with_result: bool = False) -> Any:
        body = {"bpmnProcessId": process_id, "variables": variables, "withResult": with_result}
        return self.request("POST", "/v1/process-instances", body)

    def show(self, instance_key: int) -> Any:
        return self.request("GET", f"/v1/process-instances/{instance_key}")

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
