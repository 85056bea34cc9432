"""Element instances: one row per active element instance (process, scope, activity, event, gateway).

A row holds the element's ``PROCESS_INSTANCE`` record value (``v``), its lifecycle state (``s``), the
number of active children and in-flight work that keep a scope open (``n``), and element-specific data
(``job``, ``incident``, multi-instance counters...). Parallel and inclusive joins count taken flows per scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.core.state.db import StateDb

__all__ = ["ElementState"]


class ElementState:
    """Element rows, with in-memory indexes (children per scope, join counters per scope) rebuilt from them
    after a restore, so nothing on the hot path scans every row."""

    __slots__ = ("_rows", "_data", "_touch", "_joins", "_children", "_scope_joins", "get")

    #: The row of an element instance, or None. The row dict's own ``get`` (no Python frame): the engine's
    #: most frequent read, about 60 per process instance.
    get: Callable[[int], dict[str, Any] | None]

    def __init__(self, db: StateDb) -> None:
        self._rows = db.column("element_instances")
        self._data = self._rows.data
        self.get = self._data.get  # ``data`` is only ever changed in place, so this stays its lookup
        #: Marks a row changed in place (``Column.put`` of the same dict, one call less on the hot path).
        self._touch = self._rows.touch
        self._joins = db.column("joins", int_keys=False)
        self._children: dict[int, dict[int, None]] = {}
        self._scope_joins: dict[int, dict[str, None]] = {}

    def rebuild_indexes(self) -> None:
        self._children.clear()
        self._scope_joins.clear()
        for key, row in self._data.items():
            self._children.setdefault(row["v"]["flowScopeKey"], {})[key] = None
        for name in self._joins.data:
            self._scope_joins.setdefault(int(name.split("/", 1)[0]), {})[name] = None

    def children(self, scope_key: int) -> list[dict[str, Any]]:
        """Active children of a scope, in creation (key) order."""
        data = self._data
        return [data[key] for key in sorted(self._children.get(scope_key, ()))]

    def has_instances_of(self, process_definition_key: int) -> bool:
        """Whether an instance of this process version is still running (a scan: deletions are rare)."""
        return any(
            row["v"]["processDefinitionKey"] == process_definition_key and row["v"]["flowScopeKey"] < 0
            for row in self._data.values()
        )

    def taken_flows(self, scope_key: int, gateway_id: str) -> dict[str, int]:
        joins: dict[str, int] | None = self._joins.data.get(f"{scope_key}/{gateway_id}")
        return joins or {}

    # ------------------------------------------------------------------------------ writes (appliers only)

    def create(self, key: int, value: dict[str, Any], state: str, *, join: bool) -> None:
        """A new element instance. The flow that brought its token (a join's: one of each taken flow) is no
        longer in flight; the scope's count changes once for both."""
        scope_key = value["flowScopeKey"]
        self._rows.put(key, {"k": key, "v": value, "s": state, "n": 0})
        self._children.setdefault(scope_key, {})[key] = None
        arrived = self._arrive(scope_key, value["elementId"], join) if scope_key >= 0 else 0
        self._count(scope_key, 1 - arrived)

    def set_state(self, key: int, state: str) -> None:
        self._data[key]["s"] = state
        self._touch(key)

    def update(self, key: int, **fields: Any) -> None:
        row = self._data[key]
        for name, value in fields.items():
            if value is None:
                row.pop(name, None)
            else:
                row[name] = value
        self._touch(key)

    def remove(self, key: int) -> None:
        row = self._data.get(key)
        if row is None:
            return
        scope_key = row["v"]["flowScopeKey"]
        self._rows.delete(key)
        siblings = self._children.get(scope_key)
        if siblings is not None:
            siblings.pop(key, None)
            if not siblings:
                del self._children[scope_key]
        self._count(scope_key, -1)
        for join in self._scope_joins.pop(key, ()):
            self._joins.delete(join)

    def flow_taken(self, scope_key: int, target_id: str, flow_id: str) -> None:
        """A taken flow is in flight until its target activates; the scope must not complete meanwhile."""
        self._count(scope_key, 1)
        name = f"{scope_key}/{target_id}"
        waiting = self._joins.data.get(name)
        if waiting is None:  # the usual case: no token waits there yet
            joins = {flow_id: 1}
        else:
            joins = dict(waiting)
            joins[flow_id] = joins.get(flow_id, 0) + 1
        self._joins.put(name, joins)
        self._scope_joins.setdefault(scope_key, {})[name] = None

    def _arrive(self, scope_key: int, element_id: str, join: bool) -> int:
        """Consumes the taken flows a token arriving at ``element_id`` came by; returns how many."""
        name = f"{scope_key}/{element_id}"
        taken = self._joins.data.get(name)
        if not taken:
            return 0
        if len(taken) == 1 and next(iter(taken.values())) == 1:  # one token by one flow: all of it consumed
            self._delete_join(scope_key, name)
            return 1
        joins = dict(taken)
        consumed = list(joins) if join else [next(iter(joins))]
        for flow_id in consumed:
            left = joins[flow_id] - 1
            if left > 0:
                joins[flow_id] = left
            else:
                del joins[flow_id]
        if joins:
            self._joins.put(name, joins)
        else:
            self._delete_join(scope_key, name)
        return len(consumed)

    def clear_joins(self, scope_key: int) -> None:
        """A terminating scope drops the tokens waiting at its joins, so it can finish terminating."""
        for name in list(self._scope_joins.pop(scope_key, ())):
            waiting = sum(self._joins.data[name].values())
            self._joins.delete(name)
            self._count(scope_key, -waiting)

    def _delete_join(self, scope_key: int, name: str) -> None:
        self._joins.delete(name)
        names = self._scope_joins.get(scope_key)
        if names is not None:
            names.pop(name, None)
            if not names:
                del self._scope_joins[scope_key]

    def _count(self, scope_key: int, delta: int) -> None:
        row = self._data.get(scope_key)
        if row is not None:
            row["n"] += delta
            self._touch(scope_key)
