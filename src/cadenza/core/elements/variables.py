"""Writing variables with Zeebe's rules (ZEEBE-SEMANTICS §1): local sets, propagating merges, mappings."""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.zeebe_ext import VariableMapping
from cadenza.core.elements.conditions import notify_variable
from cadenza.core.intents import VariableIntent
from cadenza.core.records import ValueType
from cadenza.core.state import ScopeView
from cadenza.core.writer import Writer
from cadenza.feel.json_values import dumps

__all__ = ["evaluate_mappings", "propagate", "set_local", "to_text"]


def to_text(value: Any) -> str:
    """A FEEL value as the JSON text a variable holds (temporal values become ISO strings)."""
    return dumps(value)


def set_local(writer: Writer, scope_key: int, name: str, text: str, instance: dict[str, Any]) -> None:
    """Creates or updates ``name`` in exactly one scope; an unchanged value writes nothing."""
    existing = writer.state.variables.local(scope_key).get(name)
    if existing is not None and existing[1] == text:
        return
    key = writer.next_key() if existing is None else existing[0]
    intent = VariableIntent.CREATED if existing is None else VariableIntent.UPDATED
    value = {
        "name": name,
        "value": text,
        "scopeKey": scope_key,
        "processInstanceKey": instance["processInstanceKey"],
        "processDefinitionKey": instance["processDefinitionKey"],
        "bpmnProcessId": instance["bpmnProcessId"],
        "tenantId": instance["tenantId"],
    }
    writer.event(ValueType.VARIABLE, intent, key, value, instance["tenantId"])
    notify_variable(writer, scope_key, name, intent, instance)


def propagate(writer: Writer, start_scope: int, document: dict[str, str], instance: dict[str, Any]) -> None:
    """Each variable updates the nearest scope from ``start_scope`` outward that holds it, else the root."""
    variables = writer.state.variables
    root = instance["processInstanceKey"]
    for name, text in document.items():
        scope = variables.find(start_scope, name) if start_scope > 0 else None
        set_local(writer, root if scope is None else scope, name, text, instance)


class MappingError(Exception):
    """An input or output mapping could not be evaluated (IO_MAPPING_ERROR incident)."""


def evaluate_mappings(
    mappings: tuple[VariableMapping, ...], view: ScopeView, *, merge_into_visible: bool
) -> dict[str, Any]:
    """Evaluates ``mappings`` as one context (later sources see earlier targets); returns top-level targets.

    A dotted target ``a.b`` nests: input mappings build a fresh ``a``; output mappings merge into a visible
    non-null context ``a``, keeping its other entries.
    """
    results: dict[str, Any] = {}
    for mapping in mappings:
        if mapping.source.compiled is None:
            value: Any = mapping.source.source
        else:
            value = mapping.source.compiled.evaluate(view.with_overlay(results))
        head, *path = mapping.target.split(".")
        if not path:
            results[head] = value
            continue
        base = results.get(head)
        if base is None and merge_into_visible and head in view:
            base = view[head]
        context = dict(base) if isinstance(base, dict) else {}
        results[head] = _nest(context, path, value)
    return results


def _nest(context: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    head, *rest = path
    if not rest:
        context[head] = value
        return context
    inner = context.get(head)
    context[head] = _nest(dict(inner) if isinstance(inner, dict) else {}, rest, value)
    return context
