"""The real anthropic SDK and the OpenAI-compatible httpx adapter against local servers speaking each wire
format: tool use round trips, errors (429, 529 overloaded, 5xx, timeouts), fallback and the response cache."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from agents_support import run_all, run_closing
from llm_servers import LlmServer, fail, llm_server, reply, slow

from cadenza.workers import Complete, Fail
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    ErrorKind,
    Message,
    ModelError,
    ModelRequest,
    ModelRouter,
    TextBlock,
    ToolContext,
    python_tool,
)
from cadenza.workers.agents.anthropic_model import AnthropicModel
from cadenza.workers.agents.openai_model import OpenAICompatibleModel

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


@pytest.fixture
def claude() -> Iterator[LlmServer]:
    with llm_server("anthropic") as server:
        yield server


@pytest.fixture
def openai() -> Iterator[LlmServer]:
    with llm_server("openai") as server:
        yield server


async def weather(arguments: Mapping[str, Any], _context: ToolContext) -> dict[str, Any]:
    return {"city": arguments["city"], "sky": "clear"}


WEATHER = python_tool("weather", "Weather in a city", SCHEMA, weather)


def anthropic_model(server: LlmServer, name: str = "claude", **options: Any) -> AnthropicModel:
    return AnthropicModel("claude-test-1", api_key="sk-test-key", base_url=server.url, name=name, **options)


def openai_model(server: LlmServer, name: str = "local", **options: Any) -> OpenAICompatibleModel:
    return OpenAICompatibleModel(
        "llama-test", base_url=f"{server.url}/v1", api_key="ok-key", name=name, **options
    )


def test_the_anthropic_sdk_runs_a_tool_use_round_trip(claude: LlmServer) -> None:
    claude.plan(
        reply(tools=[("weather", {"city": "Oslo"})], usage=(30, 7)),
        reply(text="Clear in Oslo.", usage=(50, 6)),
    )
    runtime = AgentRuntime(ModelRouter({"claude": anthropic_model(claude)}), tools=[WEATHER])
    outcome = run_closing(
        runtime, {"goal": "Weather in Oslo?", "systemPrompt": "Be brief.", "tools": ["weather"]}
    )
    assert isinstance(outcome, Complete), outcome
    result = outcome.variables["result"]
    assert result["output"] == "Clear in Oslo." and result["usage"]["tokens"] == 93
    (headers, first), (_, second) = claude.requests
    # SDK versions send the key as x-api-key or as a bearer token
    assert "sk-test-key" in (
        headers.get("x-api-key"),
        headers.get("authorization", "").removeprefix("Bearer "),
    )
    assert "anthropic-version" in headers
    assert first["model"] == "claude-test-1" and first["system"] == "Be brief."
    assert first["tools"] == [{"name": "weather", "description": "Weather in a city", "input_schema": SCHEMA}]
    assert second["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_1_0", "name": "weather", "input": {"city": "Oslo"}}],
    }
    (block,) = second["messages"][2]["content"]
    assert block["type"] == "tool_result" and block["tool_use_id"] == "toolu_1_0"
    assert json.loads(block["content"]) == {"city": "Oslo", "sky": "clear"}


def test_the_openai_adapter_runs_a_tool_call_round_trip(openai: LlmServer) -> None:
    openai.plan(
        reply(tools=[("weather", {"city": "Rome"})], usage=(20, 4)), reply(text="Sunny.", usage=(40, 2))
    )
    runtime = AgentRuntime(ModelRouter({"local": openai_model(openai)}), tools=[WEATHER])
    outcome = run_closing(
        runtime, {"goal": "Weather in Rome?", "systemPrompt": "Be brief.", "tools": ["weather"]}
    )
    assert isinstance(outcome, Complete), outcome
    assert outcome.variables["result"]["output"] == "Sunny."
    (headers, first), (_, second) = openai.requests
    assert headers["authorization"] == "Bearer ok-key"
    assert first["messages"][0] == {"role": "system", "content": "Be brief."}
    assert first["tools"][0]["function"]["parameters"] == SCHEMA
    assistant, tool = second["messages"][2], second["messages"][3]
    assert assistant["tool_calls"][0]["function"] == {"name": "weather", "arguments": '{"city": "Rome"}'}
    assert tool["role"] == "tool" and tool["tool_call_id"] == "call_1_0"
    assert json.loads(tool["content"]) == {"city": "Rome", "sky": "clear"}


def request() -> ModelRequest:
    return ModelRequest("s", (Message("user", (TextBlock("hi"),)),))


async def complete_once(model: AnthropicModel | OpenAICompatibleModel) -> None:
    try:
        await model.complete(request())
    finally:
        await model.aclose()


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, ErrorKind.RATE_LIMITED),
        (529, ErrorKind.OVERLOADED),
        (503, ErrorKind.SERVER),
        (400, ErrorKind.REQUEST),
    ],
)
def test_anthropic_errors_map_to_kinds(claude: LlmServer, status: int, kind: ErrorKind) -> None:
    claude.plan(fail(status))
    with pytest.raises(ModelError) as caught:
        asyncio.run(complete_once(anthropic_model(claude)))
    assert caught.value.kind is kind and caught.value.status == status
    assert caught.value.transient is (status != 400)
    assert len(claude.requests) == 1  # the SDK's own retries are off: the router decides


@pytest.mark.parametrize(
    ("status", "kind"), [(429, ErrorKind.RATE_LIMITED), (500, ErrorKind.SERVER), (401, ErrorKind.REQUEST)]
)
def test_openai_errors_map_to_kinds(openai: LlmServer, status: int, kind: ErrorKind) -> None:
    openai.plan(fail(status))
    with pytest.raises(ModelError) as caught:
        asyncio.run(complete_once(openai_model(openai)))
    assert caught.value.kind is kind and f"error {status}" in str(caught.value)


def test_an_overloaded_anthropic_falls_back_to_the_openai_compatible_server(
    claude: LlmServer, openai: LlmServer
) -> None:
    claude.plan(fail(529))
    openai.plan(reply(text="from the fallback"))
    router = ModelRouter(
        {"claude": anthropic_model(claude), "local": openai_model(openai)}, fallbacks={"claude": ["local"]}
    )
    runtime = AgentRuntime(router)
    outcome = run_closing(runtime, {"goal": "g", "model": "claude"})
    assert isinstance(outcome, Complete), outcome
    result = outcome.variables["result"]
    assert result["output"] == "from the fallback" and result["model"] == "local"
    (entry,) = [
        e for e in runtime.ledger.run(result["runId"], tenant="<default>") if e.kind is EntryKind.MODEL
    ]
    assert entry.payload["model"] == "local"
    assert entry.payload["failures"] == ["claude: overloaded (529): overloaded_error (529)"]


def test_rate_limited_then_timed_out_models_fall_back_in_order(claude: LlmServer, openai: LlmServer) -> None:
    claude.plan(fail(429))
    openai.plan(slow(1.5), reply(text="second server"))
    with llm_server("openai") as spare:
        spare.plan(reply(text="third model answers"))
        router = ModelRouter(
            {
                "claude": anthropic_model(claude),
                "local": openai_model(openai, timeout_s=0.3),
                "spare": openai_model(spare, name="spare"),
            },
            fallbacks={"claude": ["local", "spare"]},
        )
        outcome = run_closing(AgentRuntime(router), {"goal": "g", "model": "claude"})
    assert isinstance(outcome, Complete), outcome
    assert outcome.variables["result"]["output"] == "third model answers"


def test_a_request_error_does_not_fall_back_and_fails_the_job(claude: LlmServer, openai: LlmServer) -> None:
    claude.plan(fail(400))
    router = ModelRouter(
        {"claude": anthropic_model(claude), "local": openai_model(openai)}, fallbacks={"claude": ["local"]}
    )
    outcome = run_closing(AgentRuntime(router), {"goal": "g"})
    assert isinstance(outcome, Fail) and outcome.retries == 2
    assert "invalid_request_error" in outcome.message
    assert openai.requests == []


def test_when_every_model_fails_the_job_fails_with_retries_left(claude: LlmServer) -> None:
    claude.plan(fail(529), fail(529))
    outcome = run_closing(AgentRuntime(ModelRouter({"claude": anthropic_model(claude)})), {"goal": "g"})
    assert isinstance(outcome, Fail) and outcome.retries == 2
    assert "overloaded" in outcome.message


def test_a_deterministic_prompt_is_answered_from_the_cache(openai: LlmServer) -> None:
    openai.plan(reply(text="cached answer", usage=(100, 10)))
    runtime = AgentRuntime(ModelRouter({"local": openai_model(openai)}))
    first, second, warm = run_all(
        runtime,
        ({"goal": "same question"}, {}),
        ({"goal": "same question"}, {"key": 2}),
        ({"goal": "same question", "temperature": 0.7}, {"key": 3}),
    )
    assert isinstance(first, Complete) and isinstance(second, Complete)
    assert second.variables["result"]["output"] == "cached answer"
    assert second.variables["result"]["usage"]["tokens"] == 0  # a cached answer uses no tokens
    spent = runtime.ledger.instance_spent(tenant="<default>", process_instance_key=2251799813685300)
    assert spent.tokens == 110  # the first run's only
    # not cached at temperature 0.7: sent to the server, which had no reply left (500)
    assert isinstance(warm, Fail)
    assert [body["temperature"] for _headers, body in openai.requests] == [0, 0.7]
