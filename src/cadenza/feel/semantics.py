"""The meaning of FEEL's operators over FEEL values (DMN 1.5 10.3.2: arithmetic and comparison tables).

Every function here returns a FEEL value, returns None when an operand is null, and raises
:class:`FeelEvalError` (never another exception) for operands the spec gives no meaning to.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

from cadenza.feel import temporal, wide_dates
from cadenza.feel.semantics_compare import compare, equal, range_contains, to_feel_string, type_name
from cadenza.feel.values import DECIMAL_CONTEXT, FeelEvalError, WideDate, WideDateTime, YearsMonthsDuration

__all__ = [
    "add",
    "compare",
    "divide",
    "equal",
    "multiply",
    "negate",
    "power",
    "range_contains",
    "subtract",
    "to_feel_string",
    "type_name",
]

Number = decimal.Decimal
# Every FEEL date and date and time (a tuple: isinstance checks it faster than a union).
_DATES = (dt.date, WideDate, WideDateTime)


def _invalid(operator: str, a: Any, b: Any) -> FeelEvalError:
    return FeelEvalError(f"cannot apply '{operator}' to {type_name(a)} and {type_name(b)}")


def _number(operation: Callable[[], Number]) -> Number:
    try:
        result = operation()
    except decimal.DivisionByZero:
        raise FeelEvalError("division by zero") from None
    except decimal.DecimalException as error:
        raise FeelEvalError(f"arithmetic error: {type(error).__name__}") from None
    if not result.is_finite():
        # Decimal can produce an infinity (0 ** -1) without trapping; FEEL numbers are always finite.
        raise FeelEvalError("arithmetic result is not a finite number")
    return result


def _temporal(operation: Callable[[], Any]) -> Any:
    try:
        return operation()
    except (OverflowError, ValueError):
        raise FeelEvalError("date or duration out of range") from None


def _micros(value: dt.timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds


def _from_micros(micros: Number) -> dt.timedelta:
    whole = int(micros.to_integral_value(decimal.ROUND_HALF_EVEN))
    try:
        return dt.timedelta(microseconds=whole)
    except OverflowError:
        raise FeelEvalError("duration out of range") from None


# ---------------------------------------------------------------------------------------------- + and -


def _add_to_date(value: wide_dates.AnyDate, duration: Any, sign: int) -> Any:
    if isinstance(duration, YearsMonthsDuration):
        return temporal.add_months(value, sign * duration.months)
    if not isinstance(duration, dt.timedelta):
        return NotImplemented
    delta = sign * duration
    try:
        # Python's own arithmetic first; it overflows when the result's year leaves 1..9999.
        if isinstance(value, dt.datetime):
            if temporal.zone_of(value) is not None:
                # Instant arithmetic, so that crossing a daylight saving change keeps the elapsed time exact.
                moved = value.astimezone(temporal.UTC) + delta
                return moved.astimezone(value.tzinfo)
            return value + delta
        if isinstance(value, dt.date):
            # A date is its midnight UTC; the result is the date part (DMN 1.5 10.3.2.3.6).
            return (dt.datetime(value.year, value.month, value.day) + delta).date()
    except OverflowError:
        pass  # the slower arithmetic below handles any year
    if isinstance(value, dt.datetime | WideDateTime):
        return wide_dates.date_time_plus(value, delta)
    return wide_dates.date_plus(value, delta)


def _add_to_time(value: dt.time, duration: dt.timedelta) -> dt.time:
    # Times wrap around midnight: 23:00 + PT2H = 01:00, and a whole number of days changes nothing.
    clock = dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    micros = (_micros(clock) + value.microsecond + _micros(duration)) % 86_400_000_000
    wall = (dt.datetime.min + dt.timedelta(microseconds=micros)).time()
    return wall.replace(tzinfo=value.tzinfo)


def add(a: Any, b: Any) -> Any:
    """FEEL ``a + b``."""
    if a is None or b is None:
        return None
    if isinstance(a, Number) and isinstance(b, Number):
        return _number(lambda: DECIMAL_CONTEXT.add(a, b))
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, dt.timedelta | YearsMonthsDuration) and not isinstance(
        b, dt.timedelta | YearsMonthsDuration
    ):
        a, b = b, a
    result = _add_values(a, b, 1)
    if result is NotImplemented:
        raise _invalid("+", a, b)
    return result


def _add_values(a: Any, b: Any, sign: int) -> Any:
    if isinstance(a, _DATES) and not isinstance(b, bool):
        return _temporal(lambda: _add_to_date(a, b, sign))
    if isinstance(a, dt.time) and isinstance(b, dt.timedelta):
        return _temporal(lambda: _add_to_time(a, sign * b))
    if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
        return _temporal(lambda: a + sign * b)
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        return YearsMonthsDuration(a.months + sign * b.months)
    return NotImplemented


def subtract(a: Any, b: Any) -> Any:
    """FEEL ``a - b``."""
    if a is None or b is None:
        return None
    if isinstance(a, Number) and isinstance(b, Number):
        return _number(lambda: DECIMAL_CONTEXT.subtract(a, b))
    if isinstance(a, _DATES) and isinstance(b, _DATES):
        return _temporal(lambda: _date_difference(a, b))
    if isinstance(a, dt.time) and isinstance(b, dt.time):
        (zoned_a, key_a), (zoned_b, key_b) = temporal.time_key(a), temporal.time_key(b)
        if zoned_a != zoned_b:
            raise FeelEvalError("cannot subtract a time with a zone and a time without one")
        return key_a - key_b
    result = _add_values(a, b, -1)
    if result is NotImplemented:
        raise _invalid("-", a, b)
    return result


def _date_difference(a: wide_dates.AnyDate, b: wide_dates.AnyDate) -> dt.timedelta:
    if not isinstance(a, dt.datetime | WideDateTime) and not isinstance(b, dt.datetime | WideDateTime):
        return dt.timedelta(days=wide_dates.days_between(a, b))
    # A date is its midnight UTC, so it has a zone: date - local date and time is null (DMN TCK 0100).
    left, right = temporal.as_utc_datetime(a), temporal.as_utc_datetime(b)
    if (left.tzinfo is None) != (right.tzinfo is None):
        raise FeelEvalError("cannot subtract a date and time with a zone and one without")
    if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        if left.tzinfo is not None and right.tzinfo is not None:
            left, right = left.astimezone(temporal.UTC), right.astimezone(temporal.UTC)
        return left - right
    return dt.timedelta(microseconds=wide_dates.instant(left) - wide_dates.instant(right))


# ---------------------------------------------------------------------------------------------- * / **


def multiply(a: Any, b: Any) -> Any:
    """FEEL ``a * b``: numbers, or a duration and a number (either order)."""
    if a is None or b is None:
        return None
    if isinstance(a, Number) and isinstance(b, Number):
        return _number(lambda: DECIMAL_CONTEXT.multiply(a, b))
    if isinstance(a, Number):
        a, b = b, a
    if isinstance(b, Number):
        if isinstance(a, dt.timedelta):
            return _from_micros(_number(lambda: DECIMAL_CONTEXT.multiply(Number(_micros(a)), b)))
        if isinstance(a, YearsMonthsDuration):
            return _scale_months(lambda: DECIMAL_CONTEXT.multiply(Number(a.months), b))
    raise _invalid("*", a, b)


def _scale_months(operation: Callable[[], Number]) -> YearsMonthsDuration:
    # Whole months only: the fraction is dropped toward zero (-2.5 * P1Y11M = -P4Y9M in the DMN TCK).
    return YearsMonthsDuration(int(_number(operation).to_integral_value(decimal.ROUND_DOWN)))


def divide(a: Any, b: Any) -> Any:
    """FEEL ``a / b``: numbers, a duration by a number, or a duration by a duration of the same kind."""
    if a is None or b is None:
        return None
    if isinstance(b, Number) and not b:
        raise FeelEvalError("division by zero")
    if isinstance(a, Number) and isinstance(b, Number):
        return _number(lambda: DECIMAL_CONTEXT.divide(a, b))
    if isinstance(a, dt.timedelta) and isinstance(b, Number):
        return _from_micros(_number(lambda: DECIMAL_CONTEXT.divide(Number(_micros(a)), b)))
    if isinstance(a, YearsMonthsDuration) and isinstance(b, Number):
        return _scale_months(lambda: DECIMAL_CONTEXT.divide(Number(a.months), b))
    if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
        return _divide_counts(_micros(a), _micros(b))
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        return _divide_counts(a.months, b.months)
    raise _invalid("/", a, b)


def _divide_counts(a: int, b: int) -> Number:
    if not b:
        raise FeelEvalError("division by a zero duration")
    return _number(lambda: DECIMAL_CONTEXT.divide(Number(a), Number(b)))


def power(a: Any, b: Any) -> Any:
    """FEEL ``a ** b`` over numbers."""
    if a is None or b is None:
        return None
    if not (isinstance(a, Number) and isinstance(b, Number)):
        raise _invalid("**", a, b)
    if b == b.to_integral_value() and abs(b) > 999_999_999:
        raise FeelEvalError("exponent too large")
    return _number(lambda: DECIMAL_CONTEXT.power(a, b))


def negate(a: Any) -> Any:
    """FEEL unary ``-a``: numbers and durations."""
    if a is None:
        return None
    if isinstance(a, Number):
        return _number(lambda: DECIMAL_CONTEXT.minus(a))
    if isinstance(a, dt.timedelta):
        return _temporal(lambda: -a)
    if isinstance(a, YearsMonthsDuration):
        return YearsMonthsDuration(-a.months)
    raise FeelEvalError(f"cannot negate a {type_name(a)}")
