"""End to end: models whose service tasks are made from the HTTP connector's element template, deployed to an
embedded Cadenza behind its real gRPC gateway, worked by the worker runtime (pyzeebe over a real socket) calling
a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeClient, create_insecure_channel
from template_bpmn import process, service_task
from workers_support import SLOW_CALLS, credentials, http_server

from cadenza.api.gateway import local_gateway
from cadenza.api.gateway.settings import GatewaySettings
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.workers import WorkerConfig, http_connector
from cadenza.workers.runtime import open_channel, run_worker
from cadenza.workers.secrets import CredentialStore

TEMPLATE = json.loads(
    (Path(__file__).resolve().parents[2] / "modeler/element-templates/http.json").read_text()
)
SECRETS = {"TOKEN": "e2e-token-8d1f0c"}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with http_server() as url:
        yield url


@asynccontextmanager
async def cadenza_and_worker(
    store: CredentialStore | None = None, settings: GatewaySettings | None = None, **worker: Any
) -> AsyncIterator[tuple[ZeebeClient, EmbeddedEngine, str]]:
    """A gateway, the worker runtime running the HTTP connector against it, and a pyzeebe client."""
    async with local_gateway("memory:", settings=settings) as (address, engine):
        config = WorkerConfig(address=address, name="e2e", **worker)
        stop = asyncio.Event()
        running = asyncio.create_task(
            run_worker(
                config,
                [http_connector()],
                credentials=store or credentials(SECRETS),
                stop=stop,
                handle_signals=False,
            )
        )
        channel = open_channel(config)
        try:
            yield ZeebeClient(channel), engine, address
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
            await channel.close()


async def deploy(
    client: ZeebeClient, tmp_path: Path, process_id: str, values: dict[str, Any], **options: Any
) -> None:
    path = tmp_path / f"{process_id}.bpmn"
    path.write_bytes(process(process_id, service_task(TEMPLATE, values), **options))
    await client.deploy_resource(str(path))


def events(history: list[Record], value_type: ValueType, intent: str) -> list[Record]:
    return [
        r
        for r in history
        if r.record_type == RecordType.EVENT and r.value_type == value_type and r.intent == intent
    ]


def test_a_call_completes_the_instance_with_the_mapped_variables(base: str, tmp_path: Path) -> None:
    values = {
        "method": "POST",
        "url": f"{base}/echo",
        "body": "={order: orderId}",
        "authentication.type": "bearer",
        "authentication.token": "{{secrets.TOKEN}}",
        "resultExpression": "={status: status, sent: body.body, auth: body.headers.authorization}",
    }

    async def scenario() -> None:
        async with cadenza_and_worker() as (client, _engine, _address):
            await deploy(client, tmp_path, "http-ok", values)
            result = await client.run_process_with_result("http-ok", {"orderId": 7}, timeout=15_000)
            assert result.variables == {
                "orderId": 7,
                "status": 200,
                "sent": '{"order":7}',
                "auth": "Bearer ****",
            }

    asyncio.run(scenario())


def test_a_non_2xx_answer_thrown_by_the_error_rule_is_caught_by_the_boundary_event(
    base: str, tmp_path: Path
) -> None:
    values = {
        "url": f"{base}/missing",
        "errorExpression": '=if error.code = "404" then bpmnError("NOT_FOUND", error.message, {why: error.response.body.error}) else null',
    }

    async def scenario() -> None:
        async with cadenza_and_worker() as (client, engine, _address):
            await deploy(client, tmp_path, "http-404", values, catch_code="NOT_FOUND")
            result = await client.run_process_with_result("http-404", {}, timeout=15_000)
            assert result.variables == {"why": "no such path"}
            history = await engine.history(result.process_instance_key)
            completed = {
                r.value["elementId"] for r in events(history, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")
            }
            assert "handled" in completed and "end" not in completed

    asyncio.run(scenario())


async def incident_after_failures(
    client: ZeebeClient, engine: EmbeddedEngine, process_id: str
) -> tuple[Record, list[Record]]:
    """Starts an instance and waits for its one incident; returns it and the job's FAILED events."""
    started = await client.run_process(process_id)
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        history = await engine.history(started.process_instance_key)
        incidents = events(history, ValueType.INCIDENT, "CREATED")
        if incidents:
            (incident,) = incidents
            return incident, events(history, ValueType.JOB, "FAILED")
        assert asyncio.get_running_loop().time() < deadline, "no incident came"
        await asyncio.sleep(0.05)


def test_failures_use_up_the_retries_then_raise_an_incident(base: str, tmp_path: Path) -> None:
    values = {"url": f"{base}/echo?status=500", "retries": "2", "retryBackoff": "PT0.2S"}

    async def scenario() -> None:
        async with cadenza_and_worker() as (client, engine, _address):
            await deploy(client, tmp_path, "http-500", values)
            incident, failed = await incident_after_failures(client, engine, "http-500")
            assert incident.value["errorType"] == "JOB_NO_RETRIES"
            assert incident.value["errorMessage"] == f"HTTP 500 Internal Server Error from {base}/echo"
            assert [r.value["retries"] for r in failed] == [1, 0]
            assert failed[0].value["retryBackoff"] == 200

    asyncio.run(scenario())


