"""PROCESS_INSTANCE_MODIFICATION MODIFY: Zeebe's ModifyProcessInstance.

Activate instructions start elements anywhere in the instance: missing flow scopes (sub-processes) are
created with their event subscriptions but without their start events, variable instructions set locals
on the scopes on the way and on the element, and the element itself activates as a follow-up, with its
input mappings. Terminate instructions end element instances with what they own; a flow scope left with
nothing active terminates too, up to the process instance (``modification_plan``). The MODIFIED event
answers, carrying the flow scope keys each activation used (``ancestorScopeKeys``).
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import FlowNode
from cadenza.core.elements.flow import child_value, terminate
from cadenza.core.elements.subscriptions import open_subscriptions
from cadenza.core.elements.variables import set_local
from cadenza.core.intents import ProcessInstanceIntent, ProcessInstanceModificationIntent
from cadenza.core.processors.instances import Rejected, named_instance
from cadenza.core.processors.modification_plan import (
    Activation,
    ModificationPlan,
    plan_modification,
)
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["activate_planned", "modify"]

_PI = ValueType.PROCESS_INSTANCE


def modify(writer: Writer, command: Record) -> None:
    value = command.value
    row = named_instance(writer, command, "modify")
    if row is None:
        return
    key = int(row["k"])
    try:
        plan = plan_modification(writer.state, row["v"], value)
    except Rejected as rejected:
        writer.reject(command, RejectionType(rejected.args[0]), rejected.args[1])
        return
    activated = activate_planned(writer, plan)
    for chain in plan.terminations:
        for element_key in chain:  # inner first, so each scope is left empty before it is ended
            terminate(writer, element_key)
    record = {
        "processInstanceKey": key,
        "activateInstructions": activated,
        "terminateInstructions": [
            {"elementInstanceKey": int(i.get("elementInstanceKey", -1))}
            for i in value.get("terminateInstructions") or []
        ],
        "tenantId": row["v"]["tenantId"],
    }
    intent = ProcessInstanceModificationIntent.MODIFIED
    writer.respond(
        writer.event(ValueType.PROCESS_INSTANCE_MODIFICATION, intent, key, record, record["tenantId"])
    )


def activate_planned(writer: Writer, plan: ModificationPlan) -> list[dict[str, Any]]:
    """Carries out the plan's activations (also a creation's start instructions); what each one used."""
    created: dict[int, int] = {}
    return [_activate(writer, plan, activation, created) for activation in plan.activations]


def _activate(
    writer: Writer, plan: ModificationPlan, activation: Activation, created: dict[int, int]
) -> dict[str, Any]:
    """Creates the missing flow scopes, sets the variables, and queues the element's activation."""
    scope_keys = []
    for planned in activation.path:
        if planned in created or planned > 0:
            key = created.get(planned, planned)
            _set_variables(writer, plan, activation, key, _scope_id(writer, plan, key))
        else:
            parent, node, _ = plan.created[planned]
            key = created[planned] = _create_scope(
                writer, plan, activation, created.get(parent, parent), node
            )
        scope_keys.append(key)
    scope = writer.state.elements.get(scope_keys[-1])
    assert scope is not None
    element_key = writer.next_key()
    _set_variables(writer, plan, activation, element_key, activation.element.id)
    element = child_value(scope["v"], scope_keys[-1], activation.element)
    writer.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, element_key, element)
    return {
        "elementId": activation.element.id,
        "ancestorElementInstanceKey": int(activation.instruction.get("ancestorElementInstanceKey", -1)),
        "variableInstructions": activation.instruction.get("variableInstructions") or [],
        "ancestorScopeKeys": scope_keys,
    }


def _scope_id(writer: Writer, plan: ModificationPlan, key: int) -> str:
    row = writer.state.elements.get(key)
    assert row is not None
    element_id: str = row["v"]["elementId"]
    return "" if element_id == plan.model.id else element_id


def _create_scope(
    writer: Writer, plan: ModificationPlan, activation: Activation, parent: int, scope: FlowNode
) -> int:
    """A flow scope activated by events, as Zeebe does: no input mappings, no start event, subscriptions."""
    parent_row = writer.state.elements.get(parent)
    assert parent_row is not None
    value = child_value(parent_row["v"], parent, scope)
    key = writer.next_key()
    tenant = value["tenantId"]
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING, key, value, tenant)
    _set_variables(writer, plan, activation, key, scope.id)
    if open_subscriptions(writer, key, value, scope, plan.model):
        writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, tenant)
    return key


def _set_variables(
    writer: Writer, plan: ModificationPlan, activation: Activation, key: int, scope_id: str
) -> None:
    for target, document in activation.variables:
        if target == scope_id:
            for name, text in document.items():
                set_local(writer, key, name, text, plan.instance)
