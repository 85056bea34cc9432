"""SQLite's WAL checkpoints on a thread of their own, off the writer's commit path.

With ``synchronous=NORMAL`` a commit appends to the WAL and does not fsync; the fsyncs come with checkpoints,
which SQLite otherwise runs inside the commit that crosses ``wal_autocheckpoint`` pages, while the partition's
writer waits. Here a thread runs a PASSIVE checkpoint every ``interval`` seconds instead: it copies what is
committed into the database file without blocking writers or readers, and the writer's commits stay appends.
Durability is unchanged (a commit is in the WAL either way). The store keeps a high ``wal_autocheckpoint``
as a bound on the WAL should this thread fall behind.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

__all__ = ["WalCheckpointer"]


class WalCheckpointer:
    """Checkpoints the SQLite file at ``path`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, path: str, *, interval: float = 0.25, busy_timeout_ms: int = 10_000) -> None:
        self.path = path
        self.interval = interval
        self.busy_timeout_ms = busy_timeout_ms
        #: Checkpoints run so far (for tests and the bench).
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cadenza-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            while not self._stop.wait(self.interval):
                self.checkpoint(conn)
            self.checkpoint(conn)  # the last commits too, so a clean stop leaves a short WAL
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        # A failed checkpoint (the file busy, the disk full) is retried on the next tick; the WAL keeps
        # every commit meanwhile, and the store's wal_autocheckpoint bounds its growth.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.runs += 1
