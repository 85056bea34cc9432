"""Error events: job errors and error end events caught by boundary events and event sub-processes, walking
outward through scopes; an exact code beats a catch-all; uncaught errors raise incidents."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver

LIFE = ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]


def test_an_exact_error_code_is_caught_by_the_task_boundary_and_only_mapped_variables_survive(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "error-boundary.bpmn")
    instance = engine.create("error-boundary").value["processInstanceKey"]
    [job] = engine.activate("pay")
    thrown = engine.throw_error(job["key"], "DECLINED", "card refused", {"reason": "card"})
    assert str(thrown.intent) == "ERROR_THROWN"
    trace = engine.trace(instance)
    at = trace.index(("pay", "ELEMENT_TERMINATING"))
    assert trace[at:] == [
        ("pay", "ELEMENT_TERMINATING"),
        ("pay", "ELEMENT_TERMINATED"),
        *[("declined", intent) for intent in LIFE],
        ("s3", "SEQUENCE_FLOW_TAKEN"),
        *[("declinedEnd", intent) for intent in LIFE],
        ("sub", "ELEMENT_COMPLETING"),
        ("sub", "ELEMENT_COMPLETED"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        *[("end", intent) for intent in LIFE],
        ("error-boundary", "ELEMENT_COMPLETING"),
        ("error-boundary", "ELEMENT_COMPLETED"),
    ]
    root = {r.value["name"] for r in engine.events(ValueType.VARIABLE) if r.value["scopeKey"] == instance}
    assert root == {"declineReason"}
    assert engine.events(ValueType.INCIDENT) == []


def test_another_code_walks_out_to_the_catch_all_boundary_of_the_sub_process(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "error-boundary.bpmn")
    instance = engine.create("error-boundary").value["processInstanceKey"]
    [job] = engine.activate("pay")
    engine.throw_error(job["key"], "TIMEOUT")
    trace = engine.trace(instance)
    terminated = [element for element, intent in trace if intent == "ELEMENT_TERMINATED"]
    assert terminated == ["pay", "sub"]
    assert trace[trace.index(("sub", "ELEMENT_TERMINATED")) + 1] == ("failed", "ELEMENT_ACTIVATING")
    assert ("failedEnd", "ELEMENT_COMPLETED") in trace and not engine.is_active(instance)
    assert [str(r.intent) for r in engine.events(ValueType.JOB)] == ["CREATED", "ERROR_THROWN", "CANCELED"]


def test_an_error_event_sub_process_interrupts_its_scope(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "error-subprocess.bpmn")
    instance = engine.create("error-subprocess").value["processInstanceKey"]
    [job] = engine.activate("work")
    engine.throw_error(job["key"], "BOOM", variables={"detail": 1})
    trace = engine.trace(instance)
    at = trace.index(("work", "ELEMENT_TERMINATED"))
    assert trace[at + 1 : at + 7] == [
        ("onError", "ELEMENT_ACTIVATING"),
        ("onError", "ELEMENT_ACTIVATED"),
        *[("errorStart", intent) for intent in LIFE],
    ]
    assert engine.is_active(instance)
    assert engine.complete_all("handle") == 1
    assert trace[-1] != ("error-subprocess", "ELEMENT_COMPLETED")
    assert engine.trace(instance)[-1] == ("error-subprocess", "ELEMENT_COMPLETED")


def test_an_uncaught_job_error_is_an_incident(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "error-subprocess.bpmn")
    instance = engine.create("error-subprocess").value["processInstanceKey"]
    [job] = engine.activate("work")
    engine.throw_error(job["key"], "OTHER", "no handler")
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "UNHANDLED_ERROR_EVENT"
    assert incident.value["errorMessage"].startswith(
        "Expected to throw an error event with the code 'OTHER' with message 'no handler', but it was not caught."
    )


def test_an_error_end_event_is_caught_by_its_sub_process_boundary_or_raises_an_incident(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "error-end.bpmn")
    caught = engine.create("error-end", {"code": "BOOM"}).value["processInstanceKey"]
    trace = engine.trace(caught)
    assert [e for e, i in trace if i == "ELEMENT_TERMINATED"] == ["throwEnd", "sub"]
    assert ("caughtEnd", "ELEMENT_COMPLETED") in trace and not engine.is_active(caught)
    uncaught = engine.create("error-end", {"code": "NOPE"}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=uncaught)
    assert (
        incident.value["errorType"] == "UNHANDLED_ERROR_EVENT" and incident.value["elementId"] == "throwEnd"
    )
    assert engine.trace(uncaught)[-1] == ("throwEnd", "ELEMENT_ACTIVATING")
