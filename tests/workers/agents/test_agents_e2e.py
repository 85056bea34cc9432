"""End to end: the agent worker (pyzeebe over a real socket) serving cadenza:agent jobs of a deployed process on
an embedded Cadenza behind its gRPC gateway; the DMN policy evaluated by the engine (EvaluateDecision); a
pyzeebe worker standing in for the person who reviews a high-risk call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pyzeebe import ZeebeClient, ZeebeWorker

from cadenza.api.gateway import local_gateway
from cadenza.core.records import RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.workers import WorkerConfig
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    MemoryLedger,
    ModelRouter,
    ScriptedModel,
    ToolContext,
    python_tool,
    replay_run,
)
from cadenza.workers.agents.gateway_policy import GatewayPolicy
from cadenza.workers.runtime import open_channel, run_worker

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SCRIPT = [
    {"tools": [{"name": "lookup", "input": {"order": 7}}]},
    {"tools": [{"name": "refund", "input": {"order": 7, "amount": 500}}]},
    {"json": {"refunded": 90}},
]
REFUND = {
    "type": "object",
    "properties": {"order": {"type": "integer"}, "amount": {"type": "number"}},
    "required": ["order", "amount"],
}
LOOKUP = {"type": "object", "properties": {"order": {"type": "integer"}}, "required": ["order"]}


class Shop:
    """The tools' side effects, to assert on."""

    def __init__(self) -> None:
        self.refunds: list[Mapping[str, Any]] = []

    def tools(self) -> list[Any]:
        async def lookup(arguments: Mapping[str, Any], _context: ToolContext) -> dict[str, Any]:
            return {"order": arguments["order"], "paid": 500}

        async def refund(arguments: Mapping[str, Any], _context: ToolContext) -> dict[str, Any]:
            self.refunds.append(dict(arguments))
            return {"refunded": arguments["amount"]}

        return [
            python_tool("lookup", "Look up an order", LOOKUP, lookup),
            python_tool("refund", "Refund", REFUND, refund),
        ]


