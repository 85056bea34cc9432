"""The one error agent memory raises for bad input (empty or oversized text, a malformed tenant or filter)."""

from __future__ import annotations

__all__ = ["MemoryInputError"]


class MemoryInputError(ValueError):
    """Bad input to memory: the message says which value and why. Nothing was stored or changed."""
