"""Records: the engine's only input and output.

A record is a command (a request to change something), an event (a fact that happened) or a command rejection.
Its ``value`` is a JSON-shaped dict (str, int, bool, None, list, dict; never floats or Decimals). Variable
values travel inside it as JSON *text*, as Zeebe's variable records do, so a record serialises without
losing a digit and the store never needs to know FEEL's types.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, NamedTuple

__all__ = [
    "Record",
    "RecordType",
    "RejectionType",
    "ValueType",
    "record_from_dict",
    "record_to_dict",
    "value_json",
]


class RecordType(StrEnum):
    COMMAND = "COMMAND"
    EVENT = "EVENT"
    COMMAND_REJECTION = "COMMAND_REJECTION"


class ValueType(StrEnum):
    DEPLOYMENT = "DEPLOYMENT"
    PROCESS = "PROCESS"
    DECISION_REQUIREMENTS = "DECISION_REQUIREMENTS"
    DECISION = "DECISION"
    FORM = "FORM"
    PROCESS_INSTANCE = "PROCESS_INSTANCE"
    PROCESS_INSTANCE_CREATION = "PROCESS_INSTANCE_CREATION"
    JOB = "JOB"
    JOB_BATCH = "JOB_BATCH"
    INCIDENT = "INCIDENT"
    VARIABLE = "VARIABLE"
    VARIABLE_DOCUMENT = "VARIABLE_DOCUMENT"
    TIMER = "TIMER"
    MESSAGE = "MESSAGE"
    MESSAGE_SUBSCRIPTION = "MESSAGE_SUBSCRIPTION"
    PROCESS_MESSAGE_SUBSCRIPTION = "PROCESS_MESSAGE_SUBSCRIPTION"
    MESSAGE_START_EVENT_SUBSCRIPTION = "MESSAGE_START_EVENT_SUBSCRIPTION"
    SIGNAL = "SIGNAL"
    SIGNAL_SUBSCRIPTION = "SIGNAL_SUBSCRIPTION"
    USER_TASK = "USER_TASK"
    DECISION_EVALUATION = "DECISION_EVALUATION"
    ESCALATION = "ESCALATION"
    ERROR = "ERROR"
    PROCESS_EVENT = "PROCESS_EVENT"
    MULTI_INSTANCE = "MULTI_INSTANCE"
    CONDITIONAL_SUBSCRIPTION = "CONDITIONAL_SUBSCRIPTION"
    CONDITIONAL_EVALUATION = "CONDITIONAL_EVALUATION"
    RESOURCE_DELETION = "RESOURCE_DELETION"
    PROCESS_INSTANCE_MODIFICATION = "PROCESS_INSTANCE_MODIFICATION"
    PROCESS_INSTANCE_MIGRATION = "PROCESS_INSTANCE_MIGRATION"
    AD_HOC_SUB_PROCESS_INSTRUCTION = "AD_HOC_SUB_PROCESS_INSTRUCTION"


class RejectionType(StrEnum):
    """Why a command was rejected; the gRPC gateway maps each to a status code (ZEEBE-SEMANTICS §11)."""

    NULL_VAL = ""
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_STATE = "INVALID_STATE"
    PROCESSING_ERROR = "PROCESSING_ERROR"
    EXCEEDED_BATCH_RECORD_SIZE = "EXCEEDED_BATCH_RECORD_SIZE"
    FORBIDDEN = "FORBIDDEN"


class Record(NamedTuple):
    """One entry of a partition's log.

    A NamedTuple rather than a dataclass: the engine creates dozens per process instance on its hot path,
    and a tuple is the cheapest immutable object Python builds.
    """

    position: int
    key: int
    record_type: RecordType
    value_type: ValueType
    intent: str
    value: dict[str, Any]
    partition: int = 1
    tenant: str = "<default>"
    timestamp: int = 0
    source_position: int = -1
    rejection_type: RejectionType = RejectionType.NULL_VAL
    rejection_reason: str = ""

    @property
    def process_instance_key(self) -> int | None:
        key = self.value.get("processInstanceKey")
        return key if isinstance(key, int) and key > 0 else None


def record_to_dict(record: Record) -> dict[str, Any]:
    """The JSON form of a record (camelCase, as Zeebe's exporters write it)."""
    out: dict[str, Any] = {
        "position": record.position,
        "key": record.key,
        "recordType": str(record.record_type),
        "valueType": str(record.value_type),
        "intent": record.intent,
        "partitionId": record.partition,
        "tenantId": record.tenant,
        "timestamp": record.timestamp,
        "sourceRecordPosition": record.source_position,
        "value": record.value,
    }
    if record.record_type is RecordType.COMMAND_REJECTION:
        out["rejectionType"] = str(record.rejection_type)
        out["rejectionReason"] = record.rejection_reason
    return out


def record_from_dict(data: dict[str, Any]) -> Record:
    return Record(
        position=int(data["position"]),
        key=int(data["key"]),
        record_type=RecordType(data["recordType"]),
        value_type=ValueType(data["valueType"]),
        intent=str(data["intent"]),
        value=dict(data["value"]),
        partition=int(data.get("partitionId", 1)),
        tenant=str(data.get("tenantId", "<default>")),
        timestamp=int(data.get("timestamp", 0)),
        source_position=int(data.get("sourceRecordPosition", -1)),
        rejection_type=RejectionType(data.get("rejectionType", "")),
        rejection_reason=str(data.get("rejectionReason", "")),
    )


#: ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, without building an encoder per call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def value_json(record: Record) -> str:
    """The record's value as compact JSON text (the store's column)."""
    return _COMPACT_JSON.encode(record.value)