@asynccontextmanager
async def cadenza_with_agents(
    script: list[Any], reviewer: Mapping[str, Any] | None = None, review_seconds: float = 0.0
) -> AsyncIterator[tuple[ZeebeClient, EmbeddedEngine, AgentRuntime, Shop, list[Any]]]:
    async with local_gateway("memory:") as (address, engine):
        config = WorkerConfig(address=address, name="agents-e2e")
        shop = Shop()
        # the policy's tier picks the model: a cheaper one for simple cases (same script, told apart by name)
        models = {"demo": ScriptedModel(script, name="demo"), "cheap": ScriptedModel(script, name="cheap")}
        runtime = AgentRuntime(
            ModelRouter(models, tiers={"simple": "cheap", "standard": "demo"}),
            tools=shop.tools(),
            ledger=MemoryLedger(),
            policy=GatewayPolicy(lambda: open_channel(config)),
        )
        stop = asyncio.Event()
        agents = asyncio.create_task(
            run_worker(config, [runtime.connector()], stop=stop, handle_signals=False)
        )
        channel = open_channel(config)
        person = ZeebeWorker(channel, name="person")
        reviewed: list[Any] = []

        # pyzeebe passes the job's variables as keyword arguments (a Job parameter would need a real annotation,
        # which this module's postponed annotations do not give)
        @person.task("io.camunda.zeebe:userTask")
        async def review(agentResult: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 (the variable's name)
            # the reviewer sees the pending call in the variables
            reviewed.append(agentResult["pendingCalls"])
            await asyncio.sleep(review_seconds)  # a person takes their time
            return {"approval": dict(reviewer or {"decision": "approve"})}

        people = asyncio.create_task(person.work())
        client = ZeebeClient(channel)
        await client.deploy_resource(str(HERE / "agent-refund.bpmn"), str(ROOT / "dmn/agent-policy.dmn"))
        try:
            yield client, engine, runtime, shop, reviewed
        finally:
            stop.set()
            await person.stop()
            await asyncio.wait_for(people, 10)
            await asyncio.wait_for(agents, 10)
            assert runtime.policy is not None
            await runtime.policy.aclose()  # type: ignore[attr-defined]
            await channel.close()


async def completed_elements(engine: EmbeddedEngine, key: int) -> list[str]:
    return [
        r.value["elementId"]
        for r in await engine.history(key)
        if r.record_type == RecordType.EVENT
        and r.value_type == ValueType.PROCESS_INSTANCE
        and r.intent == "ELEMENT_COMPLETED"
    ]


def order(amount: int, vip: bool = False) -> dict[str, Any]:
    return {"goal": "Refund order 7 as the policy allows", "order": {"id": 7, "amount": amount, "vip": vip}}


def test_a_high_risk_call_waits_for_a_persons_edit_then_the_agent_resumes() -> None:
    async def scenario() -> None:
        reviewer = {"decision": "edit", "arguments": {"order": 7, "amount": 90}, "comment": "partial refund"}
        async with cadenza_with_agents(SCRIPT, reviewer) as (client, engine, runtime, shop, reviewed):
            result = await client.run_process_with_result("agent-refund", order(500), timeout=20_000)
            agent = result.variables["agentResult"]
            assert agent["status"] == "completed" and agent["output"] == {"refunded": 90}
            assert reviewed == [
                [{"id": "call_2_1", "name": "refund", "arguments": {"order": 7, "amount": 500}}]
            ]
            assert shop.refunds == [{"order": 7, "amount": 90}]  # never the unapproved 500
            elements = await completed_elements(engine, result.process_instance_key)
            assert elements.count("agent") == 2 and "review" in elements and "done" in elements
            entries = runtime.ledger.run(agent["runId"], tenant="<default>")
            assert entries[0].payload["policy"]["approvalTools"] == ["refund"]
            assert entries[0].payload["job"]["processInstanceKey"] == result.process_instance_key
            decision = [e.payload for e in entries if e.kind is EntryKind.DECISION]
            assert decision == [
                {
                    "callId": "call_2_1",
                    "decision": "edit",
                    "arguments": {"order": 7, "amount": 90},
                    "comment": "partial refund",
                }
            ]
            replayed = await replay_run(runtime, agent["runId"], tenant="<default>")
            assert replayed.output == agent["output"] and shop.refunds == [{"order": 7, "amount": 90}]

    asyncio.run(scenario())


def test_a_budget_breach_throws_budget_exceeded_and_the_process_takes_the_error_path() -> None:
    async def scenario() -> None:
        async with cadenza_with_agents(SCRIPT) as (client, engine, _runtime, shop, reviewed):
            variables = {**order(50), "budget": {"maxTokens": 150}}
            result = await client.run_process_with_result("agent-refund", variables, timeout=20_000)
            breach = result.variables["budgetExceeded"]
            assert breach["limit"] == "tokens" and breach["ceiling"] == 150 and breach["used"] > 150
            elements = await completed_elements(engine, result.process_instance_key)
            assert "handle-by-person" in elements and "done" not in elements and "agent" not in elements
            assert reviewed == []

    asyncio.run(scenario())


def test_the_policy_takes_a_tool_off_the_allowlist_and_the_call_is_refused() -> None:
    script = [*SCRIPT[:2], {"json": {"refunded": 0}}]

    async def scenario() -> None:
        async with cadenza_with_agents(script) as (client, _engine, runtime, shop, reviewed):
            result = await client.run_process_with_result("agent-refund", order(5000), timeout=20_000)
            agent = result.variables["agentResult"]
            assert agent["output"] == {"refunded": 0}
            assert shop.refunds == [] and reviewed == []
            entries = runtime.ledger.run(agent["runId"], tenant="<default>")
            assert [t["name"] for t in entries[0].payload["spec"]["tools"]] == ["lookup"]
            refused = [e.payload["call"]["name"] for e in entries if e.kind is EntryKind.REFUSED]
            assert refused == ["refund"]

    asyncio.run(scenario())


def test_small_amounts_refund_without_approval_on_the_policys_budget() -> None:
    async def scenario() -> None:
        async with cadenza_with_agents(SCRIPT) as (client, _engine, runtime, shop, reviewed):
            result = await client.run_process_with_result("agent-refund", order(50), timeout=20_000)
            assert result.variables["agentResult"]["status"] == "completed"
            assert shop.refunds == [{"order": 7, "amount": 500}] and reviewed == []
            run = runtime.ledger.run(result.variables["agentResult"]["runId"], tenant="<default>")
            assert run[0].payload["spec"]["budget"]["max_cost_micros"] == 50_000  # maxCost 0.05 from the DMN
            # the DMN's tier "simple" for a small amount: every step on the cheaper model
            assert result.variables["agentResult"]["model"] == "cheap"
            assert {e.payload["model"] for e in run if e.kind is EntryKind.MODEL} == {"cheap"}
            larger = await client.run_process_with_result("agent-refund", order(500), timeout=20_000)
            assert larger.variables["agentResult"]["model"] == "demo"  # "standard" for a medium amount

    asyncio.run(scenario())


def test_a_slow_review_passes_its_sla_and_escalates_while_the_review_goes_on() -> None:
    async def scenario() -> None:
        async with cadenza_with_agents(SCRIPT, {"decision": "approve"}, review_seconds=1.5) as (
            client, engine, _runtime, shop, reviewed,
        ):  # fmt: skip
            variables = {**order(500), "reviewSla": "PT0.3S"}
            result = await client.run_process_with_result("agent-refund", variables, timeout=20_000)
            assert result.variables["agentResult"]["status"] == "completed"
            elements = await completed_elements(engine, result.process_instance_key)
            assert "escalated" in elements and "done" in elements
            assert shop.refunds == [{"order": 7, "amount": 500}] and len(reviewed) == 1

    asyncio.run(scenario())
