"""The unit of state the engine hands to the store: one changed row.

Defined in the core, which produces it, so the core depends on no storage package; ``cadenza.store.port``
re-exports it as part of the Store port.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["StateChange"]


class StateChange(NamedTuple):
    """One state row to write: ``value`` is a JSON-able Python value, or None to delete the row."""

    column: str
    key: str
    value: Any
