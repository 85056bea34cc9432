"""Record builders for the store tests."""

from __future__ import annotations

from typing import Any

from cadenza.core.records import Record, RecordType, ValueType


def event(
    position: int, *, instance: int | None = None, tenant: str = "<default>", partition: int = 1, **value: Any
) -> Record:
    """A PROCESS_INSTANCE event at ``position``; ``instance`` becomes value["processInstanceKey"]."""
    if instance is not None:
        value["processInstanceKey"] = instance
    return Record(
        position=position,
        key=1000 + position,
        record_type=RecordType.EVENT,
        value_type=ValueType.PROCESS_INSTANCE,
        intent="ELEMENT_ACTIVATED",
        value=value,
        partition=partition,
        tenant=tenant,
        timestamp=1_700_000_000_000 + position,
        source_position=position - 1,
    )


def batch(first: int, count: int, **kwargs: Any) -> list[Record]:
    return [event(position, **kwargs) for position in range(first, first + count)]