def test_bad_inputs_raise_an_incident_at_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with cadenza_and_worker() as (client, engine, _address):
            await deploy(client, tmp_path, "http-bad", {"url": "ftp://files.example.com/report"})
            incident, failed = await incident_after_failures(client, engine, "http-bad")
            assert (
                incident.value["errorMessage"]
                == "HTTP request: url: only http and https URLs are allowed, not ftp"
            )
            assert [r.value["retries"] for r in failed] == [0]  # no retry burned

    asyncio.run(scenario())


CAMUNDA_TASK = """<bpmn:serviceTask id="call"><bpmn:extensionElements>
<zeebe:taskDefinition type="io.camunda:http-json:1" retries="3" />
<zeebe:ioMapping>
  <zeebe:input source="noAuth" target="authentication.type" />
  <zeebe:input source="GET" target="method" />
  <zeebe:input source="{URL}/echo" target="url" />
  <zeebe:input source="={&quot;q&quot;: term}" target="queryParameters" />
  <zeebe:input source="=20" target="connectionTimeoutInSeconds" />
  <zeebe:input source="=20" target="readTimeoutInSeconds" />
</zeebe:ioMapping>
<zeebe:taskHeaders>
  <zeebe:header key="resultVariable" value="response" />
  <zeebe:header key="retryBackoff" value="PT0S" />
</zeebe:taskHeaders>
</bpmn:extensionElements></bpmn:serviceTask>"""


def test_a_model_made_for_camundas_rest_connector_runs_unchanged(base: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with cadenza_and_worker() as (client, _engine, _address):
            path = tmp_path / "camunda.bpmn"
            path.write_bytes(process("camunda-rest", CAMUNDA_TASK.replace("{URL}", base)))
            await client.deploy_resource(str(path))
            result = await client.run_process_with_result("camunda-rest", {"term": "ada"}, timeout=15_000)
            response = result.variables["response"]
            assert response["status"] == 200 and response["body"]["query"] == {"q": ["ada"]}

    asyncio.run(scenario())


def test_the_worker_presents_a_bearer_token_the_gateway_requires(base: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = GatewaySettings(token="gw-token-1")
        async with cadenza_and_worker(settings=settings, token="gw-token-1") as (client, _engine, _address):
            await deploy(client, tmp_path, "http-token", {"url": f"{base}/echo", "resultVariable": "r"})
            result = await client.run_process_with_result("http-token", {}, timeout=15_000)
            assert result.variables["r"]["status"] == 200

    asyncio.run(scenario())


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed EC certificate for 127.0.0.1, from the machine's openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "gateway.pem", folder / "gateway.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-nodes", "-days", "1", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_the_worker_speaks_tls_with_a_token(base: str, tmp_path: Path, tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files

    async def scenario() -> None:
        settings = GatewaySettings(tls_cert=cert, tls_key=key, token="gw-token-2")
        worker = {"tls": True, "ca_file": cert, "token": "gw-token-2"}
        async with cadenza_and_worker(settings=settings, **worker) as (client, _engine, _address):
            await deploy(client, tmp_path, "http-tls", {"url": f"{base}/echo", "resultVariable": "r"})
            result = await client.run_process_with_result("http-tls", {}, timeout=15_000)
            assert result.variables["r"]["status"] == 200

    asyncio.run(scenario())


def test_cadenza_worker_stops_on_sigterm_after_finishing_the_job_in_hand(base: str, tmp_path: Path) -> None:
    cadenza = str(Path(sys.executable).parent / "cadenza")

    async def scenario() -> None:
        async with local_gateway("memory:") as (address, _engine):
            channel = create_insecure_channel(address)
            client = ZeebeClient(channel)
            values = {"url": f"{base}/slow?seconds=1", "resultVariable": "r"}
            await deploy(client, tmp_path, "http-slow", values)
            worker = await asyncio.create_subprocess_exec(
                cadenza, "worker", "--address", address, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            try:
                SLOW_CALLS.clear()
                waiting = asyncio.create_task(client.run_process_with_result("http-slow", {}, timeout=15_000))
                # SIGTERM once the job is in hand: its request is waiting on the server
                assert await asyncio.get_running_loop().run_in_executor(None, SLOW_CALLS.wait, 15)
                worker.send_signal(signal.SIGTERM)
                result = await waiting
                assert result.variables["r"]["body"] == {"slow": True}
                out, err = await asyncio.wait_for(worker.communicate(), 10)
            finally:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()
                await channel.close()
            assert worker.returncode == 0, err.decode()
            assert out.decode().splitlines()[-1] == "cadenza worker: stopped"

    asyncio.run(scenario())
