"""gRPC strings are UTF-8, but a variables document's JSON escape can spell a lone surrogate, which no store can
write: the gateway refuses it as INVALID_ARGUMENT naming the property, on SQLite and PostgreSQL, and the
partition keeps running."""

from __future__ import annotations

import grpc
from gateway_support import Harness, activate, deploy, failure, run, start
from pyzeebe.proto import gateway_pb2 as pb

INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
LONE = '{"note": ["ok", "\\ud800"]}'  # JSON text (ASCII) whose string decodes to a lone surrogate


def test_variables_with_a_lone_surrogate_escape_are_refused(store_url: str) -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        stub = h.stub
        create = pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1, variables=LONE)
        details = await failure(
            stub.CreateProcessInstance(create), INVALID_ARGUMENT, "property 'variables.note[1]'"
        )
        assert "CreateProcessInstance" in details and "lone surrogate" in details
        publish = pb.PublishMessageRequest(name="m", correlationKey="k", variables=LONE)
        await failure(stub.PublishMessage(publish), INVALID_ARGUMENT, "lone surrogate")

        key = await start(h, "one-task", {"paired": "\U0001f600"})  # a real astral character is fine
        [job] = await activate(h, "work")
        set_vars = pb.SetVariablesRequest(elementInstanceKey=key, variables=LONE)
        await failure(stub.SetVariables(set_vars), INVALID_ARGUMENT, "lone surrogate")
        complete = pb.CompleteJobRequest(jobKey=job.key, variables=LONE)
        await failure(stub.CompleteJob(complete), INVALID_ARGUMENT, "property 'variables.note[1]'")
        # The partition runs on: the job completes with a good document, and the instance with it.
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"done": "\\ud83d\\ude00"}'))
        history = await h.engine.history(key)
        assert history[-1].intent == "ELEMENT_COMPLETED" and history[-1].value["elementId"] == "one-task"

    run(scenario, store_url=store_url)
