"""What only the SQL stores have: migrations, files that outlive the process, SQLite's settings, URLs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert, inspect, text
from store_support import batch, event

from cadenza.core.records import Record
from cadenza.store import MemoryStore, SqlStore, StateChange, Store, StoreError, open_store
from cadenza.store.codec import RECORD_COLUMNS, record_rows
from cadenza.store.migrations import alembic_config
from cadenza.store.schema import metadata
from cadenza.store.schema import records as log_table
from cadenza.store.sql import WAL_AUTOCHECKPOINT_PAGES, SqliteSynchronous, normalize_url


def schema_diffs(url: str) -> list[object]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_the_migrated_schema_is_the_metadata(durable_url: str, opened: Callable[[str], Store]) -> None:
    opened(durable_url).close()

    assert schema_diffs(durable_url) == []


def test_the_schema_comparison_sees_a_missing_index(durable_url: str, opened: Callable[[str], Store]) -> None:
    # Guards the test above: a comparison that found nothing because it compared nothing would pass it.
    opened(durable_url).close()
    engine = create_engine(normalize_url(durable_url))
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_records_instance"))
    engine.dispose()

    diffs = schema_diffs(durable_url)

    assert [diff[0] for diff in diffs if isinstance(diff, tuple)] == ["add_index"]


def test_reopening_recovers_everything(durable_url: str, opened: Callable[[str], Store]) -> None:
    first = opened(durable_url)
    for start in range(1, 100, 10):
        first.commit(1, batch(start, 10, instance=42), [StateChange("seen", str(start), start)])
    first.commit(1, batch(101, 1), [StateChange("seen", "1", None)])
    first.acknowledge("history", 1, 77)
    expected_state = first.load_partition(1)
    first.close()

    again = opened(durable_url)

    assert again.load_partition(1) == expected_state
    assert expected_state.last_position == 101 and len(expected_state.columns["seen"]) == 9
    assert again.read_records(1) == batch(1, 100, instance=42) + batch(101, 1)
    assert len(again.instance_records(42)) == 100
    assert again.exporter_position("history", 1) == 77
    engine = create_engine(normalize_url(durable_url))
    with engine.connect() as conn:
        # at the newest revision, whichever that is now
        head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    engine.dispose()


def test_a_database_at_the_first_revision_upgrades_and_keeps_its_records(durable_url: str) -> None:
    # A database written before 0002: it still has ix_records_tenant. Opening it migrates it to head.
    url = normalize_url(durable_url)
    if url.database and url.get_backend_name() == "sqlite":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        assert "ix_records_tenant" in {ix["name"] for ix in inspect(conn).get_indexes("records")}
        conn.execute(insert(log_table).values(row_values(event(1, instance=42, tenant="a"))))
    engine.dispose()

    store = open_store(durable_url)
    try:
        assert store.read_records(1) == [event(1, instance=42, tenant="a")]
        assert [r.position for r in store.instance_records(42, tenant="a")] == [1]
        store.commit(1, [event(2, instance=42, tenant="a")], [])
        assert [r.position for r in store.instance_records(42, tenant="a")] == [1, 2]
    finally:
        store.close()
    assert schema_diffs(durable_url) == []


def row_values(record: Record) -> dict[str, object]:
    return dict(zip(RECORD_COLUMNS, record_rows(record.partition, [record])[0], strict=True))


@pytest.mark.parametrize(("mode", "pragma_value"), [("NORMAL", 1), ("FULL", 2)])
def test_sqlite_runs_in_wal_mode_with_the_chosen_synchronous_level(
    tmp_path: Path, mode: SqliteSynchronous, pragma_value: int
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'c.db'}", sqlite_synchronous=mode)
    try:
        # The engine is private; only this test looks at the connection's settings.
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == pragma_value
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_AUTOCHECKPOINT_PAGES
    finally:
        store.close()


def test_two_stores_on_one_sqlite_file_write_concurrently(tmp_path: Path) -> None:
    # Two engines stand for two processes: BEGIN IMMEDIATE plus the busy timeout must queue their writes,
    # never fail one with "database is locked".
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    stores = [SqlStore(url), SqlStore(url)]
    errors: list[BaseException] = []

    def write(store: SqlStore, partition: int) -> None:
        try:
            for start in range(1, 200, 5):
                records = [event(p, partition=partition) for p in range(start, start + 5)]
                store.commit(partition, records, [StateChange("c", str(start), start)])
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(store, n + 1)) for n, store in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [stores[0].load_partition(p).last_position for p in (1, 2)] == [200, 200]
    for store in stores:
        store.close()


def test_postgresql_urls_select_psycopg_3() -> None:
    assert normalize_url("postgresql://u@h:5432/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"


def test_open_store_chooses_the_store_from_the_string(tmp_path: Path) -> None:
    memory = open_store("memory:")
    from_path = open_store(str(tmp_path / "new" / "dir" / "a.db"))
    from_path_object = open_store(tmp_path / "b.db")
    from_url = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        assert isinstance(memory, MemoryStore)
        assert isinstance(from_path, SqlStore) and from_path.url.database == str(tmp_path / "new/dir/a.db")
        assert isinstance(from_path_object, SqlStore)
        assert from_path_object.url.database == str(tmp_path / "b.db")
        assert isinstance(from_url, SqlStore) and (tmp_path / "c.db").exists()
    finally:
        for store in (memory, from_path, from_path_object, from_url):
            store.close()


def test_a_database_other_than_sqlite_or_postgresql_is_refused() -> None:
    with pytest.raises(StoreError, match="mysql"):
        open_store("mysql://u@localhost/db")


def test_the_migrations_ship_inside_the_package() -> None:
    migrations = resources.files("cadenza.store") / "migrations"

    assert (migrations / "env.py").is_file()
    assert (migrations / "versions" / "0001_initial.py").is_file()
    assert (migrations / "versions" / "0002_drop_records_tenant_index.py").is_file()


def test_a_database_that_cannot_be_reached_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="OperationalError"):
        open_store("postgresql://postgres@127.0.0.1:1/nowhere")
