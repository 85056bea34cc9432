"""VARIABLE_DOCUMENT UPDATE (SetVariables): a local or propagating merge into an active scope (§1.5)."""

from __future__ import annotations

from cadenza.core.elements.variables import propagate, set_local
from cadenza.core.intents import VariableDocumentIntent
from cadenza.core.processors.instances import parse_document
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["update_variables"]


def update_variables(writer: Writer, command: Record) -> None:
    scope_key = int(command.value.get("scopeKey") or -1)
    scope = writer.state.elements.get(scope_key)
    if scope is None or scope["v"]["tenantId"] != command.tenant:
        reason = (
            f"Expected to update variables for element with key '{scope_key}', but no such element was found"
        )
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    document = parse_document(command.value.get("variables"))
    if isinstance(document, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, document)
        return
    local = str(command.value.get("updateSemantics", "PROPAGATE")) == "LOCAL"
    value = {**command.value, "scopeKey": scope_key}
    event = writer.event(
        ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATED, writer.next_key(), value
    )
    writer.respond(event)
    instance = scope["v"]
    if local:
        for name, text in document.items():
            set_local(writer, scope_key, name, text, instance)
    else:
        propagate(writer, scope_key, document, instance)
