"""ViewDb: the projection tables' database, which is the store's own database (a second connection pool).

On SQLite and PostgreSQL the store has already migrated the tables (revision 0003). A MemoryStore has no
database, so its views live in an in-memory SQLite created from the metadata: the same queries run on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from cadenza.store.schema import metadata
from cadenza.store.sql import normalize_url

__all__ = ["ViewDb"]


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
            self.engine = create_engine(parsed)
            if parsed.get_backend_name() == "sqlite":
                _configure_sqlite(self.engine)
        self.dialect = self.engine.dialect.name
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

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads only (each statement sees the latest committed rows)."""
        with self._reader.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # The engine's writer holds the write lock for a commit at a time; wait for it, never fail.
            cursor.execute("PRAGMA busy_timeout=10000")
        finally:
            cursor.close()
