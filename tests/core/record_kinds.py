"""The shape of a stretch of the log, for asserting exact record sequences: ``(value type, intent)`` per
record, rejections marked as such."""

from __future__ import annotations

from cadenza.core.records import Record, RecordType
from cadenza.core.testing import EngineDriver


def kinds(records: list[Record]) -> list[tuple[str, str]]:
    return [
        (
            str(r.value_type),
            f"REJECTED {r.intent}" if r.record_type is RecordType.COMMAND_REJECTION else str(r.intent),
        )
        for r in records
    ]


def written_by_last(engine: EngineDriver) -> list[tuple[str, str]]:
    """The records the last command wrote, itself included (a batch starts at its logged command)."""
    start = max(i for i, r in enumerate(engine.log) if r.record_type is RecordType.COMMAND)
    return kinds(engine.log[start:])
