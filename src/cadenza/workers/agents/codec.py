"""JSON for the model port's values: what the ledger records and the response cache keys on.

Blocks are written in Anthropic's shape (``{"type": "text", "text": ...}``, ``{"type": "tool_use", ...}``,
``{"type": "tool_result", ...}``), one vocabulary for every provider, so a recorded run reads the same
whichever model made it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cadenza.workers.agents.model import (
    Block,
    Message,
    ModelRequest,
    ModelResponse,
    TextBlock,
    ToolResultBlock,
    ToolSpec,
    ToolUseBlock,
    Usage,
)

__all__ = [
    "block_from_json",
    "block_to_json",
    "canonical",
    "request_digest",
    "request_from_json",
    "request_to_json",
    "response_from_json",
    "response_to_json",
]


def block_to_json(block: Block) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text}
    if isinstance(block, ToolUseBlock):
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": dict(block.input)}
    return {
        "type": "tool_result",
        "tool_use_id": block.tool_use_id,
        "content": block.content,
        "is_error": block.is_error,
    }


def block_from_json(data: Mapping[str, Any]) -> Block:
    kind = data.get("type")
    if kind == "text":
        return TextBlock(str(data["text"]))
    if kind == "tool_use":
        return ToolUseBlock(str(data["id"]), str(data["name"]), dict(data.get("input") or {}))
    if kind == "tool_result":
        return ToolResultBlock(str(data["tool_use_id"]), str(data["content"]), bool(data.get("is_error")))
    raise ValueError(f"unknown content block type {kind!r}")


def request_to_json(request: ModelRequest) -> dict[str, Any]:
    return {
        "system": request.system,
        "messages": [
            {"role": m.role, "content": [block_to_json(b) for b in m.content]} for m in request.messages
        ],
        "tools": [
            {"name": t.name, "description": t.description, "input_schema": dict(t.input_schema)}
            for t in request.tools
        ],
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "output_schema": None if request.output_schema is None else dict(request.output_schema),
    }


def request_from_json(data: Mapping[str, Any]) -> ModelRequest:
    return ModelRequest(
        system=str(data["system"]),
        messages=tuple(
            Message(m["role"], tuple(block_from_json(b) for b in m["content"])) for m in data["messages"]
        ),
        tools=tuple(ToolSpec(t["name"], t["description"], t["input_schema"]) for t in data["tools"]),
        max_tokens=int(data["max_tokens"]),
        temperature=float(data["temperature"]),
        output_schema=data.get("output_schema"),
    )


def response_to_json(response: ModelResponse) -> dict[str, Any]:
    return {
        "content": [block_to_json(b) for b in response.content],
        "usage": {"input_tokens": response.usage.input_tokens, "output_tokens": response.usage.output_tokens},
        "stop_reason": response.stop_reason,
        "model": response.model,
    }


def response_from_json(data: Mapping[str, Any]) -> ModelResponse:
    usage = data.get("usage") or {}
    return ModelResponse(
        content=tuple(block_from_json(b) for b in data["content"]),
        usage=Usage(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))),
        stop_reason=str(data.get("stop_reason", "end_turn")),
        model=str(data.get("model", "")),
    )


def canonical(value: Any) -> str:
    """One text per JSON value: sorted keys, no spaces (for digests and equality)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_digest(model: str, request: ModelRequest) -> str:
    return hashlib.sha256(canonical([model, request_to_json(request)]).encode()).hexdigest()
