"""Each agent pattern blueprint end to end: deployed to a local Cadenza (gRPC gateway), its agents served by
the agent runtime over pyzeebe with the scripted model, process-run tools by pyzeebe tasks, people's decisions
through the engine port. Each test asserts the path the instance took and the results it ended with."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from blueprint_support import blueprint_engine, events
from pyzeebe import ZeebeWorker

from cadenza.core.records import ValueType
from cadenza.workers.agents import ToolContext, python_tool


def test_the_coordinator_routes_the_request_to_the_specialist_it_chose() -> None:
    script = {
        "You are the coordinator": [{"json": {"route": "technical", "reason": "a printer fault"}}],
        "You are the technical specialist": [{"text": "Switch it off and on again."}],
        "You are the billing specialist": [{"text": "Your invoice is fine."}],
    }

    async def scenario() -> None:
        async with blueprint_engine(script) as cadenza:
            instance, variables = await cadenza.run("agent-coordinator", {"request": "My printer is broken"})
            assert await cadenza.path(instance) == [
                "start",
                "coordinator",
                "route",
                "technical",
                "merge",
                "end",
                "agent-coordinator",
            ]
            assert variables["routing"]["output"] == {"route": "technical", "reason": "a printer fault"}
            assert variables["answer"]["status"] == "completed"
            assert variables["answer"]["output"] == "Switch it off and on again."
            assert cadenza.model.calls == 2

    asyncio.run(scenario())


def test_hierarchical_decomposition_solves_each_subtask_and_synthesizes_the_results() -> None:
    script = {
        "You are the planner": [{"json": {"subtasks": ["Find flights", "Book a hotel"]}}],
        "You are the synthesizer": [{"text": "Fly LH 400, stay at the Adlon."}],
        "Find flights": [{"text": "LH 400"}],
        "Book a hotel": [{"text": "Hotel Adlon"}],
    }

    async def scenario() -> None:
        async with blueprint_engine(script) as cadenza:
            instance, variables = await cadenza.run("agent-hierarchical", {"goal": "Plan a trip to Berlin"})
            path = await cadenza.path(instance)
            assert path[:2] == ["start", "planner"] and path[-3:] == [
                "synthesizer",
                "end",
                "agent-hierarchical",
            ]
            assert path.count("worker") == 3  # two inner instances and the multi-instance body
            assert variables["results"] == [
                {"subtask": "Find flights", "result": "LH 400"},
                {"subtask": "Book a hotel", "result": "Hotel Adlon"},
            ]
            assert variables["report"]["output"] == "Fly LH 400, stay at the Adlon."

    asyncio.run(scenario())


def test_fan_out_drafts_in_parallel_and_the_judge_selects_one() -> None:
    script = {
        "You are the judge": [{"json": {"best": 2, "reason": "clearer"}}],
        "Approach: playful": [{"text": "Ride the wave!"}],
        "Approach: formal": [{"text": "Reliable transport since 1920."}],
    }

    async def scenario() -> None:
        async with blueprint_engine(script) as cadenza:
            brief = "A tagline for a ferry company."
            instance, variables = await cadenza.run(
                "agent-fanout", {"brief": brief, "approaches": ["playful", "formal"]}
            )
            assert (await cadenza.path(instance))[-4:] == ["judge", "select", "end", "agent-fanout"]
            assert variables["drafts"] == [
                {"approach": "playful", "text": "Ride the wave!"},
                {"approach": "formal", "text": "Reliable transport since 1920."},
            ]
            assert variables["verdict"]["output"]["best"] == 2
            assert variables["winner"] == {"approach": "formal", "text": "Reliable transport since 1920."}

    asyncio.run(scenario())


REFLECTION = {
    "Short draft v2": [{"json": {"score": 0.9, "feedback": "Good."}}],
    "Make it shorter": [{"text": "Short draft v2"}],
    "You are the critic": [{"json": {"score": 0.4, "feedback": "Make it shorter"}}],
    "You are the writer": [{"text": "A long first draft about tides"}],
}


def test_reflection_revises_until_the_quality_gate_passes() -> None:
    async def scenario() -> None:
        async with blueprint_engine(REFLECTION) as cadenza:
            instance, variables = await cadenza.run("agent-reflection", {"topic": "tides"})
            path = await cadenza.path(instance)
            assert [e for e in path if e in {"writer", "critic", "gate", "accepted", "review"}] == [
                "writer",
                "critic",
                "gate",
                "writer",
                "critic",
                "gate",
                "accepted",
            ]
            assert variables["rounds"] == 2
            assert variables["draft"]["output"] == "Short draft v2"
            assert variables["critique"]["output"]["score"] == 0.9

    asyncio.run(scenario())


def test_reflection_out_of_rounds_hands_the_best_effort_to_a_person() -> None:
    async def scenario() -> None:
        async with blueprint_engine(REFLECTION) as cadenza:
            instance = await cadenza.start("agent-reflection", {"topic": "tides", "maxRounds": 1})
            task = await cadenza.user_task(instance, "review")
            await cadenza.complete_task(task, {"edited": "Tides, briefly."})
            variables = await cadenza.finished(instance)
            path = await cadenza.path(instance)
            assert path[-4:] == ["gate", "review", "reviewed", "agent-reflection"]
            assert "accepted" not in path and path.count("writer") == 1
            assert (
                variables["critique"]["output"]["score"] == 0.4 and variables["edited"] == "Tides, briefly."
            )

    asyncio.run(scenario())


def _refund_tool(issued: list[Mapping[str, Any]]) -> Any:
    async def issue(arguments: Mapping[str, Any], _context: ToolContext) -> Any:
        issued.append(dict(arguments))
        return {"refunded": arguments["amount"]}

    schema = {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]}
    return python_tool("issue_refund", "Refund an amount to the customer", schema, issue)


CHECKPOINT = {
    "You are the refund agent": [
        {"tools": [{"name": "issue_refund", "input": {"amount": 40}}]},
        {"text": "Refund settled."},
    ]
}


def test_the_high_risk_call_waits_for_approval_and_runs_once_approved() -> None:
    issued: list[Mapping[str, Any]] = []

    async def scenario() -> None:
        async with blueprint_engine(CHECKPOINT, tools=[_refund_tool(issued)]) as cadenza:
            instance = await cadenza.start("agent-human-checkpoint", {"request": "Refund my 40 EUR"})
            task = await cadenza.user_task(instance, "approve")
            assert issued == []  # nothing runs before a person decides
            calls = [
                r
                for r in events(await cadenza.history(instance), ValueType.VARIABLE, "")
                if r.value["name"] == "calls"
            ]
            assert '"issue_refund"' in calls[-1].value["value"]
            await cadenza.complete_task(task, {"approval": {"decision": "edit", "arguments": {"amount": 35}}})
            variables = await cadenza.finished(instance)
            assert issued == [{"amount": 35}]
            assert variables["refund"]["status"] == "completed"
            assert variables["refund"]["output"] == "Refund settled."
            path = await cadenza.path(instance)
            assert path[1:] == [
                "agent",
                "needsApproval",
                "approve",
                "agent",
                "needsApproval",
                "end",
                "agent-human-checkpoint",
            ]

    asyncio.run(scenario())


def test_a_rejected_call_never_runs_and_the_agent_is_told_why() -> None:
    issued: list[Mapping[str, Any]] = []

    async def scenario() -> None:
        async with blueprint_engine(CHECKPOINT, tools=[_refund_tool(issued)]) as cadenza:
            instance = await cadenza.start("agent-human-checkpoint", {"request": "Refund my 4000 EUR"})
            task = await cadenza.user_task(instance, "approve")
            decision = {"decision": "reject", "comment": "over the limit"}
            await cadenza.complete_task(task, {"approval": decision})
            variables = await cadenza.finished(instance)
            assert issued == []
            assert variables["refund"]["status"] == "completed"
            assert (await cadenza.path(instance)).count("approve") == 1

    asyncio.run(scenario())


def test_an_approval_past_its_sla_escalates_to_a_manager_and_still_waits_for_the_decision() -> None:
    issued: list[Mapping[str, Any]] = []
    notified: list[Any] = []

    def manager(worker: ZeebeWorker) -> None:
        @worker.task(task_type="notify-manager")
        async def notify(refund: dict[str, Any]) -> dict[str, Any]:
            notified.append(refund["pendingCalls"])
            return {}

    async def scenario() -> None:
        async with blueprint_engine(CHECKPOINT, tools=[_refund_tool(issued)], tasks=manager) as cadenza:
            variables = {"request": "Refund my 40 EUR", "sla": "PT0.2S"}
            instance = await cadenza.start("agent-human-checkpoint", variables)
            task = await cadenza.user_task(instance, "approve")
            await cadenza.wait_for(instance, lambda h: "escalated" in _completed(h), "the escalation")
            assert notified == [[{"id": "call_1_1", "name": "issue_refund", "arguments": {"amount": 40}}]]
            assert issued == []  # the escalation decides nothing: the call still waits for the person
            await cadenza.complete_task(task, {"approval": {"decision": "approve"}})
            final = await cadenza.finished(instance)
            assert issued == [{"amount": 40}] and final["refund"]["output"] == "Refund settled."
            path = await cadenza.path(instance)
            assert path.index("escalated") < path.index("approve") < path.index("end")

    asyncio.run(scenario())


def _completed(history: Any) -> list[str]:
    return [r.value["elementId"] for r in events(history, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")]


def test_the_agent_loop_runs_each_tool_call_as_an_activity_of_the_ad_hoc_sub_process() -> None:
    script = {
        "You are the support agent": [
            {
                "tools": [
                    {"name": "lookup_order", "input": {"orderId": "7"}},
                    {"name": "ask_customer", "input": {"question": "Which address?"}},
                ]
            },
            {"text": "Order 7 has shipped to your home address."},
        ]
    }
    looked_up: list[str] = []

    def lookup(worker: ZeebeWorker) -> None:
        @worker.task(task_type="demo:lookup-order")
        async def lookup_order(orderId: str) -> dict[str, Any]:  # pyzeebe fetches the variables named
            looked_up.append(orderId)
            return {"toolCallResult": {"orderId": orderId, "status": "shipped"}}

    async def scenario() -> None:
        async with blueprint_engine(script, tasks=lookup) as cadenza:
            instance = await cadenza.start("agent-tool-loop", {"question": "Where is my order 7?"})
            task = await cadenza.user_task(instance, "ask_customer")  # the human tool
            assert task.value["candidateGroupsList"] == ["support"]
            await cadenza.complete_task(task, {"toolCallResult": "Home"})
            variables = await cadenza.finished(instance)
            assert looked_up == ["7"]
            assert variables["support"]["output"] == "Order 7 has shipped to your home address."
            assert variables["toolCallResults"] == [
                {"id": "call_1_1", "name": "lookup_order", "content": {"orderId": "7", "status": "shipped"}},
                {"id": "call_1_2", "name": "ask_customer", "content": "Home"},
            ]
            path = await cadenza.path(instance)
            # Each tool call is an element instance of its own, inside the ad-hoc sub-process.
            assert {"lookup_order", "ask_customer", "tools#innerInstance"} <= set(path)
            assert path[-4:] == ["agent", "hasCalls", "end", "agent-tool-loop"]
            assert path.count("agent") == 2

    asyncio.run(scenario())
