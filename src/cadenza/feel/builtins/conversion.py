"""Conversion built-ins (DMN 1.5 10.3.4.1) and ``not`` (10.3.4.2)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from cadenza.feel import temporal, wide_dates
from cadenza.feel.builtins.registry import as_date, builtin
from cadenza.feel.semantics import to_feel_string
from cadenza.feel.values import DECIMAL_CONTEXT, FeelEvalError, WideDate, WideDateTime, YearsMonthsDuration
from cadenza.feel.wide_dates import AnyDate, AnyDateTime

__all__: list[str] = []

Number = decimal.Decimal


def _int(value: Number, what: str) -> int:
    if value != value.to_integral_value():
        raise FeelEvalError(f"{what} must be a whole number")
    return int(value)


@builtin("date", "from: string|date")
def date_from(source: str | AnyDate) -> dt.date | WideDate:
    return temporal.parse_date(source) if isinstance(source, str) else as_date(source)


@builtin("date", "year: number", "month: number", "day: number")
def date_of(year: Number, month: Number, day: Number) -> dt.date | WideDate:
    return temporal.date_from_parts(_int(year, "year"), _int(month, "month"), _int(day, "day"))


@builtin("date and time", "from: string|date|date and time")
def date_and_time_from(source: str | AnyDate) -> AnyDateTime:
    if isinstance(source, str):
        return temporal.parse_date_and_time(source)
    if isinstance(source, dt.datetime | WideDateTime):
        return source
    return wide_dates.combine(source, dt.time())


@builtin("date and time", "date: date|date and time", "time: time")
def date_and_time_of(day: AnyDate, clock: dt.time) -> AnyDateTime:
    return wide_dates.combine(day, clock)


@builtin("time", "from: string|time|date|date and time")
def time_from(source: str | dt.time | AnyDate) -> dt.time:
    if isinstance(source, str):
        return temporal.parse_time(source)
    if isinstance(source, dt.time):
        return source
    if isinstance(source, dt.datetime | WideDateTime):
        return source.timetz()
    # A date is its midnight UTC (DMN 1.5 10.3.4.1: time(date("2017-08-10")) = 00:00:00Z).
    return dt.time(0, 0, tzinfo=temporal.UTC)


@builtin("time", "hour: number", "minute: number", "second: number", "offset?: days and time duration")
def time_of(hour: Number, minute: Number, second: Number, offset: dt.timedelta | None) -> dt.time:
    whole_second = int(second)
    micros = int(((second - whole_second) * 1_000_000).to_integral_value(decimal.ROUND_DOWN))
    h, m = _int(hour, "hour"), _int(minute, "minute")
    if not (0 <= h <= 23 and 0 <= m <= 59 and 0 <= whole_second <= 59 and micros >= 0):
        raise FeelEvalError("time: hour, minute or second out of range")
    zone = None if offset is None else temporal.offset_zone(offset)
    return dt.time(h, m, whole_second, micros, tzinfo=zone)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _parse_number(text: str) -> Number:
    if not _NUMBER.fullmatch(text):
        raise FeelEvalError(f"number: {text!r} is not a number")
    try:
        return DECIMAL_CONTEXT.create_decimal(text)
    except decimal.DecimalException:
        raise FeelEvalError(f"number: {text!r} is out of range") from None


@builtin("number", "from: string", "grouping separator?: string", "decimal separator?: string")
def number(text: str, grouping: str | None, separator: str | None) -> Number:
    if grouping not in (None, " ", ",", "."):
        raise FeelEvalError("number: the grouping separator must be space, comma or period")
    if separator not in (None, ",", "."):
        raise FeelEvalError("number: the decimal separator must be comma or period")
    if grouping is not None and grouping == separator:
        raise FeelEvalError("number: the grouping and decimal separators must differ")
    if grouping is not None:
        text = text.replace(grouping, "")
    if separator is not None:
        text = text.replace(separator, ".")
    return _parse_number(text)


@builtin("string", "from: Any", nulls=False)
def string(value: Any) -> str:
    return to_feel_string(value)


@builtin("duration", "from: string")
def duration(text: str) -> dt.timedelta | YearsMonthsDuration:
    return temporal.parse_duration(text)


@builtin("years and months duration", "from: date|date and time", "to: date|date and time")
def years_and_months(start: AnyDate, end: AnyDate) -> YearsMonthsDuration:
    """Whole months between the two dates; times of day are ignored, as the DMN TCK expects."""
    low, high, sign = start, end, 1
    if (low.year, low.month, low.day) > (high.year, high.month, high.day):
        low, high, sign = high, low, -1
    months = (high.year - low.year) * 12 + high.month - low.month
    if high.day < low.day:
        months -= 1
    return YearsMonthsDuration(sign * months)


@builtin("not", "negand: Any", nulls=True)
def feel_not(negand: Any) -> bool | None:
    return (not negand) if isinstance(negand, bool) else None
