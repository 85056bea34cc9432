import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from cadenza.feel.temporal import (
    add_months,
    format_duration,
    format_time,
    parse_date,
    parse_date_and_time,
    parse_duration,
    parse_time,
    property_of,
)
from cadenza.feel.values import FeelEvalError, Range, YearsMonthsDuration


def test_parse_date_valid_and_leap_years() -> None:
    assert parse_date("2017-12-31") == dt.date(2017, 12, 31)
    assert parse_date("2020-02-29") == dt.date(2020, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-30",
        "2019-02-29",
        "2017-13-10",
        "2012-12-25T",
        "",
        "2012/12/25",
        "998-12-31",
        "01211-12-31",
        "+2012-12-02",
        "9999999999-12-25",
        "-0000-01-01",
        "-2017-02-29",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(FeelEvalError):
        parse_date(text)


def test_parse_date_rejects_non_strings() -> None:
    with pytest.raises(FeelEvalError, match="expected a string"):
        parse_date(2017)


def test_parse_time_zones_and_fractions() -> None:
    assert parse_time("10:30:00") == dt.time(10, 30)
    assert parse_time("11:22:33.444").microsecond == 444000
    assert parse_time("10:30:00Z").tzinfo == dt.UTC
    assert parse_time("13:20:00+02:00").utcoffset() == dt.timedelta(hours=2)
    assert parse_time("11:22:33-00:00").tzinfo == dt.UTC
    assert parse_time("00:01:00@Europe/Paris").tzinfo == zoneinfo.ZoneInfo("Europe/Paris")
    assert parse_time("24:00:00") == dt.time(0)


@pytest.mark.parametrize(
    "text",
    [
        "23:59:60",
        "24:00:01",
        "25:00:00",
        "00:60:00",
        "7:00:00",
        "13:20:00@xyz/abc",
        "13:20:00+19:00",
        "13:20:00+5:00",
        "13:20:00+02:00@Europe/Paris",
        "11:30:00T",
    ],
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(FeelEvalError):
        parse_time(text)


def test_parse_date_and_time_forms() -> None:
    assert parse_date_and_time("2012-12-24") == dt.datetime(2012, 12, 24)
    assert parse_date_and_time("2021-01-01T24:00:00") == dt.datetime(2021, 1, 2)
    paris = parse_date_and_time("2018-12-08T00:00:00@Europe/Paris")
    assert paris.utcoffset() == dt.timedelta(hours=1)
    assert parse_date_and_time("2017-08-14T14:25:00.123456789").microsecond == 123456
    with pytest.raises(FeelEvalError):
        parse_date_and_time("2012-12-24T")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1D", "P1D"),
        ("PT1000M", "PT16H40M"),
        ("PT24H", "P1D"),
        ("P2DT274M", "P2DT4H34M"),
        ("PT0.999S", "PT0.999S"),
        ("PT0.S", "PT0S"),
        ("P0D", "PT0S"),
        ("-PT1H2M", "-PT1H2M"),
    ],
)
def test_days_and_time_durations_normalise(text: str, expected: str) -> None:
    value = parse_duration(text)
    assert isinstance(value, dt.timedelta)
    assert format_duration(value) == expected


def test_years_and_months_durations() -> None:
    assert parse_duration("P1Y27M") == YearsMonthsDuration(39)
    assert str(parse_duration("-P100M")) == "-P8Y4M"
    assert str(parse_duration("P0Y")) == "P0M"
    assert parse_duration("P999999999M") == YearsMonthsDuration(999999999)


@pytest.mark.parametrize(
    "text", ["", "P", "P0", "1Y", "P1H", "P1S", "P1YT1H", "P1DT", "2012T-12-2511:00:00Z"]
)
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(FeelEvalError):
        parse_duration(text)


def test_format_time_offsets() -> None:
    assert format_time(parse_time("11:59:45+02:45:55")) == "11:59:45+02:45:55"
    assert format_time(parse_time("10:00:00+00:00")) == "10:00:00Z"
    assert format_time(parse_time("10:00:00@Etc/UTC")) == "10:00:00@Etc/UTC"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2012, 1, 31), 1) == dt.date(2012, 2, 29)
    assert add_months(dt.date(2021, 1, 1), -1) == dt.date(2020, 12, 1)


def test_properties() -> None:
    moment = parse_date_and_time("2018-12-10T10:30:01+05:00")
    assert property_of(moment, "weekday") == Decimal(1)
    assert property_of(moment, "second") == Decimal(1)
    assert property_of(moment, "time offset") == dt.timedelta(hours=5)
    assert property_of(moment, "timezone") is None
    assert property_of(parse_date_and_time("2018-12-10T10:30:00@Etc/UTC"), "timezone") == "Etc/UTC"
    assert property_of(parse_time("10:30:00"), "time offset") is None
    assert property_of(parse_duration("P1Y2M"), "years") == Decimal(1)
    assert property_of(parse_duration("P1Y"), "days") is None
    assert property_of(parse_duration("-P1DT2H"), "hours") == Decimal(-2)
    assert property_of(Range(None, Decimal(10), False, True), "start") is None
    assert property_of(Range(Decimal(1), Decimal(10), False, True), "start included") is False
    assert property_of("text", "year") is None


def test_at_literals_choose_their_type() -> None:
    from cadenza.feel.temporal import parse_temporal_literal

    assert parse_temporal_literal("2019-03-31") == dt.date(2019, 3, 31)
    assert parse_temporal_literal("2018-12-08T10:30:11") == dt.datetime(2018, 12, 8, 10, 30, 11)
    assert parse_temporal_literal("10:30:11+11:00").utcoffset() == dt.timedelta(hours=11)
    assert parse_temporal_literal("-P10D") == dt.timedelta(days=-10)
    assert parse_temporal_literal("P10Y") == YearsMonthsDuration(120)
    for bad in ("foo", "", 5):
        with pytest.raises(FeelEvalError):
            parse_temporal_literal(bad)
