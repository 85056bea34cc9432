"""Raising incidents: the element stops where it is (ZEEBE-SEMANTICS §4) and the rest keeps running."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from cadenza.core.intents import IncidentIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["ErrorType", "raise_incident"]


class ErrorType(StrEnum):
    JOB_NO_RETRIES = "JOB_NO_RETRIES"
    UNHANDLED_ERROR_EVENT = "UNHANDLED_ERROR_EVENT"
    IO_MAPPING_ERROR = "IO_MAPPING_ERROR"
    EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"
    CONDITION_ERROR = "CONDITION_ERROR"
    CALLED_ELEMENT_ERROR = "CALLED_ELEMENT_ERROR"
    CALLED_DECISION_ERROR = "CALLED_DECISION_ERROR"
    DECISION_EVALUATION_ERROR = "DECISION_EVALUATION_ERROR"
    FORM_NOT_FOUND = "FORM_NOT_FOUND"
    MESSAGE_SIZE_EXCEEDED = "MESSAGE_SIZE_EXCEEDED"


def raise_incident(
    writer: Writer,
    element_key: int,
    element: dict[str, Any],
    error_type: ErrorType,
    message: str,
    *,
    job_key: int = -1,
) -> None:
    value = {
        "errorType": str(error_type),
        "errorMessage": message,
        "bpmnProcessId": element["bpmnProcessId"],
        "processDefinitionKey": element["processDefinitionKey"],
        "processInstanceKey": element["processInstanceKey"],
        "elementId": element["elementId"],
        "elementInstanceKey": element_key,
        "jobKey": job_key,
        "variableScopeKey": element_key,
        "tenantId": element["tenantId"],
    }
    writer.event(ValueType.INCIDENT, IncidentIntent.CREATED, writer.next_key(), value, element["tenantId"])
