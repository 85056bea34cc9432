"""The agent task: one job of type ``cadenza:agent`` becomes one agent run (or the next part of one).

:class:`AgentRuntime` holds what the deployer configures (models and routing, registered tools, the ledger,
prices, the policy evaluator, PII masking, credentials) and serves the job through the connector shape, so
inputs, result and error rules, secrets and the element template work as for any connector. A job either
starts a run or, with ``agent.resume``, continues one that waits for a person's decision or for the process to
run its tools. :mod:`.replay` re-runs recorded runs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cadenza.workers.agents.budget import Budget, BudgetExceeded, Meter, PriceTable
from cadenza.workers.agents.declaration import agent_declaration
from cadenza.workers.agents.ledger import EntryKind, Ledger, MemoryLedger
from cadenza.workers.agents.loop import AgentFailed, AgentSpec, Live, RunResult, run_loop
from cadenza.workers.agents.masking import Masker
from cadenza.workers.agents.model import ModelError, ModelRequest
from cadenza.workers.agents.policy import Policy, PolicyError, PolicyEvaluator, read_policy
from cadenza.workers.agents.recording import Recorded, RunLog, RunScope
from cadenza.workers.agents.routing import Answer, ModelRouter, RoutingError
from cadenza.workers.agents.settings import read_budget, read_decision, read_tools, with_headers
from cadenza.workers.agents.spec_json import spec_to_json
from cadenza.workers.agents.tools import Tool, ToolContext, ToolRegistry
from cadenza.workers.agents.validation import check_schema
from cadenza.workers.connector import Connector, ConnectorCall, JobInfo
from cadenza.workers.errors import ConnectorBpmnError, ConnectorError, ConnectorInputError
from cadenza.workers.secrets import CredentialStore, MemoryCredentialStore

if TYPE_CHECKING:  # memory needs the ``memory`` extra (pymilvus, the embedding model): imported only if used
    from cadenza.workers.agents.agent_memory import AgentMemory

__all__ = ["BUDGET_EXCEEDED", "AgentRuntime"]

#: The BPMN error code a budget breach throws.
BUDGET_EXCEEDED = "budget-exceeded"


class AgentRuntime:
    def __init__(
        self,
        router: ModelRouter,
        *,
        tools: ToolRegistry | Sequence[Tool] = (),
        ledger: Ledger | None = None,
        prices: PriceTable | None = None,
        credentials: CredentialStore | None = None,
        policy: PolicyEvaluator | None = None,
        masker: Masker | None = None,
        budget: Budget | None = None,
        memory: AgentMemory | None = None,
        run_ids: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.router = router
        self.tools = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
        self.ledger: Ledger = ledger if ledger is not None else MemoryLedger()
        self.prices = prices or PriceTable()
        self.credentials: CredentialStore = credentials or MemoryCredentialStore()
        self.policy = policy
        self.masker = masker or Masker()
        self.budget = budget or Budget()
        self.run_ids = run_ids
        self.memory = memory
        if memory is not None:
            for tool in memory.tools():
                self.tools.add(tool)

    def connector(self) -> Connector:
        """The ``cadenza:agent`` connector served by this runtime."""
        return agent_declaration(self.handle, resources=(self,))

    async def aclose(self) -> None:
        """Releases the models' connections and the ledger's (the worker runtime calls it on stop)."""
        await self.router.aclose()
        policy_close = getattr(self.policy, "aclose", None)
        if policy_close is not None:
            await policy_close()
        close = getattr(self.ledger, "close", None)
        if close is not None:
            close()
        if self.memory is not None:
            self.memory.close()

    async def handle(self, call: ConnectorCall) -> dict[str, Any]:
        job, inputs = call.job, with_headers(call.inputs, call.job)
        policy = await self._policy(inputs, job)
        spec = self._spec(inputs, job, policy)
        context = ToolContext(job, self.credentials, call.redactor)
        resume = inputs.get("agent.resume") or await self._interrupted(job)
        if resume:
            scope, recorded, log = await self._resumed(str(resume), job)
            decision = read_decision(inputs.get("agent.approval"), recorded.pending)
            results = inputs.get("agent.toolResults") or {}
        else:
            scope = RunScope(self.run_ids(), job.tenant_id, job.process_instance_key, job.element_id)
            recorded, log, decision, results = Recorded(), RunLog(self.ledger, scope), None, {}
        before = await asyncio.to_thread(
            self.ledger.instance_spent, tenant=job.tenant_id, process_instance_key=job.process_instance_key
        )
        if not resume:
            await log.add(EntryKind.RUN, 0, self._run_payload(spec, job, policy, before))
        meter = Meter(spec.budget, self.prices, before)
        live = Live(self.completer(job.tenant_id, spec.model), context, self.masker, decision, results)
        result = await self.execute(spec, recorded, live, log, meter)
        if result.status == "completed" and inputs.get("agent.recordEpisode") and self.memory is not None:
            await self.memory.record_episode(job, spec, result.output, self.masker)
        return _result(result, scope.run_id, meter)

    async def execute(
        self, spec: AgentSpec, recorded: Recorded, live: Live, log: RunLog, meter: Meter
    ) -> RunResult:
        """Runs the loop and records its end; a budget breach becomes the BPMN error ``budget-exceeded``."""
        try:
            result = await run_loop(spec, recorded, live, log, meter)
        except BudgetExceeded as error:
            details = {
                "limit": error.limit,
                "ceiling": error.ceiling,
                "used": error.used,
                "runId": log.scope.run_id,
            }
            await log.add(EntryKind.END, -1, {"status": BUDGET_EXCEEDED, **details})
            raise ConnectorBpmnError(BUDGET_EXCEEDED, str(error), {"budgetExceeded": details}) from None
        except AgentFailed as error:
            await log.add(EntryKind.END, -1, {"status": "failed", "code": error.code, "message": str(error)})
            raise ConnectorError(error.code, str(error)) from None
        except ModelError as error:
            # no end entry: the run stays open, and the job's retry continues it where the model failed
            raise ConnectorError("MODEL_UNAVAILABLE", str(error)) from None
        if result.status == "completed":
            await log.add(
                EntryKind.END, -1, {"status": "completed", "output": result.output, "steps": result.steps}
            )
        return result

    def completer(self, tenant: str, model: str) -> Callable[[ModelRequest], Awaitable[Answer]]:
        """Live model calls for a run of ``tenant`` on ``model`` (through its fallbacks and the cache)."""
        router = self.router

        async def complete(request: ModelRequest) -> Answer:
            return await router.complete(model, request, tenant=tenant)

        return complete

    async def _policy(self, inputs: Mapping[str, Any], job: JobInfo) -> Policy | None:
        decision_id = inputs.get("agent.policy")
        if not decision_id:
            return None
        if self.policy is None:
            raise ConnectorInputError("agent.policy names a decision, but this worker evaluates no policies")
        risk = inputs.get("agent.risk") or {}
        try:
            return read_policy(await self.policy.evaluate(str(decision_id), risk, tenant_id=job.tenant_id))
        except PolicyError as error:
            raise ConnectorInputError(f"policy {decision_id}: {error}") from None

    def _spec(self, inputs: Mapping[str, Any], job: JobInfo, policy: Policy | None) -> AgentSpec:
        memory = self._memory_tools(inputs, job)
        tools, approval = read_tools(inputs, self.tools, policy.allowed_tools if policy else None, memory)
        if policy is not None:
            approval |= policy.approval_tools
            if policy.approval_required:
                approval |= {t.name for t in tools}
        schema = inputs.get("agent.outputSchema")
        if schema is not None:
            try:
                check_schema(schema, "agent.outputSchema")
            except ValueError as error:
                raise ConnectorInputError(str(error)) from None
        tier = (policy.model_tier if policy else None) or inputs.get("agent.modelTier")
        try:
            model = self.router.resolve(tenant=job.tenant_id, model=inputs.get("agent.model"), tier=tier)
        except RoutingError as error:
            raise ConnectorInputError(f"agent.model: {error}") from None
        budget = self.budget.tightened(read_budget(inputs.get("agent.budget")))
        return AgentSpec(
            system=str(inputs.get("agent.systemPrompt") or ""),
            goal=str(inputs["agent.goal"]),
            inputs=inputs.get("agent.inputs") or {},
            output_schema=schema,
            tools=tools,
            approval_tools=frozenset(approval),
            model=model,
            budget=budget.tightened(policy.budget) if policy else budget,
            max_steps=int(inputs.get("agent.maxSteps") or 10),
            max_output_retries=int(inputs.get("agent.maxOutputRetries") or 0),
            max_tokens=int(inputs.get("agent.maxTokensPerCall") or 1024),
            temperature=float(inputs.get("agent.temperature") or 0),
        )

    def _memory_tools(self, inputs: Mapping[str, Any], job: JobInfo) -> frozenset[str]:
        """The memory tools ``agent.memory`` puts on the allowlist; checks that memory can serve the job."""
        wanted = [name for name in ("agent.memory", "agent.recordEpisode") if inputs.get(name)]
        if not wanted:
            return frozenset()
        if self.memory is None:
            raise ConnectorInputError(f"{wanted[0]}: this worker has no memory (memory in its configuration)")
        try:
            self.memory.namespace(job)
        except ValueError as error:
            raise ConnectorInputError(f"{wanted[0]}: no memory namespace for this job: {error}") from None
        return frozenset(self.memory.tool_names) if inputs.get("agent.memory") else frozenset()

    async def _interrupted(self, job: JobInfo) -> str | None:
        """The run this very job started and did not finish (the worker crashed, the job timed out, no model
        answered): a retry of the job continues it, so tools that ran do not run again, nor paid steps cost
        again."""
        runs = await asyncio.to_thread(
            self.ledger.open_runs,
            tenant=job.tenant_id,
            process_instance_key=job.process_instance_key,
            element_id=job.element_id,
        )
        for run_id in reversed(runs):
            entries = await asyncio.to_thread(self.ledger.run, run_id, tenant=job.tenant_id)
            started = entries[0].payload.get("job", {}) if entries else {}
            if started.get("key") == job.key:
                return run_id
        return None

    async def _resumed(self, run_id: str, job: JobInfo) -> tuple[RunScope, Recorded, RunLog]:
        entries = await asyncio.to_thread(self.ledger.run, run_id, tenant=job.tenant_id)
        if not entries:
            raise ConnectorInputError(f"agent.resume: no run {run_id!r} for tenant {job.tenant_id!r}")
        if any(e.kind is EntryKind.END for e in entries):
            raise ConnectorInputError(f"agent.resume: run {run_id!r} has ended already")
        scope = RunScope(run_id, job.tenant_id, entries[0].process_instance_key, entries[0].element_id)
        return scope, Recorded.of(entries), RunLog(self.ledger, scope, next_seq=entries[-1].seq + 1)

    def _run_payload(
        self, spec: AgentSpec, job: JobInfo, policy: Policy | None, before: Any
    ) -> dict[str, Any]:
        return {
            "spec": spec_to_json(spec, self.masker),
            "job": {
                "key": job.key,
                "type": job.type,
                "bpmnProcessId": job.bpmn_process_id,
                "processInstanceKey": job.process_instance_key,
                "elementId": job.element_id,
            },
            "policy": None if policy is None else policy.to_json(),
            "instanceBefore": {"tokens": before.tokens, "costMicros": before.cost_micros},
        }


def _result(result: RunResult, run_id: str, meter: Meter) -> dict[str, Any]:
    spent = meter.run
    return {
        "status": result.status,
        "output": result.output,
        "runId": run_id,
        "pendingCalls": [dict(c) for c in result.pending],
        "usage": {"tokens": spent.tokens, "costMicros": spent.cost_micros, "cost": spent.cost_micros / 1e6},
        "instanceUsage": {"tokens": meter.instance.tokens, "costMicros": meter.instance.cost_micros},
        "model": result.model,
        "steps": result.steps,
    }
