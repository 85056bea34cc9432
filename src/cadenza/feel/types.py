"""The FEEL type system (DMN 1.5, 10.3.2.9): types, instance checks and type conformance.

``FeelType.is_instance(value)`` answers ``value instance of T``; ``conforms_to`` is the subtype relation used
for function types and item definitions. ``null`` is an instance only of ``Null``; every other value is an
instance of ``Any``. Context types are structural: a context is an instance when it has at least the
listed entries.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cadenza.feel.values import (
    FeelEvalError,
    FeelFunction,
    Range,
    WideDate,
    WideDateTime,
    YearsMonthsDuration,
)

__all__ = [
    "ANY",
    "BOOLEAN",
    "BUILTIN_TYPES",
    "DATE",
    "DATE_TIME",
    "DAYS_TIME_DURATION",
    "NULL",
    "NUMBER",
    "STRING",
    "TIME",
    "YEARS_MONTHS_DURATION",
    "ContextType",
    "FeelType",
    "FunctionType",
    "ListType",
    "RangeType",
    "SimpleType",
    "UnknownType",
    "builtin_type",
    "parse_type",
    "type_of",
]


class FeelType:
    """A FEEL type. Subclasses are immutable and compare by structure."""

    __slots__ = ()

    def is_instance(self, value: Any) -> bool:
        raise NotImplementedError

    def conforms_to(self, other: FeelType) -> bool:
        """True when every instance of this type is an instance of ``other`` (``self`` <: ``other``)."""
        if isinstance(other, SimpleType) and other.name == "Any":
            return True
        return self == other


class SimpleType(FeelType):
    """A named type without parameters: ``Any``, ``Null`` and the built-in value types."""

    __slots__ = ("name", "_check")

    def __init__(self, name: str, check: Callable[[Any], bool]) -> None:
        self.name = name
        self._check = check

    def is_instance(self, value: Any) -> bool:
        return self._check(value)

    def conforms_to(self, other: FeelType) -> bool:
        # Null is the bottom of the lattice: it conforms to every type.
        return self.name == "Null" or super().conforms_to(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimpleType) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name


def _is_date(value: Any) -> bool:
    # datetime is a subclass of date in Python, but not in FEEL.
    return (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or isinstance(value, WideDate)


ANY = SimpleType("Any", lambda value: value is not None)
NULL = SimpleType("Null", lambda value: value is None)
NUMBER = SimpleType("number", lambda value: isinstance(value, decimal.Decimal))
STRING = SimpleType("string", lambda value: isinstance(value, str))
BOOLEAN = SimpleType("boolean", lambda value: isinstance(value, bool))
DATE = SimpleType("date", _is_date)
TIME = SimpleType("time", lambda value: isinstance(value, dt.time))
DATE_TIME = SimpleType("date and time", lambda value: isinstance(value, (dt.datetime, WideDateTime)))
DAYS_TIME_DURATION = SimpleType("days and time duration", lambda value: isinstance(value, dt.timedelta))
YEARS_MONTHS_DURATION = SimpleType(
    "years and months duration", lambda value: isinstance(value, YearsMonthsDuration)
)


class ListType(FeelType):
    __slots__ = ("element",)

    def __init__(self, element: FeelType = ANY) -> None:
        self.element = element

    def is_instance(self, value: Any) -> bool:
        if not isinstance(value, list):
            return False
        # Null elements are allowed in any list: null conforms to every element type.
        return all(item is None or self.element.is_instance(item) for item in value)

    def conforms_to(self, other: FeelType) -> bool:
        if isinstance(other, ListType):
            return self.element.conforms_to(other.element)
        return super().conforms_to(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ListType) and other.element == self.element

    def __hash__(self) -> int:
        return hash(("list", self.element))

    def __repr__(self) -> str:
        return f"list<{self.element!r}>"


class ContextType(FeelType):
    __slots__ = ("fields",)

    def __init__(self, fields: Mapping[str, FeelType] | None = None) -> None:
        self.fields = dict(fields or {})

    def is_instance(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for key, field_type in self.fields.items():
            if key not in value:
                return False
            item = value[key]
            if item is not None and not field_type.is_instance(item):
                return False
        return True

    def conforms_to(self, other: FeelType) -> bool:
        if isinstance(other, ContextType):
            return all(
                key in self.fields and self.fields[key].conforms_to(field_type)
                for key, field_type in other.fields.items()
            )
        return super().conforms_to(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ContextType) and other.fields == self.fields

    def __hash__(self) -> int:
        return hash(("context", tuple(self.fields.items())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{key}: {value!r}" for key, value in self.fields.items())
        return f"context<{inner}>"


class RangeType(FeelType):
    __slots__ = ("element",)

    def __init__(self, element: FeelType = ANY) -> None:
        self.element = element

    def is_instance(self, value: Any) -> bool:
        if not isinstance(value, Range):
            return False
        ends = [end for end in (value.start, value.end) if end is not None]
        return all(self.element.is_instance(end) for end in ends)

    def conforms_to(self, other: FeelType) -> bool:
        if isinstance(other, RangeType):
            return self.element.conforms_to(other.element)
        return super().conforms_to(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RangeType) and other.element == self.element

    def __hash__(self) -> int:
        return hash(("range", self.element))

    def __repr__(self) -> str:
        return f"range<{self.element!r}>"


class FunctionType(FeelType):
    __slots__ = ("params", "result")

    def __init__(self, params: Sequence[FeelType] = (), result: FeelType = ANY) -> None:
        self.params = tuple(params)
        self.result = result

    def is_instance(self, value: Any) -> bool:
        if not isinstance(value, FeelFunction):
            return False
        declared = [p for p in value.params if not p.variadic]
        if len(declared) != len(self.params):
            return False
        # Parameters are contravariant: the function must accept at least what the type promises to pass.
        for param, wanted in zip(declared, self.params, strict=True):
            own = builtin_type(param.type_name)
            if own is not None and not wanted.conforms_to(own):
                return False
        return True

    def conforms_to(self, other: FeelType) -> bool:
        if isinstance(other, FunctionType):
            return (
                len(self.params) == len(other.params)
                and all(
                    theirs.conforms_to(mine) for mine, theirs in zip(self.params, other.params, strict=True)
                )
                and self.result.conforms_to(other.result)
            )
        return super().conforms_to(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FunctionType) and (other.params, other.result) == (self.params, self.result)

    def __hash__(self) -> int:
        return hash(("function", self.params, self.result))

    def __repr__(self) -> str:
        inner = ", ".join(repr(p) for p in self.params)
        return f"function<{inner}> -> {self.result!r}"


class UnknownType(FeelType):
    """A type name the FEEL front end does not know (e.g. an item definition): checking it is an error."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def is_instance(self, value: Any) -> bool:  # noqa: ARG002
        raise FeelEvalError(f"unknown type {self.name!r}")

    def conforms_to(self, other: FeelType) -> bool:
        return self == other

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownType) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("unknown", self.name))

    def __repr__(self) -> str:
        return self.name


