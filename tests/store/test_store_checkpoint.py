"""SQLite's WAL checkpoints run on a thread of their own: commits only append to the WAL, and what they append
reaches the database file within a tick, with nothing lost across a close and reopen."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from store_support import batch

from cadenza.store import SqlStore
from cadenza.store.checkpoint import WalCheckpointer


def _frames_left(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames of it checkpointed), asked without checkpointing anything."""
    conn = sqlite3.connect(path)
    try:
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0
        return log, done
    finally:
        conn.close()


def test_commits_reach_the_database_file_by_the_checkpointers_thread(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = SqlStore(f"sqlite:///{path}")
    checkpointer = store._checkpointer  # private: only this test looks at it
    assert isinstance(checkpointer, WalCheckpointer)
    runs_before = checkpointer.runs
    try:
        for start in range(1, 2001, 100):
            store.commit(1, batch(start, 100), [])
        deadline = time.monotonic() + 5
        while checkpointer.runs < runs_before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.runs >= runs_before + 2
        log, done = _frames_left(path)
        assert log == done  # everything committed was copied into the file
    finally:
        store.close()
    assert not checkpointer._thread.is_alive()
    again = SqlStore(f"sqlite:///{path}")
    try:
        assert len(again.read_records(1)) == 2000
    finally:
        again.close()


def test_an_in_memory_database_has_no_checkpointer() -> None:
    store = SqlStore("sqlite://")
    try:
        assert store._checkpointer is None
        store.commit(1, batch(1, 3), [])
        assert len(store.read_records(1)) == 3
    finally:
        store.close()
