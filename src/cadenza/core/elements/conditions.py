"""Conditional event subscriptions of element instances: opened and closed with the other subscriptions
(:mod:`cadenza.core.elements.subscriptions`), and told about every variable write.

Nothing is evaluated here. Opening queues an ``EVALUATE`` of the new subscription, and a variable write in
an instance that has subscriptions queues an ``EVALUATE`` of that change: the follow-up runs once the current
step is done (the element activated, the whole variable document written), so a condition sees a settled
instance and an event never fires from inside the variable writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadenza.bpmn.model import BoundaryEvent, ConditionalDefinition, Event, FlowNode, StartEvent
from cadenza.core.intents import ConditionalSubscriptionIntent as Intent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["close_conditions", "condition_holds", "notify_variable", "open_conditional"]

_SUB = ValueType.CONDITIONAL_SUBSCRIPTION


def condition_holds(catch: FlowNode, variables: Mapping[str, Any]) -> bool:
    """Only a boolean true satisfies a condition: null (a variable not set yet) and any other non-boolean
    count as false, without an incident, because a condition is expected to be unsatisfiable for a while."""
    definition = getattr(catch, "definition", None)
    assert isinstance(definition, ConditionalDefinition)
    return definition.condition.evaluate(variables) is True


def open_conditional(
    writer: Writer, key: int, value: dict[str, Any], catch: FlowNode, _view: Mapping[str, Any]
) -> None:
    """Subscribes ``catch`` for the element instance ``key`` and queues its first evaluation."""
    assert isinstance(catch, Event)
    interrupting = catch.interrupting if isinstance(catch, BoundaryEvent | StartEvent) else True
    subscription = {
        "elementInstanceKey": key,
        "processInstanceKey": value["processInstanceKey"],
        "processDefinitionKey": value["processDefinitionKey"],
        "bpmnProcessId": value["bpmnProcessId"],
        "elementId": catch.id,
        "interrupting": interrupting,
        "satisfied": False,
        "tenantId": value["tenantId"],
    }
    sub_key = writer.next_key()
    writer.event(_SUB, Intent.CREATED, sub_key, subscription, value["tenantId"])
    writer.follow_up(_SUB, Intent.EVALUATE, sub_key, {"subscriptionKey": sub_key})


def close_conditions(writer: Writer, key: int, targets: frozenset[str] | None = None) -> None:
    conditions = writer.state.conditions
    for sub_key in conditions.of_element(key):
        sub = conditions.get(sub_key)
        if sub is not None and (targets is None or sub["elementId"] in targets):
            writer.event(_SUB, Intent.DELETED, sub_key, sub, sub["tenantId"])


def notify_variable(writer: Writer, scope_key: int, name: str, intent: str, instance: dict[str, Any]) -> None:
    """A variable was created or updated: queues an evaluation if a conditional event waits in the
    instance (one dict lookup otherwise, since every variable write passes here)."""
    instance_key = instance["processInstanceKey"]
    if not writer.state.conditions.has_instance(instance_key):
        return
    change = {
        "processInstanceKey": instance_key,
        "scopeKey": scope_key,
        "variableName": name,
        # Camunda 7's names in ``camunda:variableEvents``: create, update (delete: variables never go away).
        "variableEvent": "create" if intent == "CREATED" else "update",
    }
    writer.follow_up(_SUB, Intent.EVALUATE, -1, change)