BUILTIN_TYPES: Mapping[str, FeelType] = {
    t.name: t
    for t in (
        ANY,
        NULL,
        NUMBER,
        STRING,
        BOOLEAN,
        DATE,
        TIME,
        DATE_TIME,
        DAYS_TIME_DURATION,
        YEARS_MONTHS_DURATION,
    )
}

# DMN (XML Schema flavoured) spellings found in typeRef attributes.
_ALIASES = {
    "dateTime": DATE_TIME,
    "dayTimeDuration": DAYS_TIME_DURATION,
    "yearMonthDuration": YEARS_MONTHS_DURATION,
    "list": ListType(),
    "context": ContextType(),
    "range": RangeType(),
    "function": FunctionType(),
}


def builtin_type(name: str) -> FeelType | None:
    """The built-in type called ``name`` (``feel:`` prefix and DMN aliases accepted), or None."""
    if name.startswith("feel:"):
        name = name[5:]
    name = " ".join(name.split())
    return BUILTIN_TYPES.get(name) or _ALIASES.get(name)


def type_of(value: Any) -> FeelType:
    """The most specific type of a value (used to describe values in warnings and type checks)."""
    for simple in BUILTIN_TYPES.values():
        if simple is not ANY and simple.is_instance(value):
            return simple
    if isinstance(value, list):
        return ListType()
    if isinstance(value, dict):
        return ContextType()
    if isinstance(value, Range):
        return RangeType()
    if isinstance(value, FeelFunction):
        return FunctionType([ANY] * len(value.params))
    return ANY


def parse_type(text: str, resolve: Callable[[str], FeelType | None] | None = None) -> FeelType:
    """Parses a FEEL type expression (``number``, ``list<string>``, ``context<a: number>``, ...).

    ``resolve`` looks up other names (e.g. item definitions); without it, or when it returns None, an unknown
    name becomes an :class:`UnknownType`. Raises :class:`~cadenza.feel.errors.FeelSyntaxError` on bad syntax.
    """
    from cadenza.feel.parser import parse_type_text  # the parser imports this module

    return parse_type_text(text, resolve)
