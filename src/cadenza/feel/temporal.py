"""FEEL temporal values: parsing their lexical forms, printing them, their properties and their arithmetic.

The lexical forms are those of XML Schema as DMN 1.5 section 10.3.2.3 restricts them. A year outside Python's
1..9999 gives a :class:`WideDate` / :class:`WideDateTime` (:mod:`cadenza.feel.wide_dates`); fractions of a
second are cut to microseconds, which the docstring of :mod:`cadenza.feel.values` records as the limit.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import zoneinfo
from typing import Any

from cadenza.feel import wide_dates
from cadenza.feel.values import FeelEvalError, Range, WideDate, WideDateTime, YearsMonthsDuration
from cadenza.feel.wide_dates import AnyDate, AnyDateTime, add_months
from cadenza.feel.wide_dates import as_utc_date_time as as_utc_datetime

__all__ = [
    "UTC",
    "add_months",
    "as_utc_datetime",
    "date_from_parts",
    "format_date",
    "format_date_and_time",
    "format_duration",
    "format_time",
    "make_zone",
    "parse_date",
    "parse_date_and_time",
    "parse_duration",
    "parse_temporal_literal",
    "parse_time",
    "property",
    "property_of",
    "time_key",
    "zone_of",
]

UTC = dt.UTC

_DATE = r"(?P<year>-?(?:[1-9]\d{4,8}|\d{4}))-(?P<month>\d{2})-(?P<day>\d{2})"
_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d*))?"
_ZONE = r"(?P<zone>Z|[+-]\d{2}:\d{2}(?::\d{2})?|@[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)?"
_DATE_RE = re.compile(_DATE)
_TIME_RE = re.compile(_TIME + _ZONE)
_DATE_TIME_RE = re.compile(_DATE + "T" + _TIME + _ZONE)
_DURATION_RE = re.compile(
    r"(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d*)?)S)?)?"
)
#: XML Schema and java.time both bound offsets; FEEL engines accept up to 18 hours.
_MAX_OFFSET = dt.timedelta(hours=18)


def _match(pattern: re.Pattern[str], text: object, what: str) -> re.Match[str]:
    if not isinstance(text, str):
        raise FeelEvalError(f"{what}: expected a string")
    found = pattern.fullmatch(text)
    if found is None:
        raise FeelEvalError(f"{what}: invalid {what} literal {text!r}")
    return found


def _date_from(found: re.Match[str]) -> dt.date | WideDate:
    year, month, day = int(found["year"]), int(found["month"]), int(found["day"])
    if 1 <= year <= 9999:
        try:
            return dt.date(year, month, day)  # the common case, without the detour below
        except ValueError as error:
            raise FeelEvalError(f"date: {error}") from None
    if found["year"] == "-0000":
        raise FeelEvalError("date: year -0000 does not exist (0000 is 1 BC)")
    return date_from_parts(year, month, day)


def date_from_parts(year: int, month: int, day: int) -> dt.date | WideDate:
    """A date of any FEEL year; an invalid date such as 2021-02-30 is an error."""
    try:
        if 1 <= year <= 9999:
            return dt.date(year, month, day)
        return wide_dates.date_from_fields(year, month, day)
    except ValueError as error:
        raise FeelEvalError(f"date: {error}") from None


def _micros(fraction: str | None) -> int:
    # Digits past the sixth are below Python's resolution; they are dropped (truncation, as XSD allows).
    return int((fraction or "").ljust(6, "0")[:6])


def make_zone(text: str | None) -> dt.tzinfo | None:
    """The ``tzinfo`` for a zone suffix: ``Z``, ``+hh:mm[:ss]`` or ``@Region/City``; None for no suffix."""
    if not text:
        return None
    if text == "Z":
        return UTC
    if text.startswith("@"):
        try:
            return zoneinfo.ZoneInfo(text[1:])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise FeelEvalError(f"unknown time zone {text[1:]!r}") from None
    sign = -1 if text[0] == "-" else 1
    parts = [int(part) for part in text[1:].split(":")]
    if parts[1] > 59 or (len(parts) > 2 and parts[2] > 59):
        raise FeelEvalError(f"invalid time offset {text!r}")
    offset = sign * dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
    return offset_zone(offset)


def offset_zone(offset: dt.timedelta) -> dt.tzinfo:
    """A fixed-offset zone; zero is UTC (printed ``Z``)."""
    if abs(offset) > _MAX_OFFSET or offset % dt.timedelta(seconds=1):
        raise FeelEvalError(f"invalid time offset {format_duration(offset)}")
    return UTC if not offset else dt.timezone(offset)


def _clock(found: re.Match[str]) -> tuple[int, int, int, int, bool]:
    """hour, minute, second, microsecond and whether the time was the end-of-day ``24:00:00``."""
    hour, minute, second = int(found["hour"]), int(found["minute"]), int(found["second"])
    micros = _micros(found["fraction"])
    if hour == 24 and minute == 0 and second == 0 and micros == 0:
        return 0, 0, 0, 0, True
    if hour > 23 or minute > 59 or second > 59:
        raise FeelEvalError(f"invalid time of day {found[0]!r}")
    return hour, minute, second, micros, False


def parse_date(text: object) -> dt.date | WideDate:
    """``date("2012-12-25")``: a calendar date; an invalid date such as 2021-02-30 is an error."""
    return _date_from(_match(_DATE_RE, text, "date"))


def parse_time(text: object) -> dt.time:
    """``time("10:30:00+02:00")``; ``24:00:00`` is midnight."""
    found = _match(_TIME_RE, text, "time")
    hour, minute, second, micros, _ = _clock(found)
    return dt.time(hour, minute, second, micros, tzinfo=make_zone(found["zone"]))


def parse_date_and_time(text: object) -> AnyDateTime:
    """``date and time("2012-12-24T23:59:00Z")``; a bare date is its midnight, T24:00:00 the next day."""
    if isinstance(text, str) and _DATE_RE.fullmatch(text):
        return wide_dates.combine(parse_date(text), dt.time())
    found = _match(_DATE_TIME_RE, text, "date and time")
    day = _date_from(found)
    hour, minute, second, micros, end_of_day = _clock(found)
    if end_of_day:
        day = wide_dates.from_ordinal(wide_dates.ordinal(day) + 1)
    return wide_dates.combine(day, dt.time(hour, minute, second, micros, make_zone(found["zone"])))


def parse_duration(text: object) -> dt.timedelta | YearsMonthsDuration:
    """``duration("P1DT2H")`` → timedelta, ``duration("P1Y2M")`` → YearsMonthsDuration; no mixed forms."""
    found = _match(_DURATION_RE, text, "duration")
    assert isinstance(text, str)
    if text.endswith(("P", "T")) or not any(
        found.groupdict()[k] for k in ("years", "months", "days", *_TIME_KEYS)
    ):
        raise FeelEvalError(f"duration: invalid duration literal {text!r}")
    sign = -1 if found["sign"] else 1
    has_ym = found["years"] is not None or found["months"] is not None
    has_dt = any(found[key] is not None for key in ("days", *_TIME_KEYS))
    if has_ym and has_dt:
        raise FeelEvalError(f"duration: {text!r} mixes years/months with days/time")
    if has_ym:
        return YearsMonthsDuration(sign * (12 * int(found["years"] or 0) + int(found["months"] or 0)))
    seconds = decimal.Decimal(found["seconds"] or 0)
    try:
        total = dt.timedelta(
            days=int(found["days"] or 0),
            hours=int(found["hours"] or 0),
            minutes=int(found["minutes"] or 0),
            seconds=int(seconds),
            microseconds=int((seconds % 1).scaleb(6)),
        )
    except OverflowError:
        raise FeelEvalError(f"duration: {text!r} is out of range") from None
    return sign * total


_TIME_KEYS = ("hours", "minutes", "seconds")


def parse_temporal_literal(text: object) -> Any:
    """The value of an ``@"..."`` literal (DMN 1.5 10.3.1.2): its form decides date, date and time, time or
    duration. ``@"foo"`` is an error."""
    if isinstance(text, str):
        if text.startswith(("P", "-P")):
            return parse_duration(text)
        if _DATE_RE.fullmatch(text):
            return parse_date(text)
        if "T" in text:
            return parse_date_and_time(text)
        return parse_time(text)
    raise FeelEvalError("@ literal: expected a string")


# ---------------------------------------------------------------------------------------------- printing


def _format_zone(zone: dt.tzinfo | None, offset: dt.timedelta | None) -> str:
    if zone is None:
        return ""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return "@" + zone.key
    if not offset:
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    text = f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def _format_clock(value: dt.time | AnyDateTime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def format_date(value: AnyDate) -> str:
    year = value.year
    # XML Schema: at least four digits, a minus sign before them (-0001-01-01, not -001-01-01).
    text = f"{year:04d}" if year >= 0 else f"-{-year:04d}"
    return f"{text}-{value.month:02d}-{value.day:02d}"


def format_time(value: dt.time) -> str:
    return _format_clock(value) + _format_zone(value.tzinfo, time_offset(value))


def format_date_and_time(value: AnyDateTime) -> str:
    return f"{format_date(value)}T{_format_clock(value)}" + _format_zone(value.tzinfo, value.utcoffset())


def format_duration(value: dt.timedelta) -> str:
    """ISO 8601 with days as the largest unit, as the TCK prints them: ``-P1DT2H3M4.5S``."""
    micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    days, micros = divmod(micros, 86_400_000_000)
    hours, micros = divmod(micros, 3_600_000_000)
    minutes, micros = divmod(micros, 60_000_000)
    seconds, micros = divmod(micros, 1_000_000)
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micros:
        clock += str(seconds) + (f".{micros:06d}".rstrip("0") if micros else "") + "S"
    if not days and not clock:
        return "PT0S"
    return f"{sign}P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")


# ---------------------------------------------------------------------------------------------- helpers


def time_offset(value: dt.time) -> dt.timedelta | None:
    """A time's offset from UTC. A named zone has no offset without a date; its standard offset on 2000-01-01
    is used so that comparisons stay deterministic."""
    zone = value.tzinfo
    if zone is None:
        return None
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone.utcoffset(dt.datetime(2000, 1, 1, value.hour, value.minute))
    return zone.utcoffset(None)


def time_key(value: dt.time) -> tuple[bool, dt.timedelta]:
    """(has a zone, the time of day in UTC or local) so that times can be compared and subtracted."""
    since_midnight = dt.timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )
    offset = time_offset(value)
    if offset is None:
        return False, since_midnight
    # No wrap around midnight: 10:10+11:00 - 11:10+11:00 is -PT1H (DMN TCK 0100), so the key may be negative.
    return True, since_midnight - offset


def zone_of(value: dt.time | AnyDateTime) -> str | None:
    """The IANA zone name of a temporal value, or None for an offset or no zone."""
    zone = value.tzinfo
    return zone.key if isinstance(zone, zoneinfo.ZoneInfo) else None


# ---------------------------------------------------------------------------------------------- properties


def _number(value: int) -> decimal.Decimal:
    return decimal.Decimal(value)


def _date_properties(value: AnyDate, name: str) -> Any:
    table = {"year": value.year, "month": value.month, "day": value.day, "weekday": value.isoweekday()}
    if name in table:
        return _number(table[name])
    return _MISSING


def _clock_properties(value: dt.time | AnyDateTime, name: str) -> Any:
    table = {"hour": value.hour, "minute": value.minute, "second": value.second}
    if name in table:
        return _number(table[name])
    if name == "time offset":
        return time_offset(value) if isinstance(value, dt.time) else value.utcoffset()
    if name == "timezone":
        return zone_of(value)
    return _MISSING


def _duration_properties(value: dt.timedelta, name: str) -> Any:
    micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    sign = -1 if micros < 0 else 1
    seconds = abs(micros) // 1_000_000
    table = {"days": seconds // 86400, "hours": seconds // 3600 % 24, "minutes": seconds // 60 % 60}
    if name in table:
        return _number(sign * table[name])
    if name == "seconds":
        return _number(sign * (seconds % 60))
    return _MISSING


_MISSING = object()


def property_of(value: Any, name: str) -> Any:
    """``value.name`` for a temporal value or a range: year, hour, time offset, days, start included, ...

    Unknown properties, and properties of another type (``duration("P1Y").days``) are null.
    """
    result: Any = _MISSING
    if isinstance(value, dt.datetime | WideDateTime):
        result = _date_properties(value, name)
        if result is _MISSING:
            result = _clock_properties(value, name)
    elif isinstance(value, dt.date | WideDate):
        result = _date_properties(value, name)
    elif isinstance(value, dt.time):
        result = _clock_properties(value, name)
    elif isinstance(value, dt.timedelta):
        result = _duration_properties(value, name)
    elif isinstance(value, YearsMonthsDuration):
        if name in ("years", "months"):
            result = _number(value.years_part if name == "years" else value.months_part)
    elif isinstance(value, Range):
        table = {
            "start": value.start,
            "end": value.end,
            "start included": value.start_included,
            "end included": value.end_included,
        }
        result = table.get(name, _MISSING)
    return None if result is _MISSING else result


#: The name the evaluator's brief uses (``temporal.property(value, name)``); same function.
property = property_of  # shadows the builtin only inside this module, which does not use it
