"""The one mapping between the port's values and stored rows, shared by every Store implementation.

The memory fake encodes exactly as the SQL stores do, so a core test that commits a non-JSON value, or mutates
a dict after committing it, fails against the fake just as it would against a database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.store.port import StateChange
from cadenza.textsafe import has_lone_surrogate

__all__ = [
    "RECORD_COLUMNS",
    "RecordRow",
    "StoreError",
    "decode_state",
    "encode_state",
    "last_changes",
    "record_from_row",
    "record_rows",
]


class StoreError(Exception):
    """A commit or read the store refused or could not carry out; nothing of a failed commit was written."""


#: The ``records`` table's columns, in the order of the tuples ``record_rows`` builds.
RECORD_COLUMNS = (
    "partition",
    "position",
    "key",
    "record_type",
    "value_type",
    "intent",
    "tenant",
    "timestamp",
    "source_position",
    "rejection_type",
    "rejection_reason",
    "process_instance_key",
    "value",
)
RecordRow = tuple[int, int, int, str, str, str, str, int, int, str, str, int | None, str]

#: ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, without building an encoder per call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_orjson_dumps = orjson.dumps
_OrjsonError = orjson.JSONEncodeError


def _compact_json(value: Any) -> str:
    """Compact JSON text, as ``_COMPACT_JSON`` writes it, about ten times faster: encoding was the biggest
    part of a commit (docs/bench.md). orjson refuses what it cannot write the same way (integers past 64
    bits, non-string keys, lone surrogates); the standard encoder then writes those, or they are refused.
    Record and state values hold no floats (``cadenza.core.records``), where the two encoders differ."""
    try:
        return _orjson_dumps(value).decode()
    except _OrjsonError:
        text = _COMPACT_JSON.encode(value)
    if has_lone_surrogate(text):
        # The standard encoder writes a lone surrogate as it is (ensure_ascii=False); no database stores it.
        raise ValueError("it holds a lone surrogate (U+D800..U+DFFF on its own), which is not valid Unicode")
    return text


def encode_state(value: Any) -> str:
    try:
        return _compact_json(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"state value is not JSON: {exc}") from exc


def decode_state(text: str) -> Any:
    return json.loads(text)


def record_rows(partition: int, records: Sequence[Record]) -> list[RecordRow]:
    """Rows for the ``records`` table (tuples in ``RECORD_COLUMNS`` order, as the drivers take them); refuses
    records that name another partition than the commit's."""
    rows: list[RecordRow] = []
    append = rows.append
    # Consecutive records of one element instance carry the same value object (ACTIVATING, ACTIVATED,
    # COMPLETING and COMPLETED write its row's value): a third of a batch's records repeat a value already
    # encoded. Keyed by identity, which is sound because every value stays alive in ``records`` during the
    # call and nothing mutates it meanwhile, so each text is exactly what encoding it again would give.
    texts: dict[int, str] = {}
    for (
        position,
        key,
        record_type,
        value_type,
        intent,
        value,
        record_partition,
        tenant,
        timestamp,
        source_position,
        rejection_type,
        rejection_reason,
    ) in records:
        if record_partition != partition:
            raise StoreError(
                f"record at position {position} belongs to partition {record_partition}, "
                f"committed to partition {partition}"
            )
        instance = value.get("processInstanceKey")  # as Record.process_instance_key, one call less
        text = texts.get(id(value))
        if text is None:
            text = texts[id(value)] = _record_text(position, value)
        append(
            (
                partition,
                position,
                key,
                str(record_type),
                str(value_type),
                intent,
                tenant,
                timestamp,
                source_position,
                str(rejection_type),
                rejection_reason,
                instance if isinstance(instance, int) and instance > 0 else None,
                text,
            )
        )
    return rows


def _record_text(position: int, value: Any) -> str:
    try:
        return _compact_json(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"record at position {position} has a value that is not JSON: {exc}") from exc


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
