"""``range(from)`` (DMN 1.5 10.3.4.1): a range from its FEEL text, such as ``"[18..21)"`` or ``"<= 10"``.

Endpoints are literals only: numbers, strings, ``@"..."`` temporal literals, the temporal conversion calls
``date("...")``, ``time("...")``, ``date and time("...")`` and ``duration("...")``, or ``null`` for no bound.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from cadenza.feel import temporal
from cadenza.feel.builtins.registry import builtin
from cadenza.feel.semantics import compare, type_name
from cadenza.feel.values import DECIMAL_CONTEXT, FeelEvalError, Range

__all__ = ["parse_endpoint"]

_INTERVAL = re.compile(r"\s*([\[\]\(])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]\)])\s*", re.DOTALL)
_COMPARISON = re.compile(r"\s*(<=|>=|<|>|=)\s*(.+?)\s*", re.DOTALL)
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_STRING = r'"((?:[^"\\]|\\.)*)"'
_CALL = re.compile(r"(date and time|date|time|duration)\s*\(\s*" + _STRING + r"\s*\)")
_AT = re.compile("@" + _STRING)


def parse_endpoint(text: str) -> Any:
    """The value of one literal range endpoint."""
    if text == "null":
        return None
    if _NUMBER.fullmatch(text):
        try:
            return DECIMAL_CONTEXT.create_decimal(text)
        except decimal.DecimalException:
            raise FeelEvalError(f"range: number {text!r} out of range") from None
    if found := re.fullmatch(_STRING, text):
        return found[1].replace('\\"', '"').replace("\\\\", "\\")
    if found := _AT.fullmatch(text):
        return temporal.parse_temporal_literal(found[1])
    if found := _CALL.fullmatch(text):
        parsers = {
            "date": temporal.parse_date,
            "time": temporal.parse_time,
            "date and time": temporal.parse_date_and_time,
            "duration": temporal.parse_duration,
        }
        return parsers[found[1]](found[2])
    raise FeelEvalError(f"range: endpoint {text!r} is not a literal")


def _checked(result: Range) -> Range:
    if result.start is None and result.end is None:
        raise FeelEvalError("range: at least one endpoint must be given")
    if result.start is not None and result.end is not None:
        if type_name(result.start) != type_name(result.end):
            raise FeelEvalError("range: endpoints of different types")
        order = compare(result.start, result.end)
        if order is None or order > 0:
            raise FeelEvalError("range: the start is after the end")
    return result


@builtin("range", "from: string")
def feel_range(text: str) -> Range:
    if found := _INTERVAL.fullmatch(text):
        opening, low, high, closing = found.groups()
        start, end = parse_endpoint(low), parse_endpoint(high)
        return _checked(
            Range(start, end, opening == "[" and start is not None, closing == "]" and end is not None)
        )
    if found := _COMPARISON.fullmatch(text):
        operator, value = found[1], parse_endpoint(found[2])
        if value is None:
            raise FeelEvalError("range: a comparison needs a value")
        if operator == "=":
            return Range(value, value, True, True)
        if operator.startswith("<"):
            return Range(None, value, False, operator == "<=")
        return Range(value, None, operator == ">=", False)
    raise FeelEvalError(f"range: {text!r} is not a range")
