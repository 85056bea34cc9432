"""A real HTTP server on loopback for the connector tests, and a way to run one job through a connector."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cadenza.workers import Connector, JobInfo, MemoryCredentialStore, Outcome, TenantSecrets, run_job
from cadenza.workers.secrets import CredentialStore

#: Set when a /slow request arrives, so a test can act while a call is in flight.
SLOW_CALLS = threading.Event()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    """Routes by path:

    /echo            200 JSON {method, path, query, headers, body, sha256}; ?status=N answers with N instead
    /text            200 text/plain "plain words"
    /json-lies       200 application/json that is not JSON
    /slow?seconds=S  sleeps, then 200 JSON
    /big?bytes=N     N bytes of "x"; &declare=0 sends no Content-Length (the body ends when the connection does)
    /redirect?to=U   302 to U
    /empty           204
    """

    protocol_version = "HTTP/1.1"
    server_version = "test"
    # headers and body go out in two writes: without TCP_NODELAY the body waits ~40 ms for a delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet: pytest forbids stray output)
        pass

    def _answer(self, status: int, body: bytes, content_type: str | None, *, length: bool = True) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size).decode("utf-8") if size else ""
        if url.path == "/echo":
            echo = {
                "method": self.command,
                "path": url.path,
                "query": query,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body,
                # what the server received, provably and without echoing it: secrets are masked in variables
                "sha256": {
                    **{name.lower(): sha256(value) for name, value in self.headers.items()},
                    **{f"?{name}": sha256(values[0]) for name, values in query.items()},
                },
            }
            status = int(query.get("status", ["200"])[0])
            self._answer(status, json.dumps(echo).encode(), "application/json; charset=utf-8")
        elif url.path == "/text":
            self._answer(200, b"plain words", "text/plain; charset=utf-8")
        elif url.path == "/json-lies":
            self._answer(200, b"<html>not json</html>", "application/json")
        elif url.path == "/slow":
            SLOW_CALLS.set()
            time.sleep(float(query["seconds"][0]))
            self._answer(200, b'{"slow": true}', "application/json")
        elif url.path == "/big":
            declare = query.get("declare", ["1"])[0] == "1"
            self._answer(200, b"x" * int(query["bytes"][0]), "text/plain", length=declare)
        elif url.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/empty":
            self.send_response(204)
            self.end_headers()
        else:
            self._answer(404, b'{"error": "no such path"}', "application/json")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _route


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left: expected here, not worth a traceback


@contextmanager
def http_server() -> Iterator[str]:
    """Serves on 127.0.0.1 at a free port; yields the base URL (``http://127.0.0.1:PORT``)."""
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def credentials(secrets: Mapping[str, str], *, tenant: str = "<default>") -> MemoryCredentialStore:
    return MemoryCredentialStore({tenant: TenantSecrets(secrets=dict(secrets))})


def job(variables: Mapping[str, Any], headers: Mapping[str, str] | None = None, **fields: Any) -> JobInfo:
    values: dict[str, Any] = {
        "key": 2251799813685300,
        "type": "io.cadenza:http-json:1",
        "variables": dict(variables),
        "custom_headers": dict(headers or {}),
        "retries": 3,
        "bpmn_process_id": "test-process",
        "process_instance_key": 2251799813685249,
        "element_id": "call",
    }
    values.update(fields)
    return JobInfo(**values)


def run(
    connector: Connector,
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    store: CredentialStore | None = None,
    **fields: Any,
) -> Outcome:
    """One job through ``connector``: its outcome."""
    return asyncio.run(_run_and_close(connector, job(variables, headers, **fields), store or credentials({})))


async def _run_and_close(connector: Connector, info: JobInfo, store: CredentialStore) -> Outcome:
    try:
        return await run_job(connector, info, store)
    finally:
        for resource in connector.resources:
            await resource.aclose()
