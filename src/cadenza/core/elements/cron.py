"""Cron timer cycles: the next fire time of a six-field Spring cron expression, as Zeebe reads them
(second minute hour day-of-month month day-of-week), in UTC.

Supported: ``*``, ``?``, numbers, ranges ``a-b``, lists, steps ``*/n`` and ``a-b/n``, month and day names,
and the ``@daily``-style macros. ``L``, ``W`` and ``#`` are rejected rather than misread.
"""

from __future__ import annotations

import datetime as dt

from cadenza.bpmn.timers import TimerValueError

__all__ = ["next_fire"]

_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_NO_NAMES: dict[str, int] = {}
#: (low, high, names) per field.
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, _NO_NAMES),
    (0, 59, _NO_NAMES),
    (0, 23, _NO_NAMES),
    (1, 31, _NO_NAMES),
    (1, 12, _MONTHS),
    (0, 7, _DAYS),
)
#: How far ahead to look: a cron that matches no day within four years (Feb 30th) never fires.
_HORIZON_DAYS = 4 * 366


def _number(text: str, names: dict[str, int], expression: str) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise TimerValueError(f"cron expression '{expression}': '{text}' is not supported")
    return int(text)


def _field(text: str, low: int, high: int, names: dict[str, int], expression: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, {}, expression) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, names, expression), _number(last, names, expression)
        else:
            start = _number(base, names, expression)
            end = high if step_text else start
        if not (low <= start <= end <= high) or step < 1:
            raise TimerValueError(f"cron expression '{expression}': '{part}' is out of range")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _parse(expression: str) -> tuple[frozenset[int], ...]:
    text = _MACROS.get(expression.strip(), expression.strip())
    parts = text.split()
    if len(parts) != 6:
        raise TimerValueError(f"cron expression '{expression}' needs six fields")
    fields = [
        _field(p, low, high, names, expression) for p, (low, high, names) in zip(parts, _FIELDS, strict=True)
    ]
    fields[5] = frozenset(day % 7 for day in fields[5])  # 7 is Sunday too
    return tuple(fields)


def next_fire(expression: str, after: dt.datetime) -> dt.datetime:
    """The first instant strictly after ``after`` (UTC) that the expression matches."""
    seconds, minutes, hours, days, months, weekdays = _parse(expression)
    start = after.astimezone(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
    day = start.date()
    for _ in range(_HORIZON_DAYS):
        if day.month in months and day.day in days and (day.isoweekday() % 7) in weekdays:
            found = _time_of_day(day, start, seconds, minutes, hours)
            if found is not None:
                return found
        day += dt.timedelta(days=1)
    raise TimerValueError(f"cron expression '{expression}' never fires")


def _time_of_day(
    day: dt.date, start: dt.datetime, seconds: frozenset[int], minutes: frozenset[int], hours: frozenset[int]
) -> dt.datetime | None:
    earliest = start.time() if day == start.date() else dt.time(0)
    for hour in sorted(h for h in hours if h >= earliest.hour):
        for minute in sorted(minutes):
            for second in sorted(seconds):
                candidate = dt.time(hour, minute, second)
                if candidate >= earliest:
                    return dt.datetime.combine(day, candidate, tzinfo=dt.UTC)
    return None
