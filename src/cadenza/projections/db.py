"""ViewDb: the projection tables' database, which is the store's own database (a second connection pool).

On SQLite and PostgreSQL the store has already migrated the tables (revision 0003). A MemoryStore has no
database, so its views live in an in-memory SQLite created from the metadata: the same queries run on both.

The API's reads go through ``rows``/``first``/``scalar``, awaitable so that on PostgreSQL a round trip yields
the event loop (psycopg's async connection under SQLAlchemy's asyncio engine) instead of blocking every other
request while the database answers. SQLite is in-process: its reads run on the loop as they are.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from cadenza.store.schema import metadata
from cadenza.store.sql import WAL_AUTOCHECKPOINT_PAGES, normalize_url

__all__ = ["ViewDb", "WritesRunner"]

T = TypeVar("T")
#: Runs a function where the engine's commits run (``EmbeddedEngine.run_store_write``).
WritesRunner = Callable[[Callable[[], Any]], Awaitable[Any]]


class ViewDb:
    def __init__(self, url: str | URL | None) -> None:
        """``url`` of the store's database (already migrated), or None for a fresh in-memory database."""
        if url is None:
            self.engine = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            metadata.create_all(self.engine)
        else:
            parsed = normalize_url(url)
            # Connections are kept, not opened per burst: a PostgreSQL connection is a forked backend, and
            # the pool's overflow (opened when busy, closed when returned) forks and authenticates each time.
            self.engine = create_engine(parsed, pool_size=8, max_overflow=8)
            if parsed.get_backend_name() == "sqlite":
                _configure_sqlite(self.engine)
        self.dialect = self.engine.dialect.name
        #: Set (by the API's wiring) when the views live in the engine's SQLite file: every write to them then
        #: runs where the engine's commits run, so the two never meet the file's write lock.
        self.writes_runner: WritesRunner | None = None
        self._url = None if url is None else normalize_url(url)
        self._async: AsyncEngine | None = None
        # Reads need no transaction: without BEGIN and COMMIT a read on PostgreSQL is one round trip, not
        # three. The in-memory database has one shared connection, so it keeps its transactions.
        self._reader = (
            self.engine if url is None else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @classmethod
    def for_store(cls, store: Any) -> ViewDb:
        """The views of a store: its database when it has one (SqlStore.url), else in memory."""
        return cls(getattr(store, "url", None))

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    async def run_write(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs ``fn(*args)``, which writes to the views in transactions of its own: where the engine's
        commits run when ``writes_runner`` is set, else on a worker thread (off the event loop)."""
        if self.writes_runner is not None:
            result: T = await self.writes_runner(functools.partial(fn, *args))
            return result
        return await asyncio.to_thread(fn, *args)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads only (each statement sees the latest committed rows)."""
        with self._reader.connect() as conn:
            yield conn

    async def rows(self, query: Executable) -> list[Row[Any]]:
        """All rows of a read (no transaction: one round trip on PostgreSQL, not three)."""
        if self.dialect != "postgresql":
            with self.read() as conn:
                return list(conn.execute(query).all())
        async with self._async_engine().connect() as conn:
            return list((await conn.execute(query)).all())

    async def first(self, query: Executable) -> Row[Any] | None:
        found = await self.rows(query)
        return found[0] if found else None

    async def scalar(self, query: Executable) -> Any:
        row = await self.first(query)
        return None if row is None else row[0]

    def _async_engine(self) -> AsyncEngine:
        # Made on first use, inside the running loop its connections belong to.
        if self._async is None:
            assert self._url is not None
            # A fixed set: a read waits for a free connection rather than opening one (see __init__); on two
            # cores more concurrent queries than this only queue inside the database instead.
            self._async = create_async_engine(
                self._url, isolation_level="AUTOCOMMIT", pool_size=6, max_overflow=0
            )
        return self._async

    def close(self) -> None:
        self.engine.dispose()

    async def aclose(self) -> None:
        """Closes both pools (the async one can only be closed from the loop that used it)."""
        if self._async is not None:
            await self._async.dispose()
            self._async = None
        self.close()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # The engine's writer holds the write lock for a commit at a time; wait for it, never fail.
            cursor.execute("PRAGMA busy_timeout=10000")
            # SQLite's defaults would sync the WAL on every commit (synchronous=FULL) and checkpoint in the
            # committing thread once the WAL passes 1,000 pages: the store's checkpointer thread does that.
            # NORMAL loses no acknowledged work: the views and their position are rebuilt from the records.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        finally:
            cursor.close()
