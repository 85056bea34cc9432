"""Routing through real jobs: a cheaper model for simple steps (``agent.modelTier``), per-tenant tiers, defaults
and fallbacks, and routing that names a model nobody registered refused when the router is made."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agents_support import run_agent

from cadenza.workers import Complete, Fail
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    ModelRouter,
    RoutingError,
    ScriptedModel,
    TenantRouting,
)

OVERLOADED = {"error": "overloaded", "status": 529}


def router(**models: list[Any]) -> tuple[ModelRouter, dict[str, ScriptedModel]]:
    scripted = {name: ScriptedModel(script, name=name) for name, script in models.items()}
    return (
        ModelRouter(
            scripted,
            default="smart",
            tiers={"simple": "cheap", "standard": "smart"},
            fallbacks={"smart": ["cheap"]},
            tenants={
                "acme": TenantRouting(
                    tiers={"simple": "acme-small"}, fallbacks={"acme-small": ["acme-big"]}, default="acme-big"
                )
            },
        ),
        scripted,
    )


def answered_by(outcome: Any) -> str:
    assert isinstance(outcome, Complete), outcome
    return str(outcome.variables["result"]["model"])


def test_the_tier_and_the_tenant_choose_the_model_of_each_job() -> None:
    answer = [{"text": "ok"}]
    routing, models = router(smart=answer, cheap=answer, **{"acme-small": answer, "acme-big": answer})
    runtime = AgentRuntime(routing)
    jobs = [
        ({"goal": "classify", "modelTier": "simple"}, {}),
        ({"goal": "write the report"}, {}),
        ({"goal": "classify", "modelTier": "simple"}, {"tenant": "acme"}),
        ({"goal": "write the report"}, {"tenant": "acme"}),
        ({"goal": "write the report", "modelTier": "standard"}, {"tenant": "acme"}),  # the global tier
    ]

    async def scenario() -> list[str]:
        return [
            answered_by(await run_agent(runtime, agent, key=n, **job)) for n, (agent, job) in enumerate(jobs)
        ]

    assert asyncio.run(scenario()) == ["cheap", "smart", "acme-small", "acme-big", "smart"]
    assert {name: m.calls for name, m in models.items()} == {
        "smart": 2,
        "cheap": 1,
        "acme-small": 1,
        "acme-big": 1,
    }


def test_a_tenant_falls_back_along_its_own_chain() -> None:
    routing, models = router(
        smart=[{"text": "smart"}],
        cheap=[OVERLOADED],
        **{"acme-small": [OVERLOADED], "acme-big": [{"text": "acme's spare"}]},
    )
    runtime = AgentRuntime(routing)
    outcome = asyncio.run(run_agent(runtime, {"goal": "g", "modelTier": "simple"}, tenant="acme"))
    assert answered_by(outcome) == "acme-big" and models["cheap"].calls == 0  # never the global chain
    (entry,) = [
        e
        for e in runtime.ledger.run(outcome.variables["result"]["runId"], tenant="acme")
        if e.kind is EntryKind.MODEL
    ]
    assert entry.payload["failures"] == ["acme-small: overloaded (529): overloaded"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tiers": {"simple": "nano"}}, "routing names an unknown model 'nano'"),
        ({"default": "nano"}, "routing names an unknown model 'nano'"),
        ({"tenants": {"acme": TenantRouting(tiers={"simple": "nano"})}}, "tenant 'acme': routing names"),
        ({"tenants": {"acme": TenantRouting(default="nano")}}, "tenant 'acme': routing names"),
        ({"tenants": {"acme": TenantRouting(fallbacks={"a": ["nano"]})}}, "unknown model 'nano'"),
    ],
)
def test_routing_to_an_unknown_model_is_refused_when_the_router_is_made(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoutingError, match=message):
        ModelRouter({"a": ScriptedModel([], name="a")}, **options)


def test_task_headers_choose_the_tier_where_the_agent_variable_does_not() -> None:
    answer = [{"text": "ok"}]
    routing, _models = router(smart=answer, cheap=answer, **{"acme-small": answer, "acme-big": answer})
    runtime = AgentRuntime(routing)
    headers = {"resultVariable": "result", "agent.modelTier": "simple"}

    async def scenario() -> list[Any]:
        return [
            await run_agent(runtime, {"goal": "classify"}, headers=headers),
            await run_agent(runtime, {"goal": "classify", "modelTier": "standard"}, headers=headers, key=2),
            await run_agent(runtime, {"goal": "g"}, headers={**headers, "agent.memory": "true"}, key=3),
            await run_agent(runtime, {"goal": "g"}, headers={**headers, "agent.memory": "yes"}, key=4),
        ]

    by_header, by_variable, memory, bad = asyncio.run(scenario())
    assert answered_by(by_header) == "cheap"
    assert answered_by(by_variable) == "smart"  # the variable (the input mappings) wins over the header
    # the header was read: this worker has no memory to give
    assert isinstance(memory, Fail) and "agent.memory: this worker has no memory" in memory.message
    assert (
        isinstance(bad, Fail) and "task header agent.memory: expected true or false, not 'yes'" in bad.message
    )
