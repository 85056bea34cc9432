"""Running a blueprint for real: an embedded Cadenza behind its gRPC gateway, the agent runtime with a scripted
model served by the worker runtime (pyzeebe over a socket), plain pyzeebe tasks for process-run tools, and a
pyzeebe client. People's decisions (user tasks) are submitted to the engine port, as the tasklist does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyzeebe import ZeebeClient, ZeebeWorker

from cadenza.api.gateway import local_gateway
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.workers import WorkerConfig
from cadenza.workers.agents import AgentRuntime, ModelRouter, ScriptedModel, Tool
from cadenza.workers.runtime import build_worker, open_channel

BLUEPRINTS = Path(__file__).resolve().parents[2] / "bpmn"


@dataclass
class Running:
    client: ZeebeClient
    engine: EmbeddedEngine
    model: ScriptedModel

    async def start(self, name: str, variables: Mapping[str, Any]) -> int:
        await self.client.deploy_resource(str(BLUEPRINTS / f"{name}.bpmn"))
        started = await self.client.run_process(name, dict(variables))
        return int(started.process_instance_key)

    async def run(self, name: str, variables: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Runs an instance that needs no person to its end; its key and final variables."""
        await self.client.deploy_resource(str(BLUEPRINTS / f"{name}.bpmn"))
        result = await self.client.run_process_with_result(name, dict(variables), timeout=30_000)
        return int(result.process_instance_key), dict(result.variables)

    async def history(self, instance: int) -> list[Record]:
        return await self.engine.history(instance)

    async def path(self, instance: int) -> list[str]:
        """The elements of the instance, in the order they completed (or were terminated)."""
        return [
            r.value["elementId"]
            for r in await self.history(instance)
            if r.record_type is RecordType.EVENT
            and r.value_type is ValueType.PROCESS_INSTANCE
            and r.intent in ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")
        ]

    async def wait_for(self, instance: int, found: Callable[[list[Record]], Any], what: str) -> Any:
        for _ in range(1500):
            value = found(await self.history(instance))
            if value:
                return value
            await asyncio.sleep(0.02)
        raise AssertionError(f"instance {instance}: no {what} after 30 s")

    async def user_task(self, instance: int, element_id: str) -> Record:
        """The open user task of ``element_id`` (waits for it)."""

        def open_task(history: list[Record]) -> Record | None:
            created = {r.key: r for r in events(history, ValueType.USER_TASK, "CREATED")}
            for r in events(history, ValueType.USER_TASK, "COMPLETED"):
                created.pop(r.key, None)
            found = [r for r in created.values() if r.value["elementId"] == element_id]
            return found[0] if found else None

        task: Record = await self.wait_for(instance, open_task, f"user task {element_id}")
        return task

    async def complete_task(self, task: Record, variables: Mapping[str, Any]) -> None:
        value = {"variables": json.dumps(dict(variables))}
        response = await self.engine.submit(ValueType.USER_TASK, "COMPLETE", value, key=task.key)
        assert response.record_type is RecordType.EVENT, response

    async def finished(self, instance: int) -> dict[str, Any]:
        """Waits for the instance to complete; the variables of its root scope at the end."""

        def done(history: list[Record]) -> list[Record]:
            return [
                r
                for r in events(history, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")
                if r.key == instance
            ]

        await self.wait_for(instance, done, "completion")
        final: dict[str, Any] = {}
        for r in events(await self.history(instance), ValueType.VARIABLE, ""):
            if r.value["scopeKey"] == instance:
                final[r.value["name"]] = json.loads(r.value["value"])
        return final


def events(history: list[Record], value_type: ValueType, intent: str) -> list[Record]:
    return [
        r
        for r in history
        if r.record_type is RecordType.EVENT
        and r.value_type is value_type
        and (not intent or r.intent == intent)
    ]


@asynccontextmanager
async def blueprint_engine(
    script: Mapping[str, Sequence[Any]],
    tools: Sequence[Tool] = (),
    tasks: Callable[[ZeebeWorker], None] = lambda _worker: None,
) -> AsyncIterator[Running]:
    model = ScriptedModel(script)
    runtime = AgentRuntime(ModelRouter({"scripted": model}), tools=tools)
    async with local_gateway("memory:") as (address, engine):
        config = WorkerConfig(address=address, name="blueprints")
        channel = open_channel(config)
        worker = build_worker(config, [runtime.connector()], runtime.credentials, channel)
        tasks(worker)
        working = asyncio.create_task(worker.work())
        try:
            yield Running(ZeebeClient(channel), engine, model)
        finally:
            await worker.stop()
            await asyncio.wait_for(working, 10)
            await channel.close()
