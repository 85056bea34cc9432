"""Durable storage for partitions: the record log, state, and exporter positions (see ARCHITECTURE.md)."""

from __future__ import annotations

# The API's tables share the metadata (and so the migrations' autogenerate check) with the log's.
from cadenza.store import views_schema as _views_schema  # noqa: F401
from cadenza.store.codec import StoreError
from cadenza.store.factory import open_store
from cadenza.store.memory import MemoryStore
from cadenza.store.port import PartitionSnapshot, StateChange, Store
from cadenza.store.sql import SqlStore

__all__ = ["MemoryStore", "PartitionSnapshot", "SqlStore", "StateChange", "Store", "StoreError", "open_store"]
