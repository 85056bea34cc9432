"""Keys encode their partition, as Zeebe's do: ``key = (partition << 51) + counter`` (ZEEBE-SEMANTICS §10)."""

from __future__ import annotations

__all__ = ["PARTITION_BITS", "counter_of", "encode_key", "partition_of"]

PARTITION_BITS = 51


def encode_key(partition: int, counter: int) -> int:
    return (partition << PARTITION_BITS) + counter


def partition_of(key: int) -> int:
    return key >> PARTITION_BITS


def counter_of(key: int) -> int:
    return key & ((1 << PARTITION_BITS) - 1)
