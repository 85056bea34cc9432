"""MemoryStore: the Store port in dicts, for core tests that need no database.

It keeps what the SQL stores keep, encoded the same way (``codec``): values are JSON text inside, so a test
that commits a value a database would refuse fails here too, and mutating a dict after committing it changes
nothing. A commit is checked in full before anything is written, so a refused commit leaves no trace, as a
rolled-back transaction would.
"""

from __future__ import annotations

import threading
from bisect import bisect_right, insort
from collections.abc import Sequence
from typing import Any, Final

from cadenza.core.records import Record
from cadenza.store.codec import (
    RECORD_COLUMNS,
    RecordRow,
    StoreError,
    decode_state,
    last_changes,
    record_from_row,
    record_rows,
)
from cadenza.store.port import PartitionSnapshot, StateChange
from cadenza.textsafe import has_lone_surrogate

__all__ = ["MemoryStore"]

# Literal indexes, so the type checker knows each field's type.
_POSITION: Final = 1
_TENANT: Final = 6
_INTENT: Final = 5
_REASON: Final = 10
_INSTANCE: Final = 11
assert [RECORD_COLUMNS[i] for i in (_POSITION, _INTENT, _TENANT, _REASON, _INSTANCE)] == [
    "position",
    "intent",
    "tenant",
    "rejection_reason",
    "process_instance_key",
]


def _check_text(rows: list[RecordRow], state_rows: list[tuple[str, str]]) -> None:
    """Refuses text a database driver could not encode (a lone surrogate), as the SQL stores do. The codec
    has checked the JSON values already; this covers the plain text columns."""
    texts = [text for row in rows for text in (row[_INTENT], row[_TENANT], row[_REASON])]
    texts.extend(text for row_key in state_rows for text in row_key)
    for text in texts:
        if has_lone_surrogate(text):
            raise StoreError(f"text that is not valid Unicode cannot be stored: {ascii(text)}")


def _record(row: RecordRow) -> Record:
    return record_from_row(dict(zip(RECORD_COLUMNS, row, strict=True)))


class MemoryStore:
    #: The fake keeps the writer's threaded commit path, the one every store but a SQLite file takes.
    inline_commits = False

    def __init__(self) -> None:
        # The engine reads (exporters, history queries) from other threads while a partition writer commits.
        self._lock = threading.Lock()
        self._positions: dict[int, list[int]] = {}  # partition -> its record positions, ascending
        self._rows: dict[tuple[int, int], RecordRow] = {}  # (partition, position) -> record row
        self._instances: dict[int, list[tuple[int, int]]] = {}  # instance key -> (partition, position)
        self._state: dict[int, dict[tuple[str, str], str]] = {}  # partition -> (column, key) -> JSON text
        self._exporters: dict[tuple[str, int], int] = {}

    def __repr__(self) -> str:
        return "MemoryStore()"

    def load_partition(self, partition: int) -> PartitionSnapshot:
        columns: dict[str, dict[str, Any]] = {}
        with self._lock:
            positions = self._positions.get(partition, [])
            last = positions[-1] if positions else 0
            for (column, key), text in self._state.get(partition, {}).items():
                columns.setdefault(column, {})[key] = decode_state(text)
        return PartitionSnapshot(last_position=last, columns=columns)

    def commit(self, partition: int, records: Sequence[Record], changes: Sequence[StateChange]) -> None:
        rows = record_rows(partition, records)
        upserts, deletes = last_changes(changes)
        _check_text(rows, [*upserts, *deletes])
        with self._lock:
            self._check_positions(partition, rows)
            positions = self._positions.setdefault(partition, [])
            for row in rows:
                position = row[_POSITION]
                if positions and position < positions[-1]:
                    insort(positions, position)
                else:
                    positions.append(position)
                self._rows[(partition, position)] = row
                instance = row[_INSTANCE]
                if instance is not None:
                    self._instances.setdefault(instance, []).append((partition, position))
            columns = self._state.setdefault(partition, {})
            columns.update(upserts)
            for row_key in deletes:
                columns.pop(row_key, None)

    def _check_positions(self, partition: int, rows: list[RecordRow]) -> None:
        """Refuses a batch that repeats a position, as the SQL stores' primary key does."""
        seen: set[int] = set()
        for row in rows:
            position = row[_POSITION]
            if position in seen or (partition, position) in self._rows:
                raise StoreError(f"partition {partition} already has a record at position {position}")
            seen.add(position)

    def read_records(self, partition: int, *, after: int = 0, limit: int | None = None) -> list[Record]:
        with self._lock:
            positions = self._positions.get(partition, [])
            start = bisect_right(positions, after)
            stop = len(positions) if limit is None else start + max(limit, 0)
            rows = [self._rows[(partition, position)] for position in positions[start:stop]]
        return [_record(row) for row in rows]

    def instance_records(self, process_instance_key: int, *, tenant: str | None = None) -> list[Record]:
        with self._lock:
            places = sorted(self._instances.get(process_instance_key, []))
            rows = [self._rows[place] for place in places]
        return [_record(row) for row in rows if tenant is None or row[_TENANT] == tenant]

    def exporter_position(self, exporter: str, partition: int) -> int:
        with self._lock:
            return self._exporters.get((exporter, partition), 0)

    def acknowledge(self, exporter: str, partition: int, position: int) -> None:
        with self._lock:
            self._exporters[(exporter, partition)] = position

    def close(self) -> None:
        """Nothing to release; the data stays readable, as a closed database file stays on disk."""
