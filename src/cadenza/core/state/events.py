"""Timers, signal subscriptions and pending event triggers (ZEEBE-SEMANTICS §6).

Rows hold the record values of their ``TIMER`` / ``SIGNAL_SUBSCRIPTION`` / ``PROCESS_EVENT`` events. A
subscription belongs to the element instance that opened it (``elementInstanceKey``; -1 for a process's start
events, which belong to the process definition instead).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from cadenza.core.state.db import StateDb
from cadenza.core.state.indexed import IndexedColumn

__all__ = ["SignalState", "TimerState", "TriggerState"]


def _owner(row: dict[str, Any]) -> int | None:
    key: int = row["elementInstanceKey"]
    return key if key > 0 else None


def _start_owner(row: dict[str, Any]) -> int | None:
    key: int = row["processDefinitionKey"]
    return key if row["elementInstanceKey"] <= 0 else None


class TimerState:
    """Armed timers, with their due dates indexed for the scheduler."""

    __slots__ = ("_rows", "_due")

    def __init__(self, db: StateDb) -> None:
        self._rows = IndexedColumn(db, "timers", owner=_owner, start=_start_owner)
        self._due: dict[int, int] = {}

    def rebuild_indexes(self) -> None:
        self._rows.rebuild()
        self._due = {key: int(row["dueDate"]) for key, row in self._rows.items()}

    def get(self, key: int) -> dict[str, Any] | None:
        return self._rows.get(key)

    def due(self, now: int) -> list[int]:
        """Timers whose due date has come, earliest first: the adapter submits a TIMER TRIGGER for each."""
        return sorted((key for key, due in self._due.items() if due <= now), key=lambda k: (self._due[k], k))

    def next_due(self) -> int | None:
        return min(self._due.values()) if self._due else None

    def of_element(self, element_key: int) -> list[int]:
        return self._rows.lookup("owner", element_key)

    def owners(self) -> Mapping[Hashable, dict[int, None]]:
        """Element instance key -> its subscriptions of this kind (live)."""
        return self._rows.index("owner")

    def of_start_events(self, process_definition_key: int) -> list[int]:
        return self._rows.lookup("start", process_definition_key)

    def put(self, key: int, value: dict[str, Any]) -> None:
        self._rows.put(key, value)
        self._due[key] = int(value["dueDate"])

    def remove(self, key: int) -> None:
        self._rows.remove(key)
        self._due.pop(key, None)


def _signal_owner(row: dict[str, Any]) -> int | None:
    key: int = row["catchEventInstanceKey"]
    return key if key > 0 else None


def _signal_start(row: dict[str, Any]) -> int | None:
    key: int = row["processDefinitionKey"]
    return key if row["catchEventInstanceKey"] <= 0 else None


def _signal_name(row: dict[str, Any]) -> tuple[str, str]:
    return (row["tenantId"], row["signalName"])


class SignalState:
    __slots__ = ("_rows",)

    def __init__(self, db: StateDb) -> None:
        self._rows = IndexedColumn(
            db, "signal_subscriptions", owner=_signal_owner, start=_signal_start, named=_signal_name
        )

    def rebuild_indexes(self) -> None:
        self._rows.rebuild()

    def get(self, key: int) -> dict[str, Any] | None:
        return self._rows.get(key)

    def named(self, tenant: str, name: str) -> list[int]:
        return self._rows.lookup("named", (tenant, name))

    def of_element(self, element_key: int) -> list[int]:
        return self._rows.lookup("owner", element_key)

    def owners(self) -> Mapping[Hashable, dict[int, None]]:
        """Element instance key -> its subscriptions of this kind (live)."""
        return self._rows.index("owner")

    def of_start_events(self, process_definition_key: int) -> list[int]:
        return self._rows.lookup("start", process_definition_key)

    def put(self, key: int, value: dict[str, Any]) -> None:
        self._rows.put(key, value)

    def remove(self, key: int) -> None:
        self._rows.remove(key)


def trigger_slot(scope_key: int, element_id: str) -> str:
    return f"{scope_key}/{element_id}"


class TriggerState:
    """Events that fired but wait to be activated: ``scopeKey/targetElementId -> {k: key, v: value}``.

    ``scopeKey`` is the interrupted activity (boundary event), the interrupted scope (event sub-process) or
    the flow scope of an event-based gateway (its catch event).
    """

    __slots__ = ("_rows",)

    def __init__(self, db: StateDb) -> None:
        self._rows = db.column("event_triggers", int_keys=False)

    def rebuild_indexes(self) -> None:
        """Nothing to rebuild: whether a scope is interrupted is kept on its element row."""

    def get(self, scope_key: int, element_id: str) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._rows.get(trigger_slot(scope_key, element_id))
        return row

    def put(self, key: int, value: dict[str, Any]) -> None:
        self._rows.put(trigger_slot(value["scopeKey"], value["targetElementId"]), {"k": key, "v": value})

    def remove(self, value: dict[str, Any]) -> None:
        self._rows.delete(trigger_slot(value["scopeKey"], value["targetElementId"]))
