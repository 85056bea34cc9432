"""Issue 4's conformance scenarios through Camunda's Node SDK (@camunda8/sdk, its Zeebe gRPC client).

Each scenario is a function in node/scenarios.mjs, written as a Node user would; it prints what it observed as
JSON. scripts/test installs the SDK (``npm ci`` in tests/conformance/node) before pytest runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conformance_support import FIXTURES, Inspector

from serve_support import ServeProcess

NODE_DIR = Path(__file__).parent / "node"
RESULT_MARK = "scenario-result: "  # what scenarios.mjs prints before its JSON line


def scenario(server: ServeProcess, name: str, *args: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@camunda8" / "sdk").is_dir():
        pytest.fail(
            "Node.js and @camunda8/sdk are needed: run scripts/test, which runs npm ci in " + str(NODE_DIR)
        )
    done = subprocess.run(
        [node, "scenarios.mjs", f"127.0.0.1:{server.grpc_port}", name, str(FIXTURES), *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, (
        f"scenario {name} failed:\n{done.stderr}\nserver log:\n{server.output()[-3000:]}"
    )
    [line] = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    observed: dict[str, Any] = json.loads(line.removeprefix(RESULT_MARK))
    return observed


def test_topology(cadenza: ServeProcess) -> None:
    observed = scenario(cadenza, "topology")
    assert observed == {
        "clusterSize": 1,
        "partitionsCount": 1,
        "brokers": [{"host": "127.0.0.1", "port": cadenza.grpc_port, "partitions": 1}],
    }


def test_deploy(cadenza: ServeProcess) -> None:
    observed = scenario(cadenza, "deploy")
    assert observed["bpmnProcessId"] == "conf-one-task"
    assert observed["sameVersionAgain"] is True
    assert observed["broken"]["code"] == 3  # INVALID_ARGUMENT
    assert "broken.bpmn" in observed["broken"]["details"]


def test_start_and_complete(cadenza: ServeProcess, inspector: Inspector) -> None:
    observed = scenario(cadenza, "start-and-complete")
    key = observed["processInstanceKey"]
    view = inspector.wait_for(key, lambda v: v["state"] == "completed")
    assert view["variables"] == {"a": 2, "b": 3, "sum": 5}
    assert {"headers": {"kind": "conformance"}, "a": 2, "key": key} in observed["seen"]
    assert observed["resultVariables"] == {"a": 10, "b": 5, "sum": 15}


def test_start_instructions(cadenza: ServeProcess, inspector: Inspector) -> None:
    observed = scenario(cadenza, "start-instructions")
    assert observed["handled"] == 2  # two instructions before the same task: two jobs
    view = inspector.wait_for(observed["processInstanceKey"], lambda v: v["state"] == "completed")
    activated = [line["elementId"] for line in view["history"] if line["intent"] == "ELEMENT_ACTIVATED"]
    assert "start" not in activated and activated.count("work") == 2
    assert observed["refused"]["code"] == 3  # INVALID_ARGUMENT
    unsupported = "the element with id 'start' targets unsupported element type 'START_EVENT'"
    assert unsupported in observed["refused"]["details"]


def test_fail_to_incident_then_resolve(cadenza: ServeProcess, inspector: Inspector) -> None:
    observed = scenario(cadenza, "fail-to-incident")
    assert observed["retriesSeen"] == [2, 1]
    key = observed["processInstanceKey"]
    view = inspector.wait_for(key, lambda v: bool(v["incidents"]))
    [incident] = view["incidents"]
    assert (incident["errorType"], incident["errorMessage"]) == ("JOB_NO_RETRIES", "backend down")
    resolved = scenario(cadenza, "resolve-incident", f"{incident['key']},{incident['jobKey']}")
    assert resolved["handled"] == 1
    assert resolved["resolveAgain"]["code"] == 5  # NOT_FOUND
    view = inspector.wait_for(key, lambda v: v["state"] == "completed")
    assert view["variables"] == {"recovered": True}


def test_throw_error_is_caught_by_the_boundary_event(cadenza: ServeProcess) -> None:
    observed = scenario(cadenza, "throw-error")
    assert observed["variables"] == {"card": "expired", "reason": "expired"}


def test_messages_with_correlation_keys_and_ttl(cadenza: ServeProcess, inspector: Inspector) -> None:
    observed = scenario(cadenza, "message")
    assert observed["duplicate"]["code"] == 6  # ALREADY_EXISTS
    assert observed["early"] == {"orderId": "order-early", "paidEarly": True}
    assert observed["late"] == {"orderId": "order-late", "paidLate": True}
    waiting = inspector.instance(observed["waitingInstance"])
    assert waiting["state"] == "active"
    assert [e["elementId"] for e in waiting["activeElements"]] == ["waitPaid"]


def test_a_timer_fires(cadenza: ServeProcess) -> None:
    observed = scenario(cadenza, "timer")
    assert observed["variables"] == {"delay": "PT0.5S"}
    assert 500 <= observed["elapsedMs"] < 5000


def test_a_call_activity(cadenza: ServeProcess) -> None:
    observed = scenario(cadenza, "call-activity")
    assert observed["childSaw"] == [{"amount": 21}]
    assert observed["variables"] == {"amount": 21, "unrelated": "stays in the parent", "result": 42}


def test_a_decision(cadenza: ServeProcess) -> None:
    observed = scenario(cadenza, "decision")
    assert observed["decisionId"] == "conf-risk"
    assert observed["decisionOutput"] == "high"
    assert observed["matchedRules"] == ["high"]
    assert observed["unknown"]["code"] == 5  # NOT_FOUND
    assert observed["viaTask"] == {"amount": 10, "risk": "low"}


def test_cancel(cadenza: ServeProcess, inspector: Inspector) -> None:
    observed = scenario(cadenza, "cancel")
    view = inspector.wait_for(observed["processInstanceKey"], lambda v: v["state"] == "canceled")
    assert view["activeElements"] == []
    assert observed["cancelAgain"]["code"] == 5  # NOT_FOUND


def test_operations_on_running_instances(cadenza: ServeProcess, inspector: Inspector) -> None:
    observed = scenario(cadenza, "operations")
    assert observed["activatedJobs"] == 1
    assert observed["jobVariables"] == {"x": 2, "note": "set"}  # SetVariables reached the job
    assert observed["badTimeout"]["code"] == 5  # NOT_FOUND
    assert observed["badModify"]["code"] == 3  # INVALID_ARGUMENT
    assert observed["afterDelete"]["code"] == 5  # NOT_FOUND: the only version was deleted
    assert observed["handled"] == 1  # the token the modification added; the first job was completed directly
    view = inspector.wait_for(observed["processInstanceKey"], lambda v: v["state"] == "completed")
    assert view["bpmnProcessId"] == "conf-ops-target"
    completed = [line["elementId"] for line in view["history"] if line["intent"] == "ELEMENT_COMPLETED"]
    assert completed.count("work2") == 2
    assert completed.count("migratedEnd") == 2
    signalled = inspector.wait_for(observed["signalInstanceKey"], lambda v: v["state"] == "completed")
    assert signalled["variables"] == {"signalled": True}
