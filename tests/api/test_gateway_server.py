"""The gateway server: TLS, the bearer-token check, backpressure, a failed commit, restarts on SQLite, and
`cadenza serve` serving it."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import grpc
import pytest
from gateway_support import FIXTURES, failure
from pyzeebe import ZeebeClient, create_insecure_channel, create_secure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from cadenza.api.gateway import GatewaySettings, local_gateway, start_gateway
from cadenza.config import ConfigError, load_config
from cadenza.core.changes import StateChange
from cadenza.core.records import Record
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.server import gateway_settings
from cadenza.store.memory import MemoryStore
from serve_support import ServeProcess

if TYPE_CHECKING:
    from pyzeebe.proto.gateway_pb2_grpc import GatewayAsyncStub

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


def _stub(channel: grpc.aio.Channel) -> GatewayAsyncStub:
    return cast("GatewayAsyncStub", GatewayStub(channel))


def _one_task() -> pb.DeployResourceRequest:
    resource = pb.Resource(name="one-task.bpmn", content=(FIXTURES / "one-task.bpmn").read_bytes())
    return pb.DeployResourceRequest(resources=[resource])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made by the machine's openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_serves_clients_that_trust_the_certificate_and_only_them(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate

    async def scenario() -> None:
        settings = GatewaySettings(tls_cert=cert, tls_key=key)
        async with local_gateway(settings=settings) as (address, _engine):
            credentials = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
            channel = create_secure_channel(address, channel_credentials=credentials)
            client = ZeebeClient(channel)
            deployed = await client.deploy_resource(str(FIXTURES / "one-task.bpmn"))
            assert deployed.deployments[0].bpmn_process_id == "one-task"  # type: ignore[union-attr]
            assert (await client.run_process("one-task")).process_instance_key > 0
            await channel.close()
            plain = create_insecure_channel(address)
            await failure(
                _stub(plain).Topology(pb.TopologyRequest(), timeout=2), grpc.StatusCode.UNAVAILABLE, ""
            )
            await plain.close()

    asyncio.run(scenario())


def test_a_token_is_required_on_every_call_when_configured() -> None:
    async def scenario() -> None:
        async with local_gateway(settings=GatewaySettings(token="s3cret")) as (address, _engine):
            channel = create_insecure_channel(address)
            stub = _stub(channel)
            await failure(stub.Topology(pb.TopologyRequest()), UNAUTHENTICATED, "has none")
            wrong = (("authorization", "Bearer nope"),)
            await failure(stub.DeployResource(_one_task(), metadata=wrong), UNAUTHENTICATED, "not accepted")
            right = (("authorization", "Bearer s3cret"),)
            request = pb.ActivateJobsRequest(
                type="work", worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=-1
            )
            await failure(_drain(stub.ActivateJobs(request, metadata=wrong)), UNAUTHENTICATED, "not accepted")
            deployed = await stub.DeployResource(_one_task(), metadata=right)
            assert deployed.deployments[0].process.bpmnProcessId == "one-task"
            assert [r async for r in stub.ActivateJobs(request, metadata=right)] == []
            await channel.close()

    asyncio.run(scenario())


async def _drain(call: Any) -> None:
    async for _ in call:
        pass


class GatedStore(MemoryStore):
    """A memory store whose commits can be held (to build up a queue) or made to fail (to lose a batch)."""

    def __init__(self) -> None:
        super().__init__()
        self.open = threading.Event()
        self.open.set()
        self.failing = False

    def commit(self, partition: int, records: Sequence[Record], changes: Sequence[StateChange]) -> None:
        self.open.wait(10)
        if self.failing:
            raise OSError("disk unplugged")
        super().commit(partition, records, changes)


@asynccontextmanager
async def _gated(max_queued: int) -> AsyncIterator[tuple[GatewayAsyncStub, GatedStore]]:
    store = GatedStore()
    engine = EmbeddedEngine(store, tick_seconds=0.01, max_queued=max_queued)
    await engine.start()
    server = await start_gateway(engine, GatewaySettings(port=0))
    channel = create_insecure_channel(server.address)
    try:
        yield _stub(channel), store
    finally:
        store.open.set()
        await channel.close()
        await server.stop(1)
        await engine.stop()


def test_backpressure_refuses_new_work_but_still_accepts_job_results() -> None:
    async def scenario() -> None:
        async with _gated(max_queued=2) as (stub, store):
            await stub.DeployResource(_one_task())
            store.open.clear()  # the writer's next commit waits: commands pile up in the queue

            def message(n: int) -> Any:
                return stub.PublishMessage(pb.PublishMessageRequest(name=f"m{n}", correlationKey="k"))

            held = [asyncio.ensure_future(message(n)) for n in range(3)]  # one in the writer, two waiting
            await asyncio.sleep(0.3)
            refused = await failure(message(9), grpc.StatusCode.RESOURCE_EXHAUSTED, "retry with a backoff")
            assert "2 commands are waiting" in refused
            create = pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
            await failure(
                stub.CreateProcessInstance(create), grpc.StatusCode.RESOURCE_EXHAUSTED, "bound is 2"
            )
            completing = asyncio.ensure_future(stub.CompleteJob(pb.CompleteJobRequest(jobKey=77)))
            await asyncio.sleep(0.1)
            store.open.set()
            assert all(r.key > 0 for r in await asyncio.gather(*held))
            await failure(completing, grpc.StatusCode.NOT_FOUND, "job with key '77'")  # accepted, then judged
            assert (await stub.CreateProcessInstance(create)).processInstanceKey > 0

    asyncio.run(scenario())


def test_a_failed_commit_is_unavailable_and_changes_nothing() -> None:
    async def scenario() -> None:
        async with _gated(max_queued=100) as (stub, store):
            await stub.DeployResource(_one_task())
            store.failing = True
            create = pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
            await failure(stub.CreateProcessInstance(create), grpc.StatusCode.UNAVAILABLE, "disk unplugged")
            store.failing = False
            assert [
                j
                async for r in stub.ActivateJobs(
                    pb.ActivateJobsRequest(
                        type="work", worker="w", timeout=1000, maxJobsToActivate=5, requestTimeout=-1
                    )
                )
                for j in r.jobs
            ] == []
            created = await stub.CreateProcessInstance(create)
            assert created.processInstanceKey > 0

    asyncio.run(scenario())


def test_an_activated_job_survives_a_restart_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cadenza.db'}"

    async def first_run() -> int:
        async with local_gateway(url) as (address, _engine):
            channel = create_insecure_channel(address)
            stub = _stub(channel)
            await stub.DeployResource(_one_task())
            await ZeebeClient(channel).run_process("one-task", {"x": 1})
            [job] = [
                j
                async for r in stub.ActivateJobs(
                    pb.ActivateJobsRequest(
                        type="work", worker="w", timeout=60_000, maxJobsToActivate=1, requestTimeout=-1
                    )
                )
                for j in r.jobs
            ]
            await channel.close()
            return job.key

    async def second_run(job_key: int) -> None:
        async with local_gateway(url) as (address, engine):
            channel = create_insecure_channel(address)
            await _stub(channel).CompleteJob(pb.CompleteJobRequest(jobKey=job_key, variables='{"y": 2}'))
            await failure(
                _stub(channel).CompleteJob(pb.CompleteJobRequest(jobKey=job_key)),
                grpc.StatusCode.NOT_FOUND,
                "no such job",
            )
            await channel.close()
            assert engine.engine.state.jobs.get(job_key) is None

    job_key = asyncio.run(first_run())
    asyncio.run(second_run(job_key))


def test_cadenza_serve_serves_the_gateway_with_a_token_on_uvloop(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "data", "--grpc-token", "t0ken", "--event-loop", "uvloop").start()
    try:

        async def scenario() -> None:
            channel = create_insecure_channel(f"127.0.0.1:{server.grpc_port}")
            stub = _stub(channel)
            await failure(stub.Topology(pb.TopologyRequest()), UNAUTHENTICATED, "authorization")
            token = (("authorization", "Bearer t0ken"),)
            topology = await stub.Topology(pb.TopologyRequest(), metadata=token)
            assert topology.brokers[0].port == server.grpc_port
            await stub.DeployResource(_one_task(), metadata=token)
            created = await stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1), metadata=token
            )
            assert created.processInstanceKey > 0
            await channel.close()

        asyncio.run(scenario())
        assert "Zeebe gRPC gateway on 127.0.0.1:" in server.output()
        assert "event loop uvloop" in server.output()
    finally:
        assert server.stop() == 0
    assert "Cadenza stopped" in server.output()


def test_settings_refuse_half_a_tls_pair_and_an_empty_token(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both a certificate and a key"):
        GatewaySettings(tls_cert=tmp_path / "cert.pem")
    with pytest.raises(ValueError, match="must not be empty"):
        GatewaySettings(token="")


def test_serve_settings_reach_the_gateway_and_bad_ones_name_their_variable(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate
    env = {"CADENZA_GRPC_TLS_CERT": str(cert), "CADENZA_GRPC_TLS_KEY": str(key), "CADENZA_GRPC_TOKEN": "t"}
    config = load_config(env, grpc_port=0, max_queued_commands=5)
    settings = gateway_settings(config)
    assert (settings.tls_cert, settings.tls_key, settings.token, settings.port) == (cert, key, "t", 0)
    assert config.max_queued_commands == 5
    bad = [
        ({"CADENZA_GRPC_TLS_CERT": str(cert)}, "needs both CADENZA_GRPC_TLS_CERT and CADENZA_GRPC_TLS_KEY"),
        (
            {"CADENZA_GRPC_TLS_CERT": str(cert), "CADENZA_GRPC_TLS_KEY": "/nope.pem"},
            "CADENZA_GRPC_TLS_KEY: no such file",
        ),
        ({"CADENZA_GRPC_TOKEN": "  "}, "CADENZA_GRPC_TOKEN must not be blank"),
        ({"CADENZA_MAX_QUEUED_COMMANDS": "0"}, "CADENZA_MAX_QUEUED_COMMANDS must be positive"),
    ]
    for environment, message in bad:
        with pytest.raises(ConfigError, match=message):
            load_config(environment)
