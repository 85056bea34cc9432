"""Context built-ins (DMN 1.5 10.3.4.10): get value, get entries, context, context put, context merge."""

from __future__ import annotations

from typing import Any

from cadenza.feel.builtins.registry import builtin
from cadenza.feel.values import FeelEvalError

__all__: list[str] = []


@builtin("get value", "m: context", "key: string")
def get_value(context: dict[str, Any], key: str) -> Any:
    return context.get(key)


@builtin("get entries", "m: context")
def get_entries(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": value} for key, value in context.items()]


@builtin("context", "entries: list")
def context(entries: list[Any]) -> dict[str, Any]:
    """The context of a list of ``{key, value}`` entries; a repeated key or a malformed entry is an error."""
    result: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or "value" not in entry:
            raise FeelEvalError("context: each entry needs a string key and a value")
        if entry["key"] in result:
            raise FeelEvalError(f"context: duplicate key {entry['key']!r}")
        result[entry["key"]] = entry["value"]
    return result


def _put(context: dict[str, Any], keys: list[Any], value: Any) -> dict[str, Any]:
    if not keys or not all(isinstance(key, str) for key in keys):
        raise FeelEvalError("context put: keys must be a non-empty list of strings")
    head, rest = keys[0], keys[1:]
    result = dict(context)
    if rest:
        inner = context.get(head)
        if not isinstance(inner, dict):
            raise FeelEvalError(f"context put: {head!r} is not a context")
        value = _put(inner, rest, value)
    result[head] = value
    return result


@builtin("context put", "context: context", "key: string", "value: Any", nulls=True)
def context_put(target: dict[str, Any] | None, key: str | None, value: Any) -> dict[str, Any] | None:
    return None if target is None or key is None else _put(target, [key], value)


@builtin("context put", "context: context", "keys: list", "value: Any", nulls=True)
def context_put_path(
    target: dict[str, Any] | None, keys: list[Any] | None, value: Any
) -> dict[str, Any] | None:
    return None if target is None or keys is None else _put(target, keys, value)


@builtin("context merge", "contexts: list")
def context_merge(contexts: list[Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in contexts:
        if not isinstance(item, dict):
            raise FeelEvalError("context merge: every item must be a context")
        result.update(item)
    return result
