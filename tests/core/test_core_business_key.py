"""Business keys (a Cadenza addition): from the process's cadenza:businessKey expression or the command."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def _process_records(engine: EngineDriver, instance: int) -> list[dict[str, object]]:
    return [r.value for r in engine.events(ValueType.PROCESS_INSTANCE, instance=instance)]


def test_the_business_key_expression_is_evaluated_over_the_creation_variables(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "business-key.bpmn")
    created = engine.create("business-key", {"order": {"id": 4711}})
    assert created.value["businessKey"] == "4711"
    instance = created.value["processInstanceKey"]
    records = _process_records(engine, instance)
    assert {r.get("businessKey") for r in records if r["bpmnElementType"] == "PROCESS"} == {"4711"}
    assert all("businessKey" not in r for r in records if r["bpmnElementType"] != "PROCESS")


def test_an_explicit_business_key_wins_and_a_bad_one_is_rejected(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "business-key.bpmn", FIXTURES / "three-tasks.bpmn")
    value = {"bpmnProcessId": "business-key", "variables": '{"order": {"id": 1}}', "businessKey": "ORD-9"}
    explicit = engine.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)
    assert explicit.value["businessKey"] == "ORD-9"
    wrong = engine.create("business-key", {"order": {"id": [1, 2]}})
    assert wrong.rejection_type == "INVALID_ARGUMENT"
    assert wrong.rejection_reason == (
        "Expected the business key expression 'order.id' to be a string or an integer, but was 'ARRAY'"
    )
    none = engine.create("three-tasks")
    assert "businessKey" not in none.value
