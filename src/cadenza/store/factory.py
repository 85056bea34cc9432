"""open_store: one string from configuration or the command line chooses the store."""

from __future__ import annotations

from pathlib import Path

from cadenza.store.memory import MemoryStore
from cadenza.store.port import Store
from cadenza.store.sql import SqlStore

__all__ = ["open_store"]


def open_store(url_or_path: str | Path) -> Store:
    """``memory:`` → MemoryStore; ``sqlite:///file`` or ``postgresql://...`` (any SQLAlchemy URL of the two)
    → SqlStore; anything else is a path to a SQLite file."""
    if isinstance(url_or_path, Path):
        return _sqlite_file(url_or_path)
    if url_or_path == "memory:":
        return MemoryStore()
    if "://" in url_or_path:
        return SqlStore(url_or_path)
    return _sqlite_file(Path(url_or_path))


def _sqlite_file(path: Path) -> SqlStore:
    # Absolute, so the URL does not depend on the working directory of whoever reads it back (logs, repr).
    return SqlStore(f"sqlite:///{path.expanduser().resolve()}")
