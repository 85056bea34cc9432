"""Where the writer commits: on the event loop's thread for a SQLite file at synchronous=NORMAL (a WAL append
that waits on nothing), gathering each batch for a moment first; on the store's thread wherever a commit waits
on a disk flush or the network, or the connection is shared across threads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import SqlStore, StateChange, Store, open_store

FIXTURES = Path(__file__).parent.parent / "core" / "fixtures"


def _commit_threads(store: Store) -> list[str]:
    """Wraps the store's commit to note the name of the thread each commit runs on."""
    names: list[str] = []
    commit = store.commit

    def noted(partition: int, records: Sequence[Record], changes: Sequence[StateChange]) -> None:
        names.append(threading.current_thread().name)
        commit(partition, records, changes)

    store.commit = noted  # type: ignore[method-assign]
    return names


async def _deploy(engine: EmbeddedEngine) -> None:
    resource = (FIXTURES / "three-tasks.bpmn").read_text()
    value = {"resources": [{"resourceName": "three-tasks.bpmn", "resource": resource}]}
    deployed = await engine.submit(ValueType.DEPLOYMENT, "CREATE", value)
    assert deployed.record_type is RecordType.EVENT


def _create_value() -> dict[str, object]:
    return {"bpmnProcessId": "three-tasks", "version": -1, "variables": "{}"}


@pytest.mark.parametrize(
    ("kind", "inline"),
    [
        ("sqlite", True),
        ("sqlite-full", False),
        ("sqlite-memory", False),
        ("memory", False),
        ("postgresql", False),
    ],
)
def test_commits_run_inline_only_where_nothing_is_waited_for(
    kind: str, inline: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        store: Store = SqlStore(f"sqlite:///{tmp_path / 'cadenza.db'}")
    elif kind == "sqlite-full":
        store = SqlStore(f"sqlite:///{tmp_path / 'cadenza.db'}", sqlite_synchronous="FULL")
    elif kind == "sqlite-memory":
        store = SqlStore("sqlite://")
    elif kind == "memory":
        store = open_store("memory:")
    else:
        store = open_store(request.getfixturevalue("fresh_postgres_url"))
    assert store.inline_commits is inline
    threads = _commit_threads(store)

    async def main() -> None:
        engine = EmbeddedEngine(store, tick_seconds=0.01)
        await engine.start()
        await _deploy(engine)
        created = await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", _create_value())
        assert created.record_type is RecordType.EVENT
        await engine.stop()

    asyncio.run(main())
    loop_thread = threading.current_thread().name  # asyncio.run runs the loop on this thread
    assert threads and all((name == loop_thread) is inline for name in threads), threads


def test_inline_commits_gather_commands_that_arrive_within_the_linger(tmp_path: Path) -> None:
    """Commands arriving one loop turn after another: without the linger an inline writer commits each on its
    own (nothing else can run while it commits); with it they share a batch."""

    async def run(linger: float) -> int:
        store = SqlStore(f"sqlite:///{tmp_path / f'linger-{linger}.db'}")
        engine = EmbeddedEngine(store, tick_seconds=10, batch_linger_seconds=linger)
        await engine.start()
        await _deploy(engine)
        before = engine.stats.batches

        async def create_after(turns: int) -> Record:
            for _ in range(turns):
                await asyncio.sleep(0)
            return await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", _create_value())

        created = await asyncio.gather(*(create_after(turns) for turns in range(10)))
        assert all(record.record_type is RecordType.EVENT for record in created)
        batches = engine.stats.batches - before
        await engine.stop()
        return batches

    assert asyncio.run(run(0.0)) >= 5
    assert asyncio.run(run(0.05)) <= 2
