"""ISO 8601 timer values and cron cycles, as the reader (static) and the engine (FEEL results) parse them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cadenza.bpmn.timers import (
    IsoDuration,
    TimerCycle,
    TimerKind,
    TimerValueError,
    parse_cycle,
    parse_date,
    parse_duration,
    parse_timer_value,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT10S", IsoDuration(exact=dt.timedelta(seconds=10))),
        ("P1DT2H30M", IsoDuration(exact=dt.timedelta(days=1, hours=2, minutes=30))),
        ("P2W", IsoDuration(exact=dt.timedelta(weeks=2))),
        ("P1Y2M", IsoDuration(months=14)),
        ("PT0.5S", IsoDuration(exact=dt.timedelta(milliseconds=500))),
        ("-PT1M", IsoDuration(exact=dt.timedelta(minutes=-1))),
    ],
)
def test_durations(text: str, expected: IsoDuration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "10S", "P1H", "PT1D", "PXT", "P1.5D"])
def test_invalid_durations(text: str) -> None:
    with pytest.raises(TimerValueError, match="not an ISO 8601 duration"):
        parse_duration(text)


def test_month_arithmetic_clamps_to_the_end_of_the_month() -> None:
    start = dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC)
    assert IsoDuration(months=1).after(start) == dt.datetime(2026, 2, 28, 12, 0, tzinfo=dt.UTC)
    assert IsoDuration(months=13, exact=dt.timedelta(hours=1)).after(start) == dt.datetime(
        2027, 2, 28, 13, 0, tzinfo=dt.UTC
    )


def test_dates() -> None:
    assert parse_date("2026-03-01T10:00:00Z") == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    assert parse_date("2026-03-01T10:00:00") == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)  # no offset: UTC
    berlin = parse_date("2026-03-01T10:00:00[Europe/Berlin]")
    assert berlin.tzinfo == ZoneInfo("Europe/Berlin") and berlin.hour == 10
    for bad in ("2026-03-01", "yesterday", "2026-13-01T00:00:00Z", "2026-03-01T10:00:00[Mars/Base]"):
        with pytest.raises(TimerValueError):
            parse_date(bad)


def test_cycles() -> None:
    assert parse_cycle("R5/PT10S") == TimerCycle(
        repetitions=5, interval=IsoDuration(exact=dt.timedelta(seconds=10))
    )
    assert parse_cycle("R/P1D").repetitions is None  # forever
    with_start = parse_cycle("R3/2026-01-01T00:00:00Z/PT1H")
    assert with_start.start == dt.datetime(2026, 1, 1, tzinfo=dt.UTC) and with_start.repetitions == 3
    assert parse_cycle("0 15 10 * * ?") == TimerCycle(cron="0 15 10 * * ?")
    assert parse_cycle("@daily") == TimerCycle(cron="@daily")
    for bad in ("R5", "Rx/PT1S", "R5/PT", "* * * * *", "every day"):
        with pytest.raises(TimerValueError):
            parse_cycle(bad)


def test_parse_timer_value_dispatches_on_kind() -> None:
    assert isinstance(parse_timer_value(TimerKind.DATE, "2026-01-01T00:00:00Z"), dt.datetime)
    assert isinstance(parse_timer_value(TimerKind.DURATION, "PT1S"), IsoDuration)
    assert isinstance(parse_timer_value(TimerKind.CYCLE, "R/PT1S"), TimerCycle)
