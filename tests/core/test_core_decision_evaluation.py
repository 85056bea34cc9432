"""EvaluateDecision (DECISION_EVALUATION EVALUATE) and the decisions a deployment creates."""

from __future__ import annotations

import json
from typing import Any

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import Record, ValueType
from cadenza.core.state import EngineState
from cadenza.core.testing import EngineDriver

PRICING = (FIXTURES / "pricing.dmn").read_text()


def _evaluate(engine: EngineDriver, variables: dict[str, Any] | str, **value: Any) -> Record:
    text = variables if isinstance(variables, str) else json.dumps(variables)
    command = {"decisionKey": -1, "decisionId": "", "variables": text, "tenantId": "", **value}
    return engine.submit(ValueType.DECISION_EVALUATION, "EVALUATE", command)


def test_a_deployed_drg_creates_a_decision_record_per_decision_with_its_own_key_and_version(
    engine: EngineDriver,
) -> None:
    deployed = engine.deploy(FIXTURES / "pricing.dmn")
    assert written_by_last(engine) == [
        ("DEPLOYMENT", "CREATE"),
        ("DECISION_REQUIREMENTS", "CREATED"),
        ("DECISION", "CREATED"),
        ("DECISION", "CREATED"),
        ("DEPLOYMENT", "CREATED"),
    ]
    drg = engine.events(ValueType.DECISION_REQUIREMENTS)[0]
    rate, price = engine.events(ValueType.DECISION)
    assert (rate.value["decisionId"], price.value["decisionId"]) == ("rate", "price")
    assert rate.value["decisionKey"] == rate.key and rate.value["version"] == 1
    assert rate.value["decisionRequirementsKey"] == drg.key and rate.value["deploymentKey"] == deployed.key
    metadata = deployed.value["decisionsMetadata"]
    assert [(m["decisionId"], m["decisionKey"], m["duplicate"]) for m in metadata] == [
        ("rate", rate.key, False),
        ("price", price.key, False),
    ]
    # A DRG that changed gives every decision in it a new version and key; an unchanged one, none.
    engine.deploy(resources={"pricing.dmn": PRICING})
    assert engine.events(ValueType.DECISION)[2:] == []
    engine.deploy(resources={"pricing.dmn": PRICING.replace("<text>0.2</text>", "<text>0.3</text>")})
    newer = engine.events(ValueType.DECISION)[2:]
    assert [(d.value["decisionId"], d.value["version"]) for d in newer] == [("rate", 2), ("price", 2)]


def test_evaluating_by_id_answers_with_the_output_and_the_audit_of_every_decision(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "pricing.dmn")
    rate, price = engine.events(ValueType.DECISION)
    answer = _evaluate(engine, {"tier": "gold", "base": 100}, decisionId="price")
    assert written_by_last(engine) == [
        ("DECISION_EVALUATION", "EVALUATE"),
        ("DECISION_EVALUATION", "EVALUATED"),
    ]
    value = answer.value
    assert answer.intent == "EVALUATED" and answer.key > 0
    assert {k: value[k] for k in ("decisionKey", "decisionId", "decisionName", "decisionVersion")} == {
        "decisionKey": price.key,
        "decisionId": "price",
        "decisionName": "price",
        "decisionVersion": 1,
    }
    assert value["decisionOutput"] == "80" and value["decisionRequirementsId"] == "pricing"
    assert value["failedDecisionId"] == "" and value["evaluationFailureMessage"] == ""
    assert value["processInstanceKey"] == -1 and value["elementInstanceKey"] == -1
    first, second = value["evaluatedDecisions"]
    assert first == {
        "decisionKey": rate.key,
        "decisionId": "rate",
        "decisionName": "rate",
        "decisionVersion": 1,
        "decisionType": "DECISION_TABLE",
        "decisionOutput": "0.2",
        "evaluatedInputs": [{"inputId": "in-tier", "inputName": "Tier", "inputValue": '"gold"'}],
        "matchedRules": [
            {
                "ruleId": "gold",
                "ruleIndex": 1,
                "evaluatedOutputs": [{"outputId": "out-rate", "outputName": "rate", "outputValue": "0.2"}],
            }
        ],
        "tenantId": "<default>",
    }
    assert second["decisionType"] == "LITERAL_EXPRESSION" and second["decisionOutput"] == "80"
    assert second["evaluatedInputs"] == [] and second["matchedRules"] == []


