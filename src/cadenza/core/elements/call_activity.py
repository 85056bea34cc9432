"""Call activities (ZEEBE-SEMANTICS §7.2-7.5): start a child instance, wait for it, take its result.

The child is an ordinary process instance whose PROCESS records name the call activity
(``parentElementInstanceKey``) and its instance (``parentProcessInstanceKey``); the call activity's row
remembers the child (``calledChild``, set by the activating applier), so terminating one terminates the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.bpmn.model import CallActivity, FlowNode, Process
from cadenza.bpmn.zeebe_ext import CalledElement
from cadenza.core.elements.flow import (
    AFTER_TERMINATED,
    COMPLETION_HOOK_TYPES,
    COMPLETION_HOOKS,
    TERMINATION_HOOKS,
    finish_termination,
    model_of,
    terminate,
)
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type, set_result
from cadenza.core.elements.variables import set_local
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["activate_call_activity"]

_PI = ValueType.PROCESS_INSTANCE
_I = ProcessInstanceIntent


def activate_call_activity(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _model: Process
) -> None:
    assert isinstance(element, CallActivity)
    called = element.called
    process = _called_process(writer, key, value, called)
    if process is None:
        return
    child_key = writer.next_key()
    child = {
        "bpmnProcessId": process["bpmnProcessId"],
        "version": process["version"],
        "processDefinitionKey": process["processDefinitionKey"],
        "processInstanceKey": child_key,
        "elementId": process["bpmnProcessId"],
        "bpmnElementType": "PROCESS",
        "bpmnEventType": "UNSPECIFIED",
        "flowScopeKey": -1,
        "parentProcessInstanceKey": value["processInstanceKey"],
        "parentElementInstanceKey": key,
        "tenantId": value["tenantId"],
    }
    root = writer.state.elements.get(value["processInstanceKey"]) or {"v": {}}
    if root["v"].get("businessKey"):  # a called child serves the same business transaction
        child["businessKey"] = root["v"]["businessKey"]
    writer.event(_PI, _I.ELEMENT_ACTIVATED, key, value, value["tenantId"])
    variables = writer.state.variables
    if called.propagate_all_parent_variables:
        texts = variables.visible_texts(key)
    else:  # only the call activity's locals, i.e. its input mappings' results
        texts = {name: text for name, (_, text) in variables.local(key).items()}
    for name, text in texts.items():
        set_local(writer, child_key, name, text, child)
    writer.follow_up(_PI, _I.ACTIVATE_ELEMENT, child_key, child)


def _called_process(
    writer: Writer, key: int, value: dict[str, Any], called: CalledElement
) -> dict[str, Any] | None:
    """The process to start, or None after raising the incident that says why there is none."""
    process_id = called.process_id.evaluate(writer.state.variables.view(key))
    if not isinstance(process_id, str) or not process_id:
        message = expected_type(called.process_id, "STRING", process_id)
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return None
    process = _find_called(writer, value, process_id, called.binding_type, called.version_tag)
    if process is None:
        message = f"Expected process with BPMN process id '{process_id}' to be deployed, but not found."
        raise_incident(writer, key, value, ErrorType.CALLED_ELEMENT_ERROR, message)
        return None
    if writer.state.processes.model(process["processDefinitionKey"]).none_start_event is None:
        message = (
            f"Expected process with BPMN process id '{process_id}' to have a none start event, but not found."
        )
        raise_incident(writer, key, value, ErrorType.CALLED_ELEMENT_ERROR, message)
        return None
    return process


def _find_called(
    writer: Writer, caller: dict[str, Any], process_id: str, binding: str, version_tag: str | None
) -> dict[str, Any] | None:
    processes = writer.state.processes
    tenant = caller["tenantId"]
    if binding == "latest":
        return processes.latest_process(tenant, process_id)
    if binding == "deployment":
        own = processes.process(caller["processDefinitionKey"]) or {}
        wanted = ("deploymentKey", own.get("deploymentKey"))
    else:
        wanted = ("versionTag", version_tag)
    found = [
        row
        for row in processes.all_processes()
        if row["bpmnProcessId"] == process_id
        and row["tenantId"] == tenant
        and row.get(wanted[0]) == wanted[1]
    ]
    return max(found, key=lambda row: int(row["version"])) if found else None


def _child_completing(writer: Writer, key: int, value: dict[str, Any]) -> bool | Callable[[], None]:
    """A called child's root variables become the call activity's result (§7.4), then it completes."""
    parent_key = value.get("parentElementInstanceKey", -1)
    if value["bpmnElementType"] != "PROCESS" or parent_key <= 0:
        return False
    parent = writer.state.elements.get(parent_key)
    if parent is None:
        return False
    element = model_of(writer, parent["v"]).elements[parent["v"]["elementId"]]
    assert isinstance(element, CallActivity)
    has_outputs = bool(element.io.outputs)
    if element.called.propagate_all_child_variables or has_outputs:
        document = {name: text for name, (_, text) in writer.state.variables.local(key).items()}
        set_result(writer, parent_key, has_outputs, document)

    def complete_caller() -> None:
        writer.follow_up(_PI, _I.COMPLETE_ELEMENT, parent_key, parent["v"])

    return complete_caller


def _terminating(writer: Writer, key: int, value: dict[str, Any]) -> bool:
    """Terminating a call activity terminates its child first; the call activity ends when the child has."""
    if value["bpmnElementType"] != "CALL_ACTIVITY":
        return False
    row = writer.state.elements.get(key) or {}
    child_key = row.get("calledChild")
    if child_key is None or writer.state.elements.get(child_key) is None:
        return False
    terminate(writer, child_key)
    return True


def _child_terminated(writer: Writer, _key: int, value: dict[str, Any]) -> None:
    parent_key = value.get("parentElementInstanceKey", -1)
    if value["bpmnElementType"] != "PROCESS" or parent_key <= 0:
        return
    parent = writer.state.elements.get(parent_key)
    if parent is not None and parent["s"] == _I.ELEMENT_TERMINATING:
        finish_termination(writer, parent_key)


COMPLETION_HOOKS.append(_child_completing)
COMPLETION_HOOK_TYPES.add("PROCESS")  # a called child's root
TERMINATION_HOOKS.append(_terminating)
AFTER_TERMINATED.append(_child_terminated)
