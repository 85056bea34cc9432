"""What the agent runtime adds per LLM call and per tool call, the model's and the tool's own time excluded.

A constant model (a prebuilt response, no work) and a no-op tool are timed inside the run: each call's own
time is measured around ``complete()`` and the tool function and subtracted from the run's wall time. What is
left is the runtime: reading inputs, routing, building requests, the budget meter, argument validation (JSON
schema), output parsing and validation, the result blocks and the ledger writes (one per entry, in a worker
thread).

Cases, each a distribution over ``--rounds`` jobs run through ``run_job`` as the worker runs them:

* ``llm``: one job whose model answers ``--calls`` times; every answer but the last misses the output schema
  and is sent back (so each step is a full model call of the loop, with no tool); overhead per model call.
* ``tool``: one model call asking for ``--calls`` tool calls, then the answer; overhead per tool call (the two
  model calls' share, from ``llm``, taken off).
* ``job``: a one-call job: the fixed cost of a job (inputs, the run entry, the result).
* ``peer``: a job of a connector that does nothing, through the same ``run_job``: the cost of any job, for a
  ratio (``job`` / ``peer``) measured in the same run.
* ``anthropic-sdk``: the ``llm`` case on the real anthropic SDK against an instant local server speaking the
  Messages API, for scale: the SDK and HTTP time is the model's own time and is excluded like the rest.

Ledgers: memory, and SQLite (a file, WAL, one transaction per entry). Figures: p50 and p90 in milliseconds.
Run: ``.venv/bin/python bench/agent_overhead.py`` (target: p50 under 5 ms per LLM call and per tool call).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from cadenza.workers import Complete, Connector, Input, JobInfo, MemoryCredentialStore, run_job
from cadenza.workers.agents import (
    AgentRuntime,
    Ledger,
    MemoryLedger,
    ModelRequest,
    ModelResponse,
    ModelRouter,
    SqlLedger,
    TextBlock,
    ToolContext,
    ToolUseBlock,
    Usage,
    python_tool,
)

SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
ARGS = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


class Timed:
    """Adds up the time spent inside wrapped calls (the model's and the tool's own time)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    async def run(self, call: Callable[[], Awaitable[Any]]) -> Any:
        start = time.perf_counter()
        try:
            return await call()
        finally:
            self.seconds += time.perf_counter() - start


class ConstantModel:
    """Answers ``answers[i]`` at step i (the conversation's assistant turns), built in advance."""

    def __init__(self, answers: list[ModelResponse], timed: Timed, inner: Any = None) -> None:
        self._answers = answers
        self._timed = timed
        self._inner = inner

    @property
    def name(self) -> str:
        return "constant"

    async def complete(self, request: ModelRequest) -> ModelResponse:
        async def answer() -> ModelResponse:
            if self._inner is not None:
                await self._inner.complete(request)  # the SDK round trip, counted as model time
            step = sum(1 for m in request.messages if m.role == "assistant")
            return self._answers[step]

        result: ModelResponse = await self._timed.run(answer)
        return result


def text(value: str) -> ModelResponse:
    return ModelResponse((TextBlock(value),), Usage(100, 20))


def llm_answers(calls: int) -> list[ModelResponse]:
    return [text("not json")] * (calls - 1) + [text('{"ok": true}')]


def tool_answers(calls: int) -> list[ModelResponse]:
    uses = tuple(ToolUseBlock(f"c{i}", "noop", {"n": i}) for i in range(calls))
    return [ModelResponse(uses, Usage(100, 20), "tool_use"), text('{"ok": true}')]


def runtime(answers: list[ModelResponse], ledger: Ledger, timed: Timed, inner: Any = None) -> AgentRuntime:
    async def noop(arguments: Mapping[str, Any], _context: ToolContext) -> dict[str, Any]:
        return dict(await timed.run(lambda: _echo(arguments)))

    router = ModelRouter({"constant": ConstantModel(answers, timed, inner)}, cache_size=0)
    return AgentRuntime(router, tools=[python_tool("noop", "does nothing", ARGS, noop)], ledger=ledger)


async def _echo(arguments: Mapping[str, Any]) -> Mapping[str, Any]:
    return arguments


