"""Text no database can store (a lone surrogate) is refused at the Engine port, one command alone: the batch it
would have joined commits, and the partition keeps running, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import open_store

FIXTURES = Path(__file__).parent.parent / "core" / "fixtures"
LONE = "\ud800"
CREATE = ValueType.PROCESS_INSTANCE_CREATION


def _refused(response: Record, field: str) -> None:
    assert response.record_type is RecordType.COMMAND_REJECTION, response
    assert response.rejection_type is RejectionType.INVALID_ARGUMENT
    assert f"property '{field}' contains a lone surrogate" in response.rejection_reason
    response.rejection_reason.encode()  # the reason itself is sendable text


BAD_COMMANDS: list[tuple[ValueType, str, dict[str, Any], str, str]] = [
    (
        CREATE,
        "CREATE",
        {"bpmnProcessId": "three-tasks", "businessKey": f"order-{LONE}"},
        "<default>",
        "businessKey",
    ),
    # A JSON escape in a variables document is the way a gRPC client (UTF-8 strings) can send one.
    (
        CREATE,
        "CREATE",
        {"bpmnProcessId": "three-tasks", "variables": '{"a": {"b": ["\\ud800"]}}'},
        "<default>",
        "variables.a.b[0]",
    ),
    (CREATE, "CREATE", {"bpmnProcessId": "three-tasks"}, f"t{LONE}", "tenantId"),
    (
        ValueType.MESSAGE,
        "PUBLISH",
        {"name": f"m{LONE}", "correlationKey": "k", "variables": "{}"},
        "<default>",
        "name",
    ),
    (
        ValueType.MESSAGE,
        "PUBLISH",
        {"name": "m", "correlationKey": "k", "variables": {LONE: 1}},
        "<default>",
        "variables.\\ud800",  # a name, escaped in the reason
    ),
]


def test_commands_with_lone_surrogates_are_refused_alone_and_the_partition_runs_on(store_url: str) -> None:
    async def scenario() -> None:
        engine = EmbeddedEngine(open_store(store_url), tick_seconds=0.01)
        await engine.start()
        resource = (FIXTURES / "three-tasks.bpmn").read_text()
        deployed = await engine.submit(
            ValueType.DEPLOYMENT, "CREATE", {"resources": [{"resourceName": "t.bpmn", "resource": resource}]}
        )
        assert deployed.record_type is RecordType.EVENT
        good = {
            "bpmnProcessId": "three-tasks",
            "businessKey": "order-\u00e9\U0001f600",
            "variables": '{"a":"\\ud83d\\ude00"}',
        }
        # Submitted together, so the good commands share the writer's batch with the bad ones.
        answers = await asyncio.gather(
            engine.submit(CREATE, "CREATE", good),
            *(
                engine.submit(vt, intent, value, tenant=tenant)
                for vt, intent, value, tenant, _ in BAD_COMMANDS
            ),
            engine.submit(CREATE, "CREATE", good),
        )
        assert answers[0].record_type is RecordType.EVENT and answers[-1].record_type is RecordType.EVENT
        for answer, (*_, field) in zip(answers[1:-1], BAD_COMMANDS, strict=True):
            _refused(answer, field)
        created, _ = await engine.create_with_result(
            {"bpmnProcessId": "three-tasks", "businessKey": LONE}, request_timeout_ms=1000
        )
        _refused(created, "businessKey")
        _refused(
            await engine.activate_jobs(
                {"type": LONE, "worker": "w", "timeout": 1000, "maxJobsToActivate": 1}
            ),
            "type",
        )
        batch = await engine.activate_jobs(
            {"type": "work", "worker": "w", "timeout": 10_000, "maxJobsToActivate": 2}
        )
        assert len(batch.value["jobKeys"]) == 2
        await engine.stop()

        reopened = EmbeddedEngine(open_store(store_url))  # every accepted command is in the log, readable
        await reopened.start()
        for answer in (answers[0], answers[-1]):
            history = await reopened.history(answer.value["processInstanceKey"])
            assert history[0].value["businessKey"] == "order-\u00e9\U0001f600"
        await reopened.stop()

    asyncio.run(scenario())
