"""The test PostgreSQL database, emptied: imported by the store tests and the `cadenza serve` tests."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from cadenza.store.sql import normalize_url

__all__ = ["reset_postgres"]


def reset_postgres(url: str) -> None:
    """Drops the store's tables, so each test starts from an empty, unmigrated database."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            # Every table any migration made (the API's projections too), whoever added them.
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