def job(key: int, calls: int) -> JobInfo:
    agent = {
        "goal": f"benchmark {key}",
        "tools": ["noop"],
        "outputSchema": SCHEMA,
        "maxSteps": calls + 2,
        "maxOutputRetries": calls,
    }
    return JobInfo(key, "cadenza:agent", {"agent": agent}, {"resultVariable": "r"}, 3, "bench", 1, "agent")


async def one_run(rt: AgentRuntime, timed: Timed, key: int, calls: int) -> float:
    """Milliseconds of runtime (wall time minus model and tool time) for one job."""
    timed.seconds = 0.0
    start = time.perf_counter()
    outcome = await run_job(rt.connector(), job(key, calls), MemoryCredentialStore())
    wall = time.perf_counter() - start
    if not isinstance(outcome, Complete):
        raise RuntimeError(f"the benchmark job did not complete: {outcome}")
    return (wall - timed.seconds) * 1000


async def distribution(
    make: Callable[[Timed], AgentRuntime], rounds: int, calls: int, per: Callable[[float], float]
) -> list[float]:
    timed = Timed()
    rt = make(timed)
    try:
        for warm in range(3):
            await one_run(rt, timed, -1 - warm, calls)
        return [per(await one_run(rt, timed, key, calls)) for key in range(rounds)]
    finally:
        await rt.aclose()


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
    }


async def cases(rounds: int, calls: int, ledger_factory: Callable[[], Ledger]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    one = await distribution(lambda t: runtime(llm_answers(1), ledger_factory(), t), rounds, 1, lambda ms: ms)
    results["job"] = summary(one)
    llm = await distribution(
        lambda t: runtime(llm_answers(calls), ledger_factory(), t), rounds, calls, lambda ms: ms / calls
    )
    results["llm"] = summary(llm)
    per_llm = statistics.median(llm)
    tool = await distribution(
        lambda t: runtime(tool_answers(calls), ledger_factory(), t),
        rounds,
        calls,
        lambda ms: (ms - 2 * per_llm) / calls,
    )
    results["tool"] = summary(tool)
    return results


async def sdk_case(rounds: int, calls: int) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests/workers/agents"))
    from llm_servers import llm_server, reply  # the tests' wire-format server

    from cadenza.workers.agents.anthropic_model import AnthropicModel

    with llm_server("anthropic") as server:
        server.plan(*[reply(text="x") for _ in range((rounds + 3) * calls)])
        sdk = AnthropicModel("claude-bench", api_key="bench", base_url=server.url)
        try:
            values = await distribution(
                lambda t: runtime(llm_answers(calls), MemoryLedger(), t, sdk),
                rounds,
                calls,
                lambda ms: ms / calls,
            )
        finally:
            await sdk.aclose()
    return summary(values)


async def peer_case(rounds: int) -> dict[str, float]:
    async def nothing(_call: Any) -> dict[str, Any]:
        return {"ok": True}

    connector = Connector("nothing", "Nothing", "bench:nothing", "bench.Nothing", nothing, (Input("x", "X"),))
    values = []
    for key in range(rounds + 3):
        info = JobInfo(key, "bench:nothing", {"x": "1"}, {"resultVariable": "r"}, 3, "bench", 1, "task")
        start = time.perf_counter()
        await run_job(connector, info, MemoryCredentialStore())
        values.append((time.perf_counter() - start) * 1000)
    return summary(values[3:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db = f"sqlite:///{Path(directory) / 'ledger.db'}"
        sqlite = SqlLedger(db)
        figures = {
            "memory": asyncio.run(cases(args.rounds, args.calls, MemoryLedger)),
            "sqlite": asyncio.run(cases(args.rounds, args.calls, lambda: sqlite)),
            "anthropic-sdk (memory ledger)": {"llm": asyncio.run(sdk_case(args.rounds, args.calls))},
            "no-op connector": {"peer": asyncio.run(peer_case(args.rounds))},
        }
        sqlite.close()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"agent runtime overhead, model and tool time excluded ({args.rounds} jobs, {args.calls} calls each)"
    )
    for ledger, results in figures.items():
        for case, values in results.items():
            print(f"  {ledger:30} {case:5} p50 {values['p50_ms']:7.3f} ms   p90 {values['p90_ms']:7.3f} ms")
    peer = figures["no-op connector"]["peer"]["p50_ms"]
    ratio = figures["memory"]["job"]["p50_ms"] / peer
    print(f"  one-call agent job / no-op connector job (p50, memory ledger): {ratio:.0f}x")


if __name__ == "__main__":
    main()
