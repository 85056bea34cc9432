"""Instance, deployment, message, signal and topology RPCs through a real gateway socket."""

from __future__ import annotations

import asyncio
import json

import grpc
from gateway_support import (
    FIXTURES,
    Harness,
    activate,
    deploy,
    events,
    failure,
    run,
    start,
    while_working,
)
from pyzeebe import ZeebeWorker
from pyzeebe.errors import ProcessDefinitionNotFoundError
from pyzeebe.proto import gateway_pb2 as pb

from cadenza.core.records import ValueType

INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def test_topology_shows_one_healthy_leader_partition() -> None:
    async def scenario(h: Harness) -> None:
        topology = await h.stub.Topology(pb.TopologyRequest())
        assert (topology.clusterSize, topology.partitionsCount, topology.replicationFactor) == (1, 1, 1)
        [broker] = topology.brokers
        [partition] = broker.partitions
        assert partition.partitionId == 1
        assert partition.role == pb.Partition.PartitionBrokerRole.LEADER
        assert partition.health == pb.Partition.PartitionBrokerHealth.HEALTHY
        assert f"{broker.host}:{broker.port}" == h.address
        assert topology.gatewayVersion.startswith("8.") and "cadenza" in topology.gatewayVersion
        assert (await h.client.healthcheck()).status == 1  # grpc.health.v1 SERVING

    run(scenario)


def test_deploy_resource_reports_processes_and_decisions_and_versions_them() -> None:
    async def scenario(h: Harness) -> None:
        dmn = pb.Resource(
            name="approval-routing.dmn",
            content=(FIXTURES.parents[3] / "dmn" / "approval-routing.dmn").read_bytes(),
        )
        bpmn = pb.Resource(name="one-task.bpmn", content=(FIXTURES / "one-task.bpmn").read_bytes())
        first = await h.stub.DeployResource(pb.DeployResourceRequest(resources=[bpmn, dmn]))
        [process] = [d for d in first.deployments if d.HasField("process")]
        [drg] = [d for d in first.deployments if d.HasField("decisionRequirements")]
        assert first.deployments[0] == process  # processes come first, as Zeebe lists them
        assert drg.decisionRequirements.dmnDecisionRequirementsId == "approval-routing"
        assert first.key > 0 and first.tenantId == "<default>"
        again = await h.stub.DeployResource(pb.DeployResourceRequest(resources=[bpmn]))
        assert again.deployments[0].process.version == 1  # the same bytes: a duplicate, no new version
        changed = bpmn.content.replace(b'id="end"', b'id="finish"').replace(
            b'targetRef="end"', b'targetRef="finish"'
        )
        new = await h.stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="one-task.bpmn", content=changed)])
        )
        assert new.deployments[0].process.version == 2
        old = await h.stub.DeployProcess(
            pb.DeployProcessRequest(
                processes=[
                    pb.ProcessRequestObject(
                        name="risky.bpmn", definition=(FIXTURES / "risky.bpmn").read_bytes()
                    )
                ]
            )
        )
        assert [p.bpmnProcessId for p in old.processes] == ["risky"] and old.key > new.key

    run(scenario)


def test_bad_deployments_are_invalid_arguments_and_deploy_nothing() -> None:
    async def scenario(h: Harness) -> None:
        cases = [
            ([pb.Resource(name="x.bpmn", content=b"\xff\xfe<bpmn/>")], "resource 'x.bpmn' is not UTF-8 text"),
            ([pb.Resource(name="x.bpmn", content=b"<not-closed")], "Expected to deploy new resources"),
            ([pb.Resource(name="", content=b"<x/>")], "a resource has no name"),
            ([], "Expected to deploy at least one resource, but none given"),
        ]
        for resources, fragment in cases:
            request = pb.DeployResourceRequest(resources=resources)
            await failure(h.stub.DeployResource(request), INVALID_ARGUMENT, fragment)
        good = pb.Resource(name="one-task.bpmn", content=(FIXTURES / "one-task.bpmn").read_bytes())
        mixed = pb.DeployResourceRequest(resources=[good, pb.Resource(name="y.bpmn", content=b"<broken")])
        await failure(h.stub.DeployResource(mixed), INVALID_ARGUMENT, "'y.bpmn'")
        await failure(
            h.stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
            ),
            NOT_FOUND,
            "process ID 'one-task'",
        )

    run(scenario)


def test_create_by_id_version_or_key_with_variables() -> None:
    async def scenario(h: Harness) -> None:
        deployed = await deploy(h, "one-task.bpmn")
        definition_key = deployed.deployments[0].process.processDefinitionKey
        by_id = await h.client.run_process("one-task", {"order": {"id": 7}})
        assert by_id.process_definition_key == definition_key and by_id.version == 1
        by_key = await h.stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(processDefinitionKey=definition_key)
        )
        assert by_key.bpmnProcessId == "one-task" and by_key.processInstanceKey != by_id.process_instance_key
        by_version = await h.stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=1)
        )
        assert by_version.version == 1 and by_version.tenantId == "<default>"
        [job] = await activate(h, "work", max_jobs=1)
        assert json.loads(job.variables) == {"order": {"id": 7}}

    run(scenario)


