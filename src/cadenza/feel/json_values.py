"""JSON documents <-> FEEL values.

Process variables travel as JSON (Zeebe's wire format), so every edge converts here and nowhere else.
JSON numbers become exact ``Decimal`` values; FEEL values with no JSON form (temporal values, durations,
ranges) leave as their ISO 8601 / FEEL string form, functions as null.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from cadenza.feel.values import (
    DECIMAL_CONTEXT,
    FeelFunction,
    Range,
    WideDate,
    WideDateTime,
    YearsMonthsDuration,
    to_decimal,
)

__all__ = ["from_json", "loads", "to_json", "dumps"]


_DECODER = json.JSONDecoder(parse_float=to_decimal, parse_int=to_decimal)


def loads(text: str | bytes) -> Any:
    """Parses JSON text straight into FEEL values, keeping every digit of its numbers."""
    if isinstance(text, str) and not text.startswith("\ufeff"):
        return _DECODER.decode(text)  # one decoder for all: ``json.loads`` builds one per call
    return json.loads(text, parse_float=to_decimal, parse_int=to_decimal)


def from_json(value: Any) -> Any:
    """Converts an already parsed JSON value (ints, floats, dicts, ...) into a FEEL value."""
    if isinstance(value, bool) or value is None or isinstance(value, str | decimal.Decimal):
        return value
    if isinstance(value, int | float):
        return to_decimal(value)
    if isinstance(value, dict):
        return {str(key): from_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [from_json(item) for item in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def to_json(value: Any) -> Any:
    """Converts a FEEL value into plain JSON-able Python (int/float for numbers)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return _to_text(value)


def dumps(value: Any) -> str:
    """Serialises a FEEL value as compact JSON text, writing numbers with all their digits."""
    if isinstance(value, decimal.Decimal):
        return _number_text(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(key, ensure_ascii=False)}:{dumps(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    return json.dumps(to_json(value), ensure_ascii=False)


def _number_text(value: decimal.Decimal) -> str:
    if not value.is_finite():
        return "null"
    whole = value.to_integral_value()
    if value == whole:
        # every digit, without quantize: that fails on an integer longer than the context's 34 digits (1e273)
        return format(whole, "f")
    return format(value.normalize(DECIMAL_CONTEXT), "f")


def _to_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta | YearsMonthsDuration | Range | WideDate | WideDateTime):
        from cadenza.feel.semantics import to_feel_string

        return to_feel_string(value)
    if isinstance(value, FeelFunction):
        return None
    raise TypeError(f"not a FEEL value: {type(value).__name__}")
