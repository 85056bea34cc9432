"""A column with in-memory secondary indexes, rebuilt from its rows after a restore.

Row keys are engine keys, which only grow, so each index keeps its keys in insertion order and that is key
(creation) order: "the oldest buffered message", "subscriptions in the order they were opened".
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from cadenza.core.state.db import StateDb

__all__ = ["IndexedColumn"]

IndexFn = Callable[[dict[str, Any]], Hashable | None]


class IndexedColumn:
    """Rows by int key; ``indexes`` map a row to an index value (None: not indexed)."""

    __slots__ = ("_rows", "_fns", "_maps")

    def __init__(self, db: StateDb, name: str, **indexes: IndexFn) -> None:
        self._rows = db.column(name)
        self._fns = indexes
        self._maps: dict[str, dict[Hashable, dict[int, None]]] = {name: {} for name in indexes}

    def rebuild(self) -> None:
        for index in self._maps.values():
            index.clear()
        for key, row in sorted(self._rows.items()):
            self._index(key, row)

    def get(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._rows.get(key)
        return row

    def lookup(self, index: str, value: Hashable) -> list[int]:
        found = self._maps[index].get(value)
        return list(found) if found else []  # mostly empty: an element with no subscription of this kind

    def index(self, name: str) -> Mapping[Hashable, dict[int, None]]:
        """The live index ``name`` (index value -> row keys), for hot membership tests without a call."""
        return self._maps[name]

    def items(self) -> list[tuple[int, dict[str, Any]]]:
        return list(self._rows.items())

    def put(self, key: int, row: dict[str, Any]) -> None:
        old = self._rows.get(key)
        if old is not None:
            self._unindex(key, old, keep=row)
        self._rows.put(key, row)
        self._index(key, row)

    def remove(self, key: int) -> None:
        old = self._rows.get(key)
        if old is not None:
            self._unindex(key, old)
            self._rows.delete(key)

    def _index(self, key: int, row: dict[str, Any]) -> None:
        for name, fn in self._fns.items():
            value = fn(row)
            if value is not None:
                self._maps[name].setdefault(value, {})[key] = None

    def _unindex(self, key: int, row: dict[str, Any], keep: dict[str, Any] | None = None) -> None:
        for name, fn in self._fns.items():
            value = fn(row)
            if value is None or (keep is not None and fn(keep) == value):
                continue  # unchanged index values keep their place in the order
            bucket = self._maps[name].get(value)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self._maps[name][value]
