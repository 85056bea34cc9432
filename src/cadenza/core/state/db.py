"""Column families: the engine state's storage shape, persisted row by row.

State lives in memory as dicts. Each column remembers which keys changed since the last commit, so the store
writes only those rows, in the same transaction as the records that changed them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cadenza.core.changes import StateChange

__all__ = ["Column", "StateDb"]


class Column:
    """A dict of JSON-able values whose changes are tracked. Keys are ints or strings."""

    __slots__ = ("name", "data", "_dirty", "_int_keys")

    def __init__(self, name: str, *, int_keys: bool) -> None:
        self.name = name
        self.data: dict[Any, Any] = {}
        self._dirty: set[Any] = set()
        self._int_keys = int_keys

    def get(self, key: Any) -> Any:
        return self.data.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __len__(self) -> int:
        return len(self.data)

    def put(self, key: Any, value: Any) -> None:
        """Stores ``value``; call again after mutating a stored value in place, so the row is rewritten."""
        self.data[key] = value
        self._dirty.add(key)

    def delete(self, key: Any) -> None:
        if self.data.pop(key, None) is not None:
            self._dirty.add(key)

    def items(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.data.items())

    def restore(self, rows: dict[str, Any]) -> None:
        self.data = {(int(k) if self._int_keys else k): v for k, v in rows.items()}
        self._dirty.clear()

    def take_changes(self, out: list[StateChange]) -> None:
        data = self.data
        for key in self._dirty:
            out.append(StateChange(self.name, str(key), data.get(key)))
        self._dirty.clear()


class StateDb:
    """The set of columns of one partition."""

    __slots__ = ("columns",)

    def __init__(self) -> None:
        self.columns: dict[str, Column] = {}

    def column(self, name: str, *, int_keys: bool = True) -> Column:
        if name in self.columns:
            raise ValueError(f"column {name!r} declared twice")
        column = Column(name, int_keys=int_keys)
        self.columns[name] = column
        return column

    def take_changes(self) -> list[StateChange]:
        out: list[StateChange] = []
        for column in self.columns.values():
            column.take_changes(out)
        return out

    def restore(self, columns: dict[str, dict[str, Any]]) -> None:
        for name, rows in columns.items():
            if name in self.columns:
                self.columns[name].restore(rows)

    def snapshot(self) -> dict[str, dict[Any, Any]]:
        """A deep-enough copy for comparing two states (replay tests)."""
        import json

        return {name: json.loads(json.dumps(col.data)) for name, col in self.columns.items() if col.data}