def test_bad_creation_requests_get_zeebe_statuses() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn", "message-start.bpmn")
        create = h.stub.CreateProcessInstance
        await failure(
            create(pb.CreateProcessInstanceRequest(bpmnProcessId="nope", version=-1)),
            NOT_FOUND,
            "Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with process ID 'nope', but none found",
        )
        await failure(
            create(pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=9)),
            NOT_FOUND,
            "and version '9'",
        )
        await failure(
            create(pb.CreateProcessInstanceRequest(processDefinitionKey=42)), NOT_FOUND, "with key '42'"
        )
        await failure(
            create(pb.CreateProcessInstanceRequest(bpmnProcessId="message-start", version=-1)),
            grpc.StatusCode.FAILED_PRECONDITION,
            "there is no such event",
        )
        await failure(
            create(pb.CreateProcessInstanceRequest()),
            INVALID_ARGUMENT,
            "neither 'processDefinitionKey' nor 'bpmnProcessId'",
        )
        await failure(
            create(pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1, variables="[1]")),
            INVALID_ARGUMENT,
            "root level object",
        )
        await failure(
            create(pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1, tenantId="x" * 32)),
            INVALID_ARGUMENT,
            "tenant identifier",
        )
        instruction = pb.ProcessInstanceCreationStartInstruction(elementId="nope")
        await failure(
            create(
                pb.CreateProcessInstanceRequest(
                    bpmnProcessId="one-task", version=-1, startInstructions=[instruction]
                )
            ),
            INVALID_ARGUMENT,
            "Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to create instance of process with "
            "start instructions but no element found with id 'nope'.",
        )
        try:
            await h.client.run_process("nope")
        except ProcessDefinitionNotFoundError:
            pass
        else:
            raise AssertionError("pyzeebe should have raised ProcessDefinitionNotFoundError")
        assert await activate(h, "work") == []  # none of the refused requests started anything

    run(scenario)


def test_start_instructions_start_the_instance_before_the_task_and_a_worker_finishes_it() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        worker = ZeebeWorker(h.channel, name="doubler")

        @worker.task(task_type="work")
        async def work(x: int) -> dict[str, object]:
            return {"y": x * 2}

        before_work = [pb.ProcessInstanceCreationStartInstruction(elementId="work")]
        request = pb.CreateProcessInstanceRequest(
            bpmnProcessId="one-task", version=-1, variables='{"x": 21}', startInstructions=before_work
        )
        waiting = h.stub.CreateProcessInstanceWithResult(
            pb.CreateProcessInstanceWithResultRequest(request=request, requestTimeout=10_000)
        )
        result = await while_working(worker, waiting)
        assert json.loads(result.variables) == {"x": 21, "y": 42}
        key = result.processInstanceKey
        activated = await events(h, key, ValueType.PROCESS_INSTANCE, "ELEMENT_ACTIVATING")
        assert [r.value["elementId"] for r in activated] == ["one-task", "work", "end"]  # not "start"
        [created] = await events(h, key, ValueType.PROCESS_INSTANCE_CREATION, "CREATED")
        assert created.value["startInstructions"] == [{"elementId": "work"}]
        flow = pb.ProcessInstanceCreationStartInstruction(elementId="f1")
        message = await failure(
            h.stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(
                    bpmnProcessId="one-task", version=-1, startInstructions=[flow]
                )
            ),
            INVALID_ARGUMENT,
            "Expected to create instance of process with start instructions but the element with id 'f1' "
            "targets unsupported element type 'SEQUENCE_FLOW'. Supported element types are: [PROCESS, ",
        )
        assert message.startswith("Command 'CREATE' rejected with code 'INVALID_ARGUMENT': ")

    run(scenario)


def test_with_result_filters_variables_and_times_out_as_zeebe() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        request = pb.CreateProcessInstanceRequest(
            bpmnProcessId="one-task", version=-1, variables='{"a": 1, "b": 2}'
        )
        waiting = asyncio.ensure_future(
            h.stub.CreateProcessInstanceWithResult(
                pb.CreateProcessInstanceWithResultRequest(
                    request=request, requestTimeout=10_000, fetchVariables=["b", "c"]
                )
            )
        )
        [job] = await activate(h, "work", request_timeout=5_000)
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"c": 3, "d": 4}'))
        result = await asyncio.wait_for(waiting, 5)
        assert json.loads(result.variables) == {"b": 2, "c": 3}
        assert result.processInstanceKey == job.processInstanceKey and result.bpmnProcessId == "one-task"
        slow = pb.CreateProcessInstanceWithResultRequest(request=request, requestTimeout=200)
        message = await failure(
            h.stub.CreateProcessInstanceWithResult(slow), grpc.StatusCode.DEADLINE_EXCEEDED, "within 200 ms"
        )
        assert "still running" in message
        [still] = await activate(h, "work")  # the instance goes on after the time-out
        cancelled = asyncio.ensure_future(
            h.stub.CreateProcessInstanceWithResult(
                pb.CreateProcessInstanceWithResultRequest(request=request, requestTimeout=10_000)
            )
        )
        [job] = await activate(h, "work", request_timeout=5_000)
        await h.stub.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=job.processInstanceKey)
        )
        await failure(cancelled, grpc.StatusCode.FAILED_PRECONDITION, "was terminated")
        assert still.key != job.key

    run(scenario)


