"""`cadenza worker --agent-config`: a process whose task is made from the Agent element template, worked by the
command's agent worker; connector tools with scoped secrets; process-run tools; configuration errors."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from agents_support import agent_job, run_agent
from llm_servers import llm_server
from pyzeebe import ZeebeClient, create_insecure_channel
from template_bpmn import process, service_task

from cadenza.api.gateway import local_gateway
from cadenza.config import ConfigError
from cadenza.workers import Complete, MemoryCredentialStore, TenantSecrets, http_connector
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    ModelRouter,
    ScriptedModel,
    SqlLedger,
    bpmn_tool,
    connector_tool,
)
from cadenza.workers.agents.config import load_agent_runtime, runtime_from_config
from cadenza.workers.agents.tools import ToolContext, ToolFailed
from cadenza.workers.secrets import Redactor

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = json.loads((ROOT / "modeler/element-templates/agent.json").read_text())
SECRET = "s3cr3t-agent-key-77"
ECHO_SCHEMA = {"type": "object", "properties": {"body": {"type": "object"}}, "required": ["body"]}


def test_cadenza_worker_runs_the_agent_task_of_a_template_made_process(tmp_path: Path) -> None:
    cadenza = str(Path(sys.executable).parent / "cadenza")
    ledger_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    credentials = tmp_path / "secrets.json"
    credentials.write_text(json.dumps({"tenants": {"<default>": {"secrets": {"KEY": SECRET}}}}))

    async def scenario(base: str) -> str:
        config = {
            "models": {
                "demo": {
                    "provider": "scripted",
                    "script": [
                        {"tools": [{"name": "echo", "input": {"body": {"order": 7}}}]},
                        {"json": {"echoed": 7}},
                    ],
                }
            },
            "ledger": ledger_url,
            "tools": {
                "echo": {
                    "connector": "http",
                    "description": "Sends a body to the echo service",
                    "inputSchema": ECHO_SCHEMA,
                    "fixed": {
                        "method": "POST",
                        "url": f"{base}/echo",
                        "headers": {"X-Key": "{{secrets.KEY}}"},
                    },
                }
            },
        }
        (tmp_path / "agents.json").write_text(json.dumps(config))
        values = {
            "agent.goal": "Echo order 7",
            "agent.tools": '=["echo"]',
            "agent.outputSchema": '={type: "object", required: ["echoed"]}',
            "resultVariable": "agentResult",
        }
        (tmp_path / "agent.bpmn").write_bytes(process("agent-echo", service_task(TEMPLATE, values)))
        async with local_gateway("memory:") as (address, _engine):
            channel = create_insecure_channel(address)
            client = ZeebeClient(channel)
            await client.deploy_resource(str(tmp_path / "agent.bpmn"))
            worker = await asyncio.create_subprocess_exec(
                cadenza, "worker", "--address", address, "--credentials", str(credentials),
                "--agent-config", str(tmp_path / "agents.json"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            try:
                result = await client.run_process_with_result("agent-echo", {}, timeout=20_000)
            finally:
                worker.terminate()
                out, err = await asyncio.wait_for(worker.communicate(), 10)
                await channel.close()
            assert worker.returncode == 0, err.decode()
            assert out.decode().splitlines()[0].startswith("cadenza worker: http, agent ->")
            agent = result.variables["agentResult"]
            assert agent["status"] == "completed" and agent["output"] == {"echoed": 7}
            return agent["runId"]

    with llm_server("openai") as server:
        run_id = asyncio.run(scenario(server.url))
        ((headers, body),) = server.echoed
    assert headers["x-key"] == SECRET and body == {"order": 7}
    ledger = SqlLedger(ledger_url)
    try:
        (tool,) = [e for e in ledger.run(run_id, tenant="<default>") if e.kind is EntryKind.TOOL]
    finally:
        ledger.close()
    assert tool.payload["result"]["body"]["headers"]["x-key"] == "****"  # the secret never reaches the ledger
    assert SECRET not in json.dumps(tool.payload)


def test_a_model_cannot_smuggle_a_secret_reference_into_a_connector_tool() -> None:
    tool = connector_tool(
        "echo", "", ECHO_SCHEMA, http_connector(), {"method": "POST", "url": "http://127.0.0.1:9/echo"}
    )
    store = MemoryCredentialStore({"<default>": TenantSecrets({"KEY": SECRET})})
    context = ToolContext(agent_job({}), store, Redactor())
    with pytest.raises(ToolFailed, match="arguments may not reference secrets"):
        asyncio.run(tool.call({"body": {"leak": "{{secrets.KEY}}"}}, context))


def test_process_run_tools_come_back_as_tool_calls_and_their_results_resume_the_run() -> None:
    script = [
        {"tools": [{"name": "check-stock", "input": {"sku": "A"}}, {"name": "ask-customer", "input": {}}]},
        {"json": {"done": True}},
    ]
    model = ScriptedModel(script)
    runtime = AgentRuntime(ModelRouter({"demo": model}))
    tools = [
        {"name": "check-stock", "description": "Stock check", "inputSchema": {"type": "object"}},
        {"name": "ask-customer", "description": "A user task"},
    ]
    agent = {"goal": "g", "bpmnTools": tools, "outputSchema": {"type": "object"}}
    first = asyncio.run(run_agent(runtime, agent))
    assert isinstance(first, Complete)
    result = first.variables["result"]
    assert result["status"] == "tool-calls"
    assert [c["name"] for c in result["pendingCalls"]] == ["check-stock", "ask-customer"]
    results = {"call_1_1": {"inStock": 3}, "call_1_2": {"answer": "yes"}}
    done = asyncio.run(
        run_agent(runtime, {**agent, "resume": result["runId"], "toolResults": results}, key=2)
    )
    assert isinstance(done, Complete) and done.variables["result"]["output"] == {"done": True}
    assert model.calls == 2
    tool_entries = [
        e.payload for e in runtime.ledger.run(result["runId"], tenant="<default>") if e.kind is EntryKind.TOOL
    ]
    assert [p["result"] for p in tool_entries] == [{"inStock": 3}, {"answer": "yes"}]


def test_bad_configurations_are_refused_with_the_field_named(tmp_path: Path) -> None:
    store = MemoryCredentialStore()
    connectors: Mapping[str, Any] = {"http": http_connector()}
    cases: list[tuple[Any, str]] = [
        ([], "expected a JSON object"),
        ({"models": {}}, "at least one model"),
        ({"modles": {}}, "unknown field(s) modles"),
        ({"models": {"a": {"provider": "gpt"}}}, "models.a.provider: expected anthropic, openai or scripted"),
        ({"models": {"a": {"provider": "anthropic", "model": "c"}}}, "needs apiKey or apiKeyEnv"),
        (
            {"models": {"a": {"provider": "anthropic", "model": "c", "apiKey": "{{secrets.NOPE}}"}}},
            "unknown secret 'NOPE'",
        ),
        ({"models": {"a": {"provider": "openai", "model": "m"}}}, "models.a.baseUrl: required"),
        ({"models": {"a": {"provider": "scripted"}}, "fallbacks": {"a": ["b"]}}, "unknown model 'b'"),
        (
            {"models": {"a": {"provider": "scripted"}}, "tools": {"t": {"connector": "ftp"}}},
            "tools.t.connector: expected one of http",
        ),
        (
            {
                "models": {"a": {"provider": "scripted"}},
                "tools": {"t": {"connector": "http", "inputSchema": {"type": 5}}},
            },
            "tools.t.inputSchema: not a valid JSON schema",
        ),
        (
            {"models": {"a": {"provider": "scripted"}}, "budget": {"maxCost": "lots"}},
            "budget.maxCost: expected a number",
        ),
        ({"models": {"a": {"provider": "scripted"}}, "pii": ["("]}, "is not a regular expression"),
        ({"models": {"a": {"provider": "scripted"}}, "policy": True}, "policy: no gateway"),
    ]
    for document, message in cases:
        with pytest.raises((ValueError, KeyError)) as caught:
            runtime_from_config(document, credentials=store, connectors=connectors)
        assert message in str(caught.value), (document, str(caught.value))
    path = tmp_path / "agents.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="agent configuration .*agents.json"):
        load_agent_runtime(path, credentials=store, connectors=connectors)


def test_cadenza_worker_exits_2_on_a_bad_agent_configuration(tmp_path: Path) -> None:
    path = tmp_path / "agents.json"
    path.write_text(json.dumps({"models": {"a": {"provider": "gpt"}}}))
    cadenza = str(Path(sys.executable).parent / "cadenza")
    done = subprocess.run(
        [cadenza, "worker", "--agent-config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "models.a.provider" in done.stderr


def test_the_agent_template_binds_the_job_type_the_goal_and_the_result_rules() -> None:
    props = {p.get("id"): p for p in TEMPLATE["properties"]}
    assert TEMPLATE["name"] == "Agent" and TEMPLATE["id"] == "io.cadenza.Agent.v1"
    hidden = [
        p
        for p in TEMPLATE["properties"]
        if p["binding"]["type"] == "zeebe:taskDefinition" and p["binding"].get("property") == "type"
    ]
    assert hidden[0]["value"] == "cadenza:agent"
    assert props["agent.goal"]["constraints"] == {"notEmpty": True}
    assert props["agent.budget"]["feel"] == "required"
    assert props["resultVariable"]["binding"] == {"type": "zeebe:taskHeader", "key": "resultVariable"}
    assert bpmn_tool("x", "", {}).function is None


def test_cadenza_agent_replay_replays_an_instances_runs_and_flags_a_tampered_recording(
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine, text
    from typer.testing import CliRunner

    from cadenza.cli import app
    from cadenza.store.sql import normalize_url

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    script = [{"tools": [{"name": "x", "input": {}}]}, {"json": {"answer": 42}}]
    path = tmp_path / "agents.json"
    path.write_text(
        json.dumps({"models": {"demo": {"provider": "scripted", "script": script}}, "ledger": url})
    )
    runtime = load_agent_runtime(path, credentials=MemoryCredentialStore(), connectors={})
    outcome = asyncio.run(
        run_agent(runtime, {"goal": "g", "bpmnTools": [{"name": "x"}], "outputSchema": {"type": "object"}})
    )
    assert isinstance(outcome, Complete)
    run_id = outcome.variables["result"]["runId"]
    resumed = {
        "goal": "g",
        "bpmnTools": [{"name": "x"}],
        "outputSchema": {"type": "object"},
        "resume": run_id,
        "toolResults": {"call_1_1": 1},
    }
    assert isinstance(asyncio.run(run_agent(runtime, resumed, key=2)), Complete)
    asyncio.run(runtime.aclose())

    result = CliRunner().invoke(
        app, ["agent-replay", "--agent-config", str(path), "--instance", "2251799813685300"]
    )
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(text_line) for text_line in result.output.splitlines()]
    assert line == {
        "runId": run_id,
        "status": "completed",
        "output": {"answer": 42},
        "matchesRecording": True,
    }

    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:  # someone edits the recorded answer
        conn.execute(
            text("UPDATE agent_ledger SET payload = replace(payload, '42', '43') WHERE kind = 'end'")
        )
    engine.dispose()
    tampered = CliRunner().invoke(app, ["agent-replay", "--agent-config", str(path), "--run", run_id])
    assert tampered.exit_code == 1
    assert json.loads(tampered.output)["matchesRecording"] is False
    nothing = CliRunner().invoke(app, ["agent-replay", "--agent-config", str(path), "--instance", "5"])
    assert nothing.exit_code == 2 and "has agent runs" in nothing.output


def test_the_configuration_in_the_docs_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    docs = (ROOT / "docs/agents.md").read_text()
    example = json.loads(docs.split("```json\n", 1)[1].split("```", 1)[0])
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    store = MemoryCredentialStore({"<default>": TenantSecrets({"ANTHROPIC_KEY": "k", "WEATHER_KEY": "w"})})
    example["ledger"] = "memory:"
    assert example["memory"]["collection"] == "cadenza_memory"
    example["memory"]["uri"] = str(tmp_path / "memory.db")  # not the working directory's

    class NoPolicy:
        async def evaluate(self, decision_id: str, variables: Mapping[str, Any], *, tenant_id: str) -> Any:
            raise AssertionError(f"not called ({decision_id}, {variables}, {tenant_id})")

    runtime = runtime_from_config(
        example, credentials=store, connectors={"http": http_connector()}, policy=NoPolicy
    )
    assert sorted(runtime.router.models) == ["demo", "fast", "local", "smart"]
    assert runtime.router.resolve(tenant="acme", tier="standard") == "local"
    assert runtime.router.chain("smart", "<default>") == ("smart", "fast", "local")
    assert runtime.tools.names == ("weather", "order", "memory.search", "memory.remember")
    assert runtime.policy is not None and runtime.memory is not None
    assert runtime.budget.max_cost_micros == 2_000_000
    asyncio.run(runtime.aclose())


def test_cadenza_agent_fork_reruns_from_a_step_with_another_model(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cadenza.cli import app

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    models = {
        "first": {
            "provider": "scripted",
            "script": [{"tools": [{"name": "x", "input": {}}]}, {"json": {"answer": 1}}],
        },
        "second": {
            "provider": "scripted",
            "script": [{"json": {"answer": "never asked"}}, {"json": {"answer": 2}}],
        },
    }
    path = tmp_path / "agents.json"
    path.write_text(json.dumps({"models": models, "default": "first", "ledger": url}))
    runtime = load_agent_runtime(path, credentials=MemoryCredentialStore(), connectors={})
    agent = {"goal": "g", "bpmnTools": [{"name": "x"}], "outputSchema": {"type": "object"}}
    first = asyncio.run(run_agent(runtime, agent))
    assert isinstance(first, Complete)
    run_id = first.variables["result"]["runId"]
    resumed = asyncio.run(
        run_agent(runtime, {**agent, "resume": run_id, "toolResults": {"call_1_1": "ok"}}, key=2)
    )
    assert isinstance(resumed, Complete) and resumed.variables["result"]["output"] == {"answer": 1}
    asyncio.run(runtime.aclose())

    forked = CliRunner().invoke(
        app, ["agent-fork", "--agent-config", str(path), "--run", run_id, "--step", "1", "--model", "second"]
    )
    assert forked.exit_code == 0, forked.output
    line = json.loads(forked.output)
    assert line["parent"] == run_id and line["status"] == "completed" and line["output"] == {"answer": 2}
    unknown = CliRunner().invoke(
        app, ["agent-fork", "--agent-config", str(path), "--run", "nope", "--step", "0"]
    )
    assert unknown.exit_code == 2 and "no recorded run 'nope'" in unknown.output
    bad = CliRunner().invoke(
        app, ["agent-fork", "--agent-config", str(path), "--run", run_id, "--step", "0", "--inputs", "[1]"]
    )
    assert bad.exit_code == 2 and "expected a JSON object" in bad.output
