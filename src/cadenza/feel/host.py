"""Host values -> FEEL values, at the public API boundary (``evaluate``, ``matches``).

Python callers hold ``int`` and ``float`` numbers, tuples and any kind of mapping; FEEL computes over the
value mapping of :mod:`cadenza.feel.values` only (numbers are ``Decimal``). The conversion is the one
:func:`cadenza.feel.json_values.from_json` applies to JSON: ``int`` exactly, ``float`` through its shortest
``repr`` (so ``0.1`` is ``0.1``, not the binary fraction), both rounded to 34 digits; mappings become
``dict`` with ``str`` keys, lists and tuples ``list``; booleans, strings, temporal values, durations, ranges
and functions stay as they are. A number with no FEEL form (``nan``, ``inf``, see the range below) becomes
null. Other objects pass through unchanged; FEEL treats them as values of no known type.

A value that already is a FEEL value costs a check and no copy: one type look-up per scalar; lists and
contexts are walked, and rebuilt only when something inside them needs converting. ``Expression.evaluate``
converts lazily, only the variables the expression reads (``HostEnv`` in
:mod:`cadenza.feel.compile_base`); the walk is linear in the data, so a large value read by every
evaluation is best converted once (:func:`to_feel`) and passed to ``Expression.evaluate_feel``, which
trusts its values.

Numbers beyond FEEL's range (magnitude 1E+6145 and up, past Decimal128's largest exponent) become null
like ``nan``; an ``int`` that long is refused by its bit length, before any digit is converted, so a
million-digit integer costs nothing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping
from typing import Any

from cadenza.feel.values import FeelFunction, Range, YearsMonthsDuration, to_decimal

__all__ = ["SCALAR_TYPES", "is_feel_value", "to_feel", "to_feel_scope"]

#: Exact types whose values are FEEL values as they are (subclasses take the slower, isinstance-based path).
SCALAR_TYPES: frozenset[type] = frozenset(
    {
        decimal.Decimal,
        str,
        bool,
        type(None),
        dt.date,
        dt.datetime,
        dt.time,
        dt.timedelta,
        YearsMonthsDuration,
        Range,
    }
)

#: 10**6145 needs 20,414 bits: an int longer than this overflows Decimal128 whatever its digits.
_MAX_INT_BITS = 20_416


def is_feel_value(value: Any) -> bool:
    """True when ``value`` needs no conversion (functions count; unknown objects do not)."""
    kind = type(value)
    if kind in SCALAR_TYPES:
        return True
    if kind is dict:
        for key in value:
            if type(key) is not str:
                return False
        value = value.values()
    elif kind is not list:
        return isinstance(value, FeelFunction)
    for item in value:  # noqa: SIM110  (a plain loop: no generator frame on the hot path)
        if type(item) not in SCALAR_TYPES and not is_feel_value(item):
            return False
    return True


def to_feel(value: Any) -> Any:
    """``value`` as a FEEL value; the very same object when it already is one."""
    if type(value) in SCALAR_TYPES or is_feel_value(value):
        return value
    return _convert(value)


def to_feel_scope(variables: Mapping[str, Any]) -> Mapping[str, Any]:
    """A scope of variables with FEEL values: ``variables`` itself when nothing needs converting."""
    for value in variables.values():
        if type(value) not in SCALAR_TYPES and not is_feel_value(value):
            return {name: to_feel(item) for name, item in variables.items()}
    return variables


def _convert(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, Mapping):
        return {str(key): to_feel(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_feel(item) for item in value]
    return value


def _number(value: int | float) -> decimal.Decimal | None:
    if isinstance(value, float):
        return to_decimal(value) if math.isfinite(value) else None
    number = int(value)
    if number.bit_length() > _MAX_INT_BITS:
        return None
    try:
        return to_decimal(number)
    except decimal.Overflow:
        return None
