"""Dates and date-times outside Python's years 1..9999: parsing, printing, order, arithmetic, properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from cadenza.feel import evaluate
from cadenza.feel.temporal import parse_date, parse_date_and_time
from cadenza.feel.values import FeelEvalError, WideDate, WideDateTime, YearsMonthsDuration
from cadenza.feel.wide_dates import from_ordinal, ordinal

D = Decimal


def text(source: str) -> Any:
    return evaluate(f"string({source})")


@pytest.mark.parametrize(
    "literal",
    ["-0001-01-01", "0000-02-29", "-2017-12-31", "10000-01-01", "999999999-12-31", "-999999999-01-01"],
)
def test_out_of_range_dates_parse_and_print_back(literal: str) -> None:
    value = parse_date(literal)
    assert isinstance(value, WideDate)
    assert text(f'date("{literal}")') == literal


def test_dates_python_can_hold_stay_python_dates() -> None:
    assert type(parse_date("0001-01-01")) is dt.date
    assert type(parse_date_and_time("9999-12-31T23:59:59Z")) is dt.datetime
    assert type(evaluate('date("10000-01-01") - duration("P1D")')) is dt.date
    assert type(evaluate('date and time("-0001-12-31T12:00:00") + duration("PT12H")')) is WideDateTime
    assert type(evaluate('date and time("0000-12-31T12:00:00") + duration("PT12H")')) is dt.datetime


@pytest.mark.parametrize(
    "literal", ["-0000-01-01", "-0001-02-29", "1000000000-01-01", "-2017-13-01", "-2017-02-30"]
)
def test_invalid_or_too_distant_dates_are_errors(literal: str) -> None:
    with pytest.raises(FeelEvalError):
        parse_date(literal)


def test_year_zero_is_a_leap_year_and_follows_minus_one() -> None:
    # Astronomical numbering, as XML Schema 1.1 and ISO 8601: 0000 is 1 BC, -0001 is 2 BC.
    assert text('date("-0001-12-31") + duration("P1D")') == "0000-01-01"
    assert text('date("0000-02-28") + duration("P1D")') == "0000-02-29"
    assert text('date("-0100-02-28") + duration("P1D")') == "-0100-03-01"
    assert text('date("-0004-02-29") + duration("P1Y")') == "-0003-02-28"


def test_the_calendar_is_the_proleptic_gregorian_one() -> None:
    # 400 years are exactly 146,097 days, and the same weekday.
    assert evaluate('date("-2000-03-01") - date("-2400-03-01")') == dt.timedelta(days=146_097)
    assert evaluate('date("2000-01-01") - date("-2000-01-01")') == dt.timedelta(days=2 * 730_485)
    assert evaluate('date("-2017-12-31").weekday') == D(6)  # 2383-12-31 is a Saturday too
    assert evaluate('day of week(date("-2017-12-31"))') == "Saturday"
    assert evaluate('day of year(date("-2016-12-31"))') == D(366)
    assert evaluate('week of year(date("-2017-06-15"))') == evaluate('week of year(date("2383-06-15"))')
    assert evaluate('month of year(date("12000-02-01"))') == "February"


def test_ordinals_extend_pythons_day_numbers() -> None:
    assert ordinal(dt.date(1, 1, 1)) == 1
    assert ordinal(parse_date("0000-12-31")) == 0
    for number in (-1_000_000, -1, 0, 1, 3_652_059, 3_652_060, 10**9):
        assert ordinal(from_ordinal(number)) == number


def test_properties() -> None:
    moment = 'date and time("-2021-03-04T05:06:07.5+02:00")'
    assert [
        evaluate(f"{moment}.{name}") for name in ("year", "month", "day", "hour", "minute", "second")
    ] == [
        D(-2021),
        D(3),
        D(4),
        D(5),
        D(6),
        D(7),
    ]
    assert evaluate(f"{moment}.time offset") == dt.timedelta(hours=2)
    assert evaluate('date and time("-2021-03-04T05:06:07@Europe/Paris").timezone') == "Europe/Paris"


def test_order_and_equality_across_the_year_range() -> None:
    ordered = '[date("12000-01-01"), date("2000-01-01"), date("-0001-01-01"), date("-2000-01-01")]'
    assert text(f"sort({ordered})") == "[-2000-01-01, -0001-01-01, 2000-01-01, 12000-01-01]"
    assert evaluate('date("-2017-01-01") = date(-2017, 1, 1)') is True
    assert evaluate('date("-2017-01-01") < date("0001-01-01")') is True
    assert evaluate('date("-2017-01-01") in [date("-3000-01-01")..date("2000-01-01")]') is True
    same_instant = 'date and time("-2017-01-01T10:00:00Z") = date and time("-2017-01-01T12:00:00+02:00")'
    assert evaluate(same_instant) is True
    assert evaluate('date and time("-2017-01-01T10:00:00Z") = date and time("-2017-01-01T10:00:00")') is None
    assert evaluate('is(date("-2017-01-01"), date("-2017-01-01"))') is True
    zones = 'is(date and time("-2017-01-01T10:00:00Z"), date and time("-2017-01-01T11:00:00+01:00"))'
    assert evaluate(zones) is False


def test_arithmetic_with_durations() -> None:
    start = '@"-2021-01-01T10:10:10+11:00"'
    assert text(f'{start} + @"P1M"') == "-2021-02-01T10:10:10+11:00"
    assert text(f'{start} - @"P1Y"') == "-2022-01-01T10:10:10+11:00"
    assert text(f'{start} - @"P1D"') == "-2022-12-31T10:10:10+11:00"
    assert text(f'@"PT1H" + {start}') == "-2021-01-01T11:10:10+11:00"
    assert text('date("-2017-01-31") + duration("P1M")') == "-2017-02-28"
    assert text('date("-2017-01-01") + duration("PT25H")') == "-2017-01-02"
    assert text('date("999999999-12-30") + duration("P1D")') == "999999999-12-31"
    assert evaluate('date("999999999-12-31") + duration("P1D")') is None
    assert evaluate('date("-999999999-01-01") - duration("P1Y")') is None


def test_crossing_years_1_and_9999() -> None:
    assert text('date("9999-12-31") + duration("P1D")') == "10000-01-01"
    assert text('date and time("9999-12-31T23:00:00Z") + duration("PT2H")') == "10000-01-01T01:00:00Z"
    assert (
        text('date and time("0001-01-01T01:00:00+02:00") - duration("PT2H")') == "0000-12-31T23:00:00+02:00"
    )
    assert text('date and time("9999-12-31T24:00:00")') == "10000-01-01T00:00:00"
    assert text('date("0001-01-01") + duration("-P1M")') == "0000-12-01"


def test_named_zones_use_the_offset_of_the_values_own_era() -> None:
    # Before a zone's first transition its local mean time applies (Melbourne: +09:39:52); in the far future
    # its current rule, daylight saving included.
    early = 'date and time("-2021-01-01T10:10:10@Australia/Melbourne")'
    assert evaluate(f"{early}.time offset") == dt.timedelta(hours=9, minutes=39, seconds=52)
    assert text(f'{early} + @"PT1H"') == "-2021-01-01T11:10:10@Australia/Melbourne"
    summer = 'date and time("12021-01-01T10:00:00@Australia/Melbourne")'
    winter = 'date and time("12021-07-01T10:00:00@Australia/Melbourne")'
    assert evaluate(f"{summer}.time offset") == dt.timedelta(hours=11)
    assert evaluate(f"{winter}.time offset") == dt.timedelta(hours=10)
    # Elapsed time is exact across the change: 10:00 +10:00 plus 180 days is 11:00 +11:00.
    assert text(f'{winter} + duration("P180D")') == "12021-12-28T11:00:00@Australia/Melbourne"


def test_subtraction() -> None:
    assert evaluate('date("10000-01-01") - date("9999-12-31")') == dt.timedelta(days=1)
    moments = 'date and time("-0001-01-01T00:00:00Z") - date and time("-0001-01-01T02:00:00+02:00")'
    assert evaluate(moments) == dt.timedelta(0)
    assert evaluate('date("-2017-05-06") - date and time("-2017-05-05T00:00:00Z")') == dt.timedelta(days=1)
    assert evaluate('date and time("-2017-05-06T00:00:00") - date and time("2017-05-06T00:00:00Z")') is None
    # Beyond the largest days and time duration (999,999,999 days): an error, not a wrong value.
    assert evaluate('date("999999999-01-01") - date("-999999999-01-01")') is None


def test_conversion_built_ins() -> None:
    assert text("date(-2017, 12, 31)") == "-2017-12-31"
    assert text("date(999999999, 12, 31)") == "999999999-12-31"
    assert evaluate("date(1000000000, 1, 1)") is None
    assert text('date(date and time("-2017-05-06T10:00:00Z"))') == "-2017-05-06"
    assert text('time(date and time("-2017-05-06T10:00:00Z"))') == "10:00:00Z"
    assert (
        text('date and time(date("-2017-05-06"), time("10:00:00@Etc/UTC"))') == "-2017-05-06T10:00:00@Etc/UTC"
    )
    assert text('date and time(date("-2017-05-06"))') == "-2017-05-06T00:00:00"
    assert evaluate('date("-2017-05-06") instance of date') is True
    assert evaluate('date and time("-2017-05-06T00:00:00") instance of date and time') is True
    assert evaluate('date("-2017-05-06") instance of date and time') is False


def test_years_and_months_duration_and_iteration() -> None:
    span = 'years and months duration(date and time("-2016-01-30T09:05:00"), date("-2017-02-28"))'
    assert evaluate(span) == YearsMonthsDuration(-11)
    assert evaluate(
        'years and months duration(date("-2019-10-01"), date("2014-12-31"))'
    ) == YearsMonthsDuration(4033 * 12 + 2)
    days = 'for d in date("-0001-12-30")..date("0000-01-02") return string(d)'
    assert evaluate(days) == ["-0001-12-30", "-0001-12-31", "0000-01-01", "0000-01-02"]
