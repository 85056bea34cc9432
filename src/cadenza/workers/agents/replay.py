"""Replay and fork of a recorded agent run.

A **replay** runs the loop over the whole recording with no live model and no tools: every response and tool
result comes from the ledger, so no model is called and the result is the recorded one (a run that ended in a
budget breach or a failure ends so again). A recording that lacks a step raises ``REPLAY_DIVERGED``.

A **fork** from step N starts a new run whose first N steps (model responses, tool results, decisions) are
copied from the recording, then goes live with whatever changed: the inputs, the goal, the prompt, the model.
What came before step N is kept as it was; only what follows it can differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cadenza.workers.agents.budget import Meter, Spent
from cadenza.workers.agents.ledger import EntryKind, LedgerEntry, MemoryLedger
from cadenza.workers.agents.loop import Live, RunResult
from cadenza.workers.agents.recording import Recorded, RunLog, RunScope
from cadenza.workers.agents.spec_json import spec_from_json, spec_to_json
from cadenza.workers.agents.task import AgentRuntime
from cadenza.workers.agents.tools import ToolContext
from cadenza.workers.connector import JobInfo
from cadenza.workers.secrets import Redactor

__all__ = ["fork_run", "replay_run"]


async def _entries(runtime: AgentRuntime, run_id: str, tenant: str) -> list[LedgerEntry]:
    entries = await asyncio.to_thread(runtime.ledger.run, run_id, tenant=tenant)
    if not entries or entries[0].kind is not EntryKind.RUN:
        raise LookupError(f"no recorded run {run_id!r} for tenant {tenant!r}")
    return entries


def _before(entry: LedgerEntry) -> Spent:
    before = entry.payload.get("instanceBefore") or {}
    return Spent(int(before.get("tokens", 0)), int(before.get("costMicros", 0)))


async def replay_run(runtime: AgentRuntime, run_id: str, *, tenant: str) -> RunResult:
    """The run's result again, from the recording alone: no model call, no tool call, nothing written."""
    entries = await _entries(runtime, run_id, tenant)
    first = entries[0]
    spec = spec_from_json(first.payload["spec"])
    scope = RunScope(run_id, tenant, first.process_instance_key, first.element_id)
    log = RunLog(MemoryLedger(), scope)
    meter = Meter(spec.budget, runtime.prices, _before(first))
    live = Live(complete=None, tool_context=None, check_time=False)
    return await runtime.execute(spec, Recorded.of(entries), live, log, meter)


async def fork_run(
    runtime: AgentRuntime,
    run_id: str,
    *,
    tenant: str,
    step: int,
    changes: Mapping[str, Any] | None = None,
) -> tuple[str, RunResult]:
    """A new run: steps before ``step`` as recorded, then live with ``changes`` to the spec (``system``,
    ``goal``, ``inputs``, ``model``, ``output_schema``...: AgentSpec field names). Returns the new run's id
    and result."""
    if step < 0:
        raise ValueError("the fork step must be 0 or more")
    entries = await _entries(runtime, run_id, tenant)
    first = entries[0]
    spec = replace(spec_from_json(first.payload["spec"], runtime.tools), **dict(changes or {}))
    if changes and "model" in changes:
        spec = replace(spec, model=runtime.router.resolve(tenant=tenant, model=str(changes["model"])))
    scope = RunScope(runtime.run_ids(), tenant, first.process_instance_key, first.element_id)
    log = RunLog(runtime.ledger, scope, copy_recorded=True)
    payload = {
        **first.payload,
        "spec": spec_to_json(spec, runtime.masker),
        "parent": {"runId": run_id, "step": step, "changed": sorted(changes or {})},
    }
    await log.add(EntryKind.RUN, 0, payload)
    info = _job(first, tenant)
    before = await asyncio.to_thread(
        runtime.ledger.instance_spent, tenant=tenant, process_instance_key=info.process_instance_key
    )
    meter = Meter(spec.budget, runtime.prices, before)
    context = ToolContext(info, runtime.credentials, Redactor())
    live = Live(runtime.completer(tenant, spec.model), context, runtime.masker)
    result = await runtime.execute(spec, Recorded.of(entries, before_step=step), live, log, meter)
    return scope.run_id, result


def _job(first: LedgerEntry, tenant: str) -> JobInfo:
    """The job a forked run's tools see: the original job's identity, no variables or headers."""
    job = first.payload["job"]
    return JobInfo(
        key=int(job["key"]),
        type=str(job["type"]),
        variables={},
        custom_headers={},
        retries=1,
        bpmn_process_id=str(job["bpmnProcessId"]),
        process_instance_key=int(job["processInstanceKey"]),
        element_id=str(job["elementId"]),
        tenant_id=tenant,
    )
