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

    __slots__ = ("name", "data", "touch", "_dirty", "_new", "_int_keys")

    def __init__(self, name: str, *, int_keys: bool) -> None:
        self.name = name
        self.data: dict[Any, Any] = {}
        self._dirty: set[Any] = set()
        # Keys created since the last take_changes: the store has no such row, so if they are deleted again
        # before then (an element that completes within its batch, a flow's join counter) nothing is written.
        self._new: set[Any] = set()
        #: Marks ``key`` changed after its stored value was mutated in place.
        self.touch = self._dirty.add
        self._int_keys = int_keys

    def get(self, key: Any) -> Any:
        return self.data.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __len__(self) -> int:
        return len(self.data)

    def put(self, key: Any, value: Any) -> None:
        """Stores ``value``; call again after mutating a stored value in place, so the row is rewritten."""
        dirty = self._dirty
        if key not in dirty and key not in self.data:
            self._new.add(key)
        self.data[key] = value
        dirty.add(key)

    def delete(self, key: Any) -> None:
        if self.data.pop(key, None) is not None:
            self._dirty.add(key)

    def items(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.data.items())

    def restore(self, rows: dict[str, Any]) -> None:
        # In place: state classes keep a reference to ``data`` for their hot reads.
        self.data.clear()
        self.data.update({(int(k) if self._int_keys else k): v for k, v in rows.items()})
        self._dirty.clear()
        self._new.clear()

    def take_changes(self, out: list[StateChange]) -> None:
        dirty = self._dirty
        if not dirty:
            return
        data, name, new, fresh = self.data, self.name, tuple.__new__, self._new
        out.extend(
            [
                new(StateChange, (name, str(key), value))
                for key in dirty
                if (value := data.get(key)) is not None or key not in fresh
            ]
        )
        dirty.clear()
        fresh.clear()


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
