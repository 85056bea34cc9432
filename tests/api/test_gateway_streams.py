"""StreamActivatedJobs (push) and what happens to jobs when a client goes away mid-call.

A job activated for a call whose client is gone before the job was sent is handed back at once: FAIL with
its retries unchanged (Zeebe's gateway does the same for ActivateJobs). A job already written to the socket
when the client vanished counts as sent; it comes back when its job timeout passes. Either way none is lost.
"""

# No ``from __future__ import annotations``: pyzeebe hands a task its Job by the annotation object.
import asyncio
import json

from gateway_support import Harness, activate, deploy, events, run, start, while_working
from pyzeebe import Job, ZeebeWorker
from pyzeebe.proto import gateway_pb2 as pb

from cadenza.core.records import ValueType

_HANDED_BACK = "handed back"


def _stream_request(timeout: int = 60_000) -> pb.StreamActivatedJobsRequest:
    return pb.StreamActivatedJobsRequest(type="work", worker="streamer", timeout=timeout, fetchVariable=["n"])


def test_a_stream_receives_jobs_as_they_are_created() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        stream = h.stub.StreamActivatedJobs(_stream_request())
        received: list[pb.ActivatedJob] = []

        async def read(count: int) -> None:
            async for job in stream:
                received.append(job)
                if len(received) == count:
                    return

        reading = asyncio.create_task(read(3))
        await asyncio.sleep(0.2)  # the stream is open and waiting before any job exists
        keys = [await start(h, "one-task", {"n": n, "other": "x"}) for n in range(3)]
        await asyncio.wait_for(reading, 5)
        stream.cancel()
        assert sorted(j.processInstanceKey for j in received) == sorted(keys)
        assert {j.worker for j in received} == {"streamer"}
        assert sorted(json.loads(j.variables)["n"] for j in received) == [0, 1, 2]
        assert all(set(json.loads(j.variables)) == {"n"} for j in received)
        for job in received:
            await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        for key in keys:
            assert len(await events(h, key, ValueType.JOB, "COMPLETED")) == 1

    run(scenario)


def test_a_pyzeebe_worker_with_streaming_completes_jobs() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        worker = ZeebeWorker(h.channel, name="pushed", stream_enabled=True, stream_request_timeout=30)
        workers: set[str] = set()

        @worker.task(task_type="work")
        async def work(job: Job, x: int) -> dict[str, int]:
            workers.add(job.worker)
            return {"y": x * 2}

        instances = (h.client.run_process_with_result("one-task", {"x": n}, timeout=10_000) for n in range(4))
        results = await while_working(worker, asyncio.gather(*instances))
        assert sorted(r.variables["y"] for r in results) == [0, 2, 4, 6]
        assert workers == {"pushed"}

    run(scenario)


def test_jobs_of_a_stream_whose_client_left_come_back_and_none_is_lost() -> None:
    count = 12
    padding = "p" * 30_000  # big jobs fill the connection's flow-control window: most cannot be sent

    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        keys = [await start(h, "one-task", {"n": n, "pad": padding}) for n in range(count)]
        stream = h.stub.StreamActivatedJobs(_stream_request(timeout=1_000))
        first = await asyncio.wait_for(stream.read(), 5)
        assert isinstance(first, pb.ActivatedJob)
        stream.cancel()  # the client goes away with one job read
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=first.key))
        handed_back = []
        for key in keys:
            handed_back += [
                r
                for r in await events(h, key, ValueType.JOB, "FAILED")
                if _HANDED_BACK in r.value["errorMessage"]
            ]
        assert handed_back, "jobs that could not be sent are handed back at once"
        assert all(r.value["retries"] == 3 for r in handed_back)  # no retry was spent on them
        again: list[pb.ActivatedJob] = []
        while len(again) < count - 1:  # the rest: handed back at once, or back after their 1 s time-out
            again += await activate(h, "work", timeout=60_000, request_timeout=3_000)
        assert sorted(j.processInstanceKey for j in again) == sorted(
            k for k in keys if k != first.processInstanceKey
        )
        assert all(j.retries == 3 for j in again)
        for job in again:
            await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        for key in keys:
            assert len(await events(h, key, ValueType.JOB, "COMPLETED")) == 1

    run(scenario)


def test_a_long_poll_cancelled_by_its_client_takes_no_job() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        request = pb.ActivateJobsRequest(
            type="work", worker="gone", timeout=60_000, maxJobsToActivate=5, requestTimeout=10_000
        )
        call = h.stub.ActivateJobs(request)
        polling = asyncio.ensure_future(call.read())
        await asyncio.sleep(0.2)
        call.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await asyncio.sleep(0.1)
        key = await start(h, "one-task")
        [job] = await activate(h, "work", worker="present")
        assert job.processInstanceKey == key and job.worker == "present"

    run(scenario)


def test_a_batch_activated_after_its_caller_was_cancelled_is_handed_back() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        value = {
            "type": "work",
            "worker": "w",
            "timeout": 60_000,
            "maxJobsToActivate": 5,
            "tenantIds": ["<default>"],
        }
        caller = asyncio.create_task(h.engine.activate_jobs(value, request_timeout_ms=0))
        await asyncio.sleep(0)  # the ACTIVATE command is queued; the writer has not answered yet
        caller.cancel()
        await asyncio.gather(caller, return_exceptions=True)
        [job] = await activate(h, "work", request_timeout=3_000)
        assert job.processInstanceKey == key and job.retries == 3
        [failed] = await events(h, key, ValueType.JOB, "FAILED")
        assert "cancelled before the answer" in failed.value["errorMessage"]

    run(scenario)
