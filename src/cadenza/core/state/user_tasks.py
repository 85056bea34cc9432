"""Open Camunda user tasks (``zeebe:userTask``): one row per task until it is completed or canceled.

A row holds the task's ``USER_TASK`` record value (``v``) and its lifecycle state (``s``). Only CREATED tasks
exist here (Cadenza has no task listeners, so the "-ING" states pass at once).
"""

from __future__ import annotations

from typing import Any

from cadenza.core.state.db import StateDb

__all__ = ["CREATED", "UserTaskState"]

CREATED = "CREATED"


class UserTaskState:
    __slots__ = ("_rows",)

    def __init__(self, db: StateDb) -> None:
        self._rows = db.column("user_tasks")

    def get(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._rows.get(key)
        return row

    def open_tasks(
        self, tenant: str | None = None, *, process_instance_key: int | None = None
    ) -> list[dict[str, Any]]:
        """The record values of open user tasks in creation (key) order, for the tasklist."""
        return [
            row["v"]
            for _, row in sorted(self._rows.items())
            if (tenant is None or row["v"]["tenantId"] == tenant)
            and (process_instance_key is None or row["v"]["processInstanceKey"] == process_instance_key)
        ]

    # ------------------------------------------------------------------------------ writes (appliers only)

    def put(self, key: int, value: dict[str, Any], state: str = CREATED) -> None:
        self._rows.put(key, {"v": value, "s": state})

    def remove(self, key: int) -> None:
        self._rows.delete(key)
