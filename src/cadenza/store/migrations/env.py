"""Alembic's environment for Cadenza: always online, always on the connection that ``upgrade`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cadenza.store.schema import metadata


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        # Offline (SQL script) mode and alembic.ini runs have no connection; the store never needs them.
        raise RuntimeError("run Cadenza's migrations through cadenza.store.migrations.upgrade(connection)")
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


_run()
