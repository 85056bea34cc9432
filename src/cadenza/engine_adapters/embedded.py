"""The embedded adapter: one partition's engine behind an asyncio writer, committing through a Store.

Commands queue up; the writer takes what is waiting (group commit), processes each command, serves the long
polls and streams waiting for the jobs the batch made activatable (their activations join the batch), commits
the batch's records and state changes in one transaction, and only then answers the callers. A scheduler
submits the commands that time makes due (job time-outs, back-offs, timers, TTLs).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cadenza.core.engine import Engine
from cadenza.core.limits import Limits
from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.core.scheduling import due_commands
from cadenza.core.state import EngineState
from cadenza.engine_adapters.job_waiters import (
    JobWaiters,
    activated_jobs,
    answers_activation,
    empty_batch,
    jobs_became_ready,
)
from cadenza.engine_adapters.port import DEFAULT_TENANT, Backpressure
from cadenza.engine_adapters.results import InstanceResults
from cadenza.engine_adapters.stats import WriterStats
from cadenza.store.port import Store
from cadenza.textsafe import lone_surrogate, surrogate_reason

__all__ = ["BATCH_LINGER_SECONDS", "DEFAULT_MAX_QUEUED_COMMANDS", "EmbeddedEngine", "wall_clock_ms"]

#: A command, the future its response goes to (a waiter's may be done already: see ``_answer``), and the
#: future of the instance's result for CreateProcessInstanceWithResult.
Pending = tuple[Record, "asyncio.Future[Any]", "asyncio.Future[Record] | None"]
_GONE = "the job was activated for a request that was cancelled before the answer; handed back"
#: Commands accepted even over the queue bound: they finish work, so refusing them would only add load
#: (Zeebe's backpressure exempts them the same way).
_ALWAYS_ACCEPTED = frozenset({"COMPLETE", "FAIL", "THROW_ERROR"})
#: The default bound on commands waiting for the writer; past it new work is refused (backpressure).
DEFAULT_MAX_QUEUED_COMMANDS = 10_000
#: With inline commits, how long the writer waits after a command arrives for others to join its batch.
#: Measured over gRPC (docs/bench-grpc.md): 1 ms served 8 callers best and 64 worst, 4 ms the reverse; 2 ms
#: beat the threaded commit at both.
BATCH_LINGER_SECONDS = 0.002


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class EmbeddedEngine:
    def __init__(
        self,
        store: Store,
        *,
        partition: int = 1,
        clock: Callable[[], int] = wall_clock_ms,
        max_batch: int = 512,
        tick_seconds: float = 0.05,
        limits: Limits | None = None,
        max_queued: int = DEFAULT_MAX_QUEUED_COMMANDS,
        batch_linger_seconds: float = BATCH_LINGER_SECONDS,
    ) -> None:
        self.store = store
        self.partition = partition
        self.clock = clock
        self.max_batch = max_batch
        self.tick_seconds = tick_seconds
        self.limits = limits or Limits()
        self.max_queued = max_queued
        #: Commits on the event loop's thread (``Store.inline_commits``), each batch gathered for a moment.
        self.inline_commits = bool(store.inline_commits)
        self.batch_linger_seconds = batch_linger_seconds
        self.engine = Engine(EngineState(partition), limits=self.limits)
        self._queue: asyncio.Queue[Pending] = asyncio.Queue()
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cadenza-store")
        self._tasks: list[asyncio.Task[None]] = []
        self._waiters = JobWaiters()
        self.stats = WriterStats()
        # (type, timeout, maxJobsToActivate) of activations the engine accepted: its checks look at nothing
        # else, so a repeat with nothing activatable can wait without writing an empty batch first.
        self._valid_activations: set[tuple[Any, Any, Any]] = set()
        self._results = InstanceResults()
        self._scheduled: set[tuple[str, str, int]] = set()
        #: Called with each committed batch's records, after the commit (exporters wake up on it).
        self.commit_listeners: list[Callable[[list[Record]], None]] = []

    # --------------------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        await self._reload()
        self._tasks = [asyncio.create_task(self._write_loop()), asyncio.create_task(self._schedule_loop())]

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._run_io(self.store.close)
        self._io.shutdown(wait=True)

    async def _reload(self) -> None:
        """Rebuilds the engine from what the store committed (at start, and after a failed commit)."""
        snapshot = await self._run_io(self.store.load_partition, self.partition)
        state = EngineState(self.partition)
        state.restore(snapshot.columns)
        if snapshot.last_position > state.last_position:
            state.set_last_position(snapshot.last_position)
        state.take_changes()
        state.on_root_completed = self._results.root_completed
        self.engine = Engine(state, limits=self.limits)

    @property
    def store_executor(self) -> ThreadPoolExecutor:
        """The thread that runs the store's reads, and its commits unless they run inline."""
        return self._io

    async def run_store_write(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Runs ``fn`` where the engine's commits run: on the event loop's thread when commits are inline,
        else on the store's thread. Whoever else writes to the same SQLite file (the REST API's views) goes
        through here, so writes follow each other instead of meeting SQLite's write lock, whose busy handler
        sleeps in steps of milliseconds while the writer waits."""
        if self.inline_commits:
            return fn(*args)
        return await self._run_io(fn, *args)

    async def _run_io(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, fn, *args)

    # ----------------------------------------------------------------------------------------------- the port

    async def submit(
        self,
        value_type: ValueType,
        intent: str,
        value: dict[str, Any],
        *,
        key: int = -1,
        tenant: str = DEFAULT_TENANT,
    ) -> Record:
        if value_type is not ValueType.JOB or intent not in _ALWAYS_ACCEPTED:
            self._check_pressure()
        return await self._enqueue(
            Record(-1, key, RecordType.COMMAND, value_type, intent, value, self.partition, tenant)
        )

    async def _enqueue(self, command: Record, result: asyncio.Future[Record] | None = None) -> Record:
        if (refused := _not_unicode(command)) is not None:
            return refused
        future: asyncio.Future[Record] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((command, future, result))
        return await future

    async def activate_jobs(
        self, value: dict[str, Any], *, request_timeout_ms: int = 0, tenant: str = DEFAULT_TENANT
    ) -> Record:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0, request_timeout_ms) / 1000
        signature = (value.get("type"), value.get("timeout"), value.get("maxJobsToActivate"))
        response: Record | None = None
        while True:
            generation = self._waiters.generation
            if signature not in self._valid_activations or self._activatable(value, tenant):
                response = await self._activate_once(value, tenant)
                if answers_activation(response):
                    return response
                self._remember_valid(signature)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return response or empty_batch(value, self.partition, tenant)
            if generation != self._waiters.generation:
                continue  # jobs came in a batch processed since: try again rather than wait for the next
            command = Record(
                -1, -1, RecordType.COMMAND, ValueType.JOB_BATCH, "ACTIVATE", value, self.partition
            )
            answer = await self._waiters.wait(command._replace(tenant=tenant), remaining)
            if answer is not None and answers_activation(answer):
                return answer

    def _activatable(self, value: dict[str, Any], tenant: str) -> bool:
        jobs = self.engine.state.jobs
        job_type = str(value.get("type") or "")
        return any(jobs.activatable(t, job_type) for t in value.get("tenantIds") or [tenant])

    def _remember_valid(self, signature: tuple[Any, Any, Any]) -> None:
        if len(self._valid_activations) > 10_000:  # bounded: a client inventing types cannot grow it
            self._valid_activations.clear()
        self._valid_activations.add(signature)

    async def create_with_result(
        self, value: dict[str, Any], *, request_timeout_ms: int, tenant: str = DEFAULT_TENANT
    ) -> tuple[Record, dict[str, Any]]:
        self._check_pressure()
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Record] = loop.create_future()
        command = Record(
            -1,
            -1,
            RecordType.COMMAND,
            ValueType.PROCESS_INSTANCE_CREATION,
            "CREATE",
            value,
            self.partition,
            tenant,
        )
        created = await self._enqueue(command, result)
        if created.record_type is not RecordType.EVENT:
            return created, {}
        # A timer rather than asyncio.wait_for: no extra waiter future and callbacks on every instance.
        timer = loop.call_later(request_timeout_ms / 1000, _time_out, result)
        try:
            completed = await result
        finally:
            timer.cancel()
            self._results.forget(created.value["processInstanceKey"])
        variables: dict[str, Any] = completed.value.get("variables", {})
        return created, variables

    async def tenant_of(self, key: int) -> str | None:
        state = self.engine.state
        job = state.jobs.get(key)
        element = state.elements.get(key) if job is None else job
        if element is not None:
            return str(element["v"]["tenantId"])
        row = state.incidents.get(key) or state.processes.process(key)
        return None if row is None else str(row["tenantId"])

    async def history(self, process_instance_key: int, *, tenant: str | None = None) -> list[Record]:
        records: list[Record] = await self._run_io(self.store.instance_records, process_instance_key)
        return [r for r in records if tenant is None or r.tenant == tenant]

    # ------------------------------------------------------------------ backpressure and job hand-back

    def _check_pressure(self) -> None:
        waiting = self._queue.qsize()
        if waiting >= self.max_queued:
            raise Backpressure(
                f"Expected to accept the command, but {waiting} commands are waiting (the bound is "
                f"{self.max_queued}); retry with a backoff"
            )

    async def _activate_once(self, value: dict[str, Any], tenant: str) -> Record:
        """One JOB_BATCH ACTIVATE. Cancelling the caller cancels its future; the writer then hands back what
        the command activated (``_answer``), whether it ran before or after the cancel."""
        command = Record(-1, -1, RecordType.COMMAND, ValueType.JOB_BATCH, "ACTIVATE", value, self.partition)
        self._check_pressure()
        return await self._enqueue(command._replace(tenant=tenant))

    async def return_jobs(self, jobs: list[tuple[int, dict[str, Any]]], reason: str) -> None:
        self._hand_back(jobs, reason)

    def _hand_back(self, jobs: list[tuple[int, dict[str, Any]]], reason: str) -> None:
        """FAIL with the retries unchanged and no backoff: activatable again at once (what Zeebe's gateway
        does with jobs it could not send). Queued past the bound: handing back never adds work."""
        loop = asyncio.get_running_loop()
        for key, job in jobs:
            value = {"retries": job["retries"], "errorMessage": reason, "retryBackoff": 0, "variables": "{}"}
            command = Record(
                -1, key, RecordType.COMMAND, ValueType.JOB, "FAIL", value, self.partition, job["tenantId"]
            )
            self._queue.put_nowait((command, loop.create_future(), None))

    # ------------------------------------------------------------------------------------------ the writer

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if self.inline_commits and self._queue.qsize() < self.max_batch:
                # An inline commit leaves no time for commands to gather, as a commit on another thread does;
                # without this pause batches shrink to a command or two under load and commits multiply.
                await asyncio.sleep(self.batch_linger_seconds)
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._process_batch(batch)

    async def _process_batch(self, batch: list[Pending]) -> None:
        self._results.begin_batch(any(result is not None for _, _, result in batch))
        poisoned: dict[int, str] = {}
        began = time.thread_time()
        while True:
            try:
                records, answers = self._run_commands(batch, poisoned)
            except _Redo:  # an engine fault: redo the batch from committed state without that command
                await self._reload()
                continue
            break
        final_variables = self._results.take_final()
        changes = self.engine.take_changes()  # one change per row: each column's dirty set is a set
        stats = self.stats
        stats.processed(len(batch), len(records), time.thread_time() - began)
        committing = time.perf_counter()
        try:
            await self.run_store_write(
                stats.timed_commit(self.store.commit), self.partition, records, changes
            )
            stats.commit_wall += time.perf_counter() - committing
        except Exception as error:  # nothing of this batch is durable: callers get the error, state reloads
            await self._reload()
            for waiter, _ in answers:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        self._answer(answers)
        self._results.settle(records, final_variables)
        for listener in self.commit_listeners:
            listener(records)
        for command in self.engine.take_pending():
            self._queue.put_nowait((command, asyncio.get_running_loop().create_future(), None))

    def _run_commands(
        self, batch: list[Pending], poisoned: dict[int, str]
    ) -> tuple[list[Record], list[tuple[asyncio.Future[Any], Record | None]]]:
        """Processes the batch; when it made jobs activatable, the waiters that can now be served join it."""
        now = self.clock()
        records: list[Record] = []
        answers: list[tuple[asyncio.Future[Any], Record | None]] = []
        index = checked = 0
        while True:
            if index == len(batch):
                if not self._serve_waiters(batch, records[checked:]):
                    break
                checked = len(records)
            command, future, result_future = batch[index]
            index += 1
            if index - 1 in poisoned:
                answers.append((future, _processing_error(command, poisoned[index - 1])))
                continue
            try:
                result = self.engine.process(command, timestamp=now)
            except Exception as error:
                poisoned[index - 1] = f"{type(error).__name__}: {error}"
                raise _Redo from error
            records.extend(result.records)
            answers.append((future, result.response))
            self._results.wait_for(result.response, result_future)
        return records, answers

    def _serve_waiters(self, batch: list[Pending], new_records: list[Record]) -> bool:
        """Appends the activations of waiters with jobs now; whether any were appended."""
        if not jobs_became_ready(new_records):
            return False
        self._waiters.generation += 1
        served = self._waiters.take_servable(self.engine.state)
        batch.extend((command, future, None) for command, future in served)
        return bool(served)

    def _answer(self, answers: list[tuple[asyncio.Future[Any], Record | None]]) -> None:
        for waiter, response in answers:
            if not waiter.done():
                waiter.set_result(response if response is not None else _no_response())
            elif jobs := activated_jobs(response):  # its caller went away (or its wait ran out) meanwhile
                self._hand_back(jobs, _GONE)

    # ------------------------------------------------------------------------------------------ the clock

    async def _schedule_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            for command in due_commands(self.engine.state, self.clock()):
                marker = (str(command.value_type), command.intent, command.key)
                if marker in self._scheduled:
                    continue
                self._scheduled.add(marker)
                asyncio.create_task(self._submit_scheduled(command, marker))

    async def _submit_scheduled(self, command: Record, marker: tuple[str, str, int]) -> None:
        try:
            await self._enqueue(command)  # time-driven work is never refused for backpressure
        finally:
            self._scheduled.discard(marker)


class _Redo(Exception):
    pass


def _processing_error(command: Record, reason: str) -> Record:
    return command._replace(
        record_type=RecordType.COMMAND_REJECTION,
        rejection_type=RejectionType.PROCESSING_ERROR,
        rejection_reason=f"Command '{command.intent}' failed while processing: {reason}",
    )


def _not_unicode(command: Record) -> Record | None:
    """The rejection of a command holding text no store can write: refused alone, before it could fail the
    commit of the whole batch it would join."""
    field = lone_surrogate(command.tenant, "tenantId") or lone_surrogate(command.value)
    if field is None:
        return None
    return command._replace(
        record_type=RecordType.COMMAND_REJECTION,
        rejection_type=RejectionType.INVALID_ARGUMENT,
        rejection_reason=f"Expected to process command '{command.intent}', but {surrogate_reason(field)}",
    )


def _time_out(future: asyncio.Future[Record]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _no_response() -> Record:
    return Record(-1, -1, RecordType.EVENT, ValueType.ERROR, "CREATED", {})
