"""SqlStore: the Store port on SQLAlchemy 2 Core, for SQLite (the embedded default) and PostgreSQL (psycopg).

Durability: ``commit`` returns only after the database's COMMIT has returned. On PostgreSQL that means the WAL
is flushed (synchronous_commit is on by default). On SQLite the journal is WAL with ``synchronous=NORMAL`` by
default: a committed transaction is in the WAL file (the OS's page cache) before COMMIT returns, so it
survives the process being killed at any instant, SIGKILL included; only an OS crash or power loss can lose
the last transactions, never corrupt the file. ``sqlite_synchronous="FULL"`` adds an fsync per commit for
power-loss durability, at the cost measured in docs/bench.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from cadenza.core.records import Record
from cadenza.store.checkpoint import WalCheckpointer
from cadenza.store.codec import (
    RECORD_COLUMNS,
    StoreError,
    decode_state,
    last_changes,
    record_from_row,
    record_rows,
)
from cadenza.store.migrations import upgrade
from cadenza.store.port import PartitionSnapshot, StateChange
from cadenza.store.schema import exporter_positions, state
from cadenza.store.schema import records as log

__all__ = [
    "WAL_AUTOCHECKPOINT_PAGES",
    "DriverSql",
    "SqlStore",
    "SqliteSynchronous",
    "normalize_url",
    "upsert",
]

SqliteSynchronous = Literal["NORMAL", "FULL", "EXTRA"]

# Execution option marking a transaction that writes: on SQLite it begins with BEGIN IMMEDIATE, so the write
# lock is taken (waiting up to the busy timeout) before any statement runs, never half-way through a batch.
_WRITES = "cadenza_writes"
#: WAL pages between two automatic checkpoints, inside the commit that crosses the mark. A file database has
#: its checkpoints run by a thread of their own (:class:`~cadenza.store.checkpoint.WalCheckpointer`), off the
#: writer's commit path, every quarter second; this mark (about 400 MB) only bounds the WAL if that thread
#: fell behind. (SQLite's default is 1,000 pages; with it in the commit path, checkpoints' fsyncs were the
#: largest wait of a run of commits on the shared machine: docs/bench.md.)
WAL_AUTOCHECKPOINT_PAGES = 100_000
# Any constant works; it only has to be the same in every process that migrates the same database.
_MIGRATION_LOCK = 0x63_61_64_65_6E_7A_61  # "cadenza"


def normalize_url(url: str | URL) -> URL:
    """``postgresql://`` (and ``postgres://``) select psycopg 3; any other URL is taken as given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


