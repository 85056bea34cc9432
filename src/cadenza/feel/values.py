"""FEEL values as Python values: the one mapping every part of Cadenza shares.

| FEEL type                    | Python value                                        |
|------------------------------|-----------------------------------------------------|
| null                         | ``None``                                            |
| number                       | ``decimal.Decimal`` (34 significant digits)         |
| string                       | ``str``                                             |
| boolean                      | ``bool``                                            |
| date                         | ``datetime.date`` (never a ``datetime``); :class:`WideDate` |
| time                         | ``datetime.time`` (``tzinfo`` an offset, a zone or none) |
| date and time                | ``datetime.datetime``; :class:`WideDateTime`        |
| days and time duration       | ``datetime.timedelta``                              |
| years and months duration    | :class:`YearsMonthsDuration`                        |
| list                         | ``list``                                            |
| context                      | ``dict[str, Any]`` (insertion ordered)              |
| range                        | :class:`Range`                                      |
| function                     | :class:`FeelFunction`                               |

Dates and date-times whose year is outside Python's 1..9999 (DMN allows -999,999,999..999,999,999) are
:class:`WideDate` / :class:`WideDateTime`; every other date is a plain Python value, so code that meets only
ordinary dates keeps Python's fast paths (:mod:`cadenza.feel.wide_dates` has their arithmetic). Fractions of a
second hold microseconds (digits past the sixth are dropped). A ``tzinfo`` is
``datetime.UTC`` for ``Z``/``+00:00``, a fixed ``datetime.timezone`` for other offsets, or a
``zoneinfo.ZoneInfo`` for ``@Region/City``. Operators, equality and ``string()`` live in
:mod:`cadenza.feel.semantics`; parsing, printing and properties of temporal values in
:mod:`cadenza.feel.temporal`; built-in functions in :mod:`cadenza.feel.builtins`.

Evaluation errors are raised inside the evaluator and built-ins as :class:`FeelEvalError`; the evaluator turns
each into ``null`` plus a warning, as DMN 1.5 section 10.3.2.9 asks. Nothing else may escape.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DECIMAL_CONTEXT",
    "CLOCK",
    "FeelEvalError",
    "FeelFunction",
    "NativeFunction",
    "Param",
    "Range",
    "WideDate",
    "WideDateTime",
    "YearsMonthsDuration",
    "current_time",
    "is_number",
    "to_decimal",
]

#: DMN 1.5 10.3.2.3.1: IEEE 754-2008 Decimal128, 34 significant digits, round half even.
DECIMAL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: The instant that FEEL's ``now()`` and ``today()`` see. The engine sets it from the command's timestamp so
#: evaluation stays deterministic; when unset, the wall clock is used.
CLOCK: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("cadenza_feel_clock", default=None)


def current_time() -> dt.datetime:
    """The evaluation's notion of now: an aware ``datetime``."""
    fixed = CLOCK.get()
    if fixed is not None:
        return fixed
    return dt.datetime.now(dt.UTC)


class FeelEvalError(Exception):
    """An evaluation error: the evaluator turns it into null and records the message as a warning."""


def is_number(value: object) -> bool:
    """True for a FEEL number (a ``Decimal``); ``bool`` is never a number."""
    return isinstance(value, decimal.Decimal)


def to_decimal(value: int | float | str | decimal.Decimal) -> decimal.Decimal:
    """Converts a host number to a FEEL number, rounded to 34 digits."""
    if isinstance(value, float):
        value = repr(value)
    return DECIMAL_CONTEXT.create_decimal(value)


@dataclass(frozen=True, slots=True, order=True)
class YearsMonthsDuration:
    """A years and months duration, held as a signed number of months."""

    months: int

    @property
    def years_part(self) -> int:
        return int(self.months / 12)

    @property
    def months_part(self) -> int:
        return self.months - 12 * self.years_part

    def __str__(self) -> str:
        months = abs(self.months)
        sign = "-" if self.months < 0 else ""
        years, rest = divmod(months, 12)
        if months == 0:
            return "P0M"
        text = f"{sign}P"
        if years:
            text += f"{years}Y"
        if rest:
            text += f"{rest}M"
        return text


#: Years per cycle of the proleptic Gregorian calendar: it repeats exactly every 400 years (146,097 days, a
#: whole number of weeks), so a date moved by whole cycles keeps its leap day, weekday and ISO week.
CYCLE_YEARS = 400


