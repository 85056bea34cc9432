"""Element instances: one row per active element instance (process, scope, activity, event, gateway).

A row holds the element's ``PROCESS_INSTANCE`` record value (``v``), its lifecycle state (``s``), the
number of active children and in-flight work that keep a scope open (``n``), and element-specific data
(``job``, ``incident``, multi-instance counters...). Parallel and inclusive joins count taken flows per scope.
"""

from __future__ import annotations

from typing import Any

from cadenza.core.state.db import StateDb

__all__ = ["ElementState"]


class ElementState:
    __slots__ = ("_rows", "_joins")

    def __init__(self, db: StateDb) -> None:
        self._rows = db.column("element_instances")
        self._joins = db.column("joins", int_keys=False)

    def get(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._rows.get(key)
        return row

    def children(self, scope_key: int) -> list[dict[str, Any]]:
        """Active children of a scope, in creation (key) order."""
        return sorted(
            (row for row in self._rows.data.values() if row["v"]["flowScopeKey"] == scope_key),
            key=lambda row: int(row["k"]),
        )

    def instance_rows(self, process_instance_key: int) -> list[dict[str, Any]]:
        return sorted(
            (
                row
                for row in self._rows.data.values()
                if row["v"]["processInstanceKey"] == process_instance_key
            ),
            key=lambda row: int(row["k"]),
        )

    def taken_flows(self, scope_key: int, gateway_id: str) -> dict[str, int]:
        joins: dict[str, int] | None = self._joins.get(f"{scope_key}/{gateway_id}")
        return joins or {}

    # ------------------------------------------------------------------------------ writes (appliers only)

    def create(self, key: int, value: dict[str, Any], state: str) -> None:
        self._rows.put(key, {"k": key, "v": value, "s": state, "n": 0})
        self._count(value["flowScopeKey"], 1)

    def set_state(self, key: int, state: str) -> None:
        row = self._rows.data[key]
        row["s"] = state
        self._rows.put(key, row)

    def update(self, key: int, **fields: Any) -> None:
        row = self._rows.data[key]
        for name, value in fields.items():
            if value is None:
                row.pop(name, None)
            else:
                row[name] = value
        self._rows.put(key, row)

    def remove(self, key: int) -> None:
        row = self._rows.data.get(key)
        if row is None:
            return
        self._rows.delete(key)
        self._count(row["v"]["flowScopeKey"], -1)
        prefix = f"{key}/"
        for join in [name for name in self._joins.data if name.startswith(prefix)]:
            self._joins.delete(join)

    def flow_taken(self, scope_key: int, target_id: str, flow_id: str) -> None:
        """A taken flow is in flight until its target activates; the scope must not complete meanwhile."""
        self._count(scope_key, 1)
        name = f"{scope_key}/{target_id}"
        joins = dict(self._joins.data.get(name) or {})
        joins[flow_id] = joins.get(flow_id, 0) + 1
        self._joins.put(name, joins)

    def flow_arrived(self, scope_key: int) -> None:
        self._count(scope_key, -1)

    def consume_join(self, scope_key: int, gateway_id: str, flow_ids: list[str]) -> None:
        name = f"{scope_key}/{gateway_id}"
        joins = dict(self._joins.data.get(name) or {})
        for flow_id in flow_ids:
            left = joins.get(flow_id, 0) - 1
            if left > 0:
                joins[flow_id] = left
            else:
                joins.pop(flow_id, None)
        if joins:
            self._joins.put(name, joins)
        else:
            self._joins.delete(name)

    def clear_joins(self, scope_key: int) -> None:
        """A terminating scope drops the tokens waiting at its joins, so it can finish terminating."""
        prefix = f"{scope_key}/"
        for name in [name for name in self._joins.data if name.startswith(prefix)]:
            waiting = sum(self._joins.data[name].values())
            self._joins.delete(name)
            self._count(scope_key, -waiting)

    def _count(self, scope_key: int, delta: int) -> None:
        row = self._rows.data.get(scope_key)
        if row is not None:
            row["n"] += delta
            self._rows.put(scope_key, row)
