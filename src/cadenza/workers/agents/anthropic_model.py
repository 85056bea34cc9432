"""Anthropic's Messages API through the official ``anthropic`` SDK (``AsyncAnthropic``).

The SDK's own retries are off (``max_retries=0``): retrying on 429/529 is the router's job, which may move to
another model instead of waiting on an overloaded one. Errors become :class:`ModelError` by status: 429 rate
limited, 529 overloaded, other 5xx server, other 4xx request; timeouts and lost connections by kind.
"""

from __future__ import annotations

import inspect
from typing import Any

import anthropic
from anthropic.resources.messages import AsyncMessages

from cadenza.workers.agents.codec import block_to_json
from cadenza.workers.agents.model import (
    Block,
    ErrorKind,
    ModelError,
    ModelRequest,
    ModelResponse,
    TextBlock,
    ToolUseBlock,
    Usage,
)
from cadenza.workers.agents.wire_names import WireNames

__all__ = ["AnthropicModel"]

_TEMPERATURE_ARGUMENT = "temperature" in inspect.signature(AsyncMessages.create).parameters


class AnthropicModel:
    """``model`` is the provider's model id (``claude-...``); ``name`` the name routing knows it by."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        name: str | None = None,
    ) -> None:
        self._name = name or model
        self.model = model
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )

    @property
    def name(self) -> str:
        return self._name

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, request: ModelRequest) -> ModelResponse:
        names = WireNames(t.name for t in request.tools)
        arguments: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": m.role, "content": [_wire_block(b, names) for b in m.content]}
                for m in request.messages
            ],
        }
        if _TEMPERATURE_ARGUMENT:
            arguments["temperature"] = request.temperature
        else:
            # newer SDKs dropped the parameter; the Messages API field is the same either way
            arguments["extra_body"] = {"temperature": request.temperature}
        if request.system:
            arguments["system"] = request.system
        if request.tools:
            arguments["tools"] = [
                {
                    "name": names.wire(t.name),
                    "description": t.description,
                    "input_schema": dict(t.input_schema),
                }
                for t in request.tools
            ]
        try:
            message = await self._client.messages.create(**arguments)
        except anthropic.APIStatusError as error:
            raise ModelError(
                self._name, _kind(error.status_code), _message(error), error.status_code
            ) from None
        except anthropic.APITimeoutError:
            raise ModelError(self._name, ErrorKind.TIMEOUT, "no answer in time") from None
        except anthropic.APIConnectionError as error:
            raise ModelError(self._name, ErrorKind.CONNECTION, str(error)) from None
        return _response(message, names)


def _kind(status: int) -> ErrorKind:
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status == 529:
        return ErrorKind.OVERLOADED
    if status >= 500:
        return ErrorKind.SERVER
    return ErrorKind.REQUEST


def _message(error: anthropic.APIStatusError) -> str:
    # the API's error JSON: {"type": "error", "error": {"type": "overloaded_error", "message": "..."}}
    body = error.body if isinstance(error.body, dict) else {}
    detail = body.get("error")
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"])
    return str(error.message)


def _wire_block(block: Block, names: WireNames) -> dict[str, Any]:
    data = block_to_json(block)
    if isinstance(block, ToolUseBlock):
        data["name"] = names.wire(block.name)
    return data


def _response(message: Any, names: WireNames) -> ModelResponse:
    blocks: list[Block] = []
    for block in message.content:
        if block.type == "text":
            blocks.append(TextBlock(block.text))
        elif block.type == "tool_use":
            blocks.append(ToolUseBlock(block.id, names.local(block.name), dict(block.input)))
    usage = message.usage
    return ModelResponse(
        content=tuple(blocks),
        usage=Usage(usage.input_tokens, usage.output_tokens),
        stop_reason=str(message.stop_reason or "end_turn"),
        model=str(message.model),
    )