@dataclass(frozen=True, slots=True)
class WideDate:
    """A FEEL date whose year is outside 1..9999: ``base`` moved by ``cycles`` times 400 years.

    ``base`` is canonical (see :mod:`cadenza.feel.wide_dates`), so equal dates have equal fields."""

    base: dt.date
    cycles: int

    @property
    def year(self) -> int:
        return self.base.year + CYCLE_YEARS * self.cycles

    @property
    def month(self) -> int:
        return self.base.month

    @property
    def day(self) -> int:
        return self.base.day

    def weekday(self) -> int:
        return self.base.weekday()

    def isoweekday(self) -> int:
        return self.base.isoweekday()


@dataclass(frozen=True, slots=True)
class WideDateTime:
    """A FEEL date and time whose year is outside 1..9999: ``base`` (wall clock and ``tzinfo``) moved by
    ``cycles`` times 400 years. ``base`` sits in a window of years where a named zone has the offset it has in
    the value's own era (see :mod:`cadenza.feel.wide_dates`)."""

    base: dt.datetime
    cycles: int

    @property
    def year(self) -> int:
        return self.base.year + CYCLE_YEARS * self.cycles

    @property
    def month(self) -> int:
        return self.base.month

    @property
    def day(self) -> int:
        return self.base.day

    @property
    def hour(self) -> int:
        return self.base.hour

    @property
    def minute(self) -> int:
        return self.base.minute

    @property
    def second(self) -> int:
        return self.base.second

    @property
    def microsecond(self) -> int:
        return self.base.microsecond

    @property
    def tzinfo(self) -> dt.tzinfo | None:
        return self.base.tzinfo

    def utcoffset(self) -> dt.timedelta | None:
        return self.base.utcoffset()

    def weekday(self) -> int:
        return self.base.weekday()

    def isoweekday(self) -> int:
        return self.base.isoweekday()

    def timetz(self) -> dt.time:
        return self.base.timetz()


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range. ``start``/``end`` of ``None`` with ``*_included`` False means unbounded on that side."""

    start: Any
    end: Any
    start_included: bool = True
    end_included: bool = True


@dataclass(frozen=True, slots=True)
class Param:
    """A function parameter: its name and, optionally, its declared FEEL type name (``"Any"`` if none)."""

    name: str
    type_name: str = "Any"
    optional: bool = False
    variadic: bool = False


class FeelFunction(ABC):
    """A FEEL function value: a built-in, a user-defined ``function(...)``, a BKM or a decision service."""

    name: str = "anonymous"

    @property
    @abstractmethod
    def params(self) -> Sequence[Param]:
        """The parameters, for named invocation and for ``instance of function<...>``."""

    @abstractmethod
    def call(self, args: Sequence[Any]) -> Any:
        """Invokes with positional arguments. Raises :class:`FeelEvalError` on an evaluation error."""

    def call_named(self, args: Mapping[str, Any]) -> Any:
        """Invokes with named arguments; missing ones are null. Unknown names are an evaluation error."""
        names = [p.name for p in self.params]
        unknown = [name for name in args if name not in names]
        if unknown:
            raise FeelEvalError(f"{self.name}: no parameter named {', '.join(unknown)}")
        return self.call([args.get(name) for name in names])


class NativeFunction(FeelFunction):
    """A function implemented in Python over FEEL values (used for BKMs, decision services and embedding)."""

    __slots__ = ("name", "parameters", "impl")

    def __init__(self, name: str, parameters: Sequence[Param], impl: Callable[..., Any]) -> None:
        self.name = name
        self.parameters = tuple(parameters)
        self.impl = impl

    @property
    def params(self) -> Sequence[Param]:
        return self.parameters

    def call(self, args: Sequence[Any]) -> Any:
        # A wrong argument count is a FEEL evaluation error, not a Python TypeError escaping the evaluator.
        params = self.parameters
        variadic = bool(params) and params[-1].variadic
        required = sum(1 for p in params if not p.optional and not p.variadic)
        if len(args) < required or (len(args) > len(params) and not variadic):
            raise FeelEvalError(f"{self.name}: expected {len(params)} argument(s), got {len(args)}")
        if not variadic:
            args = [*args, *([None] * (len(params) - len(args)))]
        return self.impl(*args)

    def __repr__(self) -> str:
        return f"NativeFunction({self.name!r}, {[p.name for p in self.parameters]!r})"
