"""An agent spec as JSON, as the ledger's ``run`` entry keeps it: enough to replay or fork the run later."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadenza.workers.agents.budget import Budget
from cadenza.workers.agents.loop import AgentSpec
from cadenza.workers.agents.masking import Masker
from cadenza.workers.agents.tools import Tool, ToolKind, ToolRegistry

__all__ = ["spec_from_json", "spec_to_json"]

_BUDGET = ("max_tokens", "max_cost_micros", "max_seconds", "instance_max_tokens", "instance_max_cost_micros")


def spec_to_json(spec: AgentSpec, masker: Masker) -> dict[str, Any]:
    return {
        "system": masker.text(spec.system),
        "goal": masker.text(spec.goal),
        "inputs": masker.value(dict(spec.inputs)),
        "outputSchema": None if spec.output_schema is None else dict(spec.output_schema),
        "tools": [
            {
                "name": t.name,
                "description": t.description,
                "inputSchema": dict(t.input_schema),
                "kind": t.kind,
            }
            for t in spec.tools
        ],
        "approvalTools": sorted(spec.approval_tools),
        "model": spec.model,
        "budget": {name: getattr(spec.budget, name) for name in _BUDGET},
        "maxSteps": spec.max_steps,
        "maxOutputRetries": spec.max_output_retries,
        "maxTokens": spec.max_tokens,
        "temperature": spec.temperature,
    }


def spec_from_json(data: Mapping[str, Any], registry: ToolRegistry | None = None) -> AgentSpec:
    """The spec a run entry holds. Tools are taken from ``registry`` when it has them (a fork runs them live),
    else rebuilt from the recorded declaration without a function (a replay never calls them)."""
    tools = []
    for t in data["tools"]:
        registered = registry.get(t["name"]) if registry is not None else None
        tools.append(registered or Tool(t["name"], t["description"], t["inputSchema"], ToolKind(t["kind"])))
    return AgentSpec(
        system=data["system"],
        goal=data["goal"],
        inputs=data["inputs"],
        output_schema=data["outputSchema"],
        tools=tuple(tools),
        approval_tools=frozenset(data["approvalTools"]),
        model=data["model"],
        budget=Budget(**{name: data["budget"].get(name) for name in _BUDGET}),
        max_steps=data["maxSteps"],
        max_output_retries=data["maxOutputRetries"],
        max_tokens=data["maxTokens"],
        temperature=data["temperature"],
    )
