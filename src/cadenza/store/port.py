"""The Store port: what the engine needs from durable storage, and nothing more.

A partition's log (append-only records) and its state (column families of JSON values, keyed by text) are
committed together, one transaction per batch, so after a crash the state always matches the log's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

from cadenza.core.changes import StateChange
from cadenza.core.records import Record

__all__ = ["PartitionSnapshot", "StateChange", "Store"]


class PartitionSnapshot(NamedTuple):
    """What a partition's writer loads at start: the last log position and every state row."""

    last_position: int
    columns: dict[str, dict[str, Any]]


class Store(Protocol):
    @property
    def inline_commits(self) -> bool:
        """Whether a partition's writer should commit on its own (event-loop) thread rather than hand commits
        to a thread of their own: true only where a commit is local CPU work that waits on nothing (a SQLite
        file at ``synchronous=NORMAL``: a WAL append, no flush). A commit that waits on the network or a disk
        flush would stop the event loop meanwhile."""
        ...

    def load_partition(self, partition: int) -> PartitionSnapshot: ...

    def commit(self, partition: int, records: Sequence[Record], changes: Sequence[StateChange]) -> None:
        """Appends ``records`` and applies ``changes`` in one transaction; returns once it is durable."""
        ...

    def read_records(self, partition: int, *, after: int = 0, limit: int | None = None) -> list[Record]:
        """Records with position > ``after``, in position order."""
        ...

    def instance_records(self, process_instance_key: int, *, tenant: str | None = None) -> list[Record]:
        """Every record of one process instance (its history), in position order."""
        ...

    def exporter_position(self, exporter: str, partition: int) -> int: ...

    def acknowledge(self, exporter: str, partition: int, position: int) -> None: ...

    def close(self) -> None: ...
