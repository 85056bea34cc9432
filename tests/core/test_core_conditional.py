"""Conditional events (a Cadenza addition): intermediate catch, boundary, event sub-process and process start."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver


def _subscriptions(engine: EngineDriver) -> list[tuple[str, str, bool]]:
    return [
        (str(r.intent), r.value["elementId"], r.value["satisfied"])
        for r in engine.events(ValueType.CONDITIONAL_SUBSCRIPTION)
    ]


def test_a_catch_event_whose_condition_already_holds_completes_at_once(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-catch.bpmn")
    instance = engine.create("cond-catch", {"ready": True}).value["processInstanceKey"]
    assert ("done", "ELEMENT_COMPLETED") in engine.trace(instance)
    assert not engine.is_active(instance)
    assert _subscriptions(engine) == [
        ("CREATED", "waitReady", False),
        ("TRIGGERED", "waitReady", True),
        ("DELETED", "waitReady", True),
    ]


def test_a_catch_event_waits_until_set_variables_makes_its_condition_true(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-catch.bpmn")
    instance = engine.create("cond-catch", {"ready": False}).value["processInstanceKey"]
    engine.set_variables(instance, {"other": 1})
    assert engine.is_active(instance)
    assert engine.trace(instance)[-1] == ("waitReady", "ELEMENT_ACTIVATED")
    response = engine.set_variables(instance, {"ready": True})
    assert str(response.intent) == "UPDATED"
    trace = engine.trace(instance)
    assert trace[trace.index(("waitReady", "ELEMENT_ACTIVATED")) + 1] == ("waitReady", "ELEMENT_COMPLETING")
    assert not engine.is_active(instance)
    assert engine.engine.state.conditions.of_instance(instance) == []


def test_a_conditional_catch_after_an_event_based_gateway_wins_the_race(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-catch.bpmn")
    instance = engine.create("cond-gateway").value["processInstanceKey"]
    assert [str(r.intent) for r in engine.events(ValueType.TIMER)] == ["CREATED"]
    engine.set_variables(instance, {"decision": "no"})
    assert engine.is_active(instance)
    engine.set_variables(instance, {"decision": "yes"})
    trace = engine.trace(instance)
    assert ("yes", "ELEMENT_COMPLETED") in trace and ("timeout", "ELEMENT_ACTIVATING") not in trace
    assert [str(r.intent) for r in engine.events(ValueType.TIMER)] == ["CREATED", "CANCELED"]
    assert not engine.is_active(instance)


def test_an_interrupting_boundary_fires_when_set_variables_makes_it_true(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-boundary").value["processInstanceKey"]
    assert [name for _, name, _ in _subscriptions(engine)] == ["cancel", "big"]
    engine.set_variables(instance, {"cancelled": True})
    trace = engine.trace(instance)
    assert trace[trace.index(("work", "ELEMENT_TERMINATED")) + 1] == ("cancel", "ELEMENT_ACTIVATING")
    assert ("aborted", "ELEMENT_COMPLETED") in trace and ("done", "ELEMENT_ACTIVATING") not in trace
    assert not engine.is_active(instance)
    assert [str(r.intent) for r in engine.events(ValueType.JOB)] == ["CREATED", "CANCELED"]


def test_a_non_interrupting_boundary_fires_on_each_false_to_true_transition(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-boundary", {"amount": 500}).value["processInstanceKey"]
    # True when the activity is entered: it fires once, at once.
    assert engine.trace(instance).count(("noticed", "ELEMENT_COMPLETED")) == 1
    engine.set_variables(instance, {"amount": 600})  # still true: no transition, no firing
    assert engine.trace(instance).count(("noticed", "ELEMENT_COMPLETED")) == 1
    engine.set_variables(instance, {"amount": 5})
    engine.set_variables(instance, {"amount": 700, "note": "x"})  # false -> true once, for two variables
    assert engine.trace(instance).count(("noticed", "ELEMENT_COMPLETED")) == 2
    intents = [(i, s) for i, name, s in _subscriptions(engine) if name == "big"]
    assert intents == [("CREATED", False), ("TRIGGERED", True), ("RESET", False), ("TRIGGERED", True)]
    assert ("work", "ELEMENT_TERMINATED") not in engine.trace(instance)
    assert engine.complete_all("work") == 1
    assert not engine.is_active(instance)


def test_a_job_completion_variables_trigger_the_boundary_of_its_scope(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-scope", {"level": 1}).value["processInstanceKey"]
    engine.complete_all("inner", {"level": 3})
    trace = engine.trace(instance)
    assert trace[trace.index(("sub", "ELEMENT_TERMINATED")) + 1] == ("escalate", "ELEMENT_ACTIVATING")
    assert ("escalated", "ELEMENT_COMPLETED") in trace and ("finished", "ELEMENT_ACTIVATING") not in trace
    assert [r.value["value"] for r in engine.events(ValueType.VARIABLE)] == ["1", "3"]


def test_a_job_completion_variables_trigger_the_boundary_of_the_task_itself(engine: EngineDriver) -> None:
    # The result is written before the task completes (as Camunda 7 sets variables before completing), so
    # the interrupting boundary wins over the completion.
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-boundary").value["processInstanceKey"]
    engine.complete_all("work", {"cancelled": True})
    trace = engine.trace(instance)
    assert ("aborted", "ELEMENT_COMPLETED") in trace and ("done", "ELEMENT_ACTIVATING") not in trace
    assert ("work", "ELEMENT_TERMINATED") in trace


def test_a_variable_name_filter_keeps_other_variables_from_triggering(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-filtered").value["processInstanceKey"]
    engine.set_variables(instance, {"total": 500})
    assert engine.is_active(instance)
    assert ("expensive", "ELEMENT_ACTIVATING") not in engine.trace(instance)
    engine.set_variables(instance, {"price": 1})  # the filtered name: now the condition is evaluated
    assert ("tooExpensive", "ELEMENT_COMPLETED") in engine.trace(instance)
    assert not engine.is_active(instance)


def test_a_variable_event_filter_reacts_to_creations_of_any_variable_only(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-filtered", {"note": None}).value["processInstanceKey"]
    engine.set_variables(instance, {"note": "updated"})  # an update, not a creation: filtered out
    assert ("noted", "ELEMENT_ACTIVATING") not in engine.trace(instance)
    # The filter is on the kind of change, as in Camunda 7: creating any variable re-evaluates the condition.
    engine.set_variables(instance, {"unrelated": 1})
    assert ("noteSeen", "ELEMENT_COMPLETED") in engine.trace(instance)
    assert engine.is_active(instance)


def test_a_variable_in_a_sibling_scope_is_not_visible_to_a_boundary(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-boundary.bpmn")
    instance = engine.create("cond-scope").value["processInstanceKey"]
    inner = next(r.key for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["elementId"] == "inner")
    engine.set_variables(inner, {"level": 5}, local=True)  # local to the inner task: the sub cannot see it
    assert ("escalate", "ELEMENT_ACTIVATING") not in engine.trace(instance)
    engine.set_variables(instance, {"level": 5})  # the root's variable, which the sub sees
    assert ("escalated", "ELEMENT_COMPLETED") in engine.trace(instance)


def test_event_subprocesses_non_interrupting_and_interrupting(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-subprocess.bpmn")
    instance = engine.create("cond-esp", {"amount": 1}).value["processInstanceKey"]
    engine.set_variables(instance, {"amount": 150})
    trace = engine.trace(instance)
    assert ("audit", "ELEMENT_COMPLETED") in trace and ("work", "ELEMENT_TERMINATED") not in trace
    assert engine.is_active(instance)
    engine.set_variables(instance, {"abort": True})
    trace = engine.trace(instance)
    assert trace[trace.index(("work", "ELEMENT_TERMINATED")) + 1] == ("abort", "ELEMENT_ACTIVATING")
    assert ("aborted", "ELEMENT_COMPLETED") in trace and ("done", "ELEMENT_ACTIVATING") not in trace
    assert not engine.is_active(instance)
    assert engine.engine.state.conditions.of_instance(instance) == []


def test_a_non_interrupting_event_subprocess_starts_again_on_each_transition(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-subprocess.bpmn")
    instance = engine.create("cond-esp", {"amount": 500}).value["processInstanceKey"]
    for amount in (600, 1, 700, 2, 3, 800):
        engine.set_variables(instance, {"amount": amount})
    assert engine.trace(instance).count(("audit", "ELEMENT_COMPLETED")) == 3
    assert engine.complete_all("esp-work") == 1
    assert not engine.is_active(instance)


def test_an_interrupting_event_subprocess_drops_the_token_an_output_mapping_sent_on(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "conditional-subprocess.bpmn")
    instance = engine.create("cond-esp-mapped").value["processInstanceKey"]
    engine.complete_all("check", {"stop": True})  # the output mapping writes abort as check completes
    trace = engine.trace(instance)
    # check took m2 before the condition was evaluated; the interrupt drops that token (the one rule for
    # every interrupting event sub-process): next never runs beside the event sub-process.
    assert trace[trace.index(("m2", "SEQUENCE_FLOW_TAKEN")) + 1] == ("abort2", "ELEMENT_ACTIVATING")
    assert [step for step in trace if step[0] in {"next", "e1"}] == []
    assert ("aborted2", "ELEMENT_COMPLETED") in trace
    assert [str(r.intent) for r in engine.events(ValueType.JOB)] == ["CREATED", "COMPLETED"]
    assert not engine.is_active(instance)


def test_an_event_subprocess_whose_condition_holds_at_creation_starts_at_once(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-subprocess.bpmn")
    instance = engine.create("cond-esp", {"abort": True}).value["processInstanceKey"]
    assert ("aborted", "ELEMENT_COMPLETED") in engine.trace(instance)
    assert not engine.is_active(instance)
    assert [str(r.intent) for r in engine.events(ValueType.JOB)] == ["CREATED", "CANCELED"]


def test_conditional_start_events_start_each_latest_process_whose_condition_holds(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "conditional-start.bpmn")
    small = engine.evaluate_conditions({"amount": 50})
    assert small.record_type is RecordType.EVENT and str(small.intent) == "EVALUATED"
    started = small.value["startedProcessInstances"]
    assert [(s["bpmnProcessId"], s["startEventId"]) for s in started] == [("cond-start-any", "anyOrder")]
    assert not engine.is_active(started[0]["processInstanceKey"])
    big = engine.evaluate_conditions({"amount": 500})
    keys = {s["bpmnProcessId"]: s["processInstanceKey"] for s in big.value["startedProcessInstances"]}
    assert sorted(keys) == ["cond-start-any", "cond-start-big"]
    assert engine.variables(keys["cond-start-big"]) == {"amount": 500}
    assert engine.trace(keys["cond-start-big"])[-1] == ("review", "ELEMENT_ACTIVATED")
    only = engine.evaluate_conditions({"amount": 500}, "cond-start-big").value["startedProcessInstances"]
    assert [s["bpmnProcessId"] for s in only] == ["cond-start-big"]
    assert engine.evaluate_conditions({}).value["startedProcessInstances"] == []


def test_conditional_start_uses_only_the_latest_version_and_rejects_bad_input(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-start.bpmn")
    text = (FIXTURES / "conditional-start.bpmn").read_text().replace("amount &gt; 100", "amount &gt; 1000")
    engine.deploy(resources={"conditional-start.bpmn": text})
    started = engine.evaluate_conditions({"amount": 500}).value["startedProcessInstances"]
    assert [s["bpmnProcessId"] for s in started] == ["cond-start-any"]
    versions = engine.engine.state.processes
    latest = versions.latest_process("<default>", "cond-start-any")
    assert latest is not None and started[0]["processDefinitionKey"] == latest["processDefinitionKey"]
    missing = engine.evaluate_conditions({"amount": 1}, "nope")
    assert missing.rejection_type == "NOT_FOUND" and "'nope'" in missing.rejection_reason
    bad = engine.submit(ValueType.CONDITIONAL_EVALUATION, "EVALUATE", {"variables": "[1]"})
    assert bad.rejection_type == "INVALID_ARGUMENT"


def test_a_non_boolean_condition_counts_as_false(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "conditional-catch.bpmn")
    instance = engine.create("cond-catch", {"ready": "yes"}).value["processInstanceKey"]
    assert engine.is_active(instance)
    assert engine.events(ValueType.INCIDENT) == []
    engine.set_variables(instance, {"ready": True})
    assert not engine.is_active(instance)
