"""Multi-instance activities (ZEEBE-SEMANTICS §2): body and inner instances, loop variables, output
collections in input order, completion conditions, and a collection that is not an array."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES
from variables_log import scope_variables

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def _types(engine: EngineDriver, instance: int, element: str) -> list[tuple[str, str]]:
    return [
        (r.value["bpmnElementType"], str(r.intent))
        for r in engine.events(ValueType.PROCESS_INSTANCE, instance=instance)
        if r.value["elementId"] == element
    ]


def test_parallel_body_creates_every_inner_instance_and_collects_results_in_input_order(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-parallel.bpmn")
    instance = engine.create("mi-parallel", {"items": [1, 2, 3]}).value["processInstanceKey"]
    jobs = engine.activate("work")
    seen = [json.loads(job["variables"]) for job in jobs]
    assert [(v["item"], v["loopCounter"], v["doubled"], v["result"]) for v in seen] == [
        (1, 1, 2, None),
        (2, 2, 4, None),
        (3, 3, 6, None),
    ]
    for job in reversed(jobs):  # completion order must not change the output order
        engine.complete(job["key"], {"result": json.loads(job["variables"])["item"] * 10})
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance) == {"items": [1, 2, 3], "results": [10, 20, 30]}
    types = _types(engine, instance, "work")
    assert types[:2] == [
        ("MULTI_INSTANCE_BODY", "ELEMENT_ACTIVATING"),
        ("MULTI_INSTANCE_BODY", "ELEMENT_ACTIVATED"),
    ]
    assert types[-2:] == [
        ("MULTI_INSTANCE_BODY", "ELEMENT_COMPLETING"),
        ("MULTI_INSTANCE_BODY", "ELEMENT_COMPLETED"),
    ]
    assert types.count(("SERVICE_TASK", "ELEMENT_COMPLETED")) == 3
    [evaluated] = engine.events(ValueType.MULTI_INSTANCE, instance=instance)
    assert evaluated.value["inputCollection"] == ["1", "2", "3"]


def test_sequential_body_runs_one_inner_instance_at_a_time_over_the_collection_evaluated_once(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-sequential.bpmn")
    instance = engine.create("mi-sequential", {"items": ["a", "b"]}).value["processInstanceKey"]
    [first] = engine.activate("work")
    assert json.loads(first["variables"])["loopCounter"] == 1
    # Changing the collection mid-way does not change the iterations (Zeebe bug #31837, fixed in 8.8).
    engine.complete(first["key"], {"result": "A", "items": ["x", "y", "z"]})
    [second] = engine.activate("work")
    assert json.loads(second["variables"])["item"] == "b"
    assert json.loads(second["variables"])["loopCounter"] == 2
    engine.complete(second["key"], {"result": "B"})
    assert engine.activate("work") == []
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["results"] == ["A", "B"]


def test_an_empty_collection_completes_the_body_at_once_with_an_empty_output(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "mi-parallel.bpmn")
    instance = engine.create("mi-parallel", {"items": []}).value["processInstanceKey"]
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["results"] == []
    assert engine.events(ValueType.JOB, instance=instance) == []


def test_a_collection_that_is_not_an_array_is_an_incident_resolved_after_fixing_the_variable(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-parallel.bpmn")
    instance = engine.create("mi-parallel").value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert (
        incident.value["errorMessage"]
        == "Expected result of the expression 'items' to be 'ARRAY', but was 'NULL'."
    )
    update = {"scopeKey": instance, "variables": '{"items": [5]}'}
    engine.submit(ValueType.VARIABLE_DOCUMENT, "UPDATE", update)
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert engine.complete_all("work", {"result": 1}) == 1
    assert scope_variables(engine, instance)["results"] == [1]


def test_a_satisfied_completion_condition_terminates_the_remaining_inner_instances(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-parallel-condition.bpmn")
    instance = engine.create("mi-parallel-condition", {"items": [1, 2, 3]}).value["processInstanceKey"]
    jobs = engine.activate("work")
    engine.complete(jobs[2]["key"], {"result": "c"})
    assert engine.is_active(instance)
    engine.complete(jobs[0]["key"], {"result": "a"})  # 2 completed, 1 active, 3 instances: done
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["results"] == ["a", None, "c"]
    canceled = [r.key for r in engine.events(ValueType.JOB, instance=instance) if r.intent == "CANCELED"]
    assert canceled == [jobs[1]["key"]]
    types = _types(engine, instance, "work")
    assert types.count(("SERVICE_TASK", "ELEMENT_TERMINATED")) == 1
    assert types[-1] == ("MULTI_INSTANCE_BODY", "ELEMENT_COMPLETED")


def test_a_sequential_completion_condition_skips_the_remaining_items(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "mi-sequential-condition.bpmn")
    instance = engine.create("mi-sequential-condition", {"items": [1, 2, 3]}).value["processInstanceKey"]
    assert engine.complete_all("work", {"result": "go"}) == 1
    assert engine.complete_all("work", {"result": "stop"}) == 1
    assert engine.activate("work") == []
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["results"] == ["go", "stop", None]


def test_multi_instance_sub_process_maps_each_item_and_terminates_with_the_instance(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-subprocess.bpmn")
    orders = {"orders": [{"id": "o1"}, {"id": "o2"}]}
    done = engine.create("mi-subprocess", orders).value["processInstanceKey"]
    for job in engine.activate("ship"):
        engine.complete(job["key"])
    assert not engine.is_active(done)
    assert scope_variables(engine, done)["ids"] == [{"id": "o1", "n": 1}, {"id": "o2", "n": 2}]
    assert scope_variables(engine, done)["lastId"] in ("o1", "o2")
    canceled = engine.create("mi-subprocess", orders).value["processInstanceKey"]
    engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, canceled)
    assert not engine.is_active(canceled) and engine.activate("ship") == []
    terminated = [e for e, i in engine.trace(canceled) if i == "ELEMENT_TERMINATED"]
    assert terminated == ["ship", "each", "ship", "each", "each", "mi-subprocess"]
    assert "ids" not in scope_variables(engine, canceled)


def test_inner_instances_that_complete_at_once_still_fill_the_output_in_order(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "mi-script.bpmn")
    parallel = engine.create("mi-script", {"items": [1, 2, 3], "limit": 9}).value["processInstanceKey"]
    assert not engine.is_active(parallel)
    assert scope_variables(engine, parallel) == {"items": [1, 2, 3], "limit": 9, "out": [10, 20, 30]}
    sequential_text = (
        (FIXTURES / "mi-script.bpmn")
        .read_text()
        .replace(
            "<bpmn:multiInstanceLoopCharacteristics>",
            '<bpmn:multiInstanceLoopCharacteristics isSequential="true">',
        )
    )
    engine.deploy(resources={"mi-script.bpmn": sequential_text})
    stopped = engine.create("mi-script", {"items": [1, 2, 3], "limit": 2}).value["processInstanceKey"]
    assert not engine.is_active(stopped)
    assert scope_variables(engine, stopped)["out"] == [10, 20, None]


def test_a_completion_condition_that_is_not_boolean_is_an_incident_on_the_inner_instance(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "mi-script.bpmn")
    instance = engine.create("mi-script", {"items": [1]}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident.value["errorMessage"] == (
        "Expected result of the expression 'numberOfCompletedInstances >= limit' to be 'BOOLEAN', "
        "but was 'NULL'."
    )
    inner = engine.engine.state.elements.get(incident.value["elementInstanceKey"])
    assert inner is not None and inner["s"] == "ELEMENT_COMPLETING"
    engine.submit(ValueType.VARIABLE_DOCUMENT, "UPDATE", {"scopeKey": instance, "variables": '{"limit": 1}'})
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["out"] == [10]
    completing = [i for e, i in engine.trace(instance) if e == "times" and i == "ELEMENT_COMPLETING"]
    assert len(completing) == 2  # the inner instance's (once, despite the retry) and the body's
