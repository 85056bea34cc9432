"""Long polls waiting for jobs are served inside the batch that makes the jobs: one commit creates and hands
out a job; polls finding nothing write no empty batch after the first; a poll gone before the commit gets its
jobs handed back."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

from cadenza.core.changes import StateChange
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store.memory import MemoryStore

FIXTURES = Path(__file__).parent.parent / "core" / "fixtures"
POLL = {"type": "work", "worker": "w", "timeout": 10_000, "maxJobsToActivate": 1}


class RecordingStore(MemoryStore):
    """Keeps each commit's records; ``hold`` blocks the commits that hand out jobs until released."""

    def __init__(self) -> None:
        super().__init__()
        self.commits: list[list[Record]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.held = threading.Event()

    def commit(self, partition: int, records: Sequence[Record], changes: Sequence[StateChange]) -> None:
        if any(_handed_out(r) for r in records) and not self.hold.is_set():
            self.held.set()
            self.hold.wait(10)
        super().commit(partition, records, changes)
        self.commits.append(list(records))


def _handed_out(record: Record) -> bool:
    return record.value_type is ValueType.JOB_BATCH and bool(record.value.get("jobKeys"))


async def _started(store: RecordingStore) -> EmbeddedEngine:
    engine = EmbeddedEngine(store, tick_seconds=0.01)
    await engine.start()
    resource = {"resourceName": "three-tasks.bpmn", "resource": (FIXTURES / "three-tasks.bpmn").read_text()}
    await engine.submit(ValueType.DEPLOYMENT, "CREATE", {"resources": [resource]})
    return engine


async def _create(engine: EmbeddedEngine) -> None:
    await engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", {"bpmnProcessId": "three-tasks"})


def test_a_waiting_poll_gets_its_job_in_the_commit_that_creates_it() -> None:
    store = RecordingStore()

    async def scenario() -> None:
        engine = await _started(store)
        poll = asyncio.create_task(engine.activate_jobs(POLL, request_timeout_ms=5000))
        await asyncio.sleep(0.05)
        assert not poll.done()
        await _create(engine)
        batch = await asyncio.wait_for(poll, 2)
        [job_key] = batch.value["jobKeys"]
        [commit] = [c for c in store.commits if any(_handed_out(r) for r in c)]
        created = [r.key for r in commit if r.value_type is ValueType.JOB and r.intent == "CREATED"]
        assert created == [job_key]
        await engine.stop()

    asyncio.run(scenario())


def test_polls_that_find_nothing_write_one_empty_batch_and_bad_ones_are_still_rejected() -> None:
    store = RecordingStore()

    async def scenario() -> None:
        engine = await _started(store)
        for wait_ms in (0, 0, 60):
            answer = await engine.activate_jobs(POLL, request_timeout_ms=wait_ms)
            assert answer.record_type is RecordType.EVENT and answer.value["jobKeys"] == []
        written = [r for c in store.commits for r in c if r.value_type is ValueType.JOB_BATCH]
        assert [(r.record_type, r.intent) for r in written] == [
            (RecordType.COMMAND, "ACTIVATE"),
            (RecordType.EVENT, "ACTIVATED"),
        ]
        for _ in range(2):
            bad = await engine.activate_jobs({**POLL, "timeout": 0}, request_timeout_ms=0)
            assert bad.record_type is RecordType.COMMAND_REJECTION
            assert "timeout greater than zero" in bad.rejection_reason
        await _create(engine)
        found = await engine.activate_jobs(POLL, request_timeout_ms=0)
        assert len(found.value["jobKeys"]) == 1
        await engine.stop()

    asyncio.run(scenario())


def test_a_poll_cancelled_while_its_activation_commits_hands_the_job_back() -> None:
    store = RecordingStore()

    async def scenario() -> None:
        engine = await _started(store)
        poll = asyncio.create_task(engine.activate_jobs(POLL, request_timeout_ms=5000))
        await asyncio.sleep(0.05)
        store.hold.clear()
        creating = asyncio.create_task(_create(engine))
        assert await asyncio.to_thread(store.held.wait, 5)
        poll.cancel()  # the activation is processed; its commit has not finished
        store.hold.set()
        await creating
        again = await engine.activate_jobs({**POLL, "worker": "other"}, request_timeout_ms=2000)
        [handed_out] = [r for c in store.commits for r in c if _handed_out(r)][:1]
        assert again.value["jobKeys"] == handed_out.value["jobKeys"]
        assert again.value["jobs"][0]["worker"] == "other"
        assert poll.cancelled()
        await engine.stop()

    asyncio.run(scenario())


def _activated(store: RecordingStore) -> list[list[int]]:
    """The job keys of every JOB_BATCH ACTIVATED event committed, in order."""
    return [
        list(r.value["jobKeys"])
        for c in store.commits
        for r in c
        if r.value_type is ValueType.JOB_BATCH and r.intent == "ACTIVATED"
    ]


def test_only_as_many_waiters_as_there_are_jobs_join_the_batch() -> None:
    store = RecordingStore()

    async def scenario() -> None:
        engine = await _started(store)
        first = asyncio.create_task(engine.activate_jobs(POLL, request_timeout_ms=5000))
        await asyncio.sleep(0.05)  # both have polled and wait (the first poll wrote the one empty batch)
        second = asyncio.create_task(engine.activate_jobs({**POLL, "worker": "v"}, request_timeout_ms=5000))
        await asyncio.sleep(0.05)
        before = len(_activated(store))
        await _create(engine)
        [job] = (await asyncio.wait_for(first, 2)).value["jobKeys"]
        await asyncio.sleep(0.05)
        assert not second.done()  # not activated into an empty batch: still waiting for a job
        assert _activated(store)[before:] == [[job]]
        await _create(engine)
        [other] = (await asyncio.wait_for(second, 2)).value["jobKeys"]
        assert other != job
        assert _activated(store)[before:] == [[job], [other]]
        await engine.stop()

    asyncio.run(scenario())


def test_jobs_made_in_one_batch_serve_as_many_waiters_as_they_can() -> None:
    store = RecordingStore()

    async def scenario() -> None:
        engine = await _started(store)
        polls = []
        for worker in ("a", "b", "c"):
            polls.append(
                asyncio.create_task(engine.activate_jobs({**POLL, "worker": worker}, request_timeout_ms=5000))
            )
            await asyncio.sleep(0.05)
        await asyncio.gather(_create(engine), _create(engine))  # two jobs, one batch or two
        served = [(await asyncio.wait_for(poll, 2)).value["jobKeys"] for poll in polls[:2]]
        assert len({key for keys in served for key in keys}) == 2 and all(len(keys) == 1 for keys in served)
        await asyncio.sleep(0.05)
        assert not polls[2].done()
        assert [keys for keys in _activated(store) if not keys] == [[]]  # only the very first poll's
        await engine.stop()

    asyncio.run(scenario())
