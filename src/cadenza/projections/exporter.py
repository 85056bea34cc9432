"""ViewExporter: after each commit, applies the new records to the views.

Exactly once across restarts: the rows a batch of records produces and the exporter's position are written in
one transaction of the views' database, so a crash either keeps both or neither, and the next start goes on
from the position it finds (``exporter_positions``, the store's table). The records come from the commit's
memory when they follow the position directly (the usual case: reading each batch back cost about as much as
applying it); otherwise, after a restart, a failed batch or a long lag, from the store, which has them all.

A commit wakes the exporter, which lingers a little (``linger``, 10 ms) so that the commits of that time go
into one transaction of the views: a transaction's begin and commit cost more than its rows (at 8 instances
in flight the engine commits every 2 ms or so). Whoever waits for the views (``caught_up``: the REST API's
read-your-writes) cuts the linger short, as does a full batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from cadenza.core.records import Record
from cadenza.projections.db import ViewDb
from cadenza.projections.handlers import ViewHandlers, ViewSql, ViewWrites
from cadenza.store.port import Store
from cadenza.store.schema import exporter_positions

__all__ = ["EXPORTER_ID", "ViewExporter"]

EXPORTER_ID = "api-views"
_BATCH = 1000
#: Committed records kept in memory for the next batches; past it the exporter reads the store instead.
_MAX_PENDING = 20_000
#: How long a woken exporter waits for more commits before it writes, unless someone waits for the views.
LINGER_SECONDS = 0.01
_log = logging.getLogger(__name__)


class ViewExporter:
    def __init__(
        self,
        store: Store,
        views: ViewDb,
        *,
        partition: int = 1,
        linger: float = LINGER_SECONDS,
    ) -> None:
        self.store = store
        self.views = views
        self.partition = partition
        self.position = 0
        self.retry_seconds = 1.0
        self.handlers = ViewHandlers()
        #: CPU seconds spent in batches, on whichever thread ran them (bench/grpc_e2e.py reports it).
        self.cpu_seconds = 0.0
        self._pending: deque[Record] = deque()
        #: The last position a commit handed over (0: none yet); at or past it, the store has nothing newer.
        self._notified = 0
        self.linger = linger
        self._wake = asyncio.Event()
        #: Set when the next batch should not linger: someone waits for the views, or a batch is full.
        self._hurry = asyncio.Event()
        self._advanced = asyncio.Condition()
        #: Its batches run on this thread of its own, or, when the views live in the engine's SQLite file,
        #: where the engine's commits run (``ViewDb.writes_runner``), so the two never meet the write lock.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cadenza-views")
        self._task: asyncio.Task[None] | None = None
        self._sql = ViewSql(views.engine)

    async def start(self) -> None:
        self.position = await self._run(self._load_position)
        self._task = asyncio.create_task(self._loop())
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.executor.shutdown(wait=True)

    def notify(self, records: list[Record]) -> None:
        """The engine's commit listener: cheap, never blocks the writer. The committed records are kept, so a
        batch that follows the views' position is applied without reading it back from the store."""
        if records:
            self._notified = records[-1].position
        if len(self._pending) + len(records) > _MAX_PENDING:
            self._pending.clear()  # far behind: the store has them all; read them back from there
        else:
            self._pending.extend(records)
            if len(self._pending) >= _BATCH:
                self._hurry.set()
        self._wake.set()

    async def caught_up(self, position: int, timeout: float = 5.0) -> None:
        """Waits until the views include the record at ``position`` (read-your-writes for the API)."""
        if self.position >= position:
            return
        self._hurry.set()
        async with self._advanced:
            await asyncio.wait_for(self._advanced.wait_for(lambda: self.position >= position), timeout)

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            await self._linger()
            self._wake.clear()
            try:
                while await self._run(self._export_batch):
                    async with self._advanced:
                        self._advanced.notify_all()
                    # Run inline where the engine commits, a catch-up of many batches would otherwise hold
                    # the event loop for all of them.
                    await asyncio.sleep(0)
            except Exception:  # the batch rolled back whole (rows and position); try it again shortly
                _log.exception("exporting to the views failed at position %s; retrying", self.position)
                await asyncio.sleep(self.retry_seconds)
                self._wake.set()

    async def _linger(self) -> None:
        if self.linger > 0 and not self._hurry.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.linger):
                    await self._hurry.wait()
        self._hurry.clear()

    async def _run(self, fn: Any) -> Any:
        if self.views.writes_runner is not None:
            return await self.views.writes_runner(fn)
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

    def _from_memory(self) -> list[Record]:
        """The committed records that follow the position, as the writer handed them over; [] when the next
        one is not in memory (after a restart, a failed batch, or lagging too far): the store has them."""
        pending, taken = self._pending, list[Record]()
        try:
            while pending and pending[0].position <= self.position:
                pending.popleft()
            expected = self.position + 1
            while pending and len(taken) < _BATCH and pending[0].position == expected:
                taken.append(pending.popleft())
                expected += 1
        except IndexError:  # cleared by notify meanwhile
            return []
        return taken

    def _export_batch(self) -> int:
        began = time.thread_time()
        try:
            return self._export()
        finally:
            self.cpu_seconds += time.thread_time() - began

    def _export(self) -> int:
        records = self._from_memory()
        if not records:
            if 0 < self._notified <= self.position:
                return 0  # caught up with the last commit: no need to ask the store
            records = self.store.read_records(self.partition, after=self.position, limit=_BATCH)
        if not records:
            return 0
        with self.views.begin() as conn:
            writes = ViewWrites(conn, self._sql)
            for record in records:
                self.handlers.apply(writes, record)
            writes.flush()
            self._sql.position.executemany(conn, [(EXPORTER_ID, self.partition, records[-1].position)])
        self.position = records[-1].position
        return len(records)
