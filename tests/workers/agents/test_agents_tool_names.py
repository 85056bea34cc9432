"""Tool names the providers refuse (``memory.search``): both adapters send API-valid names and map the model's
calls back, so the loop, the allowlist and the ledger keep Cadenza's names. The local servers refuse invalid
names with 400, as the real APIs do."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from agents_support import run_closing
from llm_servers import LlmServer, llm_server, reply
from test_agents_models import anthropic_model, openai_model

from cadenza.workers import Complete
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    Message,
    ModelRequest,
    ModelRouter,
    TextBlock,
    ToolContext,
    ToolSpec,
    python_tool,
)
from cadenza.workers.agents.wire_names import WireNames

SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}


@pytest.fixture(params=["anthropic", "openai"])
def server(request: pytest.FixtureRequest) -> Iterator[LlmServer]:
    with llm_server(request.param) as running:
        yield running


def crm_tools(called: list[str]) -> list[Any]:
    def tool(name: str) -> Any:
        async def run(arguments: Mapping[str, Any], _context: ToolContext) -> dict[str, Any]:
            called.append(name)
            return {"tool": name, "id": arguments["id"]}

        return python_tool(name, f"the {name} tool", SCHEMA, run)

    # both map to crm_lookup on the wire: the valid name keeps it, the dotted one becomes crm_lookup_2
    return [tool("crm.lookup"), tool("crm_lookup")]


def sent_names(server: LlmServer, body: dict[str, Any]) -> list[str]:
    if server.flavour == "anthropic":
        return [t["name"] for t in body["tools"]]
    return [t["function"]["name"] for t in body["tools"]]


def called_names(body: dict[str, Any]) -> list[str]:
    """The names of the tool calls in a request's conversation, in either API's shape."""
    found = []
    for message in body["messages"]:
        if isinstance(message.get("content"), list):
            found += [b["name"] for b in message["content"] if b.get("type") == "tool_use"]
        found += [c["function"]["name"] for c in message.get("tool_calls") or []]
    return found


def test_dotted_tool_names_travel_as_api_names_and_come_back_as_cadenzas(server: LlmServer) -> None:
    server.plan(reply(tools=[("crm_lookup_2", {"id": "c-7"})]), reply(text="found"))
    model = anthropic_model(server) if server.flavour == "anthropic" else openai_model(server)
    called: list[str] = []
    runtime = AgentRuntime(ModelRouter({"m": model}), tools=crm_tools(called))
    outcome = run_closing(runtime, {"goal": "Find c-7", "tools": ["crm.lookup", "crm_lookup"]})
    assert isinstance(outcome, Complete), outcome
    assert called == ["crm.lookup"]  # the wire name mapped back to the tool the model meant
    (_, first), (_, second) = server.requests
    assert sent_names(server, first) == ["crm_lookup_2", "crm_lookup"]
    # the conversation sent back holds the wire name of the earlier call too
    assert called_names(second) == ["crm_lookup_2"]
    entries = runtime.ledger.run(outcome.variables["result"]["runId"], tenant="<default>")
    (tool_entry,) = [e for e in entries if e.kind is EntryKind.TOOL]
    assert tool_entry.payload["call"]["name"] == "crm.lookup"  # the ledger keeps Cadenza's names
    recorded = [e for e in entries if e.kind is EntryKind.MODEL][0].payload["request"]["tools"]
    assert [t["name"] for t in recorded] == ["crm.lookup", "crm_lookup"]


def test_the_servers_refuse_a_name_the_api_does_not_allow(server: LlmServer) -> None:
    """What the mapping protects against: the same name sent as it is is a 400 (a request error, no retry)."""
    request = ModelRequest(
        "", (Message("user", (TextBlock("hi"),)),), (ToolSpec("memory.search", "search", SCHEMA),)
    )
    raw = {"model": "m", "messages": [], "tools": [{"name": "memory.search"}]}
    path = "/v1/messages" if server.flavour == "anthropic" else "/v1/chat/completions"
    refused = httpx.post(server.url + path, json=raw)
    assert refused.status_code == 400 and "memory.search" in refused.text
    server.plan(reply(text="ok"))
    model = anthropic_model(server) if server.flavour == "anthropic" else openai_model(server)

    async def complete() -> str:
        try:
            return (await model.complete(request)).text
        finally:
            await model.aclose()

    assert asyncio.run(complete()) == "ok"  # through the adapter the name is mapped, and accepted


def test_wire_names_are_valid_unique_and_reversible() -> None:
    long = "x." * 40  # 80 characters, cut to 64
    names = WireNames(["a.b", "a_b", "a-b", long, long[:-1] + "y", "plain"])
    wires = [names.wire(n) for n in ("a.b", "a_b", "a-b", long, long[:-1] + "y", "plain")]
    assert wires[1:3] == ["a_b", "a-b"] and wires[-1] == "plain"  # valid names are kept as they are
    assert wires[0] == "a_b_2"
    assert len(set(wires)) == len(wires)
    assert all(len(w) <= 64 and w.replace("_", "").replace("-", "").isalnum() for w in wires)
    assert [names.local(w) for w in wires] == ["a.b", "a_b", "a-b", long, long[:-1] + "y", "plain"]
    assert names.local("invented") == "invented"  # no tool: kept, and the loop refuses the call
    assert names.wire("not.a.tool") == "not_a_tool"
    assert WireNames(["a.b", "a_b"]).wire("a.b") == WireNames(["a_b", "a.b"]).wire("a.b") == "a_b_2"
