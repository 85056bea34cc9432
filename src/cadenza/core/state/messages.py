"""Messages and message subscriptions (ZEEBE-SEMANTICS §6.1–6.4).

Published messages with a time to live stay buffered until they expire; a message row remembers which BPMN
process ids it already correlated to, because a message correlates at most once per process id (§6.3).
Subscriptions are the process side (``PROCESS_MESSAGE_SUBSCRIPTION`` values); start-event subscriptions
belong to a process definition. ``start keys`` remember which instance a correlation key started, so a second
message with that key starts nothing while the instance is active (§6.4).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from cadenza.core.state.db import StateDb
from cadenza.core.state.indexed import IndexedColumn

__all__ = ["MessageState"]


def _message_slot(row: dict[str, Any]) -> tuple[str, str, str]:
    value = row["v"]
    return (value["tenantId"], value["name"], value["correlationKey"])


def _message_id(row: dict[str, Any]) -> tuple[str, str, str, str] | None:
    value = row["v"]
    if not value.get("messageId"):
        return None
    return (value["tenantId"], value["name"], value["correlationKey"], value["messageId"])


def _subscription_slot(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row["tenantId"], row["messageName"], row["correlationKey"])


def _subscription_owner(row: dict[str, Any]) -> int:
    key: int = row["elementInstanceKey"]
    return key


def _start_name(row: dict[str, Any]) -> tuple[str, str]:
    return (row["tenantId"], row["messageName"])


def _start_definition(row: dict[str, Any]) -> int:
    key: int = row["processDefinitionKey"]
    return key


def _start_key(tenant: str, process_id: str, correlation_key: str) -> str:
    return f"{tenant}\x1f{process_id}\x1f{correlation_key}"


class MessageState:
    __slots__ = (
        "_messages",
        "_deadlines",
        "_subscriptions",
        "_starts",
        "_start_keys",
        "_started",
        "_started_by",
    )

    def __init__(self, db: StateDb) -> None:
        self._messages = IndexedColumn(db, "messages", slot=_message_slot, id=_message_id)
        self._deadlines: dict[int, int] = {}
        self._subscriptions = IndexedColumn(
            db, "message_subscriptions", slot=_subscription_slot, owner=_subscription_owner
        )
        self._starts = IndexedColumn(
            db, "message_start_subscriptions", named=_start_name, definition=_start_definition
        )
        self._start_keys = db.column("message_start_keys", int_keys=False)
        self._started = db.column("message_started_instances")
        # Asked by every element that leaves: the column's own dict lookup (restored in place), no frame.
        self._started_by = self._started.data.get

    def rebuild_indexes(self) -> None:
        self._messages.rebuild()
        self._subscriptions.rebuild()
        self._starts.rebuild()
        self._deadlines = {key: int(row["v"]["deadline"]) for key, row in self._messages.items()}

    # ------------------------------------------------------------------------------------------- messages

    def message(self, key: int) -> dict[str, Any] | None:
        """``{v: MESSAGE value, c: [process ids it correlated to]}``."""
        return self._messages.get(key)

    def buffered(self, tenant: str, name: str, correlation_key: str) -> list[int]:
        return self._messages.lookup("slot", (tenant, name, correlation_key))

    def has_message_id(self, tenant: str, name: str, correlation_key: str, message_id: str) -> bool:
        return bool(self._messages.lookup("id", (tenant, name, correlation_key, message_id)))

    def expired(self, now: int) -> list[int]:
        """Buffered messages whose time to live is over: the adapter submits a MESSAGE EXPIRE for each."""
        return sorted(key for key, deadline in self._deadlines.items() if deadline <= now)

    def put_message(self, key: int, value: dict[str, Any]) -> None:
        self._messages.put(key, {"v": value, "c": []})
        self._deadlines[key] = int(value["deadline"])

    def mark_correlated(self, key: int, process_id: str) -> None:
        row = self._messages.get(key)
        if row is not None and process_id not in row["c"]:
            self._messages.put(key, {"v": row["v"], "c": [*row["c"], process_id]})

    def remove_message(self, key: int) -> None:
        self._messages.remove(key)
        self._deadlines.pop(key, None)

    # -------------------------------------------------------------------------------------- subscriptions

    def subscription(self, key: int) -> dict[str, Any] | None:
        return self._subscriptions.get(key)

    def subscriptions(self, tenant: str, name: str, correlation_key: str) -> list[int]:
        return self._subscriptions.lookup("slot", (tenant, name, correlation_key))

    def subscriptions_of(self, element_key: int) -> list[int]:
        return self._subscriptions.lookup("owner", element_key)

    def owners(self) -> Mapping[Hashable, dict[int, None]]:
        """Element instance key -> its message subscriptions (live)."""
        return self._subscriptions.index("owner")

    def put_subscription(self, key: int, value: dict[str, Any]) -> None:
        self._subscriptions.put(key, value)

    def remove_subscription(self, key: int) -> None:
        self._subscriptions.remove(key)

    # ------------------------------------------------------------------------------------- start events

    def start_subscription(self, key: int) -> dict[str, Any] | None:
        return self._starts.get(key)

    def start_subscriptions(self, tenant: str, name: str) -> list[int]:
        return self._starts.lookup("named", (tenant, name))

    def start_subscriptions_of(self, process_definition_key: int) -> list[int]:
        return self._starts.lookup("definition", process_definition_key)

    def put_start_subscription(self, key: int, value: dict[str, Any]) -> None:
        self._starts.put(key, value)

    def remove_start_subscription(self, key: int) -> None:
        self._starts.remove(key)

    def started_with(self, tenant: str, process_id: str, correlation_key: str) -> int | None:
        """The instance a message with this key last started (it may have finished since)."""
        key: int | None = self._start_keys.get(_start_key(tenant, process_id, correlation_key))
        return key

    def started_by(self, instance: int) -> dict[str, Any] | None:
        """``{tenantId, bpmnProcessId, correlationKey}`` of a running instance a keyed message started."""
        row: dict[str, Any] | None = self._started_by(instance)
        return row

    def put_started_with(self, tenant: str, process_id: str, correlation_key: str, instance: int) -> None:
        self._start_keys.put(_start_key(tenant, process_id, correlation_key), instance)
        started = {"tenantId": tenant, "bpmnProcessId": process_id, "correlationKey": correlation_key}
        self._started.put(instance, started)

    def instance_left(self, instance: int) -> None:
        row = self._started.get(instance)
        if row is None:
            return
        self._started.delete(instance)
        slot = _start_key(row["tenantId"], row["bpmnProcessId"], row["correlationKey"])
        if self._start_keys.get(slot) == instance:
            self._start_keys.delete(slot)
