"""Issue 4's conformance scenarios through pyzeebe (client and worker), unchanged, against ``cadenza serve``.

pyzeebe's client wraps most RPCs; ResolveIncident and UpdateJobRetries go through the raw stub on the same
channel, as a pyzeebe user does. Each scenario's outcome is checked on the server through its HTTP API.

No ``from __future__ import annotations`` here: pyzeebe finds a task's ``job: Job`` parameter by its runtime
annotation, which that import would turn into a string.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest
from conformance_support import FIXTURES, Inspector
from pyzeebe import Job, JobController, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.errors import (
    BusinessError,
    DecisionNotFoundError,
    MessageAlreadyExistsError,
    ProcessInstanceNotFoundError,
    ProcessInvalidError,
)
from pyzeebe.grpc_internals.types import DeployResourceResponse
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from serve_support import ServeProcess

Scenario = Callable[[grpc.aio.Channel, ZeebeClient], Awaitable[None]]


def run(server: ServeProcess, scenario: Scenario) -> None:
    async def main() -> None:
        channel = create_insecure_channel(grpc_address=f"127.0.0.1:{server.grpc_port}")
        try:
            await scenario(channel, ZeebeClient(channel))
        finally:
            await channel.close()

    asyncio.run(main())


@asynccontextmanager
async def working(worker: ZeebeWorker) -> AsyncIterator[None]:
    task = asyncio.create_task(worker.work())
    try:
        yield
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)


async def deploy(client: ZeebeClient, *names: str) -> None:
    await client.deploy_resource(*(FIXTURES / name for name in names))


def completed(view: dict[str, Any]) -> bool:
    return bool(view["state"] == "completed")


def elements_of(view: dict[str, Any]) -> list[str]:
    return [line["elementId"] for line in view["history"] if line["intent"] == "ELEMENT_COMPLETED"]


def test_topology_shows_one_broker_leading_partition_one(cadenza: ServeProcess) -> None:
    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        topology = await client.topology()
        assert (topology.cluster_size, topology.partitions_count, topology.replication_factor) == (1, 1, 1)
        [broker] = topology.brokers
        assert broker.port == cadenza.grpc_port
        [partition] = broker.partitions
        assert partition.partition_id == 1
        assert partition.role == gateway_pb2.Partition.PartitionBrokerRole.LEADER

    run(cadenza, scenario)


def test_deploy_versions_and_rejects_broken_models(cadenza: ServeProcess) -> None:
    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        first = await client.deploy_resource(FIXTURES / "conf-one-task.bpmn")
        [process] = first.deployments
        assert isinstance(process, DeployResourceResponse.ProcessMetadata)
        assert process.bpmn_process_id == "conf-one-task"
        again = await client.deploy_resource(FIXTURES / "conf-one-task.bpmn")
        # The same bytes under the same name are a duplicate: the same version and key come back.
        assert again.deployments == [process]

    run(cadenza, scenario)


def test_a_broken_model_is_rejected_with_invalid_argument(cadenza: ServeProcess, tmp_path: Any) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>")

    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        with pytest.raises(ProcessInvalidError):
            await client.deploy_resource(broken)

    run(cadenza, scenario)


def test_a_worker_completes_jobs_and_the_result_comes_back(
    cadenza: ServeProcess, inspector: Inspector
) -> None:
    seen: list[tuple[int, dict[str, str]]] = []

    async def scenario(channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-one-task.bpmn")
        worker = ZeebeWorker(channel, name="conformance", poll_retry_delay=0)

        @worker.task(task_type="conf.work", timeout_ms=10_000)
        async def work(job: Job, a: int, b: int) -> dict[str, Any]:
            seen.append((job.process_instance_key, dict(job.custom_headers)))
            return {"sum": a + b}

        async with working(worker):
            created = await client.run_process("conf-one-task", {"a": 2, "b": 3})
            view = await asyncio.to_thread(inspector.wait_for, created.process_instance_key, completed)
            result = await client.run_process_with_result(
                "conf-one-task", {"a": 40, "b": 2}, timeout=10_000, variables_to_fetch=["sum"]
            )
        assert view["variables"] == {"a": 2, "b": 3, "sum": 5}
        assert (created.process_instance_key, {"kind": "conformance"}) in seen
        assert result.variables == {"sum": 42}

    run(cadenza, scenario)


def test_a_streaming_worker_gets_jobs_pushed(cadenza: ServeProcess, inspector: Inspector) -> None:
    async def scenario(channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-one-task.bpmn")
        worker = ZeebeWorker(channel, name="streamer", stream_enabled=True, poll_retry_delay=0)

        @worker.task(task_type="conf.work")
        async def work(a: int, b: int) -> dict[str, Any]:
            return {"sum": a * b}

        async with working(worker):
            keys = [
                (await client.run_process("conf-one-task", {"a": n, "b": 2})).process_instance_key
                for n in range(5)
            ]
            views = [await asyncio.to_thread(inspector.wait_for, key, completed) for key in keys]
        assert [v["variables"]["sum"] for v in views] == [0, 2, 4, 6, 8]

    run(cadenza, scenario)


def test_failures_use_up_retries_into_an_incident_that_resolves(
    cadenza: ServeProcess, inspector: Inspector
) -> None:
    attempts: list[int] = []
    healthy = asyncio.Event()

    async def scenario(channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-retry.bpmn")
        stub = gateway_pb2_grpc.GatewayStub(channel)
        worker = ZeebeWorker(channel, poll_retry_delay=0)

        @worker.task(task_type="conf.flaky")
        async def flaky(job: Job) -> dict[str, Any]:
            attempts.append(job.retries)
            if not healthy.is_set():
                raise RuntimeError("backend down")
            return {"recovered": True}

        async with working(worker):
            created = await client.run_process("conf-retry")
            key = created.process_instance_key
            view = await asyncio.to_thread(inspector.wait_for, key, lambda v: bool(v["incidents"]))
            [incident] = view["incidents"]
            assert incident["errorType"] == "JOB_NO_RETRIES"
            assert "backend down" in incident["errorMessage"]
            healthy.set()
            await stub.UpdateJobRetries(
                gateway_pb2.UpdateJobRetriesRequest(jobKey=int(incident["jobKey"]), retries=1)
            )
            await stub.ResolveIncident(gateway_pb2.ResolveIncidentRequest(incidentKey=int(incident["key"])))
            view = await asyncio.to_thread(inspector.wait_for, key, completed)
            with pytest.raises(grpc.aio.AioRpcError) as again:
                await stub.ResolveIncident(
                    gateway_pb2.ResolveIncidentRequest(incidentKey=int(incident["key"]))
                )
        assert attempts == [2, 1, 1]  # two failures use up the two retries; the third attempt follows the fix
        assert view["variables"] == {"recovered": True}
        assert again.value.code() is grpc.StatusCode.NOT_FOUND

    run(cadenza, scenario)


def test_a_thrown_error_is_caught_by_the_boundary_event(cadenza: ServeProcess, inspector: Inspector) -> None:
    async def declined(error: Exception, _job: Job, controller: JobController) -> None:
        assert isinstance(error, BusinessError)
        await controller.set_error_status(
            "card expired", error_code=error.error_code, variables={"reason": "expired"}
        )

    async def scenario(channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-error.bpmn")
        worker = ZeebeWorker(channel, poll_retry_delay=0)

        @worker.task(task_type="conf.charge", exception_handler=declined)
        async def charge() -> dict[str, Any]:
            raise BusinessError("DECLINED")

        async with working(worker):
            created = await client.run_process("conf-error", {"card": "4111"})
            view = await asyncio.to_thread(inspector.wait_for, created.process_instance_key, completed)
        assert "declinedEnd" in elements_of(view)
        assert "charged" not in elements_of(view)
        assert view["variables"]["reason"] == "expired"

    run(cadenza, scenario)


def test_messages_correlate_by_key_and_wait_out_their_ttl(
    cadenza: ServeProcess, inspector: Inspector
) -> None:
    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-message.bpmn")
        await client.publish_message(
            "conf-paid",
            "py-early",
            {"paidEarly": True},
            time_to_live_in_milliseconds=60_000,
            message_id="py-early-1",
        )
        with pytest.raises(MessageAlreadyExistsError):
            await client.publish_message(
                "conf-paid", "py-early", time_to_live_in_milliseconds=60_000, message_id="py-early-1"
            )
        early = await client.run_process("conf-message", {"orderId": "py-early"})
        late = await client.run_process("conf-message", {"orderId": "py-late"})
        await client.publish_message("conf-paid", "py-never", time_to_live_in_milliseconds=0)
        never = await client.run_process("conf-message", {"orderId": "py-never"})
        await client.publish_message(
            "conf-paid", "py-late", {"paidLate": True}, time_to_live_in_milliseconds=0
        )
        early_view = await asyncio.to_thread(inspector.wait_for, early.process_instance_key, completed)
        late_view = await asyncio.to_thread(inspector.wait_for, late.process_instance_key, completed)
        assert early_view["variables"]["paidEarly"] is True
        assert late_view["variables"]["paidLate"] is True
        await asyncio.sleep(0.3)
        never_view = await asyncio.to_thread(inspector.instance, never.process_instance_key)
        assert never_view["state"] == "active"
        assert [e["elementId"] for e in never_view["activeElements"]] == ["waitPaid"]

    run(cadenza, scenario)


def test_a_timer_fires(cadenza: ServeProcess) -> None:
    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-timer.bpmn")
        started = time.monotonic()
        result = await client.run_process_with_result("conf-timer", {"delay": "PT0.5S"}, timeout=10_000)
        elapsed = time.monotonic() - started
        assert result.variables == {"delay": "PT0.5S"}
        assert 0.5 <= elapsed < 5

    run(cadenza, scenario)


def test_a_call_activity_runs_the_child_with_mapped_variables(cadenza: ServeProcess) -> None:
    child_saw: list[dict[str, Any]] = []

    async def scenario(channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-call-child.bpmn", "conf-call-parent.bpmn")
        worker = ZeebeWorker(channel, poll_retry_delay=0)

        @worker.task(task_type="conf.child")
        async def double(job: Job) -> dict[str, Any]:
            child_saw.append(dict(job.variables))
            return {"doubled": job.variables["amount"] * 2}

        async with working(worker):
            result = await client.run_process_with_result(
                "conf-call-parent", {"amount": 21, "unrelated": "parent only"}, timeout=10_000
            )
        assert child_saw == [{"amount": 21}]
        assert result.variables == {"amount": 21, "unrelated": "parent only", "result": 42}

    run(cadenza, scenario)


def test_decisions_evaluate_directly_and_in_a_business_rule_task(cadenza: ServeProcess) -> None:
    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-risk.dmn", "conf-decide.bpmn")
        evaluated = await client.evaluate_decision(None, "conf-risk", {"amount": 5000})
        assert evaluated.decision_id == "conf-risk"
        assert evaluated.decision_output == "high"
        assert [r.rule_id for r in evaluated.evaluated_decisions[0].matched_rules] == ["high"]
        with pytest.raises(DecisionNotFoundError):
            await client.evaluate_decision(None, "no-such-decision", {})
        result = await client.run_process_with_result("conf-decide", {"amount": 10}, timeout=10_000)
        assert result.variables == {"amount": 10, "risk": "low"}

    run(cadenza, scenario)


def test_cancel_terminates_the_instance_once(cadenza: ServeProcess, inspector: Inspector) -> None:
    async def scenario(_channel: grpc.aio.Channel, client: ZeebeClient) -> None:
        await deploy(client, "conf-message.bpmn")
        created = await client.run_process("conf-message", {"orderId": "py-cancelled"})
        await client.cancel_process_instance(created.process_instance_key)
        view = await asyncio.to_thread(
            inspector.wait_for, created.process_instance_key, lambda v: v["state"] == "canceled"
        )
        assert view["activeElements"] == []
        with pytest.raises(ProcessInstanceNotFoundError):
            await client.cancel_process_instance(created.process_instance_key)

    run(cadenza, scenario)
