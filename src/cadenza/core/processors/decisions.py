"""DECISION_EVALUATION EVALUATE: Zeebe's EvaluateDecision, a deployed decision evaluated outside any process.

The decision is the latest version of ``decisionId`` or the one with ``decisionKey``; the response is the
``DECISION_EVALUATION`` event, EVALUATED or FAILED (a failed evaluation is an answer, not a rejection).
"""

from __future__ import annotations

from typing import Any

from cadenza.core.elements.decisions import evaluate_decision
from cadenza.core.processors.instances import key_field, parse_document
from cadenza.core.records import Record, RejectionType
from cadenza.core.writer import Writer
from cadenza.feel.json_values import loads

__all__ = ["evaluate"]

#: The process fields of a standalone evaluation's record, as Zeebe leaves them.
_NO_PROCESS = {
    "bpmnProcessId": "",
    "processDefinitionKey": -1,
    "processInstanceKey": -1,
    "elementId": "",
    "elementInstanceKey": -1,
}


def evaluate(writer: Writer, command: Record) -> None:
    value = command.value
    tenant = str(value.get("tenantId") or command.tenant)
    decision = _decision(writer, command, tenant)
    if decision is None:
        return
    document = parse_document(value.get("variables"))
    if isinstance(document, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, document)
        return
    variables = {name: loads(text) for name, text in document.items()}
    event, _ = evaluate_decision(writer, decision, variables, _NO_PROCESS)
    writer.respond(event)


def _decision(writer: Writer, command: Record, tenant: str) -> dict[str, Any] | None:
    """The decision the command names, or None after rejecting it."""
    processes = writer.state.processes
    decision_id = str(command.value.get("decisionId") or "")
    decision_key = key_field(command.value, "decisionKey")
    if isinstance(decision_key, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, decision_key)
        return None
    if decision_id:
        found = processes.latest_decision_row(tenant, decision_id)
        reason = (
            f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}'"
        )
    elif decision_key > -1:
        found = processes.decision(decision_key)
        found = found if found is not None and found["tenantId"] == tenant else None
        reason = (
            f"Expected to evaluate decision '{decision_key}', but no decision found for key '{decision_key}'"
        )
    else:
        reason = "Expected either a decision id or a valid decision key, but none provided"
        writer.reject(command, RejectionType.INVALID_ARGUMENT, reason)
        return None
    if found is None:
        writer.reject(command, RejectionType.NOT_FOUND, reason)
    return found