def test_evaluating_by_id_takes_the_latest_version_and_by_key_the_given_one(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "pricing.dmn")
    first_rate = engine.events(ValueType.DECISION)[0]
    engine.deploy(resources={"pricing.dmn": PRICING.replace("<text>0.2</text>", "<text>0.5</text>")})
    latest = _evaluate(engine, {"tier": "gold"}, decisionId="rate")
    assert latest.value["decisionVersion"] == 2 and latest.value["decisionOutput"] == "0.5"
    pinned = _evaluate(engine, {"tier": "gold"}, decisionKey=first_rate.key)
    assert pinned.value["decisionVersion"] == 1 and pinned.value["decisionOutput"] == "0.2"
    assert pinned.value["decisionKey"] == first_rate.key


def test_a_failed_evaluation_is_a_failed_event_not_a_rejection(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "pricing.dmn")
    answer = _evaluate(engine, {"tier": "gold", "base": "much"}, decisionId="price")
    assert written_by_last(engine) == [
        ("DECISION_EVALUATION", "EVALUATE"),
        ("DECISION_EVALUATION", "FAILED"),
    ]
    assert answer.value["failedDecisionId"] == "price" and answer.value["decisionOutput"] == "null"
    assert answer.value["evaluationFailureMessage"] == (
        "Expected to evaluate decision 'price', but failed to evaluate expression 'base * (1 - rate)': "
        "cannot apply '*' to string and number"
    )
    assert [d["decisionId"] for d in answer.value["evaluatedDecisions"]] == ["rate", "price"]


def test_unknown_or_missing_decisions_and_bad_variables_are_rejected(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "pricing.dmn")
    missing_id = _evaluate(engine, {}, decisionId="nope")
    assert missing_id.rejection_type == "NOT_FOUND"
    assert (
        missing_id.rejection_reason
        == "Expected to evaluate decision 'nope', but no decision found for id 'nope'"
    )
    missing_key = _evaluate(engine, {}, decisionKey=123)
    assert missing_key.rejection_type == "NOT_FOUND"
    assert (
        missing_key.rejection_reason
        == "Expected to evaluate decision '123', but no decision found for key '123'"
    )
    neither = _evaluate(engine, {})
    assert neither.rejection_type == "INVALID_ARGUMENT"
    assert (
        neither.rejection_reason == "Expected either a decision id or a valid decision key, but none provided"
    )
    not_object = _evaluate(engine, "[1]", decisionId="rate")
    assert not_object.rejection_type == "INVALID_ARGUMENT"
    assert "root level object" in not_object.rejection_reason
    not_a_key = _evaluate(engine, {}, decisionKey="12")
    assert not_a_key.rejection_reason == "Expected 'decisionKey' to be an integer, but was \"12\""
    other_tenant = _evaluate(engine, {}, decisionId="rate", tenantId="acme")
    assert other_tenant.rejection_type == "NOT_FOUND"
    assert engine.events(ValueType.DECISION_EVALUATION) == []


def test_a_restarted_engine_finds_the_decisions_of_a_drg_again(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "pricing.dmn")
    drg = engine.events(ValueType.DECISION_REQUIREMENTS)[0]
    restarted = EngineState()
    restarted.restore(engine.engine.state.snapshot())
    decisions = restarted.processes.decisions_of_drg(drg.key)
    assert [d["decisionId"] for d in decisions] == ["rate", "price"]
    assert decisions == engine.engine.state.processes.decisions_of_drg(drg.key)
