"""Messages: publish, TTL buffering, messageId de-duplication, expiry, correlation to catch events, receive
tasks and boundary events, and message start events."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver


def _intents(engine: EngineDriver, value_type: ValueType) -> list[str]:
    return [str(r.intent) for r in engine.events(value_type)]


def test_a_message_correlates_to_the_waiting_catch_event_then_the_receive_task(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "message-catch.bpmn")
    instance = engine.create("message-catch", {"orderId": "o-1"}).value["processInstanceKey"]
    [sub] = engine.events(ValueType.PROCESS_MESSAGE_SUBSCRIPTION)
    assert sub.value["messageName"] == "paid" and sub.value["correlationKey"] == "o-1"
    assert engine.publish("paid", "o-2").record_type is RecordType.EVENT  # another key: nothing happens
    published = engine.publish("paid", "o-1", {"amount": 12.5})
    assert str(published.intent) == "PUBLISHED"
    tail = [(str(r.value_type), str(r.intent)) for r in engine.log if r.position > published.position][:6]
    assert tail == [
        ("MESSAGE_SUBSCRIPTION", "CORRELATED"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATED"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "DELETED"),
        ("MESSAGE_SUBSCRIPTION", "DELETED"),
        ("VARIABLE", "CREATED"),
        ("MESSAGE", "EXPIRED"),
    ]
    assert engine.variables(instance)["amount"] == 12.5
    assert ("receive", "ELEMENT_ACTIVATED") in engine.trace(instance)
    engine.publish("ping", "o-1")
    assert not engine.is_active(instance)
    assert engine.engine.state.messages.expired(engine.now + 10**9) == []


def test_a_buffered_message_correlates_when_the_subscription_opens_and_expires_after_its_ttl(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "message-catch.bpmn")
    engine.publish("paid", "o-1", {"early": True}, ttl=60_000, message_id="m-1")
    again = engine.publish("paid", "o-1", ttl=60_000, message_id="m-1")
    assert again.rejection_type == "ALREADY_EXISTS"
    assert again.rejection_reason == (
        "Expected to publish a new message with id 'm-1', but a message with that id was already published"
    )
    engine.publish("ping", "o-1", ttl=1_000)
    instance = engine.create("message-catch", {"orderId": "o-1"}).value["processInstanceKey"]
    created = {
        (r.value["name"], r.value["scopeKey"]) for r in engine.events(ValueType.VARIABLE, instance=instance)
    }
    assert created == {("orderId", instance), ("early", instance)}
    assert not engine.is_active(instance)  # both the catch event and the receive task took a buffered message
    # The buffered message correlates once per process: a second instance waits.
    second = engine.create("message-catch", {"orderId": "o-1"}).value["processInstanceKey"]
    assert engine.is_active(second)
    expired = engine.advance(60_000)
    assert [str(r.intent) for r in expired] == ["EXPIRED", "EXPIRED"]
    assert engine.publish("paid", "o-1", ttl=60_000, message_id="m-1").record_type is RecordType.EVENT
    assert ("receive", "ELEMENT_ACTIVATED") in engine.trace(second)


def test_a_bad_correlation_key_is_an_incident(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "message-catch.bpmn")
    instance = engine.create("message-catch", {"orderId": [1]}).value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "must be either a string or a number" in incident.value["errorMessage"]


def test_message_boundary_events_interrupt_or_run_beside_the_task(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "message-boundary.bpmn")
    instance = engine.create("message-boundary", {"orderId": 7}).value["processInstanceKey"]
    keys = {r.value["correlationKey"] for r in engine.events(ValueType.PROCESS_MESSAGE_SUBSCRIPTION)}
    assert keys == {"7"}  # numbers become integer strings
    engine.publish("note", "7", {"note": "a"})
    engine.publish("note", "7", {"note": "b"})
    trace = engine.trace(instance)
    assert [i for e, i in trace if e == "noteEnd"].count("ELEMENT_COMPLETED") == 2
    assert engine.variables(instance)["note"] == "b"
    engine.publish("cancel", "7")
    trace = engine.trace(instance)
    assert trace[trace.index(("work", "ELEMENT_TERMINATED")) + 1] == ("canceled", "ELEMENT_ACTIVATING")
    assert not engine.is_active(instance)
    assert engine.activate("work") == []
    assert engine.engine.state.messages.subscriptions("<default>", "note", "7") == []


def test_a_message_start_event_starts_one_instance_per_correlation_key_at_a_time(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "message-start.bpmn")
    assert _intents(engine, ValueType.MESSAGE_START_EVENT_SUBSCRIPTION) == ["CREATED"]
    engine.publish("order placed", "c-1", {"item": "book"})
    [job] = engine.activate("work")
    assert '"item":"book"' in job["variables"]
    engine.publish("order placed", "c-1")  # the instance started with c-1 is still active
    engine.publish("order placed", "")  # an empty key always starts one
    roots = [r for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["bpmnElementType"] == "PROCESS"]
    assert len({r.key for r in roots}) == 2
    engine.complete(job["key"])
    engine.publish("order placed", "c-1")
    roots = [r for r in engine.events(ValueType.PROCESS_INSTANCE) if r.value["bpmnElementType"] == "PROCESS"]
    assert len({r.key for r in roots}) == 3


def test_a_buffered_message_starts_the_next_instance_when_the_one_with_its_key_ends(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "message-start.bpmn")
    engine.publish("order placed", "c-1", {"n": 1})
    engine.publish("order placed", "c-1", {"n": 2}, ttl=60_000)  # buffered: c-1 is busy
    [first] = engine.activate("work")
    assert engine.activate("work") == []
    engine.complete(first["key"])
    [second] = engine.activate("work")
    assert '"n":2' in second["variables"]
    engine.complete(second["key"])
    assert engine.activate("work") == []  # the buffered message started one instance only
    assert engine.engine.state.messages.started_with("<default>", "message-start", "c-1") is None


def test_a_new_version_replaces_the_message_start_subscription(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "message-start.bpmn")
    text = (
        (FIXTURES / "message-start.bpmn")
        .read_text()
        .replace('id="end"', 'id="end2"')
        .replace('"end"', '"end2"')
    )
    engine.deploy(resources={"message-start.bpmn": text})
    [deleted, created] = engine.events(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION)[-2:]
    assert (str(deleted.intent), str(created.intent)) == ("DELETED", "CREATED")
    assert created.value["processDefinitionKey"] != deleted.value["processDefinitionKey"]
    engine.publish("order placed", "k")
    [job] = engine.activate("work")
    assert job["processDefinitionKey"] == created.value["processDefinitionKey"]
