"""Calendar arithmetic for dates and date-times of any FEEL year (DMN: -999,999,999..999,999,999).

Python's ``date`` stops at 1..9999, so a value outside it is a :class:`~cadenza.feel.values.WideDate` or
:class:`~cadenza.feel.values.WideDateTime`: an ordinary Python value (``base``) moved by whole 400-year cycles
(``cycles``). The proleptic Gregorian calendar repeats exactly every 400 years (146,097 days, a whole number
of weeks), so the base has the value's month lengths, leap day, weekday and ISO week, and Python does the
calendar work on it.

``base`` lies in a working window chosen by the value's year (the same rule puts a value in one place only):

- years up to 1600 use base years 401..800, before every zone's first transition, so a named zone gives its
  earliest (local mean time) offset, which is the offset it has for any year that early;
- years from 4801 use base years 4801..5200, after every transition, so a named zone follows its current rule;
- years in between are not moved.

Each window has more than 400 years of room above it inside 1..9999, so adding less than one cycle to a base
cannot overflow; whole cycles are counted in ``cycles``. Ordinary values only come here when Python's own
arithmetic overflows, which keeps the common path as fast as before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from typing import TypeVar, overload

from cadenza.feel.values import CYCLE_YEARS, FeelEvalError, WideDate, WideDateTime

__all__ = [
    "AnyDate",
    "AnyDateTime",
    "add_months",
    "as_utc_date_time",
    "combine",
    "date_from_fields",
    "date_part",
    "date_plus",
    "date_time_plus",
    "days_between",
    "from_ordinal",
    "instant",
    "ordinal",
    "plain_base",
]

AnyDate = dt.date | WideDate | WideDateTime
AnyDateTime = dt.datetime | WideDateTime
MIN_YEAR, MAX_YEAR = -999_999_999, 999_999_999
CYCLE_DAYS = 146_097
_CYCLE = dt.timedelta(days=CYCLE_DAYS)
_UTC = dt.UTC
_MICROS_PER_DAY = 86_400_000_000
D = TypeVar("D", bound=dt.date)


def _cycles_for(year: int) -> int:
    """How many cycles to take off ``year`` to bring it into its working window (see the module docstring)."""
    if year <= 1600:
        return (year - 401) // CYCLE_YEARS
    if year >= 4801:
        return (year - 4801) // CYCLE_YEARS
    return 0


# A datetime is a date to Python, not to FEEL: the first overload deliberately narrows the second.
@overload
def settle(base: dt.datetime, cycles: int) -> AnyDateTime: ...  # type: ignore[overload-overlap]
@overload
def settle(base: dt.date, cycles: int) -> dt.date | WideDate: ...
def settle(base: dt.date, cycles: int) -> AnyDate:
    """The one representation of ``base`` moved by ``cycles``: a plain Python value when its year fits."""
    year = base.year + CYCLE_YEARS * cycles
    if 1 <= year <= 9999:
        return base.replace(year=year) if cycles else base
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FeelEvalError(f"year {year} is outside the range -999999999..999999999")
    shift = _cycles_for(year)
    moved = base.replace(year=year - CYCLE_YEARS * shift)
    return WideDateTime(moved, shift) if isinstance(moved, dt.datetime) else WideDate(moved, shift)


@overload
def _parts(value: AnyDateTime) -> tuple[dt.datetime, int]: ...
@overload
def _parts(value: AnyDate) -> tuple[dt.date, int]: ...
def _parts(value: AnyDate) -> tuple[dt.date, int]:
    """The base and cycles of any date: a plain value is its own base."""
    if isinstance(value, WideDate | WideDateTime):
        return value.base, value.cycles
    return value, 0


def _lift(value: D) -> tuple[D, int]:
    """A plain value moved into its working window, so that arithmetic on it has room (see above)."""
    shift = _cycles_for(value.year)
    return (value.replace(year=value.year - CYCLE_YEARS * shift) if shift else value), shift


@overload
def _working(value: AnyDateTime) -> tuple[dt.datetime, int]: ...
@overload
def _working(value: AnyDate) -> tuple[dt.date, int]: ...
def _working(value: AnyDate) -> tuple[dt.date, int]:
    return _parts(value) if isinstance(value, WideDate | WideDateTime) else _lift(value)


def plain_base(value: AnyDate) -> dt.date:
    """A plain date with the same month, day, weekday, leap year and ISO week as the value's date."""
    base = _parts(value)[0]
    return dt.date(base.year, base.month, base.day)


