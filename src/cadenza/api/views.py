"""What the API shows of a process instance, built from its committed records (the store's history).

Built from the log rather than the live engine state: it shows only what is durable, and it still answers
after the instance completed and the engine dropped its state.
"""

from __future__ import annotations

import json
from typing import Any

from cadenza.core.records import Record, RecordType, ValueType

__all__ = ["history_line", "instance_view", "job_view", "parse_json"]

_ENDED = ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")
_PROCESS_STATE = {"ELEMENT_COMPLETED": "completed", "ELEMENT_TERMINATED": "terminated"}


def parse_json(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) and text else None


def instance_view(key: int, records: list[Record]) -> dict[str, Any]:
    events = [r for r in records if r.record_type is RecordType.EVENT]
    elements: dict[int, Record] = {}
    for record in events:
        if record.value_type is ValueType.PROCESS_INSTANCE and record.intent != "SEQUENCE_FLOW_TAKEN":
            elements[record.key] = record
    root = elements.get(key)
    state = "active" if root is None else _PROCESS_STATE.get(root.intent, "active")
    active = [r for k, r in elements.items() if k != key and r.intent not in _ENDED]
    open_scopes = {key} | {r.key for r in active}
    return {
        "key": key,
        "bpmnProcessId": root.value.get("bpmnProcessId") if root else None,
        "version": root.value.get("version") if root else None,
        "state": state,
        "activeElements": [
            {
                "key": r.key,
                "elementId": r.value.get("elementId"),
                "type": r.value.get("bpmnElementType"),
                "state": r.intent,
            }
            for r in active
        ],
        "variables": _variables(events, open_scopes, key),
        "incidents": _open_incidents(events),
        "history": [history_line(r) for r in records],
    }


def _variables(events: list[Record], scopes: set[int], root: int) -> dict[str, dict[str, Any]]:
    """``scope key -> name -> value`` of the scopes still open (the root always): the latest value wins."""
    out: dict[str, dict[str, Any]] = {}
    for record in events:
        if record.value_type is ValueType.VARIABLE and record.value.get("scopeKey") in scopes:
            scope = "root" if record.value["scopeKey"] == root else str(record.value["scopeKey"])
            out.setdefault(scope, {})[record.value["name"]] = parse_json(record.value.get("value"))
    return out


def _open_incidents(events: list[Record]) -> list[dict[str, Any]]:
    incidents: dict[int, dict[str, Any]] = {}
    for record in events:
        if record.value_type is not ValueType.INCIDENT:
            continue
        if record.intent == "CREATED":
            value = record.value
            incidents[record.key] = {
                "key": record.key,
                "errorType": value.get("errorType"),
                "errorMessage": value.get("errorMessage"),
                "elementId": value.get("elementId"),
                "elementInstanceKey": value.get("elementInstanceKey"),
                "jobKey": value.get("jobKey"),
            }
        elif record.intent == "RESOLVED":
            incidents.pop(record.key, None)
    return list(incidents.values())


def history_line(record: Record) -> dict[str, Any]:
    """One record, compact: enough to read the story, the full value for tools."""
    line: dict[str, Any] = {
        "position": record.position,
        "key": record.key,
        "recordType": str(record.record_type),
        "valueType": str(record.value_type),
        "intent": record.intent,
        "timestamp": record.timestamp,
        "elementId": record.value.get("elementId"),
        "value": record.value,
    }
    if record.record_type is RecordType.COMMAND_REJECTION:
        line["rejectionReason"] = record.rejection_reason
    return line


def job_view(key: int, job: dict[str, Any]) -> dict[str, Any]:
    return {**job, "key": key, "variables": parse_json(job.get("variables")) or {}}
