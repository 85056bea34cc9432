"""Local HTTP servers that speak the Anthropic Messages API and the OpenAI chat-completions API wire formats,
so the real ``anthropic`` SDK and our httpx adapter run their real code paths against them.

Each server answers from a queue of planned replies, in order:

- ``reply(text=..., tools=[(name, input)], usage=(in, out))``: a message (tool calls give stop reason
  tool_use / finish reason tool_calls);
- ``fail(status)``: the API's error JSON for that status (429 rate limit, 529 overloaded, 500, 400...);
- ``slow(seconds)``: waits before a plain reply, for timeouts.

``requests`` holds every request body (parsed JSON) and its headers, in arrival order. As the real APIs do, a
request whose tool (function) names, in ``tools`` or in the conversation's tool calls, do not match
``[a-zA-Z0-9_-]{1,64}`` is refused with 400 (a planned reply is not used up by it).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")

_ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class Reply:
    text: str | None = None
    tools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    usage: tuple[int, int] = (10, 5)
    status: int = 200
    delay: float = 0.0


def reply(
    text: str | None = None,
    tools: list[tuple[str, dict[str, Any]]] | None = None,
    usage: tuple[int, int] = (10, 5),
) -> Reply:
    return Reply(text, tools or [], usage)


def fail(status: int) -> Reply:
    return Reply(status=status)


def slow(seconds: float) -> Reply:
    return Reply(text="late", delay=seconds)


class LlmServer:
    def __init__(self, flavour: str) -> None:
        self.flavour = flavour
        self.replies: deque[Reply] = deque()
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        #: requests to /echo, which answers with what it received (headers and JSON body)
        self.echoed: list[tuple[dict[str, str], Any]] = []
        self._count = 0
        self._lock = threading.Lock()
        self.url = ""

    def plan(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def answer(
        self, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], float]:
        bad_names = [n for n in _tool_names(body) if not _TOOL_NAME.fullmatch(n)]
        with self._lock:
            self.requests.append((headers, body))
            self._count += 1
            number = self._count
            if bad_names:
                return 400, self._error(400, f"tool names must match ^[a-zA-Z0-9_-]{{1,64}}$: {bad_names}"), 0
            planned = self.replies.popleft() if self.replies else Reply(status=500)
        expected = "/v1/messages" if self.flavour == "anthropic" else "/v1/chat/completions"
        if path != expected:
            return 404, {"error": {"message": f"no route {path}"}}, 0.0
        if planned.status != 200:
            return planned.status, self._error(planned.status), planned.delay
        build = self._anthropic if self.flavour == "anthropic" else self._openai
        return 200, build(planned, number, body.get("model", "")), planned.delay

    def _error(self, status: int, message: str = "") -> dict[str, Any]:
        if self.flavour == "anthropic":
            kind = _ANTHROPIC_ERRORS.get(status, "api_error")
            return {"type": "error", "error": {"type": kind, "message": message or f"{kind} ({status})"}}
        return {
            "error": {
                "message": message or f"error {status}",
                "type": "server_error" if status >= 500 else "requests",
                "code": None,
            }
        }

    @staticmethod
    def _anthropic(planned: Reply, number: int, model: str) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"type": "text", "text": planned.text}] if planned.text else []
        for index, (name, arguments) in enumerate(planned.tools):
            content.append(
                {"type": "tool_use", "id": f"toolu_{number}_{index}", "name": name, "input": arguments}
            )
        return {
            "id": f"msg_{number}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": "tool_use" if planned.tools else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": planned.usage[0], "output_tokens": planned.usage[1]},
        }

    @staticmethod
    def _openai(planned: Reply, number: int, model: str) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": planned.text}
        if planned.tools:
            message["tool_calls"] = [
                {
                    "id": f"call_{number}_{i}",
                    "type": "function",
                    "function": {"name": n, "arguments": json.dumps(a)},
                }
                for i, (n, a) in enumerate(planned.tools)
            ]
        return {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": 1765000000,
            "model": model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": "tool_calls" if planned.tools else "stop"}
            ],
            "usage": {
                "prompt_tokens": planned.usage[0],
                "completion_tokens": planned.usage[1],
                "total_tokens": sum(planned.usage),
            },
        }


def _tool_names(body: dict[str, Any]) -> list[str]:
    """Every tool name a request holds: its tool declarations and the tool calls in its conversation, in
    either API's shape."""
    found = [str(t.get("name") or t.get("function", {}).get("name")) for t in body.get("tools") or []]
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            found += [
                str(b.get("name")) for b in content if isinstance(b, dict) and b.get("type") == "tool_use"
            ]
        found += [str(c["function"]["name"]) for c in message.get("tool_calls") or []]
    return found


def _handler(server: LlmServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(size) or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/echo":  # for connector tools: what was received, as JSON
                server.echoed.append((headers, body))
                status, answer, delay = 200, {"headers": headers, "body": body}, 0.0
            else:
                status, answer, delay = server.answer(self.path, headers, body)
            if delay:
                time.sleep(delay)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 529 or status == 429:
                self.send_header("retry-after", "0")
            self.end_headers()
            self.wfile.write(data)

    return Handler


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def llm_server(flavour: str) -> Iterator[LlmServer]:
    """``flavour`` is ``anthropic`` or ``openai``; the server's ``url`` is its base (``http://127.0.0.1:P``)."""
    server = LlmServer(flavour)
    http = _Quiet(("127.0.0.1", 0), _handler(server))
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{http.server_address[1]}"
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join(5)
