"""Script tasks (zeebe:script or job-based) and business rule tasks (zeebe:calledDecision or job-based)."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES
from variables_log import scope_variables

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def test_script_results_are_element_results_and_a_job_based_script_task_waits_for_a_worker(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "script.bpmn")
    instance = engine.create("script", {"a": 2, "b": 3}).value["processInstanceKey"]
    [job] = engine.activate("groovy")
    # "twice" stayed a local of the task with output mappings; only the mapped value propagated.
    assert json.loads(job["variables"]) == {"a": 2, "b": 3, "total": 5, "result": {"value": 11}}
    engine.complete(job["key"])
    assert not engine.is_active(instance)
    steps = [i for e, i in engine.trace(instance) if e == "sum"]
    assert steps == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]


def test_a_business_rule_task_evaluates_the_latest_decision_and_records_the_audit(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "decision.bpmn", FIXTURES / "discount.dmn")
    instance = engine.create("decision", {"decisionId": "discount", "tier": "gold"}).value[
        "processInstanceKey"
    ]
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["discount"] == 0.2
    [evaluation] = engine.events(ValueType.DECISION_EVALUATION)
    assert evaluation.intent == "EVALUATED"
    assert evaluation.value["decisionId"] == "discount"
    assert evaluation.value["decisionOutput"] == "0.2"
    assert evaluation.value["decisionRequirementsId"] == "discounts"
    [decision] = engine.events(ValueType.DECISION)[:1]
    assert evaluation.value["decisionKey"] == decision.key and evaluation.value["decisionVersion"] == 1
    [audit] = evaluation.value["evaluatedDecisions"]
    assert audit["decisionType"] == "DECISION_TABLE" and audit["decisionKey"] == decision.key
    assert audit["evaluatedInputs"] == [{"inputId": "in-tier", "inputName": "Tier", "inputValue": '"gold"'}]
    assert audit["matchedRules"] == [
        {
            "ruleId": "gold",
            "ruleIndex": 1,
            "evaluatedOutputs": [{"outputId": "out-rate", "outputName": "rate", "outputValue": "0.2"}],
        }
    ]


def test_a_missing_decision_is_a_called_decision_incident(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "decision.bpmn", FIXTURES / "discount.dmn")
    instance = engine.create("decision", {"decisionId": "nope"}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "CALLED_DECISION_ERROR"
    assert incident.value["errorMessage"] == (
        "Expected to evaluate decision 'nope', but no decision found for id 'nope'"
    )
    update = {"scopeKey": instance, "variables": '{"decisionId": "discount", "tier": "silver"}'}
    engine.submit(ValueType.VARIABLE_DOCUMENT, "UPDATE", update)
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["discount"] == 0.1


def test_a_failing_decision_is_a_decision_evaluation_incident(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "decision.bpmn", FIXTURES / "discount.dmn")
    instance = engine.create("decision", {"decisionId": "broken", "tier": "gold"}).value["processInstanceKey"]
    [failed] = engine.events(ValueType.DECISION_EVALUATION)
    assert failed.intent == "FAILED" and failed.value["failedDecisionId"] == "broken"
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "DECISION_EVALUATION_ERROR"
    assert incident.value["errorMessage"] == (
        "Expected to evaluate decision 'broken', but failed to evaluate expression 'tier + 1': "
        "cannot apply '+' to string and number"
    )
    assert engine.is_active(instance)


def test_a_job_based_business_rule_task_is_a_job(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "decision-job.bpmn")
    instance = engine.create("decision-job").value["processInstanceKey"]
    assert engine.complete_all("rules", {"discount": 0}) == 1
    assert not engine.is_active(instance)


def test_a_decision_bound_to_its_deployment_ignores_newer_versions(engine: EngineDriver) -> None:
    bound = (
        (FIXTURES / "decision.bpmn")
        .read_text()
        .replace('resultVariable="discount"', 'resultVariable="discount" bindingType="deployment"')
    )
    dmn = (FIXTURES / "discount.dmn").read_text()
    engine.deploy(resources={"decision.bpmn": bound, "discount.dmn": dmn})
    engine.deploy(resources={"discount.dmn": dmn.replace("<text>0.2</text>", "<text>0.5</text>")})
    instance = engine.create("decision", {"decisionId": "discount", "tier": "gold"}).value[
        "processInstanceKey"
    ]
    assert scope_variables(engine, instance)["discount"] == 0.2
    [evaluation] = engine.events(ValueType.DECISION_EVALUATION)
    assert evaluation.value["decisionVersion"] == 1


def test_elements_cadenza_cannot_run_are_still_rejected_at_deployment(engine: EngineDriver) -> None:
    by_tag = (
        (FIXTURES / "decision.bpmn")
        .read_text()
        .replace(
            'resultVariable="discount"', 'resultVariable="discount" bindingType="versionTag" versionTag="v1"'
        )
    )
    refused = engine.deploy(resources={"decision.bpmn": by_tag})
    assert refused.rejection_type == "INVALID_ARGUMENT"
    assert "element 'decide'" in refused.rejection_reason
    assert "cannot bind a called decision by versionTag" in refused.rejection_reason
    ad_hoc = (
        (FIXTURES / "decision-job.bpmn")
        .read_text()
        .replace(
            '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements><zeebe:taskDefinition type="rules" />'
            "</bpmn:extensionElements>",
            '<bpmn:adHocSubProcess id="decide"><bpmn:extensionElements><zeebe:taskDefinition type="rules" />'
            '</bpmn:extensionElements><bpmn:task id="inner" />',
        )
        .replace("</bpmn:businessRuleTask>", "</bpmn:adHocSubProcess>")
    )
    refused = engine.deploy(resources={"ad-hoc.bpmn": ad_hoc})
    assert refused.rejection_type == "INVALID_ARGUMENT"
    assert "element 'decide'" in refused.rejection_reason
    assert "job worker implementation of an ad-hoc sub-process" in refused.rejection_reason
