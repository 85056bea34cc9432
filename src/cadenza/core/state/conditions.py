"""Conditional event subscriptions (Cadenza addition; see ``core/ARCHITECTURE.md``, conditional events).

Rows hold the value of their ``CONDITIONAL_SUBSCRIPTION`` events. A catch, boundary or event sub-process
subscription belongs to an element instance and is indexed by its process instance, so a variable change
finds the subscriptions it may satisfy without a scan; a process's conditional start events
(``elementInstanceKey`` -1) are indexed by tenant, so an evaluation command finds every latest version's.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from cadenza.core.state.db import StateDb
from cadenza.core.state.indexed import IndexedColumn

__all__ = ["ConditionState"]


def _owner(row: dict[str, Any]) -> int | None:
    key: int = row["elementInstanceKey"]
    return key if key > 0 else None


def _instance(row: dict[str, Any]) -> int | None:
    key: int = row["processInstanceKey"]
    return key if key > 0 else None


def _start_tenant(row: dict[str, Any]) -> str | None:
    tenant: str = row["tenantId"]
    return tenant if row["elementInstanceKey"] <= 0 else None


def _start_definition(row: dict[str, Any]) -> int | None:
    key: int = row["processDefinitionKey"]
    return key if row["elementInstanceKey"] <= 0 else None


class ConditionState:
    __slots__ = ("_rows",)

    def __init__(self, db: StateDb) -> None:
        self._rows = IndexedColumn(
            db,
            "conditional_subscriptions",
            owner=_owner,
            instance=_instance,
            start=_start_tenant,
            definition=_start_definition,
        )

    def rebuild_indexes(self) -> None:
        self._rows.rebuild()

    def get(self, key: int) -> dict[str, Any] | None:
        return self._rows.get(key)

    def of_element(self, element_key: int) -> list[int]:
        return self._rows.lookup("owner", element_key)

    def owners(self) -> Mapping[Hashable, dict[int, None]]:
        """Element instance key -> its conditional subscriptions (live)."""
        return self._rows.index("owner")

    def of_instance(self, process_instance_key: int) -> list[int]:
        """Open subscriptions of one process instance, oldest first."""
        return self._rows.lookup("instance", process_instance_key)

    def has_instance(self, process_instance_key: int) -> bool:
        """Cheap test for the variable writer's hot path: is any conditional event waiting here?"""
        return bool(self._rows.lookup("instance", process_instance_key))

    def start_events(self, tenant: str) -> list[int]:
        """Conditional start events of the latest process versions of a tenant, in deployment order."""
        return self._rows.lookup("start", tenant)

    def of_start_events(self, process_definition_key: int) -> list[int]:
        return self._rows.lookup("definition", process_definition_key)

    # ------------------------------------------------------------------------------ writes (appliers only)

    def put(self, key: int, value: dict[str, Any]) -> None:
        self._rows.put(key, value)

    def remove(self, key: int) -> None:
        self._rows.remove(key)
