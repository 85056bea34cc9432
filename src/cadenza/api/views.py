"""What the API shows of a process instance, built from its committed records (the store's history).

Built from the log rather than the live engine state: it shows only what is durable, and it still answers
after the instance completed and the engine dropped its state.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cadenza.core.records import Record, RecordType, ValueType

__all__ = ["graph_view", "history_line", "instance_view", "job_view", "parse_json"]

_ENDED = ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")
_PROCESS_STATE = {"ELEMENT_COMPLETED": "completed", "ELEMENT_TERMINATED": "canceled"}


def parse_json(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) and text else None


def _iso(millis: int | None) -> str | None:
    if millis is None:
        return None
    moment = dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def instance_view(key: int, records: list[Record]) -> dict[str, Any]:
    """The execution as its committed records tell it: state, timings, variables, incidents, open elements."""
    events = [r for r in records if r.record_type is RecordType.EVENT]
    elements: dict[int, Record] = {}
    for record in events:
        if record.value_type is ValueType.PROCESS_INSTANCE and record.intent != "SEQUENCE_FLOW_TAKEN":
            elements[record.key] = record
    root = elements.get(key)
    first = next((r for r in events if r.key == key and r.value_type is ValueType.PROCESS_INSTANCE), None)
    incidents = _open_incidents(events)
    state = "active" if root is None else _PROCESS_STATE.get(root.intent, "active")
    if state == "active" and incidents:
        state = "incident"
    active = [r for k, r in elements.items() if k != key and r.intent not in _ENDED]
    open_scopes = {key} | {r.key for r in active}
    scopes = _variables(events, open_scopes, key)
    value = root.value if root else {}
    return {
        "key": str(key),
        "state": state,
        "processDefinitionKey": str(value["processDefinitionKey"])
        if "processDefinitionKey" in value
        else None,
        "bpmnProcessId": value.get("bpmnProcessId"),
        "version": value.get("version"),
        "startedAt": _iso(first.timestamp if first else None),
        "endedAt": _iso(root.timestamp) if root is not None and root.intent in _ENDED else None,
        "businessKey": (first.value.get("businessKey") if first else None) or None,
        "variables": scopes.pop("root", {}),
        "scopeVariables": scopes,
        "incidents": incidents,
        "activeElements": [
            {
                "key": str(r.key),
                "elementId": r.value.get("elementId"),
                "type": r.value.get("bpmnElementType"),
                "state": r.intent,
            }
            for r in active
        ],
    }


def graph_view(records: list[Record]) -> dict[str, Any]:
    """Per element id: state, timings of its last activation, how often it ran; the flows taken; incidents."""
    events = [r for r in records if r.record_type is RecordType.EVENT]
    incidents = _open_incidents(events)
    failing = {int(i["elementInstanceKey"]) for i in incidents}
    nodes: dict[str, dict[str, Any]] = {}
    flows: list[str] = []
    definition = None
    for record in events:
        if record.value_type is not ValueType.PROCESS_INSTANCE:
            continue
        value = record.value
        definition = definition or value.get("processDefinitionKey")
        if record.intent == "SEQUENCE_FLOW_TAKEN":
            if value["elementId"] not in flows:
                flows.append(value["elementId"])
            continue
        if value.get("bpmnElementType") == "PROCESS":
            continue
        _element_step(nodes, record, failing)
    for node in nodes.values():
        started, ended = node.pop("_started"), node.pop("_ended")
        node["activatedAt"], node["completedAt"] = _iso(started), _iso(ended)
        node["durationMs"] = None if ended is None or started is None else ended - started
    return {
        "processDefinitionKey": None if definition is None else str(definition),
        "elements": list(nodes.values()),
        "takenFlows": flows,
        "incidents": incidents,
    }


def _element_step(nodes: dict[str, dict[str, Any]], record: Record, failing: set[int]) -> None:
    value = record.value
    node = nodes.setdefault(
        value["elementId"],
        {"elementId": value["elementId"], "elementType": value.get("bpmnElementType"), "count": 0},
    )
    if record.intent == "ELEMENT_ACTIVATING":
        node.update(count=node["count"] + 1, state="active", _started=record.timestamp, _ended=None)
    elif record.intent in _ENDED:
        node.update(state="completed" if record.intent == "ELEMENT_COMPLETED" else "terminated")
        node["_ended"] = record.timestamp
    if record.key in failing and node.get("state") == "active":
        node["state"] = "incident"
    node.setdefault("_started", record.timestamp)
    node.setdefault("_ended", None)


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
                "key": str(record.key),
                "errorType": value.get("errorType"),
                "errorMessage": value.get("errorMessage"),
                "elementId": value.get("elementId"),
                "elementInstanceKey": str(value.get("elementInstanceKey", -1)),
                "jobKey": str(value["jobKey"]) if value.get("jobKey", -1) > 0 else None,
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
