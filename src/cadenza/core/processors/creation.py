"""PROCESS_INSTANCE_CREATION CREATE: a new process instance, at its none start event or before the elements
its start instructions name (``start_instructions``)."""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import FlowNode, Process
from cadenza.core.elements.behaviors import run_activation
from cadenza.core.elements.business_key import business_key
from cadenza.core.elements.variables import set_local
from cadenza.core.intents import ProcessInstanceCreationIntent, ProcessInstanceIntent
from cadenza.core.processors.instances import Rejected, parse_document
from cadenza.core.processors.start_instructions import check_subscriptions, start_before, start_elements
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["create_instance"]

_PI = ValueType.PROCESS_INSTANCE


def create_instance(writer: Writer, command: Record) -> None:
    value = command.value
    tenant = value.get("tenantId") or command.tenant
    process = _find_process(writer, tenant, value)
    if isinstance(process, str):
        writer.reject(command, RejectionType.NOT_FOUND, process)
        return
    model = writer.state.processes.model(process["processDefinitionKey"])
    try:
        starts, variables, business = _checked(model, value)
    except Rejected as rejected:
        writer.reject(command, RejectionType(rejected.args[0]), rejected.args[1])
        return
    key = writer.next_key()
    instance = _instance_value(process, key, value, tenant, business)
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING, key, instance, tenant)
    for name, text in variables.items():
        set_local(writer, key, name, text, instance)
    if starts:
        start_before(writer, key, model, starts)
    created = {
        "bpmnProcessId": instance["bpmnProcessId"],
        "version": instance["version"],
        "processDefinitionKey": instance["processDefinitionKey"],
        "processInstanceKey": key,
        "variables": "{}",
        "tenantId": tenant,
    }
    if business:
        created["businessKey"] = business
    if starts:
        created["startInstructions"] = [{"elementId": element.id} for element in starts]
    event = writer.event(
        ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATED, key, created
    )
    writer.respond(event)
    if not starts:
        run_activation(writer, key)


def _checked(model: Process, value: dict[str, Any]) -> tuple[list[FlowNode], dict[str, str], str]:
    """The start instructions' elements, the variables and the business key of a valid command; raises
    :class:`Rejected` before anything is written, in Zeebe's order of checks."""
    starts = start_elements(model, value)
    if model.none_start_event is None and not starts:
        reason = "Expected to create instance of process with none start event, but there is no such event"
        raise Rejected("INVALID_STATE", reason)
    variables = parse_document(value.get("variables"))
    if isinstance(variables, str):
        raise Rejected("INVALID_ARGUMENT", variables)
    try:
        business = business_key(model, value, variables)
    except ValueError as error:
        raise Rejected("INVALID_ARGUMENT", str(error)) from None
    if starts:
        check_subscriptions(model, starts, variables)
    return starts, variables, business


def _instance_value(
    process: dict[str, Any], key: int, command: dict[str, Any], tenant: str, business: str
) -> dict[str, Any]:
    """The PROCESS element's record value; only it carries the business key."""
    instance = {
        "bpmnProcessId": process["bpmnProcessId"],
        "version": process["version"],
        "processDefinitionKey": process["processDefinitionKey"],
        "processInstanceKey": key,
        "elementId": process["bpmnProcessId"],
        "bpmnElementType": "PROCESS",
        "bpmnEventType": "UNSPECIFIED",
        "flowScopeKey": -1,
        "parentProcessInstanceKey": command.get("parentProcessInstanceKey", -1),
        "parentElementInstanceKey": command.get("parentElementInstanceKey", -1),
        "tenantId": tenant,
    }
    if business:
        instance["businessKey"] = business
    return instance


def _find_process(writer: Writer, tenant: str, value: dict[str, Any]) -> dict[str, Any] | str:
    processes = writer.state.processes
    definition_key = int(value.get("processDefinitionKey") or -1)
    process_id = str(value.get("bpmnProcessId") or "")
    raw_version = value.get("version")
    version = -1 if raw_version is None else int(raw_version)
    if definition_key > 0:
        row = processes.process(definition_key)
        if row is None or row["tenantId"] != tenant:
            return f"Expected to find process definition with key '{definition_key}', but none found"
        return row
    row = processes.latest_process(tenant, process_id) if version < 0 else None
    if version >= 0:
        row = processes.process_version(tenant, process_id, version)
    if row is None:
        suffix = "" if version < 0 else f" and version '{version}'"
        return f"Expected to find process definition with process ID '{process_id}'{suffix}, but none found"
    return row
