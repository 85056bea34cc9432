"""The FEEL type system: instance checks, conformance and type expressions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cadenza.feel import FeelSyntaxError
from cadenza.feel.types import (
    ANY,
    DATE,
    DATE_TIME,
    DAYS_TIME_DURATION,
    NULL,
    NUMBER,
    STRING,
    YEARS_MONTHS_DURATION,
    ContextType,
    FunctionType,
    ListType,
    RangeType,
    UnknownType,
    parse_type,
)
from cadenza.feel.values import Range, YearsMonthsDuration


def test_simple_types() -> None:
    assert NUMBER.is_instance(Decimal(1)) and not NUMBER.is_instance(True)
    assert DATE.is_instance(dt.date(2020, 1, 1)) and not DATE.is_instance(dt.datetime(2020, 1, 1))
    assert DATE_TIME.is_instance(dt.datetime(2020, 1, 1))
    assert YEARS_MONTHS_DURATION.is_instance(YearsMonthsDuration(3))
    assert DAYS_TIME_DURATION.is_instance(dt.timedelta(1))
    assert NULL.is_instance(None) and not ANY.is_instance(None) and ANY.is_instance("x")


def test_structured_types() -> None:
    assert ListType(NUMBER).is_instance([Decimal(1), None]) and not ListType(NUMBER).is_instance(["a"])
    person = ContextType({"name": STRING, "age": NUMBER})
    assert person.is_instance({"name": "a", "age": Decimal(3), "extra": True})
    assert not person.is_instance({"name": "a"})
    assert RangeType(NUMBER).is_instance(Range(Decimal(1), Decimal(2)))


def test_conformance() -> None:
    assert NULL.conforms_to(NUMBER) and NUMBER.conforms_to(ANY)
    assert ListType(NUMBER).conforms_to(ListType(ANY)) and not ListType(ANY).conforms_to(ListType(NUMBER))
    assert ContextType({"a": NUMBER, "b": STRING}).conforms_to(ContextType({"a": ANY}))
    assert FunctionType([ANY], NUMBER).conforms_to(FunctionType([NUMBER], ANY))
    assert not FunctionType([NUMBER], NUMBER).conforms_to(FunctionType([ANY], NUMBER))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("number", NUMBER),
        ("feel:number", NUMBER),
        ("dateTime", DATE_TIME),
        ("dayTimeDuration", DAYS_TIME_DURATION),
        ("yearMonthDuration", YEARS_MONTHS_DURATION),
        ("date and time", DATE_TIME),
        ("years and months duration", YEARS_MONTHS_DURATION),
        ("list<list<string>>", ListType(ListType(STRING))),
        ("context<a: number, b c: string>", ContextType({"a": NUMBER, "b c": STRING})),
        ("range<date>", RangeType(DATE)),
        ("function<number, string> -> boolean", FunctionType([NUMBER, STRING], parse_type("boolean"))),
        ("tPerson", UnknownType("tPerson")),
    ],
)
def test_parse_type(text: str, expected: object) -> None:
    assert parse_type(text) == expected


def test_parse_type_resolver_and_errors() -> None:
    assert parse_type("list<tAge>", lambda name: NUMBER if name == "tAge" else None) == ListType(NUMBER)
    with pytest.raises(FeelSyntaxError):
        parse_type("list<number")
