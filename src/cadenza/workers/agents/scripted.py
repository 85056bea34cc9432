"""A deterministic model for tests and offline demos: it answers from a script.

A script is a list of steps; the answer to a request is the step at the position of the conversation (the
number of assistant turns the request already holds), so the model keeps no state between calls: concurrent
runs, resumed runs and replays all get the same answer at the same point. A script may also be a mapping from
a marker to such a list: the first marker found in the system prompt or the first user message picks the list
(one scripted model then plays several agents of a process: a coordinator and its specialists).

A step is a :class:`ModelResponse`, a :class:`ModelError` (raised: a provider failure), or JSON:

- ``{"text": "..."}``: a final answer in text;
- ``{"json": {...}}``: a final answer that is this JSON value;
- ``{"tools": [{"name": "lookup", "input": {...}}, ...], "text": "optional thinking"}``: tool calls;
- ``{"error": "overloaded", "status": 529}``: a provider failure of that kind;
- any step may add ``"usage": {"input_tokens": N, "output_tokens": M}`` (default: counted from the text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cadenza.workers.agents.codec import block_to_json, request_to_json
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

__all__ = ["ScriptedModel", "Step"]

Step = ModelResponse | ModelError | Mapping[str, Any]


class ScriptedModel:
    """Answers each request from ``script``; ``calls`` counts the requests it answered or failed."""

    def __init__(self, script: Sequence[Step] | Mapping[str, Sequence[Step]], name: str = "scripted") -> None:
        self._name = name
        self._scripts: dict[str, tuple[Step, ...]] = (
            {key: tuple(steps) for key, steps in script.items()}
            if isinstance(script, Mapping)
            else {"": tuple(script)}
        )
        self.calls = 0

    @property
    def name(self) -> str:
        return self._name

    async def complete(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        steps = self._script_for(request)
        position = sum(1 for message in request.messages if message.role == "assistant")
        if position >= len(steps):
            raise ModelError(self._name, ErrorKind.RESPONSE, f"the script has no step {position + 1}")
        step = steps[position]
        if isinstance(step, ModelError):
            raise step
        if isinstance(step, ModelResponse):
            return step
        return self._response(step, position, request)

    def _script_for(self, request: ModelRequest) -> tuple[Step, ...]:
        if "" in self._scripts:
            return self._scripts[""]
        first = request.messages[0] if request.messages else None
        opening = request.system + "".join(
            block.text for block in (first.content if first else ()) if isinstance(block, TextBlock)
        )
        for marker, steps in self._scripts.items():
            if marker in opening:
                return steps
        raise ModelError(self._name, ErrorKind.REQUEST, "no script's marker occurs in the prompt")

    def _response(self, step: Mapping[str, Any], position: int, request: ModelRequest) -> ModelResponse:
        if "error" in step:
            kind = ErrorKind(step["error"])
            raise ModelError(self._name, kind, str(step.get("message", kind.value)), step.get("status"))
        blocks: list[Block] = []
        if "text" in step:
            blocks.append(TextBlock(str(step["text"])))
        if "json" in step:
            blocks.append(TextBlock(json.dumps(step["json"])))
        for index, call in enumerate(step.get("tools", ())):
            blocks.append(
                ToolUseBlock(f"call_{position + 1}_{index + 1}", call["name"], call.get("input", {}))
            )
        usage = step.get("usage")
        return ModelResponse(
            content=tuple(blocks),
            usage=Usage(**usage) if usage else _estimate(request, blocks),
            stop_reason="tool_use" if step.get("tools") else "end_turn",
            model=self._name,
        )


def _estimate(request: ModelRequest, blocks: list[Block]) -> Usage:
    # A stand-in for a tokenizer, so budgets have something to count: about four characters a token.
    sent = len(json.dumps(request_to_json(request)))
    answered = len(json.dumps([block_to_json(b) for b in blocks]))
    return Usage(max(1, sent // 4), max(1, answered // 4))
