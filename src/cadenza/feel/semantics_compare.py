"""FEEL equality, ordering, type names and ``string()`` rendering (DMN 1.5 10.3.2.2, 10.3.2.3, 10.3.4.1).

Import these through :mod:`cadenza.feel.semantics`, which re-exports them beside the arithmetic.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from cadenza.feel import temporal, wide_dates
from cadenza.feel.values import (
    DECIMAL_CONTEXT,
    FeelFunction,
    Range,
    WideDate,
    WideDateTime,
    YearsMonthsDuration,
)

__all__ = ["compare", "equal", "range_contains", "to_feel_string", "type_name"]

Number = decimal.Decimal

# Order matters: datetime is a subclass of date.
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (Number, "number"),
    (str, "string"),
    (dt.datetime, "date and time"),
    (dt.date, "date"),
    (dt.time, "time"),
    (dt.timedelta, "days and time duration"),
    (YearsMonthsDuration, "years and months duration"),
    (list, "list"),
    (dict, "context"),
    (Range, "range"),
    (FeelFunction, "function"),
    # Last: rare, and the loop stops at the first match.
    (WideDateTime, "date and time"),
    (WideDate, "date"),
)


def type_name(value: Any) -> str:
    """The FEEL type name of a value, as ``instance of`` and error messages spell it."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    for python_type, name in _TYPE_NAMES:
        if isinstance(value, python_type):
            return name
    return "Any"


def _date_times(a: dt.datetime, b: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """Both as comparable instants, or None when exactly one has a zone (DMN 1.5: not comparable)."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    if a.tzinfo is not None:
        # Compare instants: Python compares wall clocks when both share one tzinfo object.
        return a.astimezone(temporal.UTC), b.astimezone(temporal.UTC)
    return a, b


def _ordered_keys(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Keys that Python can order the way FEEL orders a and b, or None when FEEL cannot compare them."""
    kind = type_name(a)
    if kind != type_name(b) or kind in ("boolean", "list", "context", "range", "function", "Any"):
        return None
    # Both are of this one kind from here on; string tests keep numbers and strings on the fastest path.
    if kind == "date and time":
        if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
            return _date_times(a, b)
        return _wide_keys(a, b)
    if kind == "time":
        key_a, key_b = temporal.time_key(a), temporal.time_key(b)
        return (key_a[1], key_b[1]) if key_a[0] == key_b[0] else None
    # WideDate has no subclasses, so a class test (no call) is enough.
    if kind == "date" and (a.__class__ is WideDate or b.__class__ is WideDate):
        return _wide_keys(a, b)
    return a, b


def _wide_keys(a: Any, b: Any) -> tuple[int, int] | None:
    """Day numbers of two dates, or instants of two date-times, when one of them is outside years 1..9999."""
    if type_name(a) == "date":
        return wide_dates.ordinal(a), wide_dates.ordinal(b)
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return wide_dates.instant(a), wide_dates.instant(b)


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 as FEEL orders a and b; None when they are not comparable (null, different types, ...)."""
    if a is None or b is None:
        return None
    keys = _ordered_keys(a, b)
    if keys is None:
        return None
    left, right = keys
    return -1 if left < right else (1 if left > right else 0)


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``a = b``: null = null is true, x = null false, different types not comparable (None)."""
    if a is None or b is None:
        return a is None and b is None
    kind = type_name(a)
    if kind != type_name(b):
        return None
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) is True for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[key], b[key]) is True for key in a)
    if isinstance(a, Range) and isinstance(b, Range):
        return (
            a.start_included == b.start_included
            and a.end_included == b.end_included
            and equal(a.start, b.start) is True
            and equal(a.end, b.end) is True
        )
    if kind in ("boolean", "function"):
        return a is b or a == b
    order = compare(a, b)
    return None if order is None else order == 0


def range_contains(container: Range, value: Any) -> bool | None:
    """Whether value lies in the range; None when the value is not comparable with its endpoints."""
    if container.start is not None:
        order = compare(value, container.start)
        if order is None:
            return None
        if order < 0 or (order == 0 and not container.start_included):
            return False
    if container.end is not None:
        order = compare(value, container.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not container.end_included):
            return False
    return True


def _number_text(value: Number) -> str:
    if not value.is_finite():
        return str(value)
    if value.is_zero():
        return "0"
    # Plain notation without trailing zeros: 1.10 → "1.1", 1E+3 → "1000".
    return format(value.normalize(DECIMAL_CONTEXT), "f")


def _nested(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_feel_string(value)


def _range_text(value: Range) -> str:
    start = "(" if value.start is None or not value.start_included else "["
    end = ")" if value.end is None or not value.end_included else "]"
    low = "null" if value.start is None else _nested(value.start)
    high = "null" if value.end is None else _nested(value.end)
    return f"{start}{low}..{high}{end}"


def to_feel_string(value: Any) -> str:
    """The text FEEL's ``string(value)`` gives; ``null`` for null inside lists and contexts."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Number):
        return _number_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return temporal.format_date_and_time(value)
    if isinstance(value, dt.date):
        return temporal.format_date(value)
    if isinstance(value, dt.time):
        return temporal.format_time(value)
    if isinstance(value, dt.timedelta):
        return temporal.format_duration(value)
    if isinstance(value, YearsMonthsDuration):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_nested(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_nested(item)}" for key, item in value.items()) + "}"
    if isinstance(value, Range):
        return _range_text(value)
    if isinstance(value, FeelFunction):
        return f"function {value.name}"
    if isinstance(value, WideDateTime):
        return temporal.format_date_and_time(value)
    if isinstance(value, WideDate):
        return temporal.format_date(value)
    return str(value)
