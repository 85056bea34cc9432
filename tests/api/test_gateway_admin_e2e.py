"""The administrative RPCs end to end on the engine: EvaluateDecision, DeleteResource,
ModifyProcessInstance and MigrateProcessInstance. The gateway's own checks of these RPCs are tested in
test_gateway_admin.py.
"""

from __future__ import annotations

import json

import grpc
from gateway_support import FIXTURES, Harness, activate, deploy, failure, run, start
from pyzeebe.proto import gateway_pb2 as pb


def test_evaluate_decision_by_id_and_by_key() -> None:
    async def scenario(h: Harness) -> None:
        deployed = await deploy(h, "discount.dmn")
        [decision_key] = [d.decision.decisionKey for d in deployed.deployments if d.HasField("decision")]
        by_id = await h.stub.EvaluateDecision(
            pb.EvaluateDecisionRequest(decisionId="discount", variables='{"customer": "gold"}')
        )
        assert (by_id.decisionId, by_id.decisionKey, by_id.decisionVersion) == ("discount", decision_key, 1)
        assert json.loads(by_id.decisionOutput) == 20 and by_id.failureMessage == ""
        assert by_id.decisionRequirementsId == "discount-drg" and by_id.decisionInstanceKey > 0
        [evaluated] = by_id.evaluatedDecisions
        assert evaluated.decisionId == "discount" and evaluated.decisionType == "DECISION_TABLE"
        assert [json.loads(i.inputValue) for i in evaluated.evaluatedInputs] == ["gold"]
        [rule] = evaluated.matchedRules
        assert (rule.ruleId, rule.ruleIndex) == ("r-gold", 1)
        assert [json.loads(o.outputValue) for o in rule.evaluatedOutputs] == [20]
        by_key = await h.stub.EvaluateDecision(
            pb.EvaluateDecisionRequest(decisionKey=decision_key, variables='{"customer": "tin"}')
        )
        assert json.loads(by_key.decisionOutput) == 0
        unknown = pb.EvaluateDecisionRequest(decisionId="nope")
        await failure(
            h.stub.EvaluateDecision(unknown), grpc.StatusCode.NOT_FOUND, "Command 'EVALUATE' rejected"
        )

    run(scenario)


def test_delete_resource_removes_a_process_definition() -> None:
    async def scenario(h: Harness) -> None:
        deployed = await deploy(h, "one-task.bpmn")
        definition_key = deployed.deployments[0].process.processDefinitionKey
        await h.stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=definition_key))
        create = pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
        await failure(
            h.stub.CreateProcessInstance(create), grpc.StatusCode.NOT_FOUND, "process ID 'one-task'"
        )
        again = pb.DeleteResourceRequest(resourceKey=definition_key)
        await failure(h.stub.DeleteResource(again), grpc.StatusCode.NOT_FOUND, "Command 'DELETE' rejected")

    run(scenario)


def test_modify_terminates_and_activates_elements() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        [job] = await activate(h, "work")
        instruction = pb.ModifyProcessInstanceRequest.ActivateInstruction(
            elementId="work",
            variableInstructions=[
                pb.ModifyProcessInstanceRequest.VariableInstruction(variables='{"again": true}')
            ],
        )
        await h.stub.ModifyProcessInstance(
            pb.ModifyProcessInstanceRequest(
                processInstanceKey=key,
                activateInstructions=[instruction],
                terminateInstructions=[
                    pb.ModifyProcessInstanceRequest.TerminateInstruction(
                        elementInstanceKey=job.elementInstanceKey
                    )
                ],
            )
        )
        [fresh] = await activate(h, "work")
        assert fresh.key != job.key and json.loads(fresh.variables)["again"] is True
        await failure(
            h.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key)),
            grpc.StatusCode.NOT_FOUND,
            "no such job",
        )
        unknown = pb.ModifyProcessInstanceRequest(processInstanceKey=123)
        await failure(
            h.stub.ModifyProcessInstance(unknown), grpc.StatusCode.NOT_FOUND, "Command 'MODIFY' rejected"
        )

    run(scenario)


def test_migrate_moves_an_instance_to_another_version() -> None:
    async def scenario(h: Harness) -> None:
        await deploy(h, "one-task.bpmn")
        key = await start(h, "one-task")
        changed = (FIXTURES / "one-task.bpmn").read_bytes().replace(b'value="calm"', b'value="brisk"')
        second = await h.stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="one-task.bpmn", content=changed)])
        )
        target = second.deployments[0].process.processDefinitionKey
        mapping = pb.MigrateProcessInstanceRequest.MappingInstruction(
            sourceElementId="work", targetElementId="work"
        )
        plan = pb.MigrateProcessInstanceRequest.MigrationPlan(
            targetProcessDefinitionKey=target, mappingInstructions=[mapping]
        )
        await h.stub.MigrateProcessInstance(
            pb.MigrateProcessInstanceRequest(processInstanceKey=key, migrationPlan=plan)
        )
        [job] = await activate(h, "work")
        assert job.processInstanceKey == key and job.processDefinitionKey == target
        assert job.processDefinitionVersion == 2
        unknown = pb.MigrateProcessInstanceRequest(processInstanceKey=123, migrationPlan=plan)
        await failure(
            h.stub.MigrateProcessInstance(unknown), grpc.StatusCode.NOT_FOUND, "Command 'MIGRATE' rejected"
        )

    run(scenario)
