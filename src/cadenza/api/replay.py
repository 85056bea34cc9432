"""An instance's graph at any position of its history: which elements ran, how long, which flows were taken.

The graph is folded from the instance's committed records up to ``position`` (all of them by default), so the
modeler's history slider shows the instance exactly as it stood after that record: replaying the log is the
time machine, no snapshot is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from cadenza.api.caller import workspace_caller
from cadenza.api.problems import Problem
from cadenza.core.records import Record, RecordType, ValueType

__all__ = ["instance_graph", "router"]

router = APIRouter(prefix="/v1")
_ENDS = {"ELEMENT_COMPLETED": "completed", "ELEMENT_TERMINATED": "terminated"}


@dataclass(slots=True)
class _Run:
    """One element instance: when it started and how it ended (None while it runs)."""

    element_id: str
    element_type: str
    activated_at: int
    ended_at: int | None = None
    end: str | None = None


@dataclass(slots=True)
class _Fold:
    runs: dict[int, _Run] = field(default_factory=dict)
    flows: list[str] = field(default_factory=list)
    incidents: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        if record.value_type is ValueType.PROCESS_INSTANCE:
            self._element(record)
        elif record.value_type is ValueType.INCIDENT:
            self._incident(record)

    def _element(self, record: Record) -> None:
        value = record.value
        if record.intent == "SEQUENCE_FLOW_TAKEN":
            self.flows.append(str(value.get("elementId")))
        elif record.intent == "ELEMENT_ACTIVATING":
            element_type = str(value.get("bpmnElementType"))
            self.runs[record.key] = _Run(str(value.get("elementId")), element_type, record.timestamp)
        elif record.intent in _ENDS and record.key in self.runs:
            run = self.runs[record.key]
            run.ended_at, run.end = record.timestamp, _ENDS[record.intent]

    def _incident(self, record: Record) -> None:
        if record.intent == "CREATED":
            value = record.value
            self.incidents[record.key] = {
                "key": str(record.key),
                "elementId": value.get("elementId"),
                "errorType": value.get("errorType"),
                "errorMessage": value.get("errorMessage"),
                "jobKey": str(value["jobKey"]) if value.get("jobKey") not in (None, -1) else None,
                "createdAt": _iso(record.timestamp),
            }
        elif record.intent == "RESOLVED":
            self.incidents.pop(record.key, None)


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _elements(fold: _Fold, instance_key: int) -> list[dict[str, Any]]:
    grouped: dict[str, list[_Run]] = {}
    for key, run in fold.runs.items():
        if key != instance_key:
            grouped.setdefault(run.element_id, []).append(run)
    failing = {i["elementId"] for i in fold.incidents.values()}
    out = []
    for element_id, runs in grouped.items():
        last = runs[-1]
        if element_id in failing:
            state = "incident"
        elif any(r.end is None for r in runs):
            state = "active"
        else:
            state = last.end or "completed"
        ended = last.ended_at
        out.append(
            {
                "elementId": element_id,
                "elementType": last.element_type,
                "state": state,
                "activatedAt": _iso(runs[0].activated_at),
                "completedAt": _iso(ended),
                "durationMs": None if ended is None else ended - last.activated_at,
                "count": len(runs),
            }
        )
    return out


def instance_graph(instance_key: int, records: list[Record], position: int | None = None) -> dict[str, Any]:
    """The graph after the record at ``position`` (the newest when None); ``positions`` lists every event's
    position, the stops of the history slider."""
    events = [r for r in records if r.record_type is RecordType.EVENT]
    fold = _Fold()
    for record in events:
        if position is None or record.position <= position:
            fold.add(record)
    root = fold.runs.get(instance_key)
    state = "active" if root is None or root.end is None else root.end
    if fold.incidents and state == "active":
        state = "incident"
    definition = next(
        (r.value.get("processDefinitionKey") for r in events if r.value_type is ValueType.PROCESS_INSTANCE),
        None,
    )
    return {
        "processInstanceKey": str(instance_key),
        "processDefinitionKey": None if definition is None else str(definition),
        "state": state,
        "position": position if position is not None else (events[-1].position if events else 0),
        "positions": [r.position for r in events],
        "elements": _elements(fold, instance_key),
        "takenFlows": fold.flows,
        "incidents": list(fold.incidents.values()),
    }


@router.get("/executions/{key}/graph")
async def graph(key: int, request: Request, position: int | None = None) -> dict[str, Any]:
    tenant = workspace_caller(request).tenant
    records = await request.app.state.workspace.engine.history(key, tenant=tenant)
    if not records:
        raise Problem(404, f"no process instance with key '{key}' was found")
    if position is not None and position < 0:
        raise Problem(400, "position is a record position, 0 or more", kind="invalid-position")
    return instance_graph(key, records, position)
