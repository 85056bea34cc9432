"""Cursor pagination: a cursor is the last row's sort values, base64url JSON, so pages stay stable while rows
are added (no offsets that shift)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from cadenza.api.problems import Problem

__all__ = ["decode_cursor", "decode_text_cursor", "encode_cursor", "page"]

MAX_LIMIT = 500


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _values(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None


def _invalid(cursor: str) -> Problem:
    return Problem(400, f"the cursor '{cursor[:80]}' is not one this API gave out", kind="invalid-cursor")


def decode_cursor(cursor: str | None, size: int) -> list[int] | None:
    """The sort values a cursor holds (integers: keys, times, priorities); a 400 problem for other text."""
    if not cursor:
        return None
    values = _values(cursor)
    if isinstance(values, list) and len(values) == size:
        numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        if len(numbers) == size:
            return numbers
    raise _invalid(cursor)


def decode_text_cursor(cursor: str | None, max_length: int) -> str | None:
    """The one text sort value (a name) a cursor holds, for lists paged by name; a 400 problem otherwise."""
    if not cursor:
        return None
    values = _values(cursor)
    if isinstance(values, list) and len(values) == 1:
        name = values[0]
        if isinstance(name, str) and len(name) <= max_length:
            return name
    raise _invalid(cursor)


def page(items: list[dict[str, Any]], rows: Sequence[Any], limit: int, sort_values: Any) -> dict[str, Any]:
    """``rows`` were fetched with limit + 1: one more than fits tells that a next page exists."""
    more = len(rows) > limit
    shown = items[:limit]
    cursor = encode_cursor(sort_values(rows[limit - 1])) if more else None
    return {"items": shown, "nextCursor": cursor}
