"""Conditional events (Cadenza addition; rules in ``core/ARCHITECTURE.md``, conditional events).

``CONDITIONAL_SUBSCRIPTION EVALUATE`` is internal: queued when a subscription opens (key: the subscription)
and when a variable changes in an instance with subscriptions (key -1: the change in the value). A
subscription fires when its condition goes from false to true; it remembers the last result in
``satisfied`` (TRIGGERED / RESET events), so a non-interrupting event fires once per transition, however
many variables of one document are written.

``CONDITIONAL_EVALUATION EVALUATE`` comes from a client: it evaluates the conditional start events of the
latest process versions over the given variables and starts one instance per start event that holds.
"""

from __future__ import annotations

from typing import Any

from cadenza.core.elements.conditions import condition_holds
from cadenza.core.elements.triggers import trigger_event
from cadenza.core.intents import (
    ConditionalEvaluationIntent,
    ConditionalSubscriptionIntent,
    ProcessInstanceIntent,
)
from cadenza.core.processors.instances import parse_document
from cadenza.core.processors.start_events import start_instance
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer
from cadenza.feel.json_values import loads

__all__ = ["evaluate_start_conditions", "evaluate_subscriptions"]

_SUB = ValueType.CONDITIONAL_SUBSCRIPTION
_ACTIVATED = str(ProcessInstanceIntent.ELEMENT_ACTIVATED)


def evaluate_subscriptions(writer: Writer, command: Record) -> None:
    conditions = writer.state.conditions
    if command.key > 0:
        if writer.unsettled():
            # Evaluated once the batch's other work is done: the activation of the scope's start event and
            # the tokens on their way, so an event whose condition already holds fires in a settled scope
            # (Camunda 7 evaluates it once the activity or scope has started).
            writer.follow_ups.append(command)
        else:
            _evaluate(writer, command.key)
        return
    change = command.value
    instance_key = change.get("processInstanceKey")
    if not isinstance(instance_key, int):
        return
    for sub_key in conditions.of_instance(instance_key):
        sub = conditions.get(sub_key)
        if sub is not None and _interested(writer, sub, change):
            _evaluate(writer, sub_key)


def _interested(writer: Writer, sub: dict[str, Any], change: dict[str, Any]) -> bool:
    """The change is visible from the subscription's scope and passes its variable filters."""
    definition = getattr(_catch(writer, sub), "definition", None)
    names = getattr(definition, "variable_names", ())
    events = getattr(definition, "variable_events", ())
    if names and change.get("variableName") not in names:
        return False
    if events and change.get("variableEvent") not in events:
        return False
    return change.get("scopeKey") in writer.state.variables.scope_chain(sub["elementInstanceKey"])


def _catch(writer: Writer, sub: dict[str, Any]) -> Any:
    model = writer.state.processes.model(sub["processDefinitionKey"])
    return model.elements[sub["elementId"]]


def _evaluate(writer: Writer, sub_key: int) -> None:
    sub = writer.state.conditions.get(sub_key)
    if sub is None:
        return  # closed by an earlier step of this batch
    owner_key = sub["elementInstanceKey"]
    owner = writer.state.elements.get(owner_key)
    if owner is None or owner["s"] != _ACTIVATED:
        return  # an activation that stopped at an incident re-opens its subscriptions when resolved
    catch = _catch(writer, sub)
    holds = condition_holds(catch, writer.state.variables.view(owner_key))
    if holds == sub["satisfied"]:
        return
    intent = ConditionalSubscriptionIntent.TRIGGERED if holds else ConditionalSubscriptionIntent.RESET
    writer.event(_SUB, intent, sub_key, {**sub, "satisfied": holds}, sub["tenantId"])
    if holds:
        trigger_event(writer, owner_key, sub["elementId"], {})


def evaluate_start_conditions(writer: Writer, command: Record) -> None:
    value = command.value
    tenant = str(value.get("tenantId") or command.tenant)
    document = parse_document(value.get("variables"))
    if isinstance(document, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, document)
        return
    candidates = _start_subscriptions(writer, tenant, value)
    if isinstance(candidates, str):
        writer.reject(command, RejectionType.NOT_FOUND, candidates)
        return
    context = {name: loads(text) for name, text in document.items()}
    started = []
    for sub in candidates:
        if condition_holds(_catch(writer, sub), context):
            started.append({**_start_fields(sub), "processInstanceKey": writer.next_key()})
    result = {
        "variables": value.get("variables") or "{}",
        "bpmnProcessId": str(value.get("bpmnProcessId") or ""),
        "processDefinitionKey": int(value.get("processDefinitionKey") or -1),
        "startedProcessInstances": started,
        "tenantId": tenant,
    }
    intent = ConditionalEvaluationIntent.EVALUATED
    writer.respond(writer.event(ValueType.CONDITIONAL_EVALUATION, intent, writer.next_key(), result, tenant))
    for item in started:
        key = item["processInstanceKey"]
        start_instance(writer, item["processDefinitionKey"], item["startEventId"], document, key)


def _start_fields(sub: dict[str, Any]) -> dict[str, Any]:
    return {
        "bpmnProcessId": sub["bpmnProcessId"],
        "processDefinitionKey": sub["processDefinitionKey"],
        "startEventId": sub["elementId"],
    }


def _start_subscriptions(writer: Writer, tenant: str, value: dict[str, Any]) -> list[dict[str, Any]] | str:
    """The tenant's conditional start events, narrowed to one process when the command names it."""
    conditions = writer.state.conditions
    rows = [row for key in conditions.start_events(tenant) if (row := conditions.get(key)) is not None]
    process_id = str(value.get("bpmnProcessId") or "")
    definition_key = int(value.get("processDefinitionKey") or -1)
    if process_id:
        rows = [row for row in rows if row["bpmnProcessId"] == process_id]
    if definition_key > 0:
        rows = [row for row in rows if row["processDefinitionKey"] == definition_key]
    if (process_id or definition_key > 0) and not rows:
        named = process_id or str(definition_key)
        return f"Expected to evaluate the conditional start events of process '{named}', but it has none"
    return rows
