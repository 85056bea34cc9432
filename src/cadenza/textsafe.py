"""Lone surrogates: Python text that is not Unicode, refused where requests enter.

A UTF-16 surrogate code unit (U+D800..U+DFFF) on its own is no character: UTF-8 cannot encode it, so neither
SQLite nor PostgreSQL can store it. gRPC strings are UTF-8 and cannot carry one, but a JSON ``"\\ud800"``
escape can (variables documents, REST bodies), and so can a Python caller of the Engine port. Finding it at
the edge turns what would fail a whole group commit into one request's clear refusal.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["has_lone_surrogate", "lone_surrogate", "surrogate_reason"]

_SURROGATE = re.compile("[\ud800-\udfff]")
#: A JSON escape of a surrogate code unit; a paired one decodes to a real character, which the walk allows.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def has_lone_surrogate(text: str) -> bool:
    # isascii() is a C scan that settles almost every string without the regular expression.
    return not text.isascii() and _SURROGATE.search(text) is not None


def _find(value: Any) -> list[str] | None:
    """The path (innermost first) to the first text holding a lone surrogate, or None. Built only on a find,
    so the common case allocates nothing."""
    if isinstance(value, str):
        return [] if has_lone_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_lone_surrogate(key):
                return [ascii(key)[1:-1]]  # the name itself, escaped so the reason can be sent
            # Commands carry variables documents as JSON text (the wire format); the engine parses them.
            found = _find_in_json(item) if key == "variables" and isinstance(item, str) else _find(item)
            if found is not None:
                found.append(str(key))
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _find(item)
            if found is not None:
                found.append(f"[{index}]")
                return found
    return None


def _find_in_json(text: str) -> list[str] | None:
    if "\\u" not in text or _ESCAPED_SURROGATE.search(text) is None:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None  # not JSON: whoever parses it says so
    return _find(document)


def _dotted(root: str, parts: list[str] | None) -> str | None:
    if parts is None:
        return None
    return ".".join(part for part in (root, *reversed(parts)) if part).replace(".[", "[")


def lone_surrogate(value: Any, root: str = "") -> str | None:
    """Where in ``value`` (a JSON-like tree named ``root``) a string holds a lone surrogate, as
    ``root.a.b[2]``; None if nowhere."""
    return _dotted(root, _find(value))


def surrogate_reason(field: str) -> str:
    """The sentence a refusal gives; ASCII only, so the refusal itself can always be written and sent."""
    return (
        f"property '{field}' contains a lone surrogate (a UTF-16 code unit in U+D800..U+DFFF on its own, "
        "e.g. from a JSON \\ud800 escape): text must be valid Unicode"
    )
