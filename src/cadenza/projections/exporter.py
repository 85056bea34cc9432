"""ViewExporter: after each commit, reads the new records from the store and applies them to the views.

Exactly once across restarts: the rows a batch of records produces and the exporter's position are written in
one transaction of the views' database, so a crash either keeps both or neither, and the next start goes on
from the position it finds (``exporter_positions``, the store's table). Records are read back from the store
rather than taken from the commit's memory, so a restart catches up the same way a wake-up does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, select

from cadenza.core.records import Record
from cadenza.projections.db import ViewDb
from cadenza.projections.handlers import ViewHandlers, ViewWrites
from cadenza.store.port import Store
from cadenza.store.schema import exporter_positions
from cadenza.store.sql import upsert

__all__ = ["EXPORTER_ID", "ViewExporter"]

EXPORTER_ID = "api-views"
_BATCH = 1000
_log = logging.getLogger(__name__)


class ViewExporter:
    def __init__(
        self, store: Store, views: ViewDb, *, partition: int = 1, executor: ThreadPoolExecutor | None = None
    ) -> None:
        self.store = store
        self.views = views
        self.partition = partition
        self.position = 0
        self.retry_seconds = 1.0
        self.handlers = ViewHandlers()
        self._wake = asyncio.Event()
        self._advanced = asyncio.Condition()
        #: The thread its batches run on: its own, or one it shares (the engine's store thread on SQLite).
        self.executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="cadenza-views")
        self._owns_executor = executor is None
        self._task: asyncio.Task[None] | None = None
        self._upsert = upsert(views.dialect, exporter_positions, ["exporter", "partition"], ["position"])

    async def start(self) -> None:
        self.position = await self._run(self._load_position)
        self._task = asyncio.create_task(self._loop())
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._owns_executor:
            self.executor.shutdown(wait=True)

    def notify(self, _records: list[Record]) -> None:
        """The engine's commit listener: cheap, never blocks the writer."""
        self._wake.set()

    async def caught_up(self, position: int, timeout: float = 5.0) -> None:
        """Waits until the views include the record at ``position`` (read-your-writes for the API)."""
        async with self._advanced:
            await asyncio.wait_for(self._advanced.wait_for(lambda: self.position >= position), timeout)

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while await self._run(self._export_batch):
                    async with self._advanced:
                        self._advanced.notify_all()
            except Exception:  # the batch rolled back whole (rows and position); try it again shortly
                _log.exception("exporting to the views failed at position %s; retrying", self.position)
                await asyncio.sleep(self.retry_seconds)
                self._wake.set()

    async def _run(self, fn: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)

    def _load_position(self) -> int:
        with self.views.read() as conn:
            found = conn.scalar(
                select(exporter_positions.c.position).where(
                    exporter_positions.c.exporter == EXPORTER_ID,
                    exporter_positions.c.partition == self.partition,
                )
            )
        return int(found or 0)

    def _export_batch(self) -> int:
        records = self.store.read_records(self.partition, after=self.position, limit=_BATCH)
        if not records:
            return 0
        with self.views.begin() as conn:
            writes = ViewWrites(conn)
            for record in records:
                self.handlers.apply(writes, record)
            writes.flush()
            self._acknowledge(conn, records[-1].position)
        self.position = records[-1].position
        return len(records)

    def _acknowledge(self, conn: Connection, position: int) -> None:
        conn.execute(
            self._upsert, {"exporter": EXPORTER_ID, "partition": self.partition, "position": position}
        )
