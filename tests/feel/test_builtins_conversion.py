import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel.builtins import BUILTINS
from cadenza.feel.semantics import to_feel_string
from cadenza.feel.values import CLOCK, FeelEvalError, YearsMonthsDuration


def call(name: str, *args: Any, **named: Any) -> Any:
    """Invokes a built-in positionally, or by name when keywords are given (underscores for spaces)."""
    if named:
        return BUILTINS[name].call_named({key.replace("_", " "): value for key, value in named.items()})
    return BUILTINS[name].call(list(args))


def test_date_signatures() -> None:
    assert call("date", "2017-12-31") == dt.date(2017, 12, 31)
    assert call("date", dt.datetime(2017, 8, 14, 14, 25)) == dt.date(2017, 8, 14)
    assert call("date", D(2020), D(2), D(29)) == dt.date(2020, 2, 29)
    assert call("date", year=D(2017), month=D(8), day=D(30)) == dt.date(2017, 8, 30)
    assert call("date", **{"from": "2012-12-25"}) == dt.date(2012, 12, 25)
    assert call("date", None) is None
    assert call("date", D(2017), None, D(1)) is None


@pytest.mark.parametrize(
    "args", [(), (D(2019), D(2), D(29)), (D(2017), D(13), D(1)), (D(2017), D("1.5"), D(1)), (D(1),), ([],)]
)
def test_date_errors(args: tuple[Any, ...]) -> None:
    with pytest.raises(FeelEvalError):
        call("date", *args)


def test_time_signatures() -> None:
    assert (
        to_feel_string(call("time", D(11), D(59), D(0), dt.timedelta(hours=2, minutes=1))) == "11:59:00+02:01"
    )
    assert to_feel_string(call("time", D(11), D(59), D(45), dt.timedelta(0))) == "11:59:45Z"
    assert call("time", D(12), D(0), D("1.5")) == dt.time(12, 0, 1, 500000)
    assert to_feel_string(call("time", dt.datetime(2017, 8, 10, 10, 20, tzinfo=dt.UTC))) == "10:20:00Z"
    assert to_feel_string(call("time", dt.date(2017, 8, 10))) == "00:00:00Z"
    assert call("time", "01:02:03") == dt.time(1, 2, 3)
    assert call("time", hour=D(11), minute=D(59), second=D(0), offset=dt.timedelta(hours=-2)).utcoffset() == (
        dt.timedelta(hours=-2)
    )
    assert call("time", None, D(11), D(45), dt.timedelta(0)) is None
    for bad in ((D(24), D(0), D(0)), (D(23), D(60), D(0)), (D(23), D(59), D(60))):
        with pytest.raises(FeelEvalError):
            call("time", *bad)


def test_date_and_time_signatures() -> None:
    assert call("date and time", "2012-12-24") == dt.datetime(2012, 12, 24)
    combined = call("date and time", dt.date(2017, 8, 10), dt.time(10, 20, tzinfo=dt.UTC))
    assert to_feel_string(combined) == "2017-08-10T10:20:00Z"
    assert call("date and time", dt.datetime(2017, 8, 10, 1), dt.time(23, 59)) == dt.datetime(
        2017, 8, 10, 23, 59
    )
    with pytest.raises(FeelEvalError):
        call("date and time", "2017-08-10T25:00:00")


def test_durations() -> None:
    assert call("duration", "P1DT2H") == dt.timedelta(days=1, hours=2)
    assert call("duration", **{"from": "P26M"}) == YearsMonthsDuration(26)
    assert call("duration", None) is None
    with pytest.raises(FeelEvalError):
        call("duration", D(2017))
    ymd = "years and months duration"
    assert str(call(ymd, dt.date(2011, 12, 22), dt.date(2013, 8, 24))) == "P1Y8M"
    assert str(call(ymd, dt.date(2013, 8, 24), dt.date(2011, 12, 22))) == "-P1Y8M"
    assert str(call(ymd, dt.datetime(2014, 12, 31, 23, 59, 59), dt.datetime(2016, 12, 31, 0, 0, 1))) == "P2Y"
    assert str(call(ymd, dt.date(2013, 8, 24), dt.datetime(2017, 12, 15))) == "P4Y3M"
    assert call(ymd, dt.date(2017, 8, 11), None) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("1000.5",), "1000.5"),
        (("1 000,5", " ", ","), "1000.5"),
        (("1.000.000,01", ".", ","), "1000000.01"),
        (("-1.5e3",), "-1500"),
        ((".5",), "0.5"),
    ],
)
def test_number(args: tuple[Any, ...], expected: str) -> None:
    assert call("number", *args) == D(expected)


@pytest.mark.parametrize("args", [("abc",), ("1,5", ",", ","), ("1", "x"), ("1 5",), ("1e99999",)])
def test_number_errors(args: tuple[Any, ...]) -> None:
    with pytest.raises(FeelEvalError):
        call("number", *args)


def test_string_and_not() -> None:
    assert call("string", D("1.10")) == "1.1"
    assert call("string", dt.date(2018, 12, 10)) == "2018-12-10"
    assert call("string", None) is None
    assert call("not", True) is False
    assert call("not", None) is None
    assert call("not", D(1)) is None


def test_calendar_functions() -> None:
    assert call("day of year", dt.date(2019, 9, 17)) == D(260)
    assert call("day of week", dt.date(2019, 9, 17)) == "Tuesday"
    assert call("month of year", dt.datetime(2019, 9, 17, 10)) == "September"
    assert call("week of year", dt.date(2019, 9, 17)) == D(38)
    assert call("week of year", dt.date(2003, 12, 29)) == D(1)
    assert call("week of year", dt.date(2005, 1, 1)) == D(53)


def test_now_and_today_use_the_clock() -> None:
    token = CLOCK.set(dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.UTC))
    try:
        assert call("now") == dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.UTC)
        assert call("today") == dt.date(2024, 2, 29)
    finally:
        CLOCK.reset(token)
    with pytest.raises(FeelEvalError):
        call("today", D(1))


def test_is() -> None:
    assert call("is", dt.date(2012, 12, 25), dt.date(2012, 12, 25)) is True
    assert call("is", dt.time(23, tzinfo=dt.UTC), dt.time(23, tzinfo=dt.timezone(dt.timedelta(0)))) is True
    assert call("is", dt.time(23), dt.time(23, tzinfo=dt.UTC)) is False
    assert call("is", dt.date(2012, 12, 25), dt.datetime(2012, 12, 25)) is False
    assert call("is", None, None) is True
