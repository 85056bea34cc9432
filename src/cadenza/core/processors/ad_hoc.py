"""AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE: activates more elements of an active ad-hoc sub-process, each in
an inner instance of its own with the given variables as its locals (Zeebe 8.8's "activate ad-hoc
sub-process activities", with its rejection texts). This is how a later decision adds work to a running
sub-process; the ``activeElementsCollection`` is only read when the sub-process is entered."""

from __future__ import annotations

import json
from typing import Any

from cadenza.bpmn.model import AdHocSubProcess
from cadenza.core.elements.ad_hoc import activatable, activate_inner
from cadenza.core.elements.flow import model_of
from cadenza.core.intents import AdHocSubProcessInstructionIntent, ProcessInstanceIntent
from cadenza.core.processors.instances import parse_document
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["activate"]

_EXPECTED = "Expected to activate activities for ad-hoc sub-process"


def activate(writer: Writer, command: Record) -> None:
    value = command.value
    raw_key = value.get("adHocSubProcessInstanceKey")
    key = int(raw_key) if isinstance(raw_key, int | str) and str(raw_key).isdigit() else -1
    row = writer.state.elements.get(key)
    if (
        row is None
        or row["v"]["bpmnElementType"] != "AD_HOC_SUB_PROCESS"
        or row["v"]["tenantId"] != command.tenant
    ):
        reason = f"{_EXPECTED} but no ad-hoc sub-process instance found with key '{raw_key}'."
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    if row["s"] != ProcessInstanceIntent.ELEMENT_ACTIVATED:
        writer.reject(
            command, RejectionType.INVALID_STATE, f"{_EXPECTED} with key '{key}', but it is not active."
        )
        return
    model = model_of(writer, row["v"])
    element = model.elements[row["v"]["elementId"]]
    assert isinstance(element, AdHocSubProcess)
    plan = _plan(value.get("activateElements"), key)
    if isinstance(plan, tuple):
        writer.reject(command, plan[0], plan[1])
        return
    nodes = activatable(element, model)
    missing = [element_id for element_id, _ in plan if element_id not in nodes]
    if missing:
        listed = "[" + ", ".join(missing) + "]"
        reason = f"{_EXPECTED} with key '{key}', but the given elements {listed} do not exist."
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    for element_id, variables in plan:
        activate_inner(writer, key, row["v"], nodes[element_id], variables)
    event_key = command.key if command.key > 0 else writer.next_key()
    event = writer.event(
        ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION,
        AdHocSubProcessInstructionIntent.ACTIVATED,
        event_key,
        {**value, "adHocSubProcessInstanceKey": str(key), "tenantId": command.tenant},
        command.tenant,
    )
    writer.respond(event)


def _plan(raw: Any, key: int) -> list[tuple[str, dict[str, str]]] | tuple[RejectionType, str]:
    """``(element id, variables as JSON texts)`` per instruction, or the rejection."""
    if not isinstance(raw, list) or not raw:
        return RejectionType.INVALID_ARGUMENT, f"{_EXPECTED} with key '{key}', but no elements were given."
    plan: list[tuple[str, dict[str, str]]] = []
    for item in raw:
        element_id = item.get("elementId") if isinstance(item, dict) else None
        if not isinstance(element_id, str) or not element_id:
            return (
                RejectionType.INVALID_ARGUMENT,
                f"{_EXPECTED} with key '{key}', but an element has no elementId.",
            )
        variables = item.get("variables") or {}
        document = parse_document(variables if isinstance(variables, str) else json.dumps(variables))
        if isinstance(document, str):
            return (
                RejectionType.INVALID_ARGUMENT,
                f"{_EXPECTED} with key '{key}': variables of '{element_id}': {document}",
            )
        plan.append((element_id, document))
    if len({element_id for element_id, _ in plan}) != len(plan):
        return (
            RejectionType.INVALID_ARGUMENT,
            f"{_EXPECTED} with key '{key}', but duplicate activities were given.",
        )
    return plan
