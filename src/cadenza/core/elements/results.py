"""Helpers the activity behaviours share: Zeebe's expression type names and element results (§1.7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cadenza.bpmn.expressions import BpmnExpression
from cadenza.core.elements.variables import propagate, set_local
from cadenza.core.writer import Writer

__all__ = ["expected_type", "set_result", "type_name"]


def type_name(value: Any) -> str:
    """The name Zeebe's expression processor gives a result's type in its incident messages."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, Decimal | int | float):
        return "NUMBER"
    names: tuple[tuple[type, str], ...] = (
        (str, "STRING"),
        (list, "ARRAY"),
        (dict, "OBJECT"),
        (dt.datetime, "DATE_TIME"),
        (dt.date, "DATE"),
        (dt.time, "TIME"),
        (dt.timedelta, "DURATION"),
    )
    for kind, name in names:
        if isinstance(value, kind):
            return name
    return type(value).__name__.upper()


def expected_type(expression: BpmnExpression, kind: str, value: Any) -> str:
    """Zeebe's EXTRACT_VALUE_ERROR message for a result of the wrong type."""
    source = (expression.feel_source or expression.source).strip()
    return f"Expected result of the expression '{source}' to be '{kind}', but was '{type_name(value)}'."


def set_result(writer: Writer, key: int, has_outputs: bool, document: dict[str, str]) -> None:
    """An element result (§1.7): element locals for the output mappings to read, or, without mappings,
    merged from the element outward (a same-named local captures it, as in Zeebe)."""
    row = writer.state.elements.get(key)
    if row is None:
        return
    if has_outputs:
        for name, text in document.items():
            set_local(writer, key, name, text, row["v"])
    else:
        propagate(writer, key, document, row["v"])
