"""Any server that speaks the OpenAI chat-completions API (``POST {base_url}/chat/completions``), on httpx.

Tool calls travel as ``tool_calls`` on the assistant message (arguments as JSON text) and results as ``tool``
messages; the system prompt is the first message. ``finish_reason`` maps to the port's stop reasons
(``tool_calls`` → ``tool_use``, ``length`` → ``max_tokens``, ``stop`` → ``end_turn``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from cadenza.workers.agents.model import (
    Block,
    ErrorKind,
    Message,
    ModelError,
    ModelRequest,
    ModelResponse,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from cadenza.workers.agents.wire_names import WireNames

__all__ = ["OpenAICompatibleModel"]

_STOP = {"tool_calls": "tool_use", "length": "max_tokens", "stop": "end_turn"}


class OpenAICompatibleModel:
    """``base_url`` ends before ``/chat/completions`` (``http://host:8000/v1``)."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        name: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._name = name or model
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s, transport=transport
        )

    @property
    def name(self) -> str:
        return self._name

    async def aclose(self) -> None:
        await self._client.aclose()

    async def complete(self, request: ModelRequest) -> ModelResponse:
        names = WireNames(t.name for t in request.tools)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": _messages(request, names),
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": names.wire(t.name),
                        "description": t.description,
                        "parameters": dict(t.input_schema),
                    },
                }
                for t in request.tools
            ]
        try:
            answer = await self._client.post("/chat/completions", json=body)
        except httpx.TimeoutException:
            raise ModelError(self._name, ErrorKind.TIMEOUT, "no answer in time") from None
        except httpx.TransportError as error:
            raise ModelError(self._name, ErrorKind.CONNECTION, f"{type(error).__name__}: {error}") from None
        if answer.status_code >= 400:
            raise ModelError(self._name, _kind(answer.status_code), _error_text(answer), answer.status_code)
        try:
            return _response(answer.json(), names)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise ModelError(self._name, ErrorKind.RESPONSE, f"unreadable answer: {error!r}") from None


def _kind(status: int) -> ErrorKind:
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status == 529:
        return ErrorKind.OVERLOADED
    return ErrorKind.SERVER if status >= 500 else ErrorKind.REQUEST


def _error_text(answer: httpx.Response) -> str:
    try:
        error = answer.json().get("error")
    except ValueError:
        return answer.text[:200]
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error or answer.text[:200])


def _messages(request: ModelRequest, names: WireNames) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": request.system}] if request.system else []
    for message in request.messages:
        out.extend(_message(message, names))
    return out


def _message(message: Message, names: WireNames) -> list[dict[str, Any]]:
    texts = "".join(b.text for b in message.content if isinstance(b, TextBlock))
    if message.role == "assistant":
        calls = [
            {
                "id": b.id,
                "type": "function",
                "function": {"name": names.wire(b.name), "arguments": json.dumps(dict(b.input))},
            }
            for b in message.content
            if isinstance(b, ToolUseBlock)
        ]
        entry: dict[str, Any] = {"role": "assistant", "content": texts or None}
        if calls:
            entry["tool_calls"] = calls
        return [entry]
    results = [
        {"role": "tool", "tool_call_id": b.tool_use_id, "content": b.content}
        for b in message.content
        if isinstance(b, ToolResultBlock)
    ]
    return results + ([{"role": "user", "content": texts}] if texts or not results else [])


def _response(data: dict[str, Any], names: WireNames) -> ModelResponse:
    choice = data["choices"][0]
    message = choice["message"]
    blocks: list[Block] = [TextBlock(message["content"])] if message.get("content") else []
    for call in message.get("tool_calls") or []:
        function = call["function"]
        arguments = json.loads(function.get("arguments") or "{}")
        blocks.append(ToolUseBlock(call["id"], names.local(function["name"]), arguments))
    usage = data.get("usage") or {}
    return ModelResponse(
        content=tuple(blocks),
        usage=Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
        stop_reason=_STOP.get(choice.get("finish_reason") or "stop", str(choice.get("finish_reason"))),
        model=str(data.get("model", "")),
    )
