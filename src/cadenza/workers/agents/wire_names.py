"""Tool names as a provider's API accepts them, and back.

Anthropic's Messages API and OpenAI's chat completions both restrict a tool's (function's) name to
``[a-zA-Z0-9_-]{1,64}``, while Cadenza's tool names may hold other characters (``memory.search``). The
adapters send each name through :class:`WireNames` and map the names in the model's tool calls back, so the
loop, the allowlist and the ledger only ever see Cadenza's names. The mapping is a function of the request's
tool list alone (its order included), so the same request always goes out the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MAX_WIRE_NAME", "WireNames"]

MAX_WIRE_NAME = 64
_VALID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_INVALID_CHAR = re.compile(r"[^a-zA-Z0-9_-]")


def _sanitized(name: str) -> str:
    return _INVALID_CHAR.sub("_", name)[:MAX_WIRE_NAME] or "tool"


class WireNames:
    """The wire name of each of a request's tools: the name itself where the API accepts it, else the name
    with every other character replaced by ``_`` (``memory.search`` → ``memory_search``), suffixed ``_2``,
    ``_3``... where that would clash with another tool's wire name."""

    def __init__(self, names: Iterable[str]) -> None:
        names = list(dict.fromkeys(names))
        self._wire: dict[str, str] = {n: n for n in names if _VALID.fullmatch(n)}
        taken = set(self._wire.values())
        for name in names:
            if name in self._wire:
                continue
            base = candidate = _sanitized(name)
            number = 1
            while candidate in taken:
                number += 1
                suffix = f"_{number}"
                candidate = base[: MAX_WIRE_NAME - len(suffix)] + suffix
            self._wire[name] = candidate
            taken.add(candidate)
        self._local = {wire: name for name, wire in self._wire.items()}

    def wire(self, name: str) -> str:
        """The name to send. A name outside the request's tools (a call the model invented, kept in the
        conversation so it sees its refusal) is sanitized the same way."""
        return self._wire.get(name) or _sanitized(name)

    def local(self, wire: str) -> str:
        """Cadenza's name of a tool the model called; a name no tool has is returned as it is (the loop
        refuses the call)."""
        return self._local.get(wire, wire)
