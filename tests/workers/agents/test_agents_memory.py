"""Memory wired into the agent runtime, on the real embedding model and Milvus Lite: ``agent.memory`` puts
``memory.search`` and ``memory.remember`` on the allowlist, bound to the job's tenant and process;
``agent.recordEpisode`` stores a completed run for later runs to find; ``cadenza worker --agent-config`` with
``memory`` serves a template-made process whose second instance finds the first one's episode, through an
OpenAI-compatible server (so the dotted names travel as API names)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agents_support import agent_job, run_agent
from llm_servers import llm_server, reply
from pyzeebe import ZeebeClient, create_insecure_channel
from template_bpmn import process, service_task

from cadenza.api.gateway import local_gateway
from cadenza.workers import Complete, Fail
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    Masker,
    ModelRouter,
    ScriptedModel,
    SqlLedger,
    replay_run,
)
from cadenza.workers.agents.agent_memory import AgentMemory
from cadenza.workers.agents.config import runtime_from_config
from cadenza.workers.agents.loop import AgentSpec
from cadenza.workers.memory import MemoryConfig, MemoryStore, MiniLMEmbedder, Namespace
from cadenza.workers.secrets import MemoryCredentialStore

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = json.loads((ROOT / "modeler/element-templates/agent.json").read_text())

SCRIPT = {
    # the first run writes a note (and tries to reach another tenant's memory), then answers
    "Damaged parcel": [
        {
            "tools": [
                {"name": "memory.remember", "input": {"text": "Refunds to Norway are paid in NOK"}},
                {"name": "memory.search", "input": {"query": "refunds", "tenant": "globex"}},
            ]
        },
        {"text": "refunded 49 EUR for the damaged parcel"},
    ],
    # a later run searches the memory, then answers
    "Broken delivery": [
        {"tools": [{"name": "memory.search", "input": {"query": "parcel arrived broken, refund it"}}]},
        {"text": "done"},
    ],
}


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.load()


@pytest.fixture
def memory(tmp_path: Path, embedder: MiniLMEmbedder) -> Iterator[AgentMemory]:
    agent_memory = AgentMemory(MemoryStore.open(MemoryConfig(uri=str(tmp_path / "memory.db")), embedder))
    yield agent_memory
    agent_memory.close()


def tool_results(runtime: AgentRuntime, run_id: str, tenant: str) -> list[dict[str, Any]]:
    entries = runtime.ledger.run(run_id, tenant=tenant)
    return [dict(e.payload) for e in entries if e.kind in (EntryKind.TOOL, EntryKind.REFUSED)]


def test_memory_tools_are_bound_to_the_jobs_tenant_and_process_and_episodes_are_found_later(
    memory: AgentMemory,
) -> None:
    model = ScriptedModel(SCRIPT, name="demo")
    runtime = AgentRuntime(ModelRouter({"demo": model}), memory=memory, masker=Masker(["email"]))
    first_agent = {
        "goal": "Damaged parcel: settle the refund",
        "inputs": {"customer": "ann@example.com", "amount": 49},
        "memory": True,
        "recordEpisode": True,
    }
    later = {"goal": "Broken delivery: what did we do last time?", "memory": True}

    async def scenario() -> list[Any]:
        return [
            await run_agent(runtime, first_agent, tenant="acme", instance=11),
            await run_agent(runtime, later, key=2, tenant="acme", instance=12),
            await run_agent(runtime, later, key=3, tenant="globex", instance=13),
        ]

    first, again, other = asyncio.run(scenario())
    assert all(isinstance(o, Complete) for o in (first, again, other)), (first, again, other)
    remembered, refused = tool_results(runtime, first.variables["result"]["runId"], "acme")
    assert remembered["call"]["name"] == "memory.remember" and not remembered["isError"]
    # the model cannot name a namespace: the argument is outside the tool's schema, refused before it runs
    assert refused["isError"] and "'tenant' was unexpected" in refused["result"]["error"]
    (found,) = tool_results(runtime, again.variables["result"]["runId"], "acme")
    memories = found["result"]["memories"]
    kinds = {m["kind"]: m for m in memories}
    assert kinds["note"]["text"] == "Refunds to Norway are paid in NOK"
    episode = kinds["episode"]
    assert episode["outcome"] == "refunded 49 EUR for the damaged parcel" and episode["instanceKey"] == 11
    assert (
        "Damaged parcel" in episode["text"] and "ann@example.com" not in episode["text"]
    )  # masked as the ledger
    (elsewhere,) = tool_results(runtime, other.variables["result"]["runId"], "globex")
    assert elsewhere["result"] == {"memories": []}  # another tenant's memory is another memory
    # the store holds what the runs wrote, in acme's namespace of this process, and nothing for globex
    assert memory.store.count(Namespace("acme", "agent-process")) == 2
    assert memory.store.count(Namespace("globex", "agent-process")) == 0
    # a replay takes the search's result from the recording: the same answer with the store closed
    memory.close()
    replayed = asyncio.run(replay_run(runtime, again.variables["result"]["runId"], tenant="acme"))
    assert replayed.output == "done" and model.calls == 6


def test_a_long_answer_in_any_script_is_cut_to_fit_its_episode(memory: AgentMemory) -> None:
    job = agent_job({}, tenant="acme", instance=21)
    spec = AgentSpec(system="", goal="Summarise the complaint")
    # 13,000 characters, each escaped in JSON (6 or 12 characters): 4,000 of them would pass the store's limit
    answer = "配送が遅れた荷物への苦情🚚" * 1000
    record_id = asyncio.run(memory.record_episode(job, spec, answer, Masker()))
    assert record_id == "run-21-agent-task"
    (record,) = memory.store.get(Namespace("acme", "agent-process"), [record_id])
    outcome = record.metadata["outcome"]
    assert 1_000 < len(outcome) <= 4_000 and answer.startswith(outcome)


def test_memory_on_a_worker_without_memory_is_an_input_error_naming_it() -> None:
    runtime = AgentRuntime(ModelRouter({"demo": ScriptedModel([{"text": "x"}])}))
    for field in ("memory", "recordEpisode"):
        outcome = asyncio.run(run_agent(runtime, {"goal": "g", field: True}))
        assert isinstance(outcome, Fail) and outcome.retries == 0
        assert f"agent.{field}: this worker has no memory" in outcome.message


def test_a_job_whose_tenant_cannot_name_a_memory_is_an_input_error(memory: AgentMemory) -> None:
    runtime = AgentRuntime(ModelRouter({"demo": ScriptedModel([{"text": "x"}])}), memory=memory)
    outcome = asyncio.run(run_agent(runtime, {"goal": "g", "memory": True}, tenant="bad tenant"))
    assert isinstance(outcome, Fail) and outcome.retries == 0
    assert (
        "agent.memory: no memory namespace for this job: tenant 'bad tenant' is not valid" in outcome.message
    )


def test_a_policy_that_does_not_allow_memory_takes_it_off_the_allowlist(memory: AgentMemory) -> None:
    from cadenza.workers.agents.settings import read_tools

    runtime = AgentRuntime(ModelRouter({"demo": ScriptedModel([])}), memory=memory)
    enabled = frozenset({"memory.search", "memory.remember"})
    tools, _approval = read_tools({}, runtime.tools, None, enabled)
    assert [t.name for t in tools] == ["memory.remember", "memory.search"]
    narrowed, _approval = read_tools({}, runtime.tools, frozenset({"memory.search"}), enabled)
    assert [t.name for t in narrowed] == ["memory.search"]


def test_memory_in_the_configuration_is_checked() -> None:
    for value, message in (
        ("yes", "memory: expected true or an object"),
        ({"uri": "m.db", "token": "t"}, "memory: unknown field(s) token"),
        ({"uri": str(Path(__file__)) + "/memory.db"}, "memory: cannot open"),  # under a file, not a directory
    ):
        document = {"models": {"a": {"provider": "scripted"}}, "memory": value}
        with pytest.raises(ValueError, match=re.escape(message)):
            runtime_from_config(document, credentials=MemoryCredentialStore(), connectors={})


def test_cadenza_worker_with_memory_lets_a_later_instance_find_an_earlier_ones_episode(
    tmp_path: Path,
) -> None:
    cadenza = str(Path(sys.executable).parent / "cadenza")
    ledger_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    values = {
        "agent.goal": "Settle the refund",
        "agent.inputs": "={complaint: complaint}",
        "agent.memory": True,
        "agent.recordEpisode": True,
        "resultVariable": "agentResult",
    }
    (tmp_path / "agent.bpmn").write_bytes(process("refunds", service_task(TEMPLATE, values)))

    async def scenario(base: str) -> list[dict[str, Any]]:
        config = {
            "models": {"local": {"provider": "openai", "model": "llama-test", "baseUrl": f"{base}/v1"}},
            "ledger": ledger_url,
            "memory": {"uri": str(tmp_path / "memory.db")},
        }
        (tmp_path / "agents.json").write_text(json.dumps(config))
        async with local_gateway("memory:") as (address, _engine):
            channel = create_insecure_channel(address)
            client = ZeebeClient(channel)
            await client.deploy_resource(str(tmp_path / "agent.bpmn"))
            worker = await asyncio.create_subprocess_exec(
                cadenza, "worker", "--address", address, "--agent-config", str(tmp_path / "agents.json"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            try:
                results = []
                for complaint in ("my parcel arrived damaged", "the box was crushed in transit"):
                    done = await client.run_process_with_result(
                        "refunds", {"complaint": complaint}, timeout=30_000
                    )
                    results.append(done.variables["agentResult"])
            finally:
                worker.terminate()
                _out, err = await asyncio.wait_for(worker.communicate(), 10)
                await channel.close()
            assert worker.returncode == 0, err.decode()
            return results

    with llm_server("openai") as server:
        search = ("memory_search", {"query": "damaged parcel refund"})
        server.plan(
            reply(tools=[search]),
            reply(text="refunded 49 EUR"),
            reply(tools=[search]),
            reply(text="same again"),
        )
        first, second = asyncio.run(scenario(server.url))
        sent = [body for _headers, body in server.requests]
    assert first["output"] == "refunded 49 EUR" and second["output"] == "same again"
    assert [t["function"]["name"] for t in sent[0]["tools"]] == ["memory_remember", "memory_search"]
    ledger = SqlLedger(ledger_url)
    try:
        searches = [
            e.payload["result"]["memories"]
            for run in (first, second)
            for e in ledger.run(run["runId"], tenant="<default>")
            if e.kind is EntryKind.TOOL
        ]
    finally:
        ledger.close()
    assert searches[0] == []  # nothing remembered yet
    (episode,) = searches[1]
    assert episode["kind"] == "episode" and episode["outcome"] == "refunded 49 EUR"
    assert "my parcel arrived damaged" in episode["text"]
