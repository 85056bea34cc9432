"""Job RPCs through a real gateway socket: pyzeebe's worker and client, and the raw stub for exact statuses."""

# No ``from __future__ import annotations`` here: pyzeebe hands a task its Job by the parameter's annotation
# object, which a string annotation is not.
import asyncio
import json
from collections.abc import AsyncIterable
from pathlib import Path

import gateway_support
import grpc
import pytest
from gateway_support import FIXTURES, Harness, activate, deploy, events, failure, run, start, while_working
from pyzeebe import Job, ZeebeWorker
from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway import GatewaySettings
from cadenza.core.records import ValueType

NOT_FOUND = grpc.StatusCode.NOT_FOUND
FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT


@pytest.fixture(autouse=True, params=["memory", "sqlite"])
def _store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here runs on the in-memory store and on a SQLite file."""
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'cadenza.db'}"
    monkeypatch.setattr(gateway_support, "DEFAULT_STORE", url)


def test_a_pyzeebe_worker_completes_jobs_and_the_client_gets_the_result() -> None:
    async def scenario(h: Harness) -> None:
        await h.client.deploy_resource(str(FIXTURES / "one-task.bpmn"))
        worker = ZeebeWorker(h.channel, name="adder")
        seen: list[Job] = []

        @worker.task(task_type="work")
        async def work(job: Job, x: int) -> dict[str, object]:
            seen.append(job)
            return {"y": x + 1}

        instances = (h.client.run_process_with_result("one-task", {"x": n}, timeout=10_000) for n in range(5))
        results = await while_working(worker, asyncio.gather(*instances))
        assert sorted(r.variables["y"] for r in results) == [1, 2, 3, 4, 5]
        assert {dict(job.custom_headers)["mood"] for job in seen} == {"calm"}
        assert {job.worker for job in seen} == {"adder"} and all(job.retries == 3 for job in seen)
        for result in results:
            completed = await events(h, result.process_instance_key, ValueType.JOB, "COMPLETED")
            assert len(completed) == 1

    run(scenario)


def test_activation_returns_the_job_fields_and_only_the_fetched_variables() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task", {"a": 1, "b": {"c": [1, 2]}, "skip": True})
        [job] = await activate(h, "work", worker="w-1", timeout=30_000, fetch=["b", "missing"])
        assert (job.type, job.worker, job.retries, job.elementId) == ("work", "w-1", 3, "work")
        assert job.processInstanceKey == key and job.bpmnProcessId == "one-task"
        assert job.processDefinitionVersion == 1 and job.tenantId == "<default>"
        assert json.loads(job.variables) == {"b": {"c": [1, 2]}}
        assert json.loads(job.customHeaders) == {"mood": "calm"}
        assert job.deadline > 0 and job.elementInstanceKey not in (key, job.key)
        assert await activate(h, "work") == []  # activated: not handed out twice

    run(scenario)


def test_max_jobs_to_activate_bounds_the_batch() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        for _ in range(5):
            await start(h, "one-task")
        first = await activate(h, "work", max_jobs=3)
        rest = await activate(h, "work", max_jobs=10)
        assert (len(first), len(rest)) == (3, 2)
        assert not {j.key for j in first} & {j.key for j in rest}

    run(scenario)


def test_long_polling_waits_for_a_job_and_negative_timeouts_do_not_wait() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        loop = asyncio.get_running_loop()
        began = loop.time()
        assert await activate(h, "work", request_timeout=-1) == []
        assert loop.time() - began < 1.0
        began = loop.time()
        assert await activate(h, "work", request_timeout=300) == []  # nothing came: empty after the wait
        assert loop.time() - began >= 0.29
        waiting = asyncio.create_task(activate(h, "work", request_timeout=0))  # 0: the 10 s default
        await asyncio.sleep(0.2)
        assert not waiting.done()
        key = await start(h, "one-task")
        [job] = await asyncio.wait_for(waiting, 5)
        assert job.processInstanceKey == key

    run(scenario)


def test_activation_requests_with_missing_fields_are_rejected() -> None:
    async def scenario(h: Harness) -> None:
        cases = [
            (pb.ActivateJobsRequest(worker="w", timeout=1000, maxJobsToActivate=1), "non-empty type"),
            (pb.ActivateJobsRequest(type="work", timeout=1000, maxJobsToActivate=1), "worker to be present"),
            (
                pb.ActivateJobsRequest(type="work", worker="w", maxJobsToActivate=1),
                "timeout greater than zero",
            ),
            (
                pb.ActivateJobsRequest(type="work", worker="w", timeout=1000),
                "maximum of jobs greater than zero",
            ),
            (
                pb.ActivateJobsRequest(
                    type="work", worker="w", timeout=1, maxJobsToActivate=1, tenantIds=["bad tenant!"]
                ),
                "tenant identifier 'bad tenant!'",
            ),
        ]
        for request, fragment in cases:
            message = await failure(_drain(h.stub.ActivateJobs(request)), INVALID_ARGUMENT, fragment)
            if "tenant" not in fragment:
                assert message.startswith("Command 'ACTIVATE' rejected with code 'INVALID_ARGUMENT': ")

    run(scenario)


async def _drain(call: AsyncIterable[object]) -> None:
    async for _ in call:
        pass


def test_completing_twice_and_unknown_jobs_are_not_found() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        [job] = await activate(h, "work")
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"done": 1}'))
        message = await failure(h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key)), NOT_FOUND, "")
        assert message == (
            f"Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected to complete job with key "
            f"'{job.key}', but no such job was found"
        )
        for call in (
            h.stub.FailJob(pb.FailJobRequest(jobKey=123, retries=1)),
            h.stub.ThrowError(pb.ThrowErrorRequest(jobKey=123, errorCode="X")),
            h.stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=123, retries=1)),
            h.stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=123, timeout=1000)),
        ):
            await failure(call, NOT_FOUND, "with key '123', but no such job was found")
        assert len(await events(h, key, ValueType.JOB, "COMPLETED")) == 1

    run(scenario)


def test_a_timed_out_job_completed_by_both_workers_counts_once() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        [first] = await activate(h, "work", worker="slow", timeout=100)
        [second] = await activate(h, "work", worker="fast", request_timeout=5_000)  # after the time-out
        assert second.key == first.key and second.worker == "fast"
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=second.key, variables='{"by": "fast"}'))
        await failure(
            h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=first.key, variables='{"by": "slow"}')),
            NOT_FOUND,
            "no such job was found",
        )
        assert len(await events(h, key, ValueType.JOB, "COMPLETED")) == 1
        variables = await events(h, key, ValueType.VARIABLE, "CREATED")
        assert [json.loads(v.value["value"]) for v in variables if v.value["name"] == "by"] == ["fast"]

    run(scenario)


def test_fail_with_retries_then_without_raises_an_incident_that_needs_retries() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        [job] = await activate(h, "work")
        await h.stub.FailJob(
            pb.FailJobRequest(jobKey=job.key, retries=2, errorMessage="flaky", variables='{"tries": 1}')
        )
        [again] = await activate(h, "work")
        assert again.key == job.key and again.retries == 2
        assert json.loads(again.variables)["tries"] == 1
        await h.stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="gave up"))
        [incident] = await events(h, key, ValueType.INCIDENT, "CREATED")
        assert incident.value["errorType"] == "JOB_NO_RETRIES" and incident.value["errorMessage"] == "gave up"
        await failure(
            h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key)),
            FAILED_PRECONDITION,
            "but it is in state 'FAILED'",
        )
        resolve = pb.ResolveIncidentRequest(incidentKey=incident.key)
        await failure(h.stub.ResolveIncident(resolve), FAILED_PRECONDITION, "has no retries left")
        zero = pb.UpdateJobRetriesRequest(jobKey=job.key, retries=0)
        await failure(h.stub.UpdateJobRetries(zero), INVALID_ARGUMENT, "the amount given was '0'")
        await h.stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=1))
        await h.stub.ResolveIncident(resolve)
        await failure(h.stub.ResolveIncident(resolve), NOT_FOUND, "no such incident was found")
        [back] = await activate(h, "work")
        assert back.key == job.key and back.retries == 1
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=back.key))
        assert len(await events(h, key, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")) >= 1

    run(scenario)


def test_a_retry_backoff_delays_the_next_activation() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        await start(h, "one-task")
        [job] = await activate(h, "work")
        await h.stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=1, retryBackOff=400))
        assert await activate(h, "work") == []
        [again] = await activate(h, "work", request_timeout=5_000)
        assert again.key == job.key

    run(scenario)


def test_throw_error_is_caught_by_the_boundary_event_or_becomes_an_incident() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "risky.bpmn")
        caught_key = await start(h, "risky")
        [job] = await activate(h, "reserve")
        await h.stub.ThrowError(
            pb.ThrowErrorRequest(
                jobKey=job.key,
                errorCode="OUT_OF_STOCK",
                errorMessage="none left",
                variables='{"reason": "empty"}',
            )
        )
        ends = await events(h, caught_key, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")
        assert "apologised" in [r.value["elementId"] for r in ends]
        variables = await events(h, caught_key, ValueType.VARIABLE, "CREATED")
        assert any(v.value["name"] == "reason" and v.value["value"] == '"empty"' for v in variables)
        uncaught_key = await start(h, "risky")
        [job] = await activate(h, "reserve")
        await h.stub.ThrowError(pb.ThrowErrorRequest(jobKey=job.key, errorCode="OTHER", errorMessage="?"))
        [incident] = await events(h, uncaught_key, ValueType.INCIDENT, "CREATED")
        assert incident.value["errorType"] == "UNHANDLED_ERROR_EVENT"
        assert "with the code 'OTHER'" in incident.value["errorMessage"]

    run(scenario)


def test_update_job_timeout_moves_the_deadline() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        await start(h, "one-task")
        [job] = await activate(h, "work", timeout=60_000)
        await h.stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=100))
        [again] = await activate(h, "work", request_timeout=5_000)  # timed out at the new, earlier deadline
        assert again.key == job.key
        bad = pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=0)
        await failure(h.stub.UpdateJobTimeout(bad), INVALID_ARGUMENT, "property 'timeout' is '0'")

    run(scenario)


def test_job_variables_must_be_a_json_object_within_the_limit() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        [job] = await activate(h, "work")
        bad = [
            ("[1, 2]", "expected document to be a root level object, but was 'ARRAY'"),
            ("{oops", "property 'variables' is not valid JSON"),
            ('"text"', "but was 'STRING'"),
            (json.dumps({"big": "x" * 3000}), "Expected variables document to be at most 2048 bytes"),
        ]
        for text, fragment in bad:
            await failure(
                h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables=text)),
                INVALID_ARGUMENT,
                fragment,
            )
            await failure(
                h.stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=1, variables=text)),
                INVALID_ARGUMENT,
                fragment,
            )
        assert await events(h, key, ValueType.JOB, "COMPLETED") == []
        assert await events(h, key, ValueType.JOB, "FAILED") == []
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"ok": true}'))

    run(scenario, settings=GatewaySettings(max_variables_bytes=2048))
