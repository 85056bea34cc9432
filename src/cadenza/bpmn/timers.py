"""Timer definitions: ISO 8601 dates, durations and repeating intervals, and cron cycles.

Static values are parsed at deploy time so a typo is a deployment problem; FEEL values (``=...``) are
evaluated by the engine when the timer is armed, and their results go through the same parsers.
Durations keep months apart from the exact part because a month has no fixed length: ``P1M`` from
January 31st is February's last day, which only the due-date arithmetic can know.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from enum import StrEnum

from cadenza.bpmn.expressions import BpmnExpression

__all__ = [
    "IsoDuration",
    "TimerCycle",
    "TimerDefinition",
    "TimerKind",
    "TimerValue",
    "TimerValueError",
    "parse_cycle",
    "parse_date",
    "parse_duration",
    "parse_timer_value",
]


class TimerValueError(ValueError):
    """A timer value that is not valid ISO 8601 (or cron, for cycles)."""


class TimerKind(StrEnum):
    DATE = "timeDate"
    DURATION = "timeDuration"
    CYCLE = "timeCycle"


@dataclass(frozen=True, slots=True)
class IsoDuration:
    """``PnYnMnWnDTnHnMnS``: calendar months plus an exact part."""

    months: int = 0
    exact: dt.timedelta = dt.timedelta(0)

    def after(self, start: dt.datetime) -> dt.datetime:
        """The instant this duration after ``start``; month arithmetic clamps to the month's last day."""
        if self.months:
            total = start.year * 12 + start.month - 1 + self.months
            year, month = divmod(total, 12)
            day = min(start.day, _days_in_month(year, month + 1))
            start = start.replace(year=year, month=month + 1, day=day)
        return start + self.exact


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


@dataclass(frozen=True, slots=True)
class TimerCycle:
    """A repeating timer: ``R[n]/[start/]interval`` (``repetitions`` None = forever) or a cron expression."""

    repetitions: int | None = None
    start: dt.datetime | None = None
    interval: IsoDuration | None = None
    cron: str | None = None


TimerValue = dt.datetime | IsoDuration | TimerCycle


@dataclass(frozen=True, slots=True)
class TimerDefinition:
    kind: TimerKind
    expression: BpmnExpression
    #: The parsed value when the expression is static; None for FEEL, evaluated when the timer is armed.
    static: TimerValue | None = None


_DURATION = re.compile(
    r"(?P<sign>[-+])?P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?"
)
_REPEAT = re.compile(r"R(?P<count>\d*)")
# Spring cron as Zeebe reads it: six fields (second minute hour day-of-month month day-of-week).
_CRON_FIELD = re.compile(r"[0-9A-Za-z*?/,#\-]+")
_CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})


def parse_duration(text: str) -> IsoDuration:
    found = _DURATION.fullmatch(text.strip())
    parts = found.groupdict() if found else {}
    if not found or text.rstrip().endswith(("P", "T")) or not any(parts[k] for k in "YMWDhms"):
        raise TimerValueError(f"'{text}' is not an ISO 8601 duration")
    sign = -1 if parts["sign"] == "-" else 1
    seconds = float((parts["s"] or "0").replace(",", "."))
    exact = dt.timedelta(
        weeks=int(parts["W"] or 0),
        days=int(parts["D"] or 0),
        hours=int(parts["h"] or 0),
        minutes=int(parts["m"] or 0),
        seconds=seconds,
    )
    months = 12 * int(parts["Y"] or 0) + int(parts["M"] or 0)
    return IsoDuration(months=sign * months, exact=sign * exact)


def parse_date(text: str) -> dt.datetime:
    """An ISO 8601 date-time; a value without offset is read as UTC, as Zeebe does; ``[Zone/Id]`` suffixes are
    accepted."""
    value = text.strip()
    zone: dt.tzinfo | None = None
    if value.endswith("]") and "[" in value:
        value, _, zone_id = value[:-1].partition("[")
        zone = _zone(zone_id, text)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise TimerValueError(f"'{text}' is not an ISO 8601 date-time") from None
    if "T" not in value:
        raise TimerValueError(f"'{text}' is a date without a time of day")
    if zone is not None:
        return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(zone)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _zone(zone_id: str, text: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(zone_id)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TimerValueError(f"'{text}' names an unknown time zone '{zone_id}'") from None


def parse_cycle(text: str) -> TimerCycle:
    value = text.strip()
    if not value.startswith("R"):
        return TimerCycle(cron=_check_cron(value))
    parts = value.split("/")
    repeat = _REPEAT.fullmatch(parts[0])
    if repeat is None or len(parts) not in (2, 3):
        raise TimerValueError(f"'{text}' is not an ISO 8601 repeating interval (R[n]/[start/]duration)")
    repetitions = int(repeat["count"]) if repeat["count"] else None
    start = parse_date(parts[1]) if len(parts) == 3 else None
    return TimerCycle(repetitions=repetitions, start=start, interval=parse_duration(parts[-1]))


def _check_cron(value: str) -> str:
    if value in _CRON_MACROS:
        return value
    fields = value.split()
    if len(fields) != 6 or not all(_CRON_FIELD.fullmatch(field) for field in fields):
        raise TimerValueError(
            f"'{value}' is neither an ISO 8601 repeating interval nor a six-field cron expression"
        )
    return value


def parse_timer_value(kind: TimerKind, text: str) -> TimerValue:
    """The engine calls this with a FEEL result's string form; the reader with static values."""
    if kind is TimerKind.DATE:
        return parse_date(text)
    if kind is TimerKind.DURATION:
        return parse_duration(text)
    return parse_cycle(text)
