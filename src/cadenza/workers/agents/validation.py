"""JSON schema checks (``jsonschema``, Draft 2020-12): tool arguments and structured output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

__all__ = ["argument_errors", "check_schema", "schema_errors"]


def check_schema(schema: Mapping[str, Any], where: str) -> None:
    """Raises ValueError when ``schema`` is not a valid JSON schema."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValueError(f"{where}: not a valid JSON schema: {error.message}") from None


def schema_errors(schema: Mapping[str, Any], value: Any) -> str:
    """Every way ``value`` misses ``schema``, in one line ("" when it matches)."""
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    return "; ".join(f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors)


def argument_errors(schema: Mapping[str, Any], arguments: Any) -> str:
    if not isinstance(arguments, Mapping):
        return "(root): arguments must be a JSON object"
    return schema_errors(schema, dict(arguments))
