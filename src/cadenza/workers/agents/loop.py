"""The agent loop: ask the model, run the tool calls it makes, until it gives a final answer that matches
the output schema, or a budget, the step limit or a pending call stops it.

Each step is one model call. The loop asks the recording first (:class:`~.recording.Recorded`): a resumed run
takes its earlier steps from the ledger, a replay takes all of them, a fork the ones before the fork step.
Only where the recording has no answer does it call the model or a tool, so the three are this one loop.

Safety rules live here: a call to a tool outside the allowlist is refused and recorded, arguments are checked
against the tool's schema before it runs, a high-risk call waits for a person's decision, and tool output only
ever enters the conversation as a tool result block. The allowlist is fixed before the first step; nothing a
tool returns can change it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cadenza.workers.agents.budget import Budget, Meter
from cadenza.workers.agents.codec import request_to_json, response_to_json
from cadenza.workers.agents.ledger import EntryKind
from cadenza.workers.agents.masking import Masker
from cadenza.workers.agents.model import (
    Message,
    ModelRequest,
    ModelResponse,
    TextBlock,
    ToolResultBlock,
    ToolSpec,
    ToolUseBlock,
)
from cadenza.workers.agents.output import OutputError, read_output
from cadenza.workers.agents.recording import Recorded, RunLog
from cadenza.workers.agents.routing import Answer
from cadenza.workers.agents.tools import Tool, ToolContext, ToolFailed, ToolKind
from cadenza.workers.agents.validation import argument_errors
from cadenza.workers.errors import ConnectorInputError

__all__ = ["AgentFailed", "AgentSpec", "Decision", "Live", "RunResult", "opening_text", "run_loop"]


@dataclass(frozen=True, slots=True)
class AgentSpec:
    system: str
    goal: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    output_schema: Mapping[str, Any] | None = None
    #: the allowlist: the only tools the model is shown and may call
    tools: tuple[Tool, ...] = ()
    #: tools whose calls wait for a person's decision first (high-risk, from the policy)
    approval_tools: frozenset[str] = frozenset()
    #: the registered model name the router resolved
    model: str = ""
    budget: Budget = field(default_factory=Budget)
    max_steps: int = 10
    max_output_retries: int = 2
    max_tokens: int = 1024
    temperature: float = 0.0


@dataclass(frozen=True, slots=True)
class Decision:
    """A person's decision on a pending call: ``approve``, ``reject`` or ``edit`` (with new arguments)."""

    call_id: str
    decision: str
    arguments: Mapping[str, Any] | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class RunResult:
    #: ``completed``, ``approval-required`` (a high-risk call waits) or ``tool-calls`` (BPMN tools to run)
    status: str
    output: Any = None
    pending: tuple[Mapping[str, Any], ...] = ()
    steps: int = 0
    model: str = ""


