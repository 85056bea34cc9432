"""Recording, replay and fork, on the memory ledger and the SQL ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from agents_support import INSTANCE, run_agent

from cadenza.workers import Complete, Throw
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    Ledger,
    LedgerEntry,
    Masker,
    MemoryLedger,
    ModelRouter,
    ScriptedModel,
    SqlLedger,
    ToolContext,
    fork_run,
    python_tool,
    replay_run,
)

SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}, "required": ["total"]}
ADD = {
    "type": "object",
    "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
    "required": ["a", "b"],
}


def make_runtime(
    ledger: Ledger, script: list[Any], **options: Any
) -> tuple[AgentRuntime, dict[str, ScriptedModel], list[Any]]:
    models = {
        "first": ScriptedModel(script, name="first"),
        "second": ScriptedModel([{"json": {"total": -1}}] * 9, name="second"),
    }
    calls: list[Any] = []

    async def add(arguments: Mapping[str, Any], _context: ToolContext) -> dict[str, Any]:
        calls.append(dict(arguments))
        return {"sum": arguments["a"] + arguments["b"]}

    counter = iter(range(1, 100))
    runtime = AgentRuntime(
        ModelRouter(models, default="first"),
        tools=[python_tool("add", "Adds two numbers", ADD, add)],
        ledger=ledger,
        run_ids=lambda: f"run-{next(counter)}",
        **options,
    )
    return runtime, models, calls


SCRIPT = [
    {"tools": [{"name": "add", "input": {"a": 2, "b": 3}}]},
    {"tools": [{"name": "add", "input": {"a": 5, "b": 10}}]},
    {"json": {"total": 15}},
]
AGENT = {
    "goal": "Add 2, 3 and 10",
    "tools": ["add"],
    "outputSchema": SCHEMA,
    "inputs": {"customer": "ann@example.com"},
}


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        yield MemoryLedger()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    opened = SqlLedger(url)
    yield opened
    opened.close()


def test_replay_makes_no_model_or_tool_call_and_gives_the_same_result(ledger: Ledger) -> None:
    runtime, models, calls = make_runtime(ledger, SCRIPT)
    outcome = asyncio.run(run_agent(runtime, AGENT))
    assert isinstance(outcome, Complete), outcome
    assert models["first"].calls == 3 and len(calls) == 2
    replayed = asyncio.run(replay_run(runtime, "run-1", tenant="<default>"))
    assert replayed.output == {"total": 15} == outcome.variables["result"]["output"]
    assert replayed.steps == 3 and replayed.status == "completed"
    assert models["first"].calls == 3 and len(calls) == 2  # nothing called again
    assert len(ledger.run("run-1", tenant="<default>")) == 7  # and nothing written


def test_replay_of_a_budget_breach_breaches_again(ledger: Ledger) -> None:
    script = [{**step, "usage": {"input_tokens": 400, "output_tokens": 10}} for step in SCRIPT]
    runtime, models, _calls = make_runtime(ledger, script)
    outcome = asyncio.run(run_agent(runtime, {**AGENT, "budget": {"maxTokens": 1000}}))
    assert isinstance(outcome, Throw) and outcome.code == "budget-exceeded"
    from cadenza.workers.errors import ConnectorBpmnError

    with pytest.raises(ConnectorBpmnError) as caught:
        asyncio.run(replay_run(runtime, "run-1", tenant="<default>"))
    assert (
        caught.value.details["budgetExceeded"]["used"] == outcome.variables["budgetExceeded"]["used"] == 1230
    )
    assert models["first"].calls == 3


def test_a_fork_keeps_what_came_before_the_fork_point_and_changes_only_what_follows(ledger: Ledger) -> None:
    runtime, models, calls = make_runtime(ledger, SCRIPT)
    asyncio.run(run_agent(runtime, AGENT))
    run_id, forked = asyncio.run(
        fork_run(runtime, "run-1", tenant="<default>", step=2, changes={"model": "second"})
    )
    assert run_id == "run-2"
    assert forked.output == {"total": -1}  # the new model's answer at step 2
    assert models["first"].calls == 3 and models["second"].calls == 1  # steps 0 and 1 were not asked again
    assert len(calls) == 2  # the recorded tool results were reused
    original = ledger.run("run-1", tenant="<default>")
    fork = ledger.run("run-2", tenant="<default>")
    assert fork[0].payload["parent"] == {"runId": "run-1", "step": 2, "changed": ["model"]}

    def steps(entries: list[LedgerEntry], below: int) -> list[Any]:
        return [(e.kind, e.payload) for e in entries if e.kind is not EntryKind.RUN and 0 <= e.step < below]

    assert steps(fork, 2) == steps(original, 2)  # identical before the fork point
    after = [e for e in fork if e.kind is EntryKind.MODEL and e.step == 2]
    assert after[0].payload["model"] == "second" and after[0].tokens > 0
    assert all(e.tokens == 0 for e in fork if e.step < 2)  # copied, not paid again


def test_a_fork_with_changed_inputs_from_step_zero_reruns_everything(ledger: Ledger) -> None:
    runtime, models, _calls = make_runtime(ledger, SCRIPT)
    asyncio.run(run_agent(runtime, AGENT))
    _run, forked = asyncio.run(
        fork_run(runtime, "run-1", tenant="<default>", step=0, changes={"inputs": {"customer": "bob"}})
    )
    assert forked.output == {"total": 15}
    assert models["first"].calls == 6
    first_request = [e for e in ledger.run("run-2", tenant="<default>") if e.kind is EntryKind.MODEL][0]
    assert '"customer": "bob"' in first_request.payload["request"]["messages"][0]["content"][0]["text"]


def test_recorded_prompts_are_masked_where_configured(ledger: Ledger) -> None:
    runtime, _models, _calls = make_runtime(ledger, SCRIPT, masker=Masker(["email"]))
    asyncio.run(run_agent(runtime, AGENT))
    entries = ledger.run("run-1", tenant="<default>")
    assert entries[0].payload["spec"]["inputs"] == {"customer": "[masked]"}
    model_entry = [e for e in entries if e.kind is EntryKind.MODEL][0]
    assert "ann@example.com" not in str(model_entry.payload)
    assert "[masked]" in model_entry.payload["request"]["messages"][0]["content"][0]["text"]
    replayed = asyncio.run(replay_run(runtime, "run-1", tenant="<default>"))
    assert replayed.output == {"total": 15}  # the responses are kept exactly


def test_the_ledger_keeps_tenants_apart_and_sums_an_instance(ledger: Ledger) -> None:
    runtime, _models, _calls = make_runtime(ledger, SCRIPT)
    asyncio.run(run_agent(runtime, AGENT))
    asyncio.run(run_agent(runtime, AGENT, tenant="acme", key=2))
    assert [e.tenant for e in ledger.run("run-2", tenant="acme")][:1] == ["acme"]
    assert ledger.run("run-2", tenant="<default>") == []
    own = ledger.instance_spent(tenant="<default>", process_instance_key=INSTANCE)
    assert own.tokens == sum(e.tokens for e in ledger.run("run-1", tenant="<default>")) > 0
    assert ledger.instance_runs(tenant="acme", process_instance_key=INSTANCE) == ["run-2"]
    with pytest.raises(LookupError):
        asyncio.run(replay_run(runtime, "run-2", tenant="<default>"))


def test_an_instance_budget_counts_the_earlier_runs_of_the_instance(ledger: Ledger) -> None:
    script = [{"json": {"total": 1}, "usage": {"input_tokens": 300, "output_tokens": 0}}]
    runtime, _models, _calls = make_runtime(ledger, script)
    agent = {"goal": "g", "outputSchema": SCHEMA, "budget": {"instanceMaxTokens": 700}}
    assert isinstance(asyncio.run(run_agent(runtime, agent)), Complete)
    # other goals each time, or the response cache would answer (and nothing would be spent)
    second = asyncio.run(run_agent(runtime, {**agent, "goal": "g2"}, key=2))
    assert isinstance(second, Complete) and second.variables["result"]["instanceUsage"]["tokens"] == 600
    third = asyncio.run(run_agent(runtime, {**agent, "goal": "g3"}, key=3))
    assert isinstance(third, Throw) and third.variables["budgetExceeded"]["limit"] == "instanceTokens"
    other_instance = asyncio.run(run_agent(runtime, {**agent, "goal": "g4"}, key=4, instance=77))
    assert isinstance(other_instance, Complete)


def test_call_ids_that_repeat_across_turns_replay_each_turns_own_result(ledger: Ledger) -> None:
    # some OpenAI-compatible servers number tool calls afresh every turn ("call_0" each time)
    from cadenza.workers.agents import ModelResponse, TextBlock, ToolUseBlock, Usage

    def call(a: int) -> ModelResponse:
        return ModelResponse((ToolUseBlock("call_0", "add", {"a": a, "b": 1}),), Usage(5, 5), "tool_use")

    script = [call(1), call(10), ModelResponse((TextBlock('{"total": 11}'),), Usage(5, 5))]
    runtime, _models, calls = make_runtime(ledger, script)  # type: ignore[arg-type]
    outcome = asyncio.run(run_agent(runtime, {**AGENT, "inputs": {}}))
    assert isinstance(outcome, Complete)
    assert calls == [{"a": 1, "b": 1}, {"a": 10, "b": 1}]
    replayed = asyncio.run(replay_run(runtime, "run-1", tenant="<default>"))
    assert replayed.output == {"total": 11} and len(calls) == 2
    _run, forked = asyncio.run(fork_run(runtime, "run-1", tenant="<default>", step=2))
    fork_tools = [
        e.payload["result"] for e in ledger.run("run-2", tenant="<default>") if e.kind is EntryKind.TOOL
    ]
    assert fork_tools == [{"sum": 2}, {"sum": 11}]  # each turn's own result, not the first one twice
    assert forked.output == {"total": 11} and len(calls) == 2


def test_open_runs_are_the_runs_without_an_end(ledger: Ledger) -> None:
    from cadenza.workers import Fail

    script = [{"tools": [{"name": "add", "input": {"a": 1, "b": 2}}]}, {"error": "overloaded", "status": 529}]
    runtime, _models, calls = make_runtime(ledger, script)
    failed = asyncio.run(run_agent(runtime, {**AGENT, "goal": "first"}))
    assert isinstance(failed, Fail) and calls == [{"a": 1, "b": 2}]
    runtime.router.models["first"] = ScriptedModel([{"json": {"total": 0}}], name="first")
    done = asyncio.run(run_agent(runtime, {**AGENT, "goal": "second"}, key=2))
    assert isinstance(done, Complete)
    assert ledger.open_runs(tenant="<default>", process_instance_key=INSTANCE, element_id="agent-task") == [
        "run-1"
    ]
    assert ledger.open_runs(tenant="acme", process_instance_key=INSTANCE, element_id="agent-task") == []
