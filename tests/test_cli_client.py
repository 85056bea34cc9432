"""The client commands against a real `cadenza serve` subprocess: deploy, start, show, jobs, complete-job."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cadenza.cli import app
from serve_support import ServeProcess, free_port

ROOT = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "api" / "fixtures" / "charge-and-wait.bpmn"
runner = CliRunner()


def cadenza(server: ServeProcess | str, *args: str) -> tuple[int, str]:
    address = server if isinstance(server, str) else server.address
    result = runner.invoke(app, [*args, "--address", address])
    return result.exit_code, result.output


def as_json(server: ServeProcess, *args: str) -> Any:
    code, output = cadenza(server, *args, "--json")
    assert code == 0, output
    return json.loads(output)


def test_deploy_start_work_and_show_an_instance(serve_process: Callable[..., ServeProcess]) -> None:
    server = serve_process()
    code, output = cadenza(server, "deploy", str(FIXTURE))
    assert code == 0 and "deployed charge-and-wait version 1" in output, output
    started = as_json(server, "start", "charge-and-wait", "--variables", '{"orderId": "o-1"}')
    key = started["processInstanceKey"]
    code, output = cadenza(server, "show", str(key))
    assert code == 0, output
    assert f"instance {key} of charge-and-wait v1: active" in output
    assert "charge (SERVICE_TASK) ELEMENT_ACTIVATED" in output and 'root: orderId = "o-1"' in output
    code, output = cadenza(server, "jobs", "charge")
    assert code == 0 and f"instance {key} at charge" in output, output
    job_key = output.split()[1]
    code, output = cadenza(server, "complete-job", job_key, "--variables", '{"charged": true}')
    assert code == 0 and f"completed job {job_key}" in output
    assert as_json(server, "jobs", "charge")["jobs"] == []
    view = as_json(server, "show", str(key))
    assert [e["elementId"] for e in view["activeElements"]] == ["paid"]
    assert view["variables"] == {"orderId": "o-1", "charged": True}
    assert server.stop() == 0
    assert "Cadenza serving the HTTP API" in server.output()


def test_client_errors_are_short_and_exit_non_zero(serve_process: Callable[..., ServeProcess]) -> None:
    server = serve_process()
    code, output = cadenza(server, "complete-job", "12345")
    assert code == 1 and "404: Expected to complete job with key '12345', but no such job was found" in output
    code, output = cadenza(server, "start", "x", "--variables", "{nope")
    assert code == 2 and "not JSON" in output
    code, output = cadenza(server, "start", "x", "--variables", "[1]")
    assert code == 1 and "variables must be a JSON object" in output
    code, output = cadenza(server, "show", "42")
    assert code == 1 and "no execution with key '42'" in output
    code, output = cadenza(f"http://127.0.0.1:{free_port()}", "show", "42")
    assert code == 1 and "cannot reach Cadenza" in output


def test_the_demo_workers_run_the_sample_order_to_its_end(
    serve_process: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    server = serve_process(tmp_path / "demo", "--demo")
    sample = [str(ROOT / "bpmn" / name) for name in ("order-process.bpmn", "approve-order.form")]
    assert cadenza(server, "deploy", *sample)[0] == 0
    order = {"order": {"id": "A-1", "owner": "alice"}}
    key = as_json(server, "start", "order-process", "--variables", json.dumps(order))["processInstanceKey"]
    deadline = time.monotonic() + 10
    while as_json(server, "show", str(key))["state"] != "completed":
        assert time.monotonic() < deadline, "the demo workers did not complete the order"
        time.sleep(0.1)
    code, output = cadenza(server, "show", str(key))
    assert "completed" in output.splitlines()[0] and "JOB COMPLETED Task_Ship" in output
    assert "root: shipped = true" in output
    code, output = cadenza(
        server, "start", "order-process", "--variables", json.dumps(order), "--with-result"
    )
    assert code == 0 and '"approvedBy": "demo"' in output.splitlines()[1], output


def test_serve_refuses_bad_settings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path), "--http-port", "70000"])
    assert result.exit_code == 2 and "must be 0-65535" in result.output
    bad_env = {"CADENZA_HTTP_PORT": "eighty"}
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path)], env=bad_env)
    assert result.exit_code == 2 and "CADENZA_HTTP_PORT must be a whole number" in result.output


def test_serve_runs_on_postgresql(
    serve_process: Callable[..., ServeProcess], fresh_postgres_url: str
) -> None:
    server = serve_process(None, "--database", fresh_postgres_url)
    assert cadenza(server, "deploy", str(FIXTURE))[0] == 0
    key = as_json(server, "start", "charge-and-wait", "--variables", '{"orderId": "pg"}')[
        "processInstanceKey"
    ]
    [job] = as_json(server, "jobs", "charge")["jobs"]
    assert cadenza(server, "complete-job", str(job["key"]))[0] == 0
    server.kill()  # SIGKILL: what was acknowledged is in PostgreSQL
    server.start()
    view = as_json(server, "show", str(key))
    assert [e["elementId"] for e in view["activeElements"]] == ["paid"]
    assert "postgresql" in server.output()
