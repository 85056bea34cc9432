"""The zero-cost baseline of bench/grpc_e2e.py: an in-memory fake engine behind the same grpc.aio stack.

It serves pyzeebe's generated ``GatewayServicer`` with only what the bench's client and worker call, doing
the least work an engine could: CreateProcessInstanceWithResult makes ``tasks`` jobs one after another (1 for
``bench-one``, 3 for ``bench-sequence``), each handed to a waiting StreamActivatedJobs call (or an
ActivateJobs long poll), and answers once the last one's CompleteJob arrived. Nothing is stored, no BPMN is
read. Whatever Cadenza costs over this is the engine, the store and the gateway's own work.

Run: ``python bench/grpc_fake.py --port 26599 [--jobs-out FILE] [--event-loop uvloop]``; on SIGTERM it writes
``{job key: creation time (ns)}`` to ``--jobs-out`` and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayServicer, add_GatewayServicer_to_server

__all__ = ["FakeGateway", "serve"]

#: bpmnProcessId -> service tasks in sequence (the bench's two models).
TASKS = {"bench-one": 1, "bench-sequence": 3}


class FakeGateway(GatewayServicer):
    def __init__(self) -> None:
        self._keys = itertools.count(2251799813685249)
        self._ready: asyncio.Queue[pb.ActivatedJob] = asyncio.Queue()
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self.created_ns: dict[int, int] = {}

    async def Topology(self, request: pb.TopologyRequest, context: Any) -> pb.TopologyResponse:
        return pb.TopologyResponse(clusterSize=1, partitionsCount=1, replicationFactor=1)

    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: Any
    ) -> pb.CreateProcessInstanceWithResultResponse:
        process_id = request.request.bpmnProcessId
        instance = next(self._keys)
        for index in range(TASKS.get(process_id, 1)):
            key = next(self._keys)
            done = asyncio.get_running_loop().create_future()
            self._waiting[key] = done
            self.created_ns[key] = time.time_ns()
            self._ready.put_nowait(_job(key, instance, process_id, index))
            await done
        return pb.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=1, bpmnProcessId=process_id, version=1, processInstanceKey=instance,
            variables="{}", tenantId="<default>",
        )  # fmt: skip

    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: Any
    ) -> AsyncIterator[pb.ActivatedJob]:
        while True:
            yield await self._ready.get()

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: Any
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        wait = request.requestTimeout / 1000 if request.requestTimeout > 0 else 10.0
        try:
            jobs = [await asyncio.wait_for(self._ready.get(), wait)]
        except TimeoutError:
            return
        while len(jobs) < request.maxJobsToActivate and not self._ready.empty():
            jobs.append(self._ready.get_nowait())
        yield pb.ActivateJobsResponse(jobs=jobs)

    async def CompleteJob(self, request: pb.CompleteJobRequest, context: Any) -> pb.CompleteJobResponse:
        done = self._waiting.pop(request.jobKey, None)
        if done is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no job with key {request.jobKey}")
        else:
            done.set_result(None)
        return pb.CompleteJobResponse()


def _job(key: int, instance: int, process_id: str, index: int) -> pb.ActivatedJob:
    return pb.ActivatedJob(
        key=key, type="work", processInstanceKey=instance, bpmnProcessId=process_id,
        processDefinitionVersion=1, processDefinitionKey=1, elementId=f"task-{index}",
        elementInstanceKey=key - 1, customHeaders="{}", worker="bench", retries=3,
        deadline=time.time_ns() // 1_000_000 + 300_000, variables="{}", tenantId="<default>",
    )  # fmt: skip


async def serve(port: int, jobs_out: str | None) -> None:
    server = grpc.aio.server()
    # The generated servicer's stub marks every RPC abstract; at run time the base class answers the ones the
    # fake leaves out with UNIMPLEMENTED.
    fake = FakeGateway()  # type: ignore[abstract]
    add_GatewayServicer_to_server(fake, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(0.5)
    if jobs_out:
        with open(jobs_out, "w") as out:
            json.dump(fake.created_ns, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jobs-out")
    parser.add_argument("--event-loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    if args.event_loop == "uvloop":
        import uvloop

        uvloop.run(serve(args.port, args.jobs_out))
    else:
        asyncio.run(serve(args.port, args.jobs_out))


if __name__ == "__main__":
    main()
