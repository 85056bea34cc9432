"""The one mapping between the port's values and stored rows, shared by every Store implementation.

The memory fake encodes exactly as the SQL stores do, so a core test that commits a non-JSON value, or mutates
a dict after committing it, fails against the fake just as it would against a database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cadenza.core.records import Record, RecordType, RejectionType, ValueType, value_json
from cadenza.store.port import StateChange

__all__ = [
    "StoreError",
    "decode_state",
    "encode_state",
    "last_changes",
    "record_from_row",
    "record_rows",
]


class StoreError(Exception):
    """A commit or read the store refused or could not carry out; nothing of a failed commit was written."""


#: ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, without building an encoder per call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode_state(value: Any) -> str:
    try:
        return _COMPACT_JSON.encode(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"state value is not JSON: {exc}") from exc


def decode_state(text: str) -> Any:
    return json.loads(text)


def record_rows(partition: int, records: Sequence[Record]) -> list[dict[str, Any]]:
    """Rows for the ``records`` table; refuses records that name another partition than the commit's."""
    rows = []
    for record in records:
        if record.partition != partition:
            raise StoreError(
                f"record at position {record.position} belongs to partition {record.partition}, "
                f"committed to partition {partition}"
            )
        rows.append(
            {
                "partition": partition,
                "position": record.position,
                "key": record.key,
                "record_type": str(record.record_type),
                "value_type": str(record.value_type),
                "intent": record.intent,
                "tenant": record.tenant,
                "timestamp": record.timestamp,
                "source_position": record.source_position,
                "rejection_type": str(record.rejection_type),
                "rejection_reason": record.rejection_reason,
                "process_instance_key": record.process_instance_key,
                "value": _record_value(record),
            }
        )
    return rows


def _record_value(record: Record) -> str:
    try:
        return value_json(record)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"record at position {record.position} has a value that is not JSON: {exc}") from exc


def record_from_row(row: Mapping[Any, Any]) -> Record:
    return Record(
        position=row["position"],
        key=row["key"],
        record_type=RecordType(row["record_type"]),
        value_type=ValueType(row["value_type"]),
        intent=row["intent"],
        value=json.loads(row["value"]),
        partition=row["partition"],
        tenant=row["tenant"],
        timestamp=row["timestamp"],
        source_position=row["source_position"],
        rejection_type=RejectionType(row["rejection_type"]),
        rejection_reason=row["rejection_reason"],
    )


def last_changes(changes: Iterable[StateChange]) -> tuple[dict[tuple[str, str], str], list[tuple[str, str]]]:
    """Splits ``changes`` into rows to upsert (JSON text) and rows to delete, the last change per row winning.

    Applying only each row's last change is the same as applying them all in order, and it lets the SQL store
    run one executemany for upserts and one for deletes (PostgreSQL also refuses an upsert batch that touches
    one row twice).
    """
    final: dict[tuple[str, str], Any] = {}
    for change in changes:
        final[(change.column, change.key)] = change.value
    upserts = {row: encode_state(value) for row, value in final.items() if value is not None}
    deletes = [row for row, value in final.items() if value is None]
    return upserts, deletes
