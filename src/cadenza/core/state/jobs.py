"""Jobs and incidents.

Job rows hold the ``JOB`` record value (``v``), the job's state (``s``: ACTIVATABLE, ACTIVATED, FAILED,
ERROR_THROWN) and, when activated, its deadline; when failed with a backoff, the time it recurs. In-memory
indexes (activatable jobs per type, in creation order; activated jobs' deadlines) are rebuilt from the rows.
"""

from __future__ import annotations

from typing import Any

from cadenza.core.state.db import StateDb

__all__ = ["IncidentState", "JobState"]

ACTIVATABLE = "ACTIVATABLE"
ACTIVATED = "ACTIVATED"
FAILED = "FAILED"
ERROR_THROWN = "ERROR_THROWN"


class JobState:
    __slots__ = ("_rows", "_data", "_activatable", "_deadlines", "_backoffs")

    def __init__(self, db: StateDb) -> None:
        self._rows = db.column("jobs")
        self._data = self._rows.data
        self._activatable: dict[tuple[str, str], dict[int, None]] = {}
        self._deadlines: dict[int, int] = {}
        self._backoffs: dict[int, int] = {}

    def rebuild_indexes(self) -> None:
        self._activatable.clear()
        self._deadlines.clear()
        self._backoffs.clear()
        for key, row in sorted(self._rows.items()):
            self._index(key, row)

    def get(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._data.get(key)
        return row

    def activatable(self, tenant: str, job_type: str) -> list[int]:
        return list(self._activatable.get((tenant, job_type), {}))

    def timed_out(self, now: int) -> list[int]:
        return [key for key, deadline in self._deadlines.items() if deadline <= now]

    def backoffs_due(self, now: int) -> list[int]:
        return [key for key, due in self._backoffs.items() if due <= now]

    # ------------------------------------------------------------------------------ writes (appliers only)

    def put(self, key: int, value: dict[str, Any], state: str, **extra: Any) -> None:
        self._unindex(key)
        row = {"v": value, "s": state, **extra}
        self._rows.put(key, row)
        self._index(key, row)

    def remove(self, key: int) -> None:
        self._unindex(key)
        self._rows.delete(key)

    def _index(self, key: int, row: dict[str, Any]) -> None:
        state = row["s"]
        value = row["v"]
        if state == ACTIVATABLE:
            self._activatable.setdefault((value["tenantId"], value["type"]), {})[key] = None
        elif state == ACTIVATED:
            self._deadlines[key] = int(value["deadline"])
        elif state == FAILED and row.get("recurAt") is not None:
            self._backoffs[key] = int(row["recurAt"])

    def _unindex(self, key: int) -> None:
        row = self._data.get(key)
        if row is None:
            return
        queue = self._activatable.get((row["v"]["tenantId"], row["v"]["type"]))
        if queue is not None:
            queue.pop(key, None)
        self._deadlines.pop(key, None)
        self._backoffs.pop(key, None)


class IncidentState:
    """Open incidents by key; an element or job has at most one open incident."""

    __slots__ = ("_rows",)

    def __init__(self, db: StateDb) -> None:
        self._rows = db.column("incidents")

    def get(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._rows.get(key)
        return row

    def of_instance(self, process_instance_key: int) -> list[dict[str, Any]]:
        return [row for row in self._rows.data.values() if row["processInstanceKey"] == process_instance_key]

    def all(self) -> list[dict[str, Any]]:
        return list(self._rows.data.values())

    def put(self, key: int, value: dict[str, Any]) -> None:
        self._rows.put(key, value)

    def remove(self, key: int) -> None:
        self._rows.delete(key)
