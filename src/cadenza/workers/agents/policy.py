"""Policy from DMN: a decision over an agent's risk inputs says which tools it may use, which calls need a
person's approval, which model tier it runs on and how much it may spend.

The decision is evaluated by the engine (EvaluateDecision over the Zeebe gateway, :mod:`.gateway_policy`),
so the same deployed DMN that analysts edit governs the agent. Its result's fields (any may be missing or
null, meaning "no say"):

| field | |
|---|---|
| ``allowedTools`` | list (or comma-separated text) of tool names: the allowlist is cut down to these |
| ``approvalTools`` | tools whose every call waits for a person (high-risk) |
| ``approvalRequired`` | true: every tool call waits for a person |
| ``modelTier`` | the tier the model is chosen by (overrides the task's) |
| ``maxTokens``, ``maxCost``, ``maxSeconds`` | per-task ceilings (cost in USD); the stricter holds |

A policy only narrows what the task allows: it can remove tools and lower ceilings, never add either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cadenza.workers.agents.budget import Budget

__all__ = ["Policy", "PolicyEvaluator", "PolicyError", "names", "read_policy"]


class PolicyError(ValueError):
    """The policy decision's result cannot be read (a wrong type in a field)."""


class PolicyEvaluator(Protocol):
    async def evaluate(self, decision_id: str, variables: Mapping[str, Any], *, tenant_id: str) -> Any:
        """The decision's result (the engine's decisionOutput, parsed)."""
        ...


@dataclass(frozen=True, slots=True)
class Policy:
    allowed_tools: frozenset[str] | None = None
    approval_tools: frozenset[str] = frozenset()
    approval_required: bool = False
    model_tier: str | None = None
    budget: Budget = Budget()

    def to_json(self) -> dict[str, Any]:
        return {
            "allowedTools": None if self.allowed_tools is None else sorted(self.allowed_tools),
            "approvalTools": sorted(self.approval_tools),
            "approvalRequired": self.approval_required,
            "modelTier": self.model_tier,
        }


def names(value: Any, where: str) -> frozenset[str] | None:
    """A list of names or comma-separated text; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    raise PolicyError(f"{where}: expected a list of names or comma-separated text, not {value!r}")


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{where}: expected a number, not {value!r}")
    return float(value)


def read_policy(result: Any) -> Policy:
    """The policy a decision's result gives; a single-rule COLLECT list is taken as its one row."""
    if isinstance(result, list) and len(result) == 1:
        result = result[0]
    if not isinstance(result, Mapping):
        raise PolicyError(f"the policy decision must give a context, not {result!r}")
    tier = result.get("modelTier")
    if tier is not None and not isinstance(tier, str):
        raise PolicyError(f"modelTier: expected text, not {tier!r}")
    max_tokens = _number(result.get("maxTokens"), "maxTokens")
    max_cost = _number(result.get("maxCost"), "maxCost")
    budget = Budget(
        max_tokens=None if max_tokens is None else int(max_tokens),
        max_cost_micros=None if max_cost is None else round(max_cost * 1_000_000),
        max_seconds=_number(result.get("maxSeconds"), "maxSeconds"),
    )
    return Policy(
        allowed_tools=names(result.get("allowedTools"), "allowedTools"),
        approval_tools=names(result.get("approvalTools"), "approvalTools") or frozenset(),
        approval_required=bool(result.get("approvalRequired") or False),
        model_tier=tier or None,
        budget=budget,
    )
