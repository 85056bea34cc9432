"""Helpers for the agent tests: a job of type cadenza:agent, run through the connector runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from cadenza.workers import JobInfo, Outcome, run_job
from cadenza.workers.agents import AgentRuntime
from cadenza.workers.secrets import MemoryCredentialStore

INSTANCE = 2251799813685300


def agent_job(
    agent: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    key: int = 1,
    tenant: str = "<default>",
    instance: int = INSTANCE,
) -> JobInfo:
    return JobInfo(
        key=key,
        type="cadenza:agent",
        variables={"agent": dict(agent)},
        custom_headers=dict(headers if headers is not None else {"resultVariable": "result"}),
        retries=3,
        bpmn_process_id="agent-process",
        process_instance_key=instance,
        element_id="agent-task",
        tenant_id=tenant,
    )


async def run_agent(runtime: AgentRuntime, agent: Mapping[str, Any], **job: Any) -> Outcome:
    return await run_job(
        runtime.connector(), agent_job(agent, **job), runtime.credentials or MemoryCredentialStore()
    )


def run_closing(runtime: AgentRuntime, agent: Mapping[str, Any], **job: Any) -> Outcome:
    """One job in its own event loop, closing the runtime's model clients before the loop ends."""

    async def scenario() -> Outcome:
        try:
            return await run_agent(runtime, agent, **job)
        finally:
            await runtime.aclose()

    return asyncio.run(scenario())


def run_all(runtime: AgentRuntime, *jobs: tuple[Mapping[str, Any], Mapping[str, Any]]) -> list[Outcome]:
    """Several jobs (agent inputs, job options) one after the other in one event loop, then closes."""

    async def scenario() -> list[Outcome]:
        try:
            return [await run_agent(runtime, agent, **options) for agent, options in jobs]
        finally:
            await runtime.aclose()

    return asyncio.run(scenario())