class SqlStore:
    """A Store on one SQLite file or one PostgreSQL database; migrates it to the newest schema on open."""

    def __init__(
        self,
        url: str | URL,
        *,
        sqlite_synchronous: SqliteSynchronous = "NORMAL",
        busy_timeout_ms: int = 10_000,
    ) -> None:
        self.url = normalize_url(url)
        backend = self.url.get_backend_name()
        self._checkpointer: WalCheckpointer | None = None
        # A file's commit at NORMAL appends to the WAL and waits on nothing; an in-memory database is one
        # connection shared by every thread, so its commits stay on the thread its reads use.
        database = self.url.database or ""
        file = database not in ("", ":memory:")
        self.inline_commits = backend == "sqlite" and file and sqlite_synchronous == "NORMAL"
        if backend == "sqlite":
            self._engine = _sqlite_engine(self.url, sqlite_synchronous, busy_timeout_ms)
            if file:
                self._checkpointer = WalCheckpointer(database, busy_timeout_ms=busy_timeout_ms)
        elif backend == "postgresql":
            self._engine = create_engine(self.url)
        else:
            raise StoreError(f"unsupported database {backend!r}: Cadenza stores to SQLite or PostgreSQL")
        self._insert_records = insert(log)
        self._upsert_state = _upsert(backend, state, ["partition", "column", "key"], ["value"])
        self._delete_state = delete(state).where(
            state.c.partition == bindparam("b_partition"),
            state.c.column == bindparam("b_column"),
            state.c.key == bindparam("b_key"),
        )
        self._upsert_position = _upsert(backend, exporter_positions, ["exporter", "partition"], ["position"])
        # The commit's executemany statements go to the driver as SQL text compiled once, with tuples built
        # in the statement's column order: SQLAlchemy's per-row parameter handling was about a third of a
        # commit's time (docs/bench.md), and these columns need no type conversion (integers and text).
        self._insert_driver = DriverSql(self._insert_records, self._engine, RECORD_COLUMNS)
        # On PostgreSQL the records go in by COPY: half the CPU of a pipelined executemany for a batch of a
        # few dozen records (one data stream instead of a Bind and an Execute per row).
        self._copy_records = _copy_sql(log, RECORD_COLUMNS) if backend == "postgresql" else None
        state_row = ("partition", "column", "key", "value")
        self._upsert_driver = DriverSql(self._upsert_state, self._engine, state_row)
        state_key = ("b_partition", "b_column", "b_key")
        self._delete_driver = DriverSql(self._delete_state, self._engine, state_key)
        try:
            self._migrate()
        except BaseException:
            self._engine.dispose()
            raise
        if self._checkpointer is not None:
            self._checkpointer.start()  # after the migration made the file a WAL database

    def __repr__(self) -> str:
        return f"SqlStore({self.url.render_as_string(hide_password=True)!r})"

    def _migrate(self) -> None:
        with self._transaction(writes=True) as conn:
            if conn.dialect.name == "postgresql":
                # Two processes opening a fresh database at once would both create the tables; the lock makes
                # the second wait and then find the schema at head. (On SQLite, BEGIN IMMEDIATE does this.)
                conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            upgrade(conn)

    @contextmanager
    def _transaction(self, *, writes: bool = False, snapshot: bool = False) -> Iterator[Connection]:
        """One transaction, committed when the block ends (rolled back on any error); database errors and text
        the driver cannot encode come out as StoreError."""
        try:
            with self._engine.connect() as conn:
                if writes:
                    conn.execution_options(**{_WRITES: True})
                if snapshot and conn.dialect.name == "postgresql":
                    # Several SELECTs must see one state; SQLite's transactions always do.
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}") from exc
        except UnicodeEncodeError as exc:  # drivers encode text as UTF-8, which has no lone surrogates
            raise StoreError(f"text that is not valid Unicode cannot be stored: {exc}") from exc

    def load_partition(self, partition: int) -> PartitionSnapshot:
        columns: dict[str, dict[str, Any]] = {}
        with self._transaction(snapshot=True) as conn:
            last = conn.scalar(select(func.max(log.c.position)).where(log.c.partition == partition))
            rows = conn.execute(
                select(state.c.column, state.c.key, state.c.value).where(state.c.partition == partition)
            )
            for column, key, value in rows:
                columns.setdefault(column, {})[key] = decode_state(value)
        return PartitionSnapshot(last_position=last or 0, columns=columns)

    def commit(self, partition: int, records: Sequence[Record], changes: Sequence[StateChange]) -> None:
        # Encoded before the transaction opens: a value that is not JSON fails here with nothing written, and
        # the write lock is held only for the inserts themselves.
        rows = record_rows(partition, records)
        upserts, deletes = last_changes(changes)
        if not rows and not upserts and not deletes:
            return
        with self._transaction(writes=True) as conn:
            if rows and self._copy_records is not None:
                _copy(conn, self._copy_records, rows)
            elif rows:
                self._insert_driver.executemany(conn, rows)
            if upserts:
                self._upsert_driver.executemany(
                    conn, [(partition, column, key, value) for (column, key), value in upserts.items()]
                )
            if deletes:
                self._delete_driver.executemany(conn, [(partition, column, key) for column, key in deletes])

    def read_records(self, partition: int, *, after: int = 0, limit: int | None = None) -> list[Record]:
        query = (
            select(log).where(log.c.partition == partition, log.c.position > after).order_by(log.c.position)
        )
        if limit is not None:
            query = query.limit(max(limit, 0))  # PostgreSQL refuses a negative LIMIT, SQLite reads it as none
        with self._transaction() as conn:
            return [record_from_row(row) for row in conn.execute(query).mappings()]

    def instance_records(self, process_instance_key: int, *, tenant: str | None = None) -> list[Record]:
        query = select(log).where(log.c.process_instance_key == process_instance_key)
        if tenant is not None:
            query = query.where(log.c.tenant == tenant)
        query = query.order_by(log.c.partition, log.c.position)
        with self._transaction() as conn:
            return [record_from_row(row) for row in conn.execute(query).mappings()]

    def exporter_position(self, exporter: str, partition: int) -> int:
        query = select(exporter_positions.c.position).where(
            exporter_positions.c.exporter == exporter, exporter_positions.c.partition == partition
        )
        with self._transaction() as conn:
            position = conn.scalar(query)
        return position or 0

    def acknowledge(self, exporter: str, partition: int, position: int) -> None:
        with self._transaction(writes=True) as conn:
            conn.execute(
                self._upsert_position, {"exporter": exporter, "partition": partition, "position": position}
            )

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._engine.dispose()


class DriverSql:
    """A statement compiled once for the engine's dialect with positional parameters (SQLite's ``?``,
    psycopg's ``%s``), run with the driver's own ``executemany`` on tuples in ``columns`` order."""

    __slots__ = ("sql",)

    def __init__(self, statement: Executable, engine: Engine, columns: tuple[str, ...]) -> None:
        dialect = engine.dialect
        if dialect.paramstyle not in ("qmark", "format", "numeric"):
            # psycopg takes %s with tuples as well as names; Dialect's own signature does not list paramstyle.
            dialect = type(dialect)(paramstyle="format")  # type: ignore[call-arg]
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        if tuple(compiled.positiontup) != columns:
            raise AssertionError(f"{compiled.positiontup} are not the columns {columns}")
        self.sql: str = str(compiled)

    def executemany(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        conn.exec_driver_sql(self.sql, rows)


def _copy_sql(table: Table, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f'COPY "{table.name}" ({names}) FROM STDIN'


def _copy(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows sent with PostgreSQL's COPY (psycopg writes each value in COPY's text format, escapes included),
    inside the connection's open transaction."""
    cursor: Any = conn.connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as exc:  # the driver's own error: SQLAlchemy did not run this
        raise StoreError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        cursor.close()


def _upsert(backend: str, table: Table, keys: list[str], updates: list[str]) -> Executable:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET updates, in the dialect's own construct."""
    if backend == "sqlite":
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=keys, set_={name: lite.excluded[name] for name in updates}
        )
    pg = postgresql.insert(table)
    return pg.on_conflict_do_update(index_elements=keys, set_={name: pg.excluded[name] for name in updates})


#: Public for the projections, which upsert into the same database.
upsert = _upsert


def _sqlite_engine(url: URL, synchronous: SqliteSynchronous, busy_timeout_ms: int) -> Engine:
    if synchronous not in ("NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"sqlite_synchronous must be NORMAL, FULL or EXTRA, not {synchronous!r}")
    if url.database in (None, "", ":memory:"):
        # One connection shared by all users, or each pooled connection would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3's own transaction handling skips BEGIN before SELECTs; SQLAlchemy's "begin" event below
        # takes it over, so reads see one snapshot and writes lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITES) else "BEGIN")

    return engine
