"""When a timer is due (ZEEBE-SEMANTICS §6.5–6.7): dates, durations, ``R[n]/[start/]interval`` and cron
cycles, static or FEEL, computed from the command's timestamp (the core never reads a clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from cadenza.bpmn.timers import (
    IsoDuration,
    TimerCycle,
    TimerDefinition,
    TimerKind,
    TimerValue,
    TimerValueError,
    parse_timer_value,
)
from cadenza.core.elements.cron import next_fire
from cadenza.feel.values import YearsMonthsDuration

__all__ = ["Schedule", "first_due", "next_due"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)
#: Zeebe's repetition count for a timer that repeats forever.
FOREVER = -1


class Schedule(NamedTuple):
    due: int
    #: How many times the timer still fires, this time included; -1 = forever.
    repetitions: int


def _to_datetime(ms: int) -> dt.datetime:
    return _EPOCH + ms * _MS


def _to_ms(value: dt.datetime) -> int:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return (aware - _EPOCH) // _MS


def _value(definition: TimerDefinition, variables: Mapping[str, Any]) -> TimerValue:
    if definition.static is not None:
        return definition.static
    result = definition.expression.evaluate(variables)
    if isinstance(result, str):
        return parse_timer_value(definition.kind, result)
    if isinstance(result, dt.datetime) and definition.kind is TimerKind.DATE:
        return result if result.tzinfo is not None else result.replace(tzinfo=dt.UTC)
    if isinstance(result, dt.timedelta) and definition.kind is not TimerKind.DATE:
        return IsoDuration(exact=result)
    if isinstance(result, YearsMonthsDuration) and definition.kind is not TimerKind.DATE:
        return IsoDuration(months=result.months)
    shown = "NULL" if result is None else type(result).__name__.upper()
    raise TimerValueError(
        f"Expected result of the expression '{definition.expression.feel_source}' to be a "
        f"{definition.kind.value} (STRING or temporal value), but was '{shown}'."
    )


def first_due(definition: TimerDefinition, variables: Mapping[str, Any], now: int) -> Schedule:
    """Raises :class:`TimerValueError` (an EXTRACT_VALUE_ERROR incident at run time)."""
    value = _value(definition, variables)
    if isinstance(value, dt.datetime):
        return Schedule(_to_ms(value), 1)
    if isinstance(value, IsoDuration):
        return Schedule(_to_ms(value.after(_to_datetime(now))), 1)
    repetitions = FOREVER if value.repetitions is None else value.repetitions
    if value.start is not None and _to_ms(value.start) > now:
        return Schedule(_to_ms(value.start), repetitions)
    return Schedule(_after(value, now), repetitions)


def next_due(
    definition: TimerDefinition, variables: Mapping[str, Any], previous: Schedule
) -> Schedule | None:
    """The re-armed cycle (counted from the previous due date, expression re-evaluated), or None when done."""
    if previous.repetitions != FOREVER and previous.repetitions <= 1:
        return None
    value = _value(definition, variables)
    if not isinstance(value, TimerCycle):
        return None
    repetitions = FOREVER if previous.repetitions == FOREVER else previous.repetitions - 1
    return Schedule(_after(value, previous.due), repetitions)


def _after(cycle: TimerCycle, start: int) -> int:
    """The cycle's next fire time after ``start`` (a cron cycle repeats forever)."""
    if cycle.interval is not None:
        return _to_ms(cycle.interval.after(_to_datetime(start)))
    return _to_ms(next_fire(cycle.cron or "", _to_datetime(start)))
