"""The writer's counters (bench/grpc_e2e.py reads them): batches, commands, records and where the CPU went."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cadenza.core.records import ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store.memory import MemoryStore

FIXTURES = Path(__file__).parent.parent / "core" / "fixtures"


def test_the_writer_counts_its_batches_commands_records_and_cpu() -> None:
    async def scenario() -> None:
        engine = EmbeddedEngine(MemoryStore(), tick_seconds=60)
        await engine.start()
        resource = {
            "resourceName": "three-tasks.bpmn",
            "resource": (FIXTURES / "three-tasks.bpmn").read_text(),
        }
        await engine.submit(ValueType.DEPLOYMENT, "CREATE", {"resources": [resource]})
        creations = [
            engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"})
            for _ in range(5)
        ]
        await asyncio.gather(*creations)  # queued together: fewer batches than commands
        stats = engine.stats
        assert stats.commands == 6
        assert 2 <= stats.batches < stats.commands
        assert stats.records == len(engine.store.read_records(1))
        assert stats.process_cpu > 0 and stats.commit_cpu > 0 and stats.commit_wall > 0
        await engine.stop()

    asyncio.run(scenario())
