"""Long polls and job streams waiting for jobs, served inside the writer's batch.

A caller whose activation found nothing registers its JOB_BATCH ACTIVATE command here. When a batch makes jobs
activatable (created, timed out, failed with retries left, ...), the writer takes the waiters whose job type
now has jobs and processes their activations in that same batch, so one commit makes a job and hands it out:
no wake-up, no second command round, no second commit between a job's creation and its push to a worker.
"""

from __future__ import annotations

import asyncio
from typing import Any

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.state import EngineState

__all__ = ["JobWaiters", "activated_jobs", "answers_activation", "empty_batch", "jobs_became_ready"]

_JOB_READY = frozenset({"CREATED", "TIMED_OUT", "RECURRED_AFTER_BACKOFF", "FAILED", "RETRIES_UPDATED"})


def jobs_became_ready(records: list[Record]) -> bool:
    """Whether these records may have made a job activatable (the state decides; this only gates asking)."""
    for record in records:
        if record.value_type is ValueType.JOB and record.intent in _JOB_READY:
            return True
        if record.value_type is ValueType.INCIDENT and record.intent == "RESOLVED":
            return True
    return False


def activated_jobs(response: Record | None) -> list[tuple[int, dict[str, Any]]]:
    """The (key, job) pairs a JOB_BATCH ACTIVATED response hands out; empty for anything else."""
    if response is None or response.record_type is not RecordType.EVENT:
        return []
    if response.value_type is not ValueType.JOB_BATCH or not response.value.get("jobKeys"):
        return []
    return list(zip(response.value["jobKeys"], response.value["jobs"], strict=True))


def answers_activation(response: Record) -> bool:
    """A rejection, or a batch with jobs: what ends a long poll."""
    return response.record_type is not RecordType.EVENT or bool(response.value["jobKeys"])


def empty_batch(value: dict[str, Any], partition: int, tenant: str) -> Record:
    """The answer of a poll that found nothing, without writing it (only the engine's answers are records)."""
    batch = {**value, "jobKeys": [], "jobs": [], "truncated": False}
    return Record(-1, -1, RecordType.EVENT, ValueType.JOB_BATCH, "ACTIVATED", batch, partition, tenant)


class JobWaiters:
    def __init__(self) -> None:
        # future -> its activation command, in arrival order (the first waiter gets the jobs first).
        self._waiting: dict[asyncio.Future[Record | None], Record] = {}
        #: Bumped whenever a processed batch may have made jobs activatable. A caller that read it before its
        #: own activation and sees it changed after an empty answer tries again instead of waiting: the jobs
        #: came in a batch it was not registered for yet.
        self.generation = 0

    def wait(self, command: Record, timeout: float) -> asyncio.Future[Record | None]:
        """Registers ``command``; the future gets its response once committed, or None after ``timeout``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Record | None] = loop.create_future()
        self._waiting[future] = command
        timer = loop.call_later(timeout, _expire, future)
        future.add_done_callback(lambda done: self._forget(done, timer))
        return future

    def _forget(self, future: asyncio.Future[Record | None], timer: asyncio.TimerHandle) -> None:
        timer.cancel()
        self._waiting.pop(future, None)

    def take_servable(self, state: EngineState) -> list[tuple[Record, asyncio.Future[Record | None]]]:
        """Removes and returns the waiters that ``state``'s activatable jobs can serve, in arrival order.

        Each taken waiter claims up to its ``maxJobsToActivate`` of them; a waiter is left waiting once the
        earlier ones claimed them all. A worker that streams and long-polls the same type (pyzeebe does) would
        otherwise have its second activation processed, written and answered empty for every job."""
        left: dict[tuple[str, str], int] = {}  # activatable jobs not claimed yet, per (tenant, type)
        taken = []
        for future, command in list(self._waiting.items()):
            if future.done():
                continue
            job_type = str(command.value.get("type") or "")
            pools = [(tenant, job_type) for tenant in command.value.get("tenantIds") or [command.tenant]]
            for pool in pools:
                if pool not in left:
                    left[pool] = len(state.jobs.activatable(*pool))
            if not any(left[pool] for pool in pools):
                continue
            wanted = max(1, int(command.value.get("maxJobsToActivate") or 1))
            for pool in pools:  # claims as the engine activates: tenant by tenant, up to the batch's size
                claimed = min(wanted, left[pool])
                left[pool] -= claimed
                wanted -= claimed
            del self._waiting[future]
            taken.append((command, future))
        return taken


def _expire(future: asyncio.Future[Record | None]) -> None:
    if not future.done():
        future.set_result(None)
