"""TCK test-case values (``valueType`` in testCases.xsd) as FEEL values, and how results are compared."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from lxml import etree

from cadenza.feel import temporal
from cadenza.feel.semantics import equal
from cadenza.feel.values import DECIMAL_CONTEXT, WideDateTime

__all__ = ["ROUNDING", "TCK_NAMESPACE", "read_value", "same_value"]

TCK_NAMESPACE = "http://www.omg.org/spec/DMN/20160719/testcase"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XSD = "http://www.w3.org/2001/XMLSchema"


class _Untyped(str):
    """The text of a ``<value>`` without xsi:type: a string, remembered as untyped for strict checks."""

    __slots__ = ()


def _tag(name: str) -> str:
    return f"{{{TCK_NAMESPACE}}}{name}"


def read_value(element: etree._Element) -> Any:
    """The FEEL value held by an inputNode, expected, component or item element."""
    value = element.find(_tag("value"))
    if value is not None:
        return _simple(value)
    listed = element.find(_tag("list"))
    if listed is not None:
        if listed.get(f"{{{_XSI}}}nil") == "true":
            return None
        return [read_value(item) for item in listed.findall(_tag("item"))]
    components = element.findall(_tag("component"))
    if components:
        return {c.get("name") or "": read_value(c) for c in components}
    if element.get(f"{{{_XSI}}}nil") == "true":
        return None
    return None


def _simple(value: etree._Element) -> Any:
    if value.get(f"{{{_XSI}}}nil") == "true":
        return None
    text = value.text or ""
    type_attr = value.get(f"{{{_XSI}}}type")
    if type_attr is None:
        return _Untyped(text)
    prefix, _, local = type_attr.rpartition(":")
    namespace = value.nsmap.get(prefix or None, _XSD) if prefix else _XSD
    if namespace != _XSD:
        return text
    return _convert(local, text.strip() if local != "string" else text)


def _convert(xsd_type: str, text: str) -> Any:
    if xsd_type in ("decimal", "double", "float", "integer", "int", "long", "short"):
        if text in ("NaN", "INF", "-INF"):
            return None  # FEEL numbers are finite; the TCK uses these only where null is expected
        return DECIMAL_CONTEXT.create_decimal(text)
    if xsd_type == "boolean":
        return text == "true" or text == "1"
    if xsd_type == "date":
        return temporal.parse_date(text)
    if xsd_type == "dateTime":
        return temporal.parse_date_and_time(text)
    if xsd_type == "time":
        return temporal.parse_time(text)
    if xsd_type in ("duration", "dayTimeDuration", "yearMonthDuration"):
        return temporal.parse_duration(text)
    return text


#: Relative difference under which two numbers count as equal when the runner allows rounding: the TCK's
#: expected values were produced by engines computing in binary doubles (15-17 significant digits).
ROUNDING = decimal.Decimal("1e-12")


def same_value(expected: Any, actual: Any, tolerance: decimal.Decimal = decimal.Decimal(0)) -> bool:
    """FEEL equality, structurally: numbers by value, contexts by keys and values, lists item by item.

    With a ``tolerance``, numbers whose relative difference is at most that much are also equal."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same_value(e, a, tolerance) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(same_value(value, actual[key], tolerance) for key, value in expected.items())
        )
    if isinstance(expected, decimal.Decimal) and isinstance(actual, decimal.Decimal):
        if expected == actual:
            return True
        return bool(tolerance) and abs(expected - actual) <= tolerance * max(
            abs(expected), decimal.Decimal(1)
        )
    if isinstance(expected, _DATE_TIMES) and isinstance(actual, _DATE_TIMES):
        # Equal instants are not enough: the TCK also expects the same offset, or no zone on both sides.
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            return False
        return equal(expected, actual) is True and expected.utcoffset() == actual.utcoffset()
    return _kind(expected) is _kind(actual) and equal(expected, actual) is True


_DATE_TIMES = (dt.datetime, WideDateTime)


def _kind(value: Any) -> type:
    return str if isinstance(value, str) else type(value)
