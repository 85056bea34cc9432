"""Date and time built-ins (DMN 1.5 10.3.4.7 and 10.3.4.8): is, day of year, day of week, month of year,
week of year, now, today."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from cadenza.feel.builtins.registry import builtin
from cadenza.feel.semantics import equal, type_name
from cadenza.feel.values import WideDateTime, current_time
from cadenza.feel.wide_dates import AnyDate, plain_base

__all__: list[str] = []

Number = decimal.Decimal

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@builtin("is", "value1: Any", "value2: Any", nulls=True)
def feel_is(first: Any, second: Any) -> bool:
    """Identity: same type and same value, and for temporal values the same zone or offset too."""
    if type_name(first) != type_name(second):
        return False
    if isinstance(first, _CLOCKS) and isinstance(second, _CLOCKS):
        return first.tzinfo == second.tzinfo and _wall(first) == _wall(second)
    return equal(first, second) is True


_CLOCKS = (dt.datetime, dt.time, WideDateTime)


def _wall(value: dt.datetime | dt.time | WideDateTime) -> object:
    """What the value shows without its zone: two values are the same when these and their zones agree."""
    if isinstance(value, WideDateTime):
        return value.cycles, value.base.replace(tzinfo=None)
    return value.replace(tzinfo=None)


@builtin("day of year", "date: date|date and time")
def day_of_year(date: AnyDate) -> Number:
    # A date moved by whole 400-year cycles (plain_base) keeps its day of year, weekday and ISO week.
    return Number(plain_base(date).timetuple().tm_yday)


@builtin("day of week", "date: date|date and time")
def day_of_week(date: AnyDate) -> str:
    return _DAYS[date.weekday()]


@builtin("month of year", "date: date|date and time")
def month_of_year(date: AnyDate) -> str:
    return _MONTHS[date.month - 1]


@builtin("week of year", "date: date|date and time")
def week_of_year(date: AnyDate) -> Number:
    """The ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday)."""
    return Number(plain_base(date).isocalendar()[1])


@builtin("now")
def now() -> dt.datetime:
    return current_time()


@builtin("today")
def today() -> dt.date:
    instant = current_time()
    return dt.date(instant.year, instant.month, instant.day)
