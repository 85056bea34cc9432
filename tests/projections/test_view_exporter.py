"""The views' exporter: it catches up after a restart, applies each record exactly once, and a batch that
fails leaves neither rows nor position behind (one transaction); on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cadenza.api.rest.wiring import local_api
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.projections import ViewDb, ViewExporter
from cadenza.store import open_store
from cadenza.store.views_schema import executions, tasks

REPO = Path(__file__).resolve().parents[2]
EXPENSE = [REPO / "bpmn" / "expense-approval.bpmn", REPO / "bpmn" / "expense-review.form"]


def _created_tasks(records: list[Record]) -> int:
    return sum(
        r.record_type is RecordType.EVENT and r.value_type is ValueType.USER_TASK and r.intent == "CREATED"
        for r in records
    )


def _count(views: ViewDb, table: Any) -> int:
    with views.begin() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


async def _start_instances(engine: EmbeddedEngine, count: int) -> None:
    resources = [{"resourceName": p.name, "resource": p.read_text()} for p in EXPENSE]
    await engine.submit(ValueType.DEPLOYMENT, "CREATE", {"resources": resources})
    for n in range(count):
        value = {"bpmnProcessId": "expense-approval", "version": -1, "variables": f'{{"amount": {n}}}'}
        await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)


def test_records_committed_while_no_exporter_ran_are_exported_once_after_a_restart(store_url: str) -> None:
    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        async with local_api(engine) as api:  # the views follow while the API runs
            await _start_instances(api.engine, 3)
            last = api.engine.store.read_records(1)[-1].position
            await api.services.exporter.caught_up(last)
            assert _count(api.services.views, tasks) == 3
        alone = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        await alone.start()  # the engine runs on without its exporter: the views fall behind
        await _start_instances(alone, 2)
        await alone.stop()
        again = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        async with local_api(again) as api:
            records = api.engine.store.read_records(1)
            await api.services.exporter.caught_up(records[-1].position)
            assert _count(api.services.views, tasks) == _created_tasks(records) == 5
            assert _count(api.services.views, executions) == 5
            assert api.services.exporter.position == records[-1].position

    asyncio.run(main())


def test_a_failing_batch_rolls_back_its_rows_with_its_position_and_is_retried(store_url: str) -> None:
    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        await engine.start()
        await _start_instances(engine, 2)
        views = ViewDb.for_store(engine.store)
        exporter = ViewExporter(engine.store, views)
        exporter.retry_seconds = 0.05
        apply = exporter.handlers.apply
        failures: list[int] = []

        def flaky(conn: Any, record: Record) -> None:
            apply(conn, record)
            if record.value_type is ValueType.USER_TASK and not failures:
                failures.append(record.position)
                raise RuntimeError("the views' database went away")

        exporter.handlers.apply = flaky  # type: ignore[method-assign]
        await exporter.start()
        last = engine.store.read_records(1)[-1].position
        await exporter.caught_up(last)
        assert failures and _count(views, tasks) == 2 and _count(views, executions) == 2
        assert exporter.position == last
        await exporter.stop()
        views.close()
        await engine.stop()

    asyncio.run(main())


def test_on_sqlite_the_views_are_written_where_the_engine_commits(store_url: str) -> None:
    """One writer to a SQLite file: the views' writes run where the engine's commits run (inline on the event
    loop for a file at NORMAL), instead of meeting SQLite's write lock; PostgreSQL keeps a thread of its own.
    Either way the views follow the log."""

    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        async with local_api(engine) as api:
            shares = api.services.views.writes_runner == engine.run_store_write
            assert shares is (api.services.views.dialect == "sqlite")
            await _start_instances(engine, 3)
            for _ in range(500):
                if _count(api.services.views, tasks) == 3:
                    break
                await asyncio.sleep(0.01)
            assert _count(api.services.views, tasks) == 3
        # the engine, not the exporter, shuts the shared thread down, after closing its store on it
        with pytest.raises(RuntimeError):
            engine.store_executor.submit(int)

    asyncio.run(main())


def test_one_batch_with_inserts_and_later_updates_of_the_same_rows_ends_as_the_log_says(
    store_url: str,
) -> None:
    """Inserts are gathered per table and sent together; an update in the same batch must still follow them."""

    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        await engine.start()  # no exporter yet: everything below reaches the views in one batch
        await _start_instances(engine, 2)
        created = [
            r
            for r in engine.store.read_records(1)
            if r.record_type is RecordType.EVENT
            and r.value_type is ValueType.USER_TASK
            and r.intent == "CREATED"
        ]
        claimed, canceled = created[0], created[1]
        await engine.submit(
            ValueType.USER_TASK, "CLAIM", {"assignee": "demo", "action": "claim"}, key=claimed.key
        )
        instance = canceled.value["processInstanceKey"]
        await engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, key=instance)
        views = ViewDb.for_store(engine.store)
        exporter = ViewExporter(engine.store, views)
        await exporter.start()
        last = engine.store.read_records(1)[-1].position
        await exporter.caught_up(last)
        with views.begin() as conn:
            rows = {r.key: r for r in conn.execute(select(tasks)).all()}
            states = dict(conn.execute(select(executions.c.key, executions.c.state)).all())
        assert rows[claimed.key].assignee == "demo" and rows[claimed.key].state == "created"
        assert rows[canceled.key].state == "canceled" and rows[claimed.key].approval == 1
        assert states == {claimed.value["processInstanceKey"]: "active", instance: "canceled"}
        await exporter.stop()
        await views.aclose()
        await engine.stop()

    asyncio.run(main())


def test_batches_that_follow_the_position_come_from_the_commit_not_the_store(store_url: str) -> None:
    """Reading each committed batch back cost about as much as applying it: the exporter applies the records the
    writer hands over, and reads the store only to catch up (here: what was committed before it started)."""

    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        await engine.start()
        await _start_instances(engine, 2)  # before the exporter: these come from the store
        reads: list[int] = []
        read_records = engine.store.read_records

        def counted(partition: int, *, after: int = 0, limit: int | None = None) -> list[Record]:
            reads.append(after)
            return read_records(partition, after=after, limit=limit)

        engine.store.read_records = counted  # type: ignore[method-assign]
        views = ViewDb.for_store(engine.store)
        exporter = ViewExporter(engine.store, views)
        engine.commit_listeners.append(exporter.notify)
        await exporter.start()
        await exporter.caught_up(read_records(1)[-1].position)
        assert reads and reads[0] == 0  # the catch-up reads the store

        async def create(n: int) -> None:
            value = {"bpmnProcessId": "expense-approval", "version": -1, "variables": f'{{"amount": {n}}}'}
            done = await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)
            await exporter.caught_up(done.position)

        await create(0)  # from here on the exporter follows the commits
        following = len(reads)
        for n in (1, 2):
            await create(n)
        assert len(reads) == following  # nothing read back
        assert _count(views, tasks) == 5 and _count(views, executions) == 5
        await exporter.stop()
        await views.aclose()
        await engine.stop()

    asyncio.run(main())


def test_commits_while_the_exporter_lingers_share_one_transaction_and_a_waiter_cuts_it_short(
    store_url: str,
) -> None:
    """A views transaction's begin and commit cost more than its rows: the exporter waits ``linger`` for more
    commits, unless someone waits for the views (the REST API's read-your-writes), who is answered at once."""

    async def main() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        await engine.start()
        views = ViewDb.for_store(engine.store)
        exporter = ViewExporter(engine.store, views, linger=2.0)
        engine.commit_listeners.append(exporter.notify)
        batches: list[int] = []
        export_batch = exporter._export_batch

        def counted() -> int:
            exported = export_batch()
            if exported:
                batches.append(exported)
            return exported

        exporter._export_batch = counted  # type: ignore[method-assign]
        await exporter.start()
        await _start_instances(engine, 4)  # five commits, one after another, within the linger
        assert batches == [] and _count(views, executions) == 0
        loop = asyncio.get_running_loop()
        began = loop.time()
        await exporter.caught_up(engine.store.read_records(1)[-1].position)
        assert loop.time() - began < 1.0  # not the rest of the linger
        assert len(batches) == 1 and _count(views, executions) == 4
        await exporter.stop()
        await views.aclose()
        await engine.stop()

    asyncio.run(main())


def test_a_long_catch_up_lets_the_event_loop_run_between_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a SQLite file the views' batches run inline on the event loop (where the engine commits): catching up
    a backlog batch after batch must leave the loop to others in between."""
    monkeypatch.setattr("cadenza.projections.exporter._BATCH", 5)

    async def main() -> None:
        engine = EmbeddedEngine(open_store(str(tmp_path / "cadenza.db")), tick_seconds=0.01)
        assert engine.inline_commits
        await engine.start()
        await _start_instances(engine, 3)  # before the exporter: a backlog of many 5-record batches
        views = ViewDb.for_store(engine.store)
        views.writes_runner = engine.run_store_write
        exporter = ViewExporter(engine.store, views, linger=0)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        started = ticks
        await exporter.start()
        last = engine.store.read_records(1)[-1].position
        await exporter.caught_up(last)
        assert last > 5 * 5 and ticks - started > 5  # the ticker ran between the batches
        ticking.cancel()
        await exporter.stop()
        await views.aclose()
        await engine.stop()

    asyncio.run(main())
