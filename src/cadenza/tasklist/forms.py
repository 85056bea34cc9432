"""Validating a task's completion variables against its form-js schema, as the form itself would.

Only what form-js declares is checked: a component with a ``key`` is a field; ``validate.required``,
``min``/``max``, ``minLength``/``maxLength`` and ``pattern``; the value's type by component type; and for
select, radio, checklist and taglist with static ``values``, that the value is one of them. Fields the form
does not know pass through unchecked (a process may set more than its form shows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["FieldError", "form_fields", "is_approval_form", "validate_variables"]

_STRING_TYPES = frozenset({"textfield", "textarea", "datetime", "password"})
_LIST_TYPES = frozenset({"checklist", "taglist"})
_OPTION_TYPES = frozenset({"select", "radio"})
#: A pattern is user input run on user input: bound both, so a pathological regex costs little.
_MAX_PATTERN_INPUT = 10_000


@dataclass(frozen=True, slots=True)
class FieldError:
    key: str
    msg: str

    def to_json(self) -> dict[str, Any]:
        return {"loc": ["variables", self.key], "msg": self.msg}


def form_fields(schema: Any) -> Iterator[dict[str, Any]]:
    """Every component with a key, at any depth (groups nest components)."""
    if not isinstance(schema, dict):
        return
    for component in schema.get("components") or []:
        if not isinstance(component, dict):
            continue
        if isinstance(component.get("key"), str) and component.get("type") not in ("button", "text"):
            yield component
        yield from form_fields(component)


def is_approval_form(schema: Any) -> bool:
    return any(c.get("key") == "approved" and c.get("type") == "checkbox" for c in form_fields(schema))


def validate_variables(schema: Any, variables: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for component in form_fields(schema):
        key = component["key"]
        found = component.get("validate")
        rules: dict[str, Any] = found if isinstance(found, dict) else {}
        value = variables.get(key)
        if value is None or value == "" or value == []:
            if rules.get("required"):
                errors.append(FieldError(key, f"'{component.get('label') or key}' is required"))
            continue
        problem = _type_problem(component, value) or _rule_problem(rules, value)
        if problem:
            errors.append(FieldError(key, problem))
    return errors


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _type_problem(component: dict[str, Any], value: Any) -> str:
    kind = component.get("type")
    if kind == "number" and not _is_number(value):
        return f"must be a number, not {type(value).__name__}"
    if kind == "checkbox" and not isinstance(value, bool):
        return f"must be true or false, not {type(value).__name__}"
    if kind in _STRING_TYPES and not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if kind in _LIST_TYPES and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return "must be a list of strings"
    options = [o.get("value") for o in component.get("values") or [] if isinstance(o, dict)]
    if options and kind in _OPTION_TYPES and value not in options:
        return f"must be one of {', '.join(map(str, options))}, not {value!r}"
    if options and kind in _LIST_TYPES and any(item not in options for item in value):
        return f"every item must be one of {', '.join(map(str, options))}"
    return ""


def _rule_problem(rules: dict[str, Any], value: Any) -> str:
    if _is_number(value):
        if _is_number(rules.get("min")) and value < rules["min"]:
            return f"must be at least {rules['min']}"
        if _is_number(rules.get("max")) and value > rules["max"]:
            return f"must be at most {rules['max']}"
    if isinstance(value, str):
        if isinstance(rules.get("minLength"), int) and len(value) < rules["minLength"]:
            return f"must have at least {rules['minLength']} characters"
        if isinstance(rules.get("maxLength"), int) and len(value) > rules["maxLength"]:
            return f"must have at most {rules['maxLength']} characters"
        pattern = rules.get("pattern")
        if isinstance(pattern, str) and pattern and not _matches(pattern, value):
            return f"must match the pattern {pattern}"
    return ""


def _matches(pattern: str, value: str) -> bool:
    try:
        return (
            re.fullmatch(pattern, value[:_MAX_PATTERN_INPUT]) is not None and len(value) <= _MAX_PATTERN_INPUT
        )
    except re.error:
        return True  # a broken pattern is the form author's mistake; it must not block every completion
