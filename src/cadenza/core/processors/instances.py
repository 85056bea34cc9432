"""Process instance commands: cancel, and the internal element commands of a running instance."""

from __future__ import annotations

import json
from typing import Any

from cadenza.core.elements.behaviors import run_activation
from cadenza.core.elements.flow import complete, scope_closed, terminate
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer
from cadenza.feel.json_values import dumps, loads

__all__ = [
    "Rejected",
    "activate_element",
    "cancel_instance",
    "complete_element",
    "key_field",
    "named_instance",
    "parse_document",
    "terminate_element",
]

_PI = ValueType.PROCESS_INSTANCE
_ACTIVATED = str(ProcessInstanceIntent.ELEMENT_ACTIVATED)
#: Elements that complete only once no child is left.
_SCOPES = frozenset(
    {
        "PROCESS",
        "SUB_PROCESS",
        "EVENT_SUB_PROCESS",
        "MULTI_INSTANCE_BODY",
        "AD_HOC_SUB_PROCESS",
        "AD_HOC_SUB_PROCESS_INNER_INSTANCE",
    }
)


def parse_document(text: Any) -> dict[str, str] | str:
    """A variables document (JSON object text) as ``name -> JSON text``, or the reason it is not one."""
    if text in (None, "", "{}"):  # the common empty document, without a parse
        return {}
    try:
        document = loads(text)
    except (ValueError, TypeError) as error:
        return f"invalid JSON: {error}"
    if not isinstance(document, dict):
        return f"Expected document to be a root level object, but was '{type(document).__name__}'"
    return {str(name): dumps(value) for name, value in document.items()}


def key_field(value: dict[str, Any], name: str) -> int | str:
    """A key (or other integer) field of a command, -1 when absent, or the reason it is not one."""
    field = value.get(name, -1)
    if isinstance(field, bool) or not isinstance(field, int):
        return f"Expected '{name}' to be an integer, but was {json.dumps(field, default=str)}"
    return field


class Rejected(Exception):
    """A command breaks a rule found while planning it (modification, migration), before anything is
    written; ``args[0]`` is the rejection type, ``args[1]`` the reason."""


def named_instance(writer: Writer, command: Record, verb: str) -> dict[str, Any] | None:
    """The process instance row a command names (``processInstanceKey``, else the command's key), or None
    after rejecting the command."""
    key = key_field(command.value, "processInstanceKey")
    if isinstance(key, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, key)
        return None
    key = key if key > 0 else command.key
    row = writer.state.elements.get(key)
    if row is None or row["v"]["flowScopeKey"] >= 0 or row["v"]["tenantId"] != command.tenant:
        reason = f"Expected to {verb} process instance but no process instance found with key '{key}'"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return None
    return row


def cancel_instance(writer: Writer, command: Record) -> None:
    key = command.key
    row = writer.state.elements.get(key)
    if row is None or row["v"]["bpmnElementType"] != "PROCESS" or row["v"]["tenantId"] != command.tenant:
        reason = f"Expected to cancel a process instance with key '{key}', but no such process was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    parent = row["v"].get("parentProcessInstanceKey", -1)
    if parent > 0:
        reason = (
            f"Expected to cancel a process instance with key '{key}', but it is created by a parent process "
            f"instance. Cancel the root process instance '{parent}' instead."
        )
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    writer.respond(command)
    terminate(writer, key)


def activate_element(writer: Writer, command: Record) -> None:
    value = command.value
    if scope_closed(writer, value["flowScopeKey"], value["elementId"]):
        return  # the scope was interrupted or terminated while this token was on its way
    key = command.key if command.key > 0 else writer.next_key()
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING, key, value, value["tenantId"])
    run_activation(writer, key)


def complete_element(writer: Writer, command: Record) -> None:
    row = writer.state.elements.get(command.key)
    if row is None or row["s"] != _ACTIVATED:
        return  # already completed or terminated by an earlier command in this batch
    if row["v"]["bpmnElementType"] in _SCOPES and row["n"] > 0:
        return
    complete(writer, command.key)


def terminate_element(writer: Writer, command: Record) -> None:
    terminate(writer, command.key)
