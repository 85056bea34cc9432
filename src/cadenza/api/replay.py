"""An instance's graph at any position of its history, for the modeler's history slider.

The graph (``cadenza.api.views.graph_view``) is folded from the instance's committed records up to
``position``, so it shows the instance exactly as it stood after that record: the log is the time machine,
no snapshot is kept. ``positions`` lists the stops (every event's position).
"""

from __future__ import annotations

from typing import Any

from cadenza.api.problems import Problem
from cadenza.api.views import graph_view
from cadenza.core.records import Record, RecordType, ValueType

__all__ = ["graph_at"]

_ENDS = {"ELEMENT_COMPLETED": "completed", "ELEMENT_TERMINATED": "terminated"}


def graph_at(instance_key: int, records: list[Record], position: int | None = None) -> dict[str, Any]:
    """The graph after the record at ``position`` (the newest when None), with the instance's state then."""
    if position is not None and position < 0:
        raise Problem(400, "position is a record position, 0 or more", kind="invalid-position")
    events = [r for r in records if r.record_type is RecordType.EVENT]
    shown = [r for r in events if position is None or r.position <= position]
    graph = graph_view(shown)
    return {
        **graph,
        "processInstanceKey": str(instance_key),
        "state": _state(instance_key, shown, graph),
        "position": shown[-1].position if shown else 0,
        "positions": [r.position for r in events],
    }


def _state(instance_key: int, events: list[Record], graph: dict[str, Any]) -> str:
    ended = [
        _ENDS[r.intent]
        for r in events
        if r.key == instance_key and r.value_type is ValueType.PROCESS_INSTANCE and r.intent in _ENDS
    ]
    if ended:
        return ended[-1]
    return "incident" if graph["incidents"] else "active"
