"""Helpers for the gateway tests: an embedded Cadenza behind a real gateway, reached over a real socket by
pyzeebe's client and by the raw generated stub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import grpc
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from cadenza.api.gateway import local_gateway
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine

if TYPE_CHECKING:  # the async stub's type exists only in pyzeebe's .pyi
    from pyzeebe.proto.gateway_pb2_grpc import GatewayAsyncStub

__all__ = [
    "FIXTURES",
    "while_working",
    "Harness",
    "activate",
    "deploy",
    "events",
    "failure",
    "run",
    "start",
]

FIXTURES = Path(__file__).parent / "fixtures" / "gateway"
#: The store ``run`` uses unless told otherwise; a test module may switch it (test_gateway_jobs runs on both).
DEFAULT_STORE = "memory:"


@dataclass
class Harness:
    address: str
    engine: EmbeddedEngine
    channel: grpc.aio.Channel
    client: ZeebeClient
    stub: GatewayAsyncStub


Scenario = Callable[[Harness], Awaitable[None]]
T = TypeVar("T")


def run(scenario: Scenario, *, store_url: str | None = None, **options: Any) -> None:
    """Runs ``scenario`` against a fresh embedded Cadenza behind a gateway on a free port."""

    async def main() -> None:
        async with local_gateway(store_url or DEFAULT_STORE, **options) as (address, engine):
            channel = create_insecure_channel(address)
            try:
                stub = cast("GatewayAsyncStub", GatewayStub(channel))
                await scenario(Harness(address, engine, channel, ZeebeClient(channel), stub))
            finally:
                await channel.close()

    asyncio.run(main())


async def deploy(h: Harness, *names: str) -> pb.DeployResourceResponse:
    resources = [pb.Resource(name=name, content=(FIXTURES / name).read_bytes()) for name in names]
    response: pb.DeployResourceResponse = await h.stub.DeployResource(
        pb.DeployResourceRequest(resources=resources)
    )
    return response


async def start(h: Harness, process_id: str, variables: dict[str, Any] | None = None) -> int:
    request = pb.CreateProcessInstanceRequest(
        bpmnProcessId=process_id, version=-1, variables=json.dumps(variables or {})
    )
    response: pb.CreateProcessInstanceResponse = await h.stub.CreateProcessInstance(request)
    return response.processInstanceKey


async def activate(
    h: Harness,
    job_type: str,
    *,
    worker: str = "tester",
    max_jobs: int = 10,
    timeout: int = 60_000,
    request_timeout: int = -1,
    fetch: list[str] | None = None,
) -> list[pb.ActivatedJob]:
    request = pb.ActivateJobsRequest(
        type=job_type,
        worker=worker,
        timeout=timeout,
        maxJobsToActivate=max_jobs,
        requestTimeout=request_timeout,
        fetchVariable=fetch or [],
    )
    jobs: list[pb.ActivatedJob] = []
    async for response in h.stub.ActivateJobs(request):
        jobs.extend(response.jobs)
    return jobs


async def failure(call: Awaitable[Any], code: grpc.StatusCode, fragment: str) -> str:
    """Awaits a call that must fail with ``code``; returns its message, which must contain ``fragment``."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, (error.code(), error.details())
        details = error.details() or ""
        assert fragment in details, details
        return details
    raise AssertionError(f"expected {code}, but the call succeeded")


async def events(h: Harness, instance_key: int, value_type: ValueType, intent: str) -> list[Record]:
    """The instance's committed events of one kind (from the store: only what is durable)."""
    records = await h.engine.history(instance_key)
    return [
        r
        for r in records
        if r.record_type is RecordType.EVENT and r.value_type is value_type and r.intent == intent
    ]


async def while_working(worker: ZeebeWorker, work: Awaitable[T]) -> T:
    """Awaits ``work`` while ``worker`` runs, then stops the worker."""
    working = asyncio.create_task(worker.work())
    try:
        return await work
    finally:
        await worker.stop()
        await working
