"""Alembic migrations for the store's schema, run from code: no alembic.ini is read at run time.

``upgrade(connection)`` brings a database to the newest revision inside the caller's transaction; SqlStore
calls it on open. To write a new revision, change ``schema.py``, then, on a connection to a database at head,
run ``alembic.command.revision(alembic_config(connection), "what changed", autogenerate=True, rev_id="0002")``
and review the file it writes into ``versions/``.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

__all__ = ["alembic_config", "upgrade"]


def alembic_config(connection: Connection) -> Config:
    """An Alembic Config for ``connection``, built in memory."""
    config = Config()
    # "package:folder" finds the scripts inside the installed package, wherever it was installed.
    config.set_main_option("script_location", "cadenza.store:migrations")
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
