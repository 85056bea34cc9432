"""The embedded adapter: group commit through a store, long polling, results, recovery after a restart."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from cadenza.core.records import RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store.memory import MemoryStore

FIXTURES = Path(__file__).parent.parent / "core" / "fixtures"


def _deploy_value(name: str) -> dict[str, object]:
    return {"resources": [{"resourceName": name, "resource": (FIXTURES / name).read_text()}]}


async def _worker(engine: EmbeddedEngine, job_type: str, count: int) -> int:
    done = 0
    while done < count:
        batch = await engine.activate_jobs(
            {"type": job_type, "worker": "w", "timeout": 10_000, "maxJobsToActivate": 8},
            request_timeout_ms=2000,
        )
        for key in batch.value["jobKeys"]:
            response = await engine.submit(ValueType.JOB, "COMPLETE", {"variables": '{"ok": true}'}, key=key)
            assert response.record_type is RecordType.EVENT
            done += 1
    return done


def test_instances_complete_through_the_store_and_survive_a_restart() -> None:
    store = MemoryStore()

    async def scenario() -> None:
        engine = EmbeddedEngine(store, tick_seconds=0.01)
        await engine.start()
        deployed = await engine.submit(ValueType.DEPLOYMENT, "CREATE", _deploy_value("three-tasks.bpmn"))
        assert deployed.record_type is RecordType.EVENT
        worker = asyncio.create_task(_worker(engine, "work", 30))
        created = [
            await engine.submit(
                ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"}
            )
            for _ in range(10)
        ]
        assert await asyncio.wait_for(worker, 10) == 30
        for response in created:
            key = response.value["processInstanceKey"]
            assert engine.engine.state.elements.get(key) is None
            history = await engine.history(key)
            assert (
                history[-1].intent == "ELEMENT_COMPLETED" and history[-1].value["elementId"] == "three-tasks"
            )
        pending = await engine.submit(
            ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"}
        )
        await engine.stop()

        restarted = EmbeddedEngine(store, tick_seconds=0.01)
        await restarted.start()
        assert restarted.engine.state.elements.get(pending.value["processInstanceKey"]) is not None
        assert await asyncio.wait_for(_worker(restarted, "work", 3), 10) == 3
        assert restarted.engine.state.elements.get(pending.value["processInstanceKey"]) is None
        await restarted.stop()

    asyncio.run(scenario())


def test_create_with_result_returns_the_final_variables() -> None:
    async def scenario() -> None:
        engine = EmbeddedEngine(MemoryStore(), tick_seconds=0.01)
        await engine.start()
        await engine.submit(ValueType.DEPLOYMENT, "CREATE", _deploy_value("three-tasks.bpmn"))
        worker = asyncio.create_task(_worker(engine, "work", 3))
        value = {"bpmnProcessId": "three-tasks", "variables": json.dumps({"n": 1})}
        created, variables = await engine.create_with_result(value, request_timeout_ms=5000)
        assert created.record_type is RecordType.EVENT
        assert variables == {"n": 1, "ok": True}
        await worker
        await engine.stop()

    asyncio.run(scenario())


_STRAIGHT_THROUGH = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="straight" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_create_with_result_of_an_instance_that_completes_in_its_creation_batch() -> None:
    """No wait state: the instance completes while its creation is processed, before its key is known."""

    async def scenario() -> None:
        engine = EmbeddedEngine(MemoryStore(), tick_seconds=0.01)
        await engine.start()
        resource = {"resourceName": "straight.bpmn", "resource": _STRAIGHT_THROUGH}
        await engine.submit(ValueType.DEPLOYMENT, "CREATE", {"resources": [resource]})
        value = {"bpmnProcessId": "straight", "variables": json.dumps({"n": 7, "tags": ["a"]})}
        _, variables = await engine.create_with_result(value, request_timeout_ms=5000)
        assert variables == {"n": 7, "tags": ["a"]}
        await engine.stop()

    asyncio.run(scenario())


def test_a_timed_out_job_is_handed_out_again_by_the_scheduler() -> None:
    async def scenario() -> None:
        engine = EmbeddedEngine(MemoryStore(), tick_seconds=0.01)
        await engine.start()
        await engine.submit(ValueType.DEPLOYMENT, "CREATE", _deploy_value("three-tasks.bpmn"))
        await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"})
        request = {"type": "work", "worker": "slow", "timeout": 50, "maxJobsToActivate": 1}
        first = await engine.activate_jobs(request, request_timeout_ms=1000)
        again = await engine.activate_jobs({**request, "worker": "fast"}, request_timeout_ms=3000)
        assert again.value["jobKeys"] == first.value["jobKeys"]
        assert again.value["jobs"][0]["worker"] == "fast"
        await engine.stop()

    asyncio.run(scenario())


def test_long_polling_wakes_when_a_job_is_created() -> None:
    async def scenario() -> None:
        engine = EmbeddedEngine(MemoryStore(), tick_seconds=0.01)
        await engine.start()
        await engine.submit(ValueType.DEPLOYMENT, "CREATE", _deploy_value("three-tasks.bpmn"))
        request = {"type": "work", "worker": "w", "timeout": 1000, "maxJobsToActivate": 1}
        poll = asyncio.create_task(engine.activate_jobs(request, request_timeout_ms=5000))
        await asyncio.sleep(0.05)
        assert not poll.done()
        await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"})
        batch = await asyncio.wait_for(poll, 2)
        assert len(batch.value["jobKeys"]) == 1
        await engine.stop()

    asyncio.run(scenario())


def test_the_scheduler_fires_due_timers_and_expires_buffered_messages() -> None:
    async def scenario() -> None:
        engine = EmbeddedEngine(MemoryStore(), tick_seconds=0.01)
        await engine.start()
        await engine.submit(ValueType.DEPLOYMENT, "CREATE", _deploy_value("timer-catch.bpmn"))
        value = {"bpmnProcessId": "timer-catch", "variables": json.dumps({"delay": "PT0.2S"})}
        created, _ = await engine.create_with_result(value, request_timeout_ms=5000)
        history = await engine.history(created.value["processInstanceKey"])
        assert [r.intent for r in history if r.value_type is ValueType.TIMER] == ["CREATED", "TRIGGERED"]
        message = {"name": "nobody-waits", "correlationKey": "k", "timeToLive": 100, "variables": "{}"}
        published = await engine.submit(ValueType.MESSAGE, "PUBLISH", message)
        assert engine.engine.state.messages.message(published.key) is not None
        for _ in range(200):
            if engine.engine.state.messages.message(published.key) is None:
                break
            await asyncio.sleep(0.01)
        assert engine.engine.state.messages.message(published.key) is None
        await engine.stop()

    asyncio.run(scenario())