def date_from_fields(year: int, month: int, day: int) -> dt.date | WideDate:
    """The date ``year-month-day`` of any FEEL year; raises ValueError for a day the month does not have."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FeelEvalError(f"year {year} is outside the range -999999999..999999999")
    shift = _cycles_for(year)
    return settle(dt.date(year - CYCLE_YEARS * shift, month, day), shift)


def combine(day: AnyDate, clock: dt.time) -> AnyDateTime:
    """The date and time of a date (or the date of a date and time) and a time, with the time's zone."""
    if isinstance(day, dt.date):
        return dt.datetime.combine(day, clock)  # the common case, straight to Python
    return settle(dt.datetime.combine(day.base, clock), day.cycles)


def date_part(value: AnyDate) -> dt.date | WideDate:
    """The date of a date and time (a date unchanged)."""
    base, cycles = _parts(value)
    return settle(dt.date(base.year, base.month, base.day), cycles)


def as_utc_date_time(value: AnyDate) -> AnyDateTime:
    """A date as the date and time at its midnight UTC (DMN 1.5 10.3.2.3.6); a date and time unchanged."""
    if isinstance(value, dt.datetime | WideDateTime):
        return value
    return combine(value, dt.time(tzinfo=_UTC))


def ordinal(value: AnyDate) -> int:
    """The day number of the value's date: Python's ``toordinal`` (0001-01-01 is day 1) for every year."""
    base, cycles = _parts(value)
    return base.toordinal() + CYCLE_DAYS * cycles


def from_ordinal(number: int) -> dt.date | WideDate:
    cycles = (number - 1) // CYCLE_DAYS
    return settle(dt.date.fromordinal(number - CYCLE_DAYS * cycles), cycles)


def days_between(later: AnyDate, earlier: AnyDate) -> int:
    return ordinal(later) - ordinal(earlier)


def instant(value: AnyDateTime) -> int:
    """Microseconds since 0001-01-01T00:00: on the UTC time line when the value has a zone, else on its own
    clock. Offsets are read on the base, which has the offset of the value's era."""
    base, cycles = _parts(value)
    clock = ((base.hour * 60 + base.minute) * 60 + base.second) * 1_000_000 + base.microsecond
    offset = base.utcoffset() or dt.timedelta(0)
    return (
        (base.toordinal() + CYCLE_DAYS * cycles) * _MICROS_PER_DAY
        + clock
        - offset // dt.timedelta(microseconds=1)
    )


def date_plus(value: dt.date | WideDate, delta: dt.timedelta) -> dt.date | WideDate:
    """A date plus a days and time duration: the date of its midnight moved by the duration."""
    base, cycles = _working(value)
    whole, rest = divmod(delta, _CYCLE)
    moved = dt.datetime(base.year, base.month, base.day) + rest
    return settle(moved.date(), cycles + whole)


def date_time_plus(value: AnyDateTime, delta: dt.timedelta) -> AnyDateTime:
    """A date and time plus a days and time duration. With a named zone the elapsed time is exact (the sum is
    taken on the UTC time line) and the result shows the zone's offset at the new instant."""
    base, cycles = _working(value)
    whole, rest = divmod(delta, _CYCLE)
    zone = base.tzinfo
    if not isinstance(zone, zoneinfo.ZoneInfo):
        return settle(base + rest, cycles + whole)
    moved = settle(base.astimezone(_UTC) + rest, cycles + whole)
    utc_base, utc_cycles = _working(moved)
    return settle(utc_base.astimezone(zone), utc_cycles)


def add_months(value: AnyDate, months: int) -> AnyDate:
    """Adds months, clamping the day to the end of a shorter month (2012-01-31 + P1M = 2012-02-29)."""
    year, month = divmod(value.year * 12 + value.month - 1 + months, 12)
    if 1 <= year <= 9999 and isinstance(value, dt.date):
        try:
            return value.replace(year=year, month=month + 1)  # the common case: that day exists
        except ValueError:
            pass
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FeelEvalError(f"year {year} is outside the range -999999999..999999999")
    shift = _cycles_for(year)
    base_year = year - CYCLE_YEARS * shift
    day = min(value.day, calendar.monthrange(base_year, month + 1)[1])
    return settle(_parts(value)[0].replace(year=base_year, month=month + 1, day=day), shift)
