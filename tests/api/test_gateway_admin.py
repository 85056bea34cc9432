"""The gateway's own checks of EvaluateDecision, ModifyProcessInstance, MigrateProcessInstance and
DeleteResource (refused before anything reaches the engine), and how deployments of decisions and forms are
reported. The engine side of these RPCs is in test_gateway_admin_e2e.py."""

from __future__ import annotations

import grpc
from gateway_support import Harness, failure, run
from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway.convert import deployed

INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
Modify = pb.ModifyProcessInstanceRequest


def test_evaluate_decision_needs_exactly_one_of_key_and_id_and_an_object() -> None:
    async def scenario(h: Harness) -> None:
        evaluate = h.stub.EvaluateDecision
        await failure(evaluate(pb.EvaluateDecisionRequest()), INVALID_ARGUMENT, "exactly one of them")
        both = pb.EvaluateDecisionRequest(decisionKey=5, decisionId="d")
        await failure(evaluate(both), INVALID_ARGUMENT, "exactly one of them")
        bad = pb.EvaluateDecisionRequest(decisionId="d", variables="[]")
        await failure(evaluate(bad), INVALID_ARGUMENT, "root level object")
        foreign = pb.EvaluateDecisionRequest(decisionId="d", tenantId="no spaces allowed")
        await failure(evaluate(foreign), INVALID_ARGUMENT, "tenant identifier 'no spaces allowed'")

    run(scenario)


def test_modify_and_migrate_requests_with_missing_parts_are_refused() -> None:
    async def scenario(h: Harness) -> None:
        nameless = Modify(processInstanceKey=1, activateInstructions=[Modify.ActivateInstruction()])
        await failure(h.stub.ModifyProcessInstance(nameless), INVALID_ARGUMENT, "has no 'elementId'")
        variables = Modify.VariableInstruction(variables='"not an object"')
        bad = Modify(
            processInstanceKey=1,
            activateInstructions=[
                Modify.ActivateInstruction(elementId="a", variableInstructions=[variables])
            ],
        )
        await failure(h.stub.ModifyProcessInstance(bad), INVALID_ARGUMENT, "but was 'STRING'")
        planless = pb.MigrateProcessInstanceRequest(processInstanceKey=1)
        await failure(h.stub.MigrateProcessInstance(planless), INVALID_ARGUMENT, "no 'migrationPlan'")

    run(scenario)


def test_deployed_decisions_and_forms_are_listed_after_processes() -> None:
    value = {
        "processesMetadata": [
            {"bpmnProcessId": "p", "version": 2, "processDefinitionKey": 11, "resourceName": "p.bpmn"}
        ],
        "decisionsMetadata": [
            {
                "decisionId": "d",
                "decisionName": "D",
                "version": 1,
                "decisionKey": 12,
                "decisionRequirementsId": "drg",
                "decisionRequirementsKey": 13,
                "tenantId": "acme",
            }
        ],
        "decisionRequirementsMetadata": [
            {
                "decisionRequirementsId": "drg",
                "decisionRequirementsName": "DRG",
                "version": 1,
                "decisionRequirementsKey": 13,
                "resourceName": "d.dmn",
            }
        ],
        "formMetadata": [{"formId": "f", "version": 3, "formKey": 14, "resourceName": "f.form"}],
    }
    process, decision, drg, form = deployed(value)
    assert (process.process.bpmnProcessId, process.process.tenantId) == ("p", "<default>")
    assert (decision.decision.dmnDecisionId, decision.decision.decisionRequirementsKey) == ("d", 13)
    assert decision.decision.tenantId == "acme"
    assert (drg.decisionRequirements.dmnDecisionRequirementsName, drg.decisionRequirements.resourceName) == (
        "DRG",
        "d.dmn",
    )
    assert (form.form.formId, form.form.version, form.form.formKey) == ("f", 3, 14)
