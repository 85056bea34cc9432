"""Reading the agent task's inputs into the parts of a run: tools, budget, resume instructions.

Every problem is a :class:`ConnectorInputError` (the job fails with no retries: an incident naming it), as
for any connector's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadenza.workers.agents.budget import Budget
from cadenza.workers.agents.loop import Decision
from cadenza.workers.agents.policy import PolicyError, names
from cadenza.workers.agents.tools import Tool, ToolRegistry, bpmn_tool
from cadenza.workers.agents.validation import check_schema
from cadenza.workers.connector import JobInfo
from cadenza.workers.errors import ConnectorInputError

__all__ = ["HEADER_SETTINGS", "read_budget", "read_decision", "read_tools", "with_headers"]

_DECISIONS = ("approve", "reject", "edit")
#: Settings a task header may give too (``<zeebe:header key="agent.modelTier" value="simple"/>``): static per
#: element, as an input mapping is, for models that set them without the element template.
HEADER_SETTINGS = ("agent.model", "agent.modelTier", "agent.policy", "agent.memory", "agent.recordEpisode")
_BOOLEAN_SETTINGS = ("agent.memory", "agent.recordEpisode")


def with_headers(inputs: Mapping[str, Any], job: JobInfo) -> dict[str, Any]:
    """The inputs with the task headers of :data:`HEADER_SETTINGS` where the ``agent`` variable does not set
    the field (the variable wins: it is what the element's input mappings wrote)."""
    agent = job.variables.get("agent")
    given = agent if isinstance(agent, Mapping) else {}
    merged = dict(inputs)
    for name in HEADER_SETTINGS:
        header = job.custom_headers.get(name)
        if header is None or given.get(name.removeprefix("agent.")) not in (None, ""):
            continue
        if name not in _BOOLEAN_SETTINGS:
            merged[name] = header
        elif header.lower() in ("true", "false"):
            merged[name] = header.lower() == "true"
        else:
            raise ConnectorInputError(f"task header {name}: expected true or false, not {header!r}")
    return merged


def _names(value: Any, where: str) -> frozenset[str]:
    try:
        return names(value, where) or frozenset()
    except PolicyError as error:
        raise ConnectorInputError(str(error)) from None


def read_tools(
    inputs: Mapping[str, Any],
    registry: ToolRegistry,
    allowed_by_policy: frozenset[str] | None,
    enabled: frozenset[str] = frozenset(),
) -> tuple[tuple[Tool, ...], frozenset[str]]:
    """The allowlist as tools (task allowlist and the ``enabled`` ones, such as memory's, cut down by the
    policy) and the names of the high-risk ones."""
    process_tools = _bpmn_tools(inputs.get("agent.bpmnTools"))
    wanted = _names(inputs.get("agent.tools"), "agent.tools") | {t.name for t in process_tools} | enabled
    by_name = {t.name: t for t in process_tools}
    unknown = sorted(n for n in wanted if n not in by_name and registry.get(n) is None)
    if unknown:
        known = ", ".join(registry.names) or "none"
        raise ConnectorInputError(f"agent.tools: unknown tool(s) {', '.join(unknown)} (registered: {known})")
    if allowed_by_policy is not None:
        wanted &= allowed_by_policy
    tools = tuple(by_name.get(n) or registry.get(n) for n in sorted(wanted))
    approval = _names(inputs.get("agent.approvalTools"), "agent.approvalTools")
    return tuple(t for t in tools if t is not None), approval


def _bpmn_tools(value: Any) -> tuple[Tool, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConnectorInputError("agent.bpmnTools: expected a list of {name, description, inputSchema}")
    tools = []
    for index, item in enumerate(value):
        where = f"agent.bpmnTools[{index + 1}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConnectorInputError(f"{where}: expected {{name, description, inputSchema}}")
        schema = item.get("inputSchema") or {"type": "object"}
        try:
            check_schema(schema, where)
        except ValueError as error:
            raise ConnectorInputError(str(error)) from None
        tools.append(bpmn_tool(item["name"], str(item.get("description") or ""), schema))
    return tuple(tools)


def _ceiling(budget: Mapping[str, Any], name: str, scale: float = 1) -> Any:
    value = budget.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConnectorInputError(f"agent.budget.{name}: expected a number >= 0, not {value!r}")
    return round(value * scale) if scale != 1 else value


def read_budget(value: Any) -> Budget:
    if value is None:
        return Budget()
    known = {"maxTokens", "maxCost", "maxSeconds", "instanceMaxTokens", "instanceMaxCost"}
    extra = sorted(set(value) - known)
    if extra:
        raise ConnectorInputError(f"agent.budget: unknown field(s) {', '.join(extra)}")
    return Budget(
        max_tokens=_ceiling(value, "maxTokens"),
        max_cost_micros=_ceiling(value, "maxCost", 1_000_000),
        max_seconds=_ceiling(value, "maxSeconds"),
        instance_max_tokens=_ceiling(value, "instanceMaxTokens"),
        instance_max_cost_micros=_ceiling(value, "instanceMaxCost", 1_000_000),
    )


def read_decision(value: Any, pending: Mapping[str, Any] | None) -> Decision | None:
    """The person's decision on the run's pending call; the call id defaults to the pending one."""
    if value is None:
        return None
    decision = value.get("decision")
    if decision not in _DECISIONS:
        raise ConnectorInputError(
            f"agent.approval.decision: must be one of {', '.join(_DECISIONS)}, not {decision!r}"
        )
    calls = (pending or {}).get("calls") or []
    call_id = value.get("callId") or (calls[0]["id"] if calls else None)
    if not isinstance(call_id, str):
        raise ConnectorInputError("agent.approval: the run has no call waiting for approval")
    arguments = value.get("arguments")
    if decision == "edit" and not isinstance(arguments, dict):
        raise ConnectorInputError("agent.approval.arguments: an edit needs the new arguments (a context)")
    return Decision(call_id, decision, arguments, str(value.get("comment") or ""))
