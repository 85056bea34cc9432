"""Numeric built-ins (DMN 1.5 10.3.4.5): decimal, floor, ceiling, the round family, abs, modulo, sqrt,
log, exp, odd, even. All arithmetic is Decimal in :data:`DECIMAL_CONTEXT`."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from cadenza.feel.builtins.registry import builtin
from cadenza.feel.values import DECIMAL_CONTEXT, FeelEvalError, YearsMonthsDuration

__all__ = ["rescale"]

Number = decimal.Decimal

#: DMN 1.5 bounds a scale to what Decimal128 can express.
_MIN_SCALE, _MAX_SCALE = -6111, 6176


def _scale(scale: Number) -> int:
    whole = int(scale)  # a fractional scale is truncated, as the TCK expects (decimal(1/3, 2.5) = 0.33)
    if not _MIN_SCALE <= whole <= _MAX_SCALE:
        raise FeelEvalError(f"scale {whole} is outside {_MIN_SCALE}..{_MAX_SCALE}")
    return whole


def rescale(n: Number, scale: Number, rounding: str) -> Number:
    """n rounded to ``scale`` digits after the point with the given decimal rounding mode."""
    exponent = Number(1).scaleb(-_scale(scale))
    context = DECIMAL_CONTEXT.copy()
    context.rounding = rounding
    # quantize may need more than 34 digits for a large scale; the digits are exact, so widen the context.
    context.prec = max(context.prec, n.adjusted() + _scale(scale) + 3)
    try:
        result = n.quantize(exponent, context=context)
    except decimal.DecimalException:
        raise FeelEvalError("cannot round to that scale") from None
    return DECIMAL_CONTEXT.plus(result) if len(result.as_tuple().digits) > 34 else result


def _rounding(name: str, mode: str) -> None:
    @builtin(name, "n: number", "scale: number")
    def round_to(n: Number, scale: Number) -> Number:
        return rescale(n, scale, mode)


_rounding("decimal", decimal.ROUND_HALF_EVEN)
_rounding("round up", decimal.ROUND_UP)
_rounding("round down", decimal.ROUND_DOWN)
_rounding("round half up", decimal.ROUND_HALF_UP)
_rounding("round half down", decimal.ROUND_HALF_DOWN)


def _directed(name: str, mode: str) -> None:
    @builtin(name, "n: number")
    def whole(n: Number) -> Number:
        return rescale(n, Number(0), mode)

    @builtin(name, "n: number", "scale: number")
    def scaled(n: Number, scale: Number) -> Number:
        return rescale(n, scale, mode)


_directed("floor", decimal.ROUND_FLOOR)
_directed("ceiling", decimal.ROUND_CEILING)


@builtin("abs", "n: number|days and time duration|years and months duration")
def feel_abs(n: Any) -> Any:
    if isinstance(n, dt.timedelta):
        return abs(n)
    if isinstance(n, YearsMonthsDuration):
        return YearsMonthsDuration(abs(n.months))
    return DECIMAL_CONTEXT.abs(n)


@builtin("modulo", "dividend: number", "divisor: number")
def modulo(dividend: Number, divisor: Number) -> Number:
    """dividend - divisor * floor(dividend / divisor): the result has the divisor's sign."""
    if divisor.is_zero():
        raise FeelEvalError("modulo: division by zero")
    remainder = DECIMAL_CONTEXT.remainder(dividend, divisor)  # sign of the dividend
    if not remainder.is_zero() and remainder.is_signed() != divisor.is_signed():
        remainder = DECIMAL_CONTEXT.add(remainder, divisor)
    return remainder


@builtin("sqrt", "number: number")
def sqrt(number: Number) -> Number:
    if number.is_signed() and not number.is_zero():
        raise FeelEvalError("sqrt: negative number")
    return DECIMAL_CONTEXT.sqrt(number)


@builtin("log", "number: number")
def log(number: Number) -> Number:
    if number <= 0:
        raise FeelEvalError("log: the number must be positive")
    return DECIMAL_CONTEXT.ln(number)


@builtin("exp", "number: number")
def exp(number: Number) -> Number:
    try:
        return DECIMAL_CONTEXT.exp(number)
    except decimal.Overflow:
        raise FeelEvalError("exp: overflow") from None


def _integer(number: Number, name: str) -> int:
    if number != number.to_integral_value():
        raise FeelEvalError(f"{name}: {number} is not an integer")
    return int(number)


@builtin("odd", "number: number")
def odd(number: Number) -> bool:
    return _integer(number, "odd") % 2 == 1


@builtin("even", "number: number")
def even(number: Number) -> bool:
    return _integer(number, "even") % 2 == 0
