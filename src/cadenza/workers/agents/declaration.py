"""The agent task's declaration: job type ``cadenza:agent``, its inputs (all fields of the ``agent`` context
variable, which the element's ``zeebe:input`` mappings write) and its outputs. The element template "Agent"
is generated from it, as the HTTP connector's is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadenza.workers.connector import (
    Closeable,
    Connector,
    ConnectorCall,
    Group,
    Handler,
    Input,
    InputType,
    Output,
)

__all__ = ["AGENT_JOB_TYPE", "AGENT_TEMPLATE_ID", "INPUTS", "OUTPUTS", "agent_declaration", "no_handler"]

AGENT_JOB_TYPE = "cadenza:agent"
AGENT_TEMPLATE_ID = "io.cadenza.Agent.v1"

_GROUPS = (
    Group("task", "Task"),
    Group("tools", "Tools"),
    Group("model", "Model"),
    Group("limits", "Budget and limits"),
    Group("policy", "Policy"),
    Group("memory", "Memory"),
    Group("resume", "Resume (approval, process-run tools)"),
)


def _in(
    name: str,
    label: str,
    kind: InputType = InputType.STRING,
    group: str = "task",
    *,
    required: bool = False,
    default: object = None,
    description: str = "",
    minimum: float | None = None,
) -> Input:
    return Input(
        f"agent.{name}",
        label,
        kind,
        required=required,
        default=default,
        description=description,
        group=group,
        minimum=minimum,
    )


INPUTS = (
    _in(
        "systemPrompt",
        "System prompt",
        InputType.TEXT,
        default="You are an agent working in a business process.",
    ),
    _in("goal", "Goal", InputType.TEXT, required=True, description="What the agent is to achieve."),
    _in("inputs", "Inputs", InputType.CONTEXT, description="Variables the agent sees, e.g. ={order: order}"),
    _in(
        "outputSchema",
        "Output JSON schema",
        InputType.CONTEXT,
        description="The final answer must match it; a mismatch is sent back to the model (bounded retries).",
    ),
    _in(
        "tools",
        "Allowed tools",
        InputType.ANY,
        "tools",
        description='The allowlist: tool names, e.g. =["lookup"]',
    ),
    _in(
        "bpmnTools",
        "Process-run tools",
        InputType.ANY,
        "tools",
        description="Tools the process runs (ad-hoc sub-process activities): "
        "[{name, description, inputSchema}]",
    ),
    _in("approvalTools", "Tools needing approval", InputType.ANY, "tools", description="High-risk tools."),
    _in("model", "Model", group="model", description="A model name from the worker's agent configuration."),
    _in(
        "modelTier", "Model tier", group="model", description="e.g. simple or standard (per-tenant mapping)."
    ),
    _in("temperature", "Temperature", InputType.NUMBER, "model", default=0, minimum=0),
    _in("maxTokensPerCall", "Max tokens per call", InputType.NUMBER, "model", default=1024, minimum=1),
    _in(
        "budget",
        "Budget",
        InputType.CONTEXT,
        "limits",
        description="{maxTokens, maxCost (USD), maxSeconds, instanceMaxTokens, instanceMaxCost}",
    ),
    _in("maxSteps", "Max model calls", InputType.NUMBER, "limits", default=10, minimum=1),
    _in("maxOutputRetries", "Max output retries", InputType.NUMBER, "limits", default=2, minimum=0),
    _in("policy", "Policy decision id", group="policy", description="A DMN decision, e.g. agent-policy"),
    _in(
        "risk",
        "Risk inputs",
        InputType.CONTEXT,
        "policy",
        description="The policy decision's input variables.",
    ),
    _in(
        "memory",
        "Use memory",
        InputType.BOOLEAN,
        "memory",
        default=False,
        description="Puts memory.search and memory.remember on the allowlist: the memory of this tenant "
        "and process (notes and past runs).",
    ),
    _in(
        "recordEpisode",
        "Remember this run",
        InputType.BOOLEAN,
        "memory",
        default=False,
        description="When the run completes, its goal, inputs and answer are stored as an episode that "
        "later runs find with memory.search.",
    ),
    _in(
        "resume",
        "Resume run",
        group="resume",
        description="The runId of a run waiting for a decision or tools.",
    ),
    _in("approval", "Approval", InputType.CONTEXT, "resume", description="{decision, arguments, comment}"),
    _in("toolResults", "Tool results", InputType.CONTEXT, "resume", description="Results by call id."),
)

OUTPUTS = (
    Output("status", "Status", "completed, approval-required or tool-calls"),
    Output("output", "Output", "The final answer (JSON matching the output schema, or text)."),
    Output("runId", "Run id", "The run in the ledger: replay, fork, resume."),
    Output(
        "pendingCalls", "Pending calls", "[{id, name, arguments}] waiting for approval or for the process."
    ),
    Output("usage", "Usage", "{tokens, costMicros, cost (USD)} of this run."),
    Output("instanceUsage", "Instance usage", "{tokens, costMicros} of all agent runs of the instance."),
    Output("model", "Model", "The model that gave the last answer."),
    Output("steps", "Steps", "Model calls made."),
)


def agent_declaration(handler: Handler, resources: tuple[Closeable, ...] = ()) -> Connector:
    return Connector(
        name="agent",
        title="Agent",
        job_type=AGENT_JOB_TYPE,
        template_id=AGENT_TEMPLATE_ID,
        handler=handler,
        inputs=INPUTS,
        outputs=OUTPUTS,
        groups=_GROUPS,
        description="An AI agent: a model with tools, within a budget and a DMN policy, recorded for replay.",
        timeout_ms=300_000,
        documentation_url="https://github.com/cadenza/cadenza/blob/main/docs/agents.md",
        resources=resources,
    )


async def no_handler(_call: ConnectorCall) -> Mapping[str, Any]:
    """The handler of a declaration made only for its element template."""
    raise RuntimeError("the agent task needs an AgentRuntime: AgentRuntime(...).connector()")