def test_cancel_terminates_the_instance_and_unknown_keys_are_not_found() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        await h.client.cancel_process_instance(key)
        terminated = await events(h, key, ValueType.PROCESS_INSTANCE, "ELEMENT_TERMINATED")
        assert key in [r.key for r in terminated]
        assert await activate(h, "work") == []
        again = pb.CancelProcessInstanceRequest(processInstanceKey=key)
        await failure(
            h.stub.CancelProcessInstance(again),
            NOT_FOUND,
            f"Command 'CANCEL' rejected with code 'NOT_FOUND': Expected to cancel a process instance with key '{key}'",
        )

    run(scenario)


def test_set_variables_locally_or_propagating() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task", {"a": 1})
        [job] = await activate(h, "work")
        local = await h.stub.SetVariables(
            pb.SetVariablesRequest(
                elementInstanceKey=job.elementInstanceKey, variables='{"mine": true}', local=True
            )
        )
        shared = await h.stub.SetVariables(
            pb.SetVariablesRequest(elementInstanceKey=job.elementInstanceKey, variables='{"a": 2}')
        )
        assert local.key > 0 and shared.key > local.key
        created = {
            r.value["name"]: r.value["scopeKey"] for r in await events(h, key, ValueType.VARIABLE, "CREATED")
        }
        assert created == {"a": key, "mine": job.elementInstanceKey}
        [updated] = await events(h, key, ValueType.VARIABLE, "UPDATED")
        assert (updated.value["name"], updated.value["value"], updated.value["scopeKey"]) == ("a", "2", key)
        unknown = pb.SetVariablesRequest(elementInstanceKey=99, variables="{}")
        await failure(
            h.stub.SetVariables(unknown), NOT_FOUND, "Expected to update variables for element with key '99'"
        )
        bad = pb.SetVariablesRequest(elementInstanceKey=key, variables="[]")
        await failure(h.stub.SetVariables(bad), INVALID_ARGUMENT, "root level object")

    run(scenario)


def test_messages_correlate_buffer_with_ttl_and_refuse_a_duplicate_id() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "charge-and-wait.bpmn", "message-start.bpmn")
        buffered = await h.client.publish_message(
            "paid", "o-2", {"amount": 5}, time_to_live_in_milliseconds=60_000, message_id="m-1"
        )
        assert buffered.key > 0
        await failure(
            h.stub.PublishMessage(
                pb.PublishMessageRequest(
                    name="paid", correlationKey="o-2", timeToLive=60_000, messageId="m-1"
                )
            ),
            grpc.StatusCode.ALREADY_EXISTS,
            "Expected to publish a new message with id 'm-1', but a message with that id was already published",
        )
        key = await start(h, "charge-and-wait", {"orderId": "o-2"})
        [job] = await activate(h, "charge")
        await h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        completed = await events(h, key, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")
        assert key in [r.key for r in completed]  # the buffered message completed it
        started = await h.stub.PublishMessage(
            pb.PublishMessageRequest(name="order-placed", correlationKey="c", variables='{"n": 1}')
        )
        assert started.tenantId == "<default>" and started.key > buffered.key
        await failure(
            h.stub.PublishMessage(pb.PublishMessageRequest(name="", correlationKey="c")),
            INVALID_ARGUMENT,
            "with a name",
        )
        await failure(
            h.stub.PublishMessage(pb.PublishMessageRequest(name="x", variables="1")),
            INVALID_ARGUMENT,
            "'NUMBER'",
        )

    run(scenario)


def test_a_broadcast_signal_reaches_the_waiting_instance() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "wait-for-signal.bpmn")
        key = await start(h, "wait-for-signal")
        response = await h.client.broadcast_signal("go", {"why": "test"})
        assert response.key > 0 and response.tenant_id == "<default>"
        completed = await events(h, key, ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED")
        assert key in [r.key for r in completed]
        variables = await events(h, key, ValueType.VARIABLE, "CREATED")
        assert [(v.value["name"], v.value["value"]) for v in variables] == [("why", '"test"')]
        bad = pb.BroadcastSignalRequest(signalName="go", variables="{")
        await failure(h.stub.BroadcastSignal(bad), INVALID_ARGUMENT, "not valid JSON")

    run(scenario)