class AgentFailed(Exception):
    """The agent cannot finish: no model answered, the step limit, no valid answer after the retries."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Live:
    """What the loop may do live: call the model (None: replay only) and run tools."""

    complete: Callable[[ModelRequest], Awaitable[Answer]] | None
    tool_context: ToolContext | None
    masker: Masker = field(default_factory=Masker)
    decision: Decision | None = None
    tool_results: Mapping[str, Any] = field(default_factory=dict)
    check_time: bool = True


def opening_text(spec: AgentSpec) -> str:
    """The first user message: the goal, and the inputs as JSON."""
    text = spec.goal
    if spec.inputs:
        text += "\n\nInputs (JSON):\n" + json.dumps(spec.inputs, sort_keys=True, ensure_ascii=False)
    return text


def _opening(spec: AgentSpec) -> Message:
    return Message("user", (TextBlock(opening_text(spec)),))


def _system(spec: AgentSpec) -> str:
    if spec.output_schema is None:
        return spec.system
    schema = json.dumps(spec.output_schema, sort_keys=True)
    return f"{spec.system}\n\nGive your final answer as one JSON value matching this JSON schema:\n{schema}"


async def run_loop(spec: AgentSpec, recorded: Recorded, live: Live, log: RunLog, meter: Meter) -> RunResult:
    messages: list[Message] = [_opening(spec)]
    tools = tuple(ToolSpec(t.name, t.description, t.input_schema) for t in spec.tools)
    started = time.monotonic()
    retries = 0
    model = spec.model
    for step in range(spec.max_steps):
        request = ModelRequest(
            _system(spec), tuple(messages), tools, spec.max_tokens, spec.temperature, spec.output_schema
        )
        response, model = await _respond(step, request, recorded, live, log, meter, model)
        if live.check_time:
            meter.seconds = time.monotonic() - started
        meter.check()
        messages.append(Message("assistant", response.content))
        if response.tool_uses:
            results, pending = await _run_calls(step, response.tool_uses, spec, recorded, live, log)
            if pending is not None:
                return RunResult(pending[0], None, pending[1], step + 1, model)
            if live.check_time:  # slow tools count against the wall-time budget as well
                meter.seconds = time.monotonic() - started
                meter.check()
            messages.append(Message("user", tuple(results)))
            continue
        try:
            output = read_output(response.text, spec.output_schema)
        except OutputError as error:
            retries += 1
            if retries > spec.max_output_retries:
                raise AgentFailed(
                    "INVALID_OUTPUT", f"no valid answer after {retries} tries: {error}"
                ) from None
            note = f"Your answer does not match the output schema: {error}. Answer again with only the JSON."
            messages.append(Message("user", (TextBlock(note),)))
            continue
        return RunResult("completed", output, (), step + 1, model)
    raise AgentFailed("MAX_STEPS", f"no final answer within {spec.max_steps} model calls")


async def _respond(
    step: int, request: ModelRequest, recorded: Recorded, live: Live, log: RunLog, meter: Meter, model: str
) -> tuple[ModelResponse, str]:
    found = recorded.response(step)
    if found is not None:
        response, payload = found
        used = str(payload.get("model", model))
        meter.add(used, response.usage, live=False)
        await log.add(EntryKind.MODEL, step, payload, recorded=True)
        return response, used
    if live.complete is None:
        raise AgentFailed("REPLAY_DIVERGED", f"the recording has no model response for step {step}")
    answer = await live.complete(request)
    cost = 0 if answer.cached else meter.add(answer.model, answer.response.usage, live=True)
    payload = {
        "model": answer.model,
        "request": live.masker.request(request_to_json(request)),
        "response": response_to_json(answer.response),
        "cached": answer.cached,
        "failures": list(answer.failures),
        "costMicros": cost,
    }
    tokens = 0 if answer.cached else answer.response.usage.total
    await log.add(EntryKind.MODEL, step, payload, tokens=tokens, cost_micros=cost)
    return answer.response, answer.model


def _call_json(use: ToolUseBlock, arguments: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"id": use.id, "name": use.name, "arguments": dict(use.input if arguments is None else arguments)}


async def _run_calls(
    step: int,
    uses: tuple[ToolUseBlock, ...],
    spec: AgentSpec,
    recorded: Recorded,
    live: Live,
    log: RunLog,
) -> tuple[list[ToolResultBlock], tuple[str, tuple[Mapping[str, Any], ...]] | None]:
    """The results of a response's tool calls, or what the run waits for: a person's decision on one call
    (``approval-required``) or the process running its tools (``tool-calls``)."""
    results: list[ToolResultBlock] = []
    for_process: list[Mapping[str, Any]] = []
    for use in uses:
        handled = await _handle_call(step, use, spec, recorded, live, log)
        if isinstance(handled, ToolResultBlock):
            results.append(handled)
        elif handled is None:
            await log.add(EntryKind.PENDING, step, {"kind": "approval", "calls": [_call_json(use)]})
            return results, ("approval-required", (_call_json(use),))
        else:
            for_process.append(handled)
    if for_process:
        await log.add(EntryKind.PENDING, step, {"kind": "tool-calls", "calls": for_process})
        return results, ("tool-calls", tuple(for_process))
    return results, None


async def _handle_call(
    step: int, use: ToolUseBlock, spec: AgentSpec, recorded: Recorded, live: Live, log: RunLog
) -> ToolResultBlock | Mapping[str, Any] | None:
    """A call's result block; the call itself (JSON) when the process is to run it; None while it waits for
    a person."""
    done = recorded.tools.get((step, use.id))
    if done is not None:
        await log.add(EntryKind(done["kind"]), step, done, recorded=True)
        return _result_block(use, done)
    tool = next((t for t in spec.tools if t.name == use.name), None)
    if tool is None:
        return await _refuse(step, use, f"tool {use.name!r} is not on this agent's allowlist", log)
    problems = argument_errors(tool.input_schema, use.input)
    if problems:
        return await _refuse(step, use, f"invalid arguments: {problems}", log)
    if tool.name in spec.approval_tools:
        approved = await _approved(step, use, tool, recorded, live, log)
        if not isinstance(approved, ToolUseBlock):
            return approved  # None: waiting; a result block: rejected
        use = approved
    if tool.kind is ToolKind.BPMN:
        if use.id not in live.tool_results:
            return _call_json(use)
        return await _record(step, use, use.input, live.tool_results[use.id], False, log)
    return await _call(step, use, tool, live, log)


async def _approved(
    step: int, use: ToolUseBlock, tool: Tool, recorded: Recorded, live: Live, log: RunLog
) -> ToolUseBlock | ToolResultBlock | None:
    """The call to make after a person's decision (with edited arguments), the rejection's result block, or
    None while no decision was given."""
    decided = await _decision(step, use, tool, recorded, live, log)
    if decided is None:
        return None
    if decided.decision == "reject":
        note = f"rejected by the reviewer{': ' + decided.comment if decided.comment else ''}"
        return await _record(step, use, use.input, {"error": note}, True, log)
    if decided.decision == "edit":
        return ToolUseBlock(use.id, use.name, decided.arguments or {})
    return use


async def _decision(
    step: int, use: ToolUseBlock, tool: Tool, recorded: Recorded, live: Live, log: RunLog
) -> Decision | None:
    found = recorded.decisions.get((step, use.id))
    if found is not None:
        await log.add(EntryKind.DECISION, step, found, recorded=True)
        return Decision(use.id, found["decision"], found.get("arguments"), found.get("comment", ""))
    if live.decision is None or live.decision.call_id != use.id:
        return None
    d = live.decision
    if d.decision == "edit":
        # checked before it is recorded: a wrong edit must leave the call waiting for a better one
        problems = argument_errors(tool.input_schema, d.arguments or {})
        if problems:
            raise ConnectorInputError(
                f"agent.approval.arguments: the edited arguments are invalid: {problems}"
            )
    payload = {"callId": d.call_id, "decision": d.decision, "arguments": d.arguments, "comment": d.comment}
    await log.add(EntryKind.DECISION, step, payload)
    return d


async def _call(step: int, use: ToolUseBlock, tool: Tool, live: Live, log: RunLog) -> ToolResultBlock:
    if live.tool_context is None:
        raise AgentFailed("REPLAY_DIVERGED", f"the recording has no result for tool call {use.id}")
    try:
        result: Any = await tool.call(use.input, live.tool_context)
        failed = False
    except ToolFailed as error:
        result, failed = {"error": str(error)}, True
    return await _record(step, use, use.input, result, failed, log)


async def _record(
    step: int, use: ToolUseBlock, arguments: Mapping[str, Any], result: Any, failed: bool, log: RunLog
) -> ToolResultBlock:
    payload = {"kind": "tool", "call": _call_json(use, arguments), "result": result, "isError": failed}
    await log.add(EntryKind.TOOL, step, payload)
    return _result_block(use, payload)


async def _refuse(step: int, use: ToolUseBlock, reason: str, log: RunLog) -> ToolResultBlock:
    payload = {"kind": "refused", "call": _call_json(use), "result": {"error": reason}, "isError": True}
    await log.add(EntryKind.REFUSED, step, payload)
    return _result_block(use, payload)


def _result_block(use: ToolUseBlock, payload: Mapping[str, Any]) -> ToolResultBlock:
    # Tool output goes back as data inside a tool result, never as text of the user's or the system's turn.
    content = json.dumps(payload["result"], sort_keys=True, ensure_ascii=False)
    return ToolResultBlock(use.id, content, bool(payload["isError"]))
