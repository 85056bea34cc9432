"""Item definitions and typeRefs as checkable types, and DMN 1.5's type conversion of values (10.3.2.9.4).

A value that does not conform to the declared type becomes null with a warning. Before that verdict the two
implicit conversions apply: a singleton list where an element is expected yields its element, and an element
where a collection is expected becomes a singleton list. Null conforms to every type.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cadenza.dmn.feelc import CompiledTests, FeelCompiler, Where
from cadenza.dmn.model import ItemDefinition
from cadenza.feel import FeelWarning
from cadenza.feel.temporal import as_utc_datetime
from cadenza.feel.values import (
    FeelEvalError,
    FeelFunction,
    Range,
    WideDate,
    WideDateTime,
    YearsMonthsDuration,
)

__all__ = ["DmnType", "TypeResolver", "conform", "conform_argument"]

Check = Callable[[Any], bool]


def _is_date(value: Any) -> bool:
    return (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or isinstance(value, WideDate)


_BUILTIN: dict[str, Check] = {
    "number": lambda v: isinstance(v, decimal.Decimal),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date": _is_date,
    "time": lambda v: isinstance(v, dt.time),
    "date and time": lambda v: isinstance(v, (dt.datetime, WideDateTime)),
    "days and time duration": lambda v: isinstance(v, dt.timedelta),
    "years and months duration": lambda v: isinstance(v, YearsMonthsDuration),
    "duration": lambda v: isinstance(v, dt.timedelta | YearsMonthsDuration),
    "context": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "range": lambda v: isinstance(v, Range),
    "function": lambda v: isinstance(v, FeelFunction),
    "any": lambda _v: True,
}
# XML Schema spellings that DMN 1.1 models and some tools use.
_ALIASES = {
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "decimal": "number",
    "integer": "number",
    "long": "number",
    "double": "number",
    "Any": "any",
}


@dataclass
class DmnType:
    """A resolved type. ``check`` tests the base value (an element, for a collection)."""

    name: str
    check: Check = lambda _v: True
    is_collection: bool = False
    element: DmnType | None = None  # for a collection whose element is itself structured or constrained
    components: dict[str, DmnType] | None = None
    allowed: CompiledTests | None = None
    constraint: CompiledTests | None = None
    is_any: bool = False
    extra: list[str] = field(default_factory=list)


def conform(kind: DmnType, value: Any, warnings: list[FeelWarning], what: str) -> Any:
    """The value converted to ``kind``, or null with a warning naming ``what`` when it does not conform."""
    if value is None or kind.is_any:
        return value
    try:
        converted = _convert(kind, value, warnings)
    except FeelEvalError as exc:
        warnings.append(FeelWarning(f"{what}: {exc}", what))
        return None
    if converted is _NO:
        warnings.append(FeelWarning(f"{what}: value does not conform to type {kind.name}", what))
        return None
    return converted


def conform_argument(kind: DmnType, value: Any, what: str) -> Any:
    """Like :func:`conform`, but a non-conforming argument makes the whole invocation an error."""
    if value is None or kind.is_any:
        return value
    warnings: list[FeelWarning] = []
    converted = _convert(kind, value, warnings)
    if converted is _NO:
        raise FeelEvalError(f"{what}: value does not conform to type {kind.name}")
    return converted


_NO: Any = object()


def _convert(kind: DmnType, value: Any, warnings: list[FeelWarning]) -> Any:
    if value is None:
        return None
    if kind.is_collection:
        items = value if isinstance(value, list) else [value]
        element = kind.element or DmnType(kind.name, kind.check, components=kind.components)
        converted = [_convert(element, item, warnings) for item in items]
        if any(c is _NO for c in converted):
            return _NO
        if kind.allowed is not None and not all(_allowed(kind.allowed, c, warnings) for c in converted):
            return _NO
        return converted
    if isinstance(value, list) and len(value) == 1 and not _base_accepts(kind, value):
        return _convert_single(kind, value[0], warnings)  # one level only: [[10]] is not a number
    return _convert_single(kind, value, warnings)


def _base_accepts(kind: DmnType, value: Any) -> bool:
    return kind.components is None and kind.check(value)


def _convert_single(kind: DmnType, value: Any, warnings: list[FeelWarning]) -> Any:
    if kind.components is not None:
        if not isinstance(value, dict):
            return _NO
        result = dict(value)
        for name, component in kind.components.items():
            # DMN 1.5 10.3.2.9: a context conforms to a structure when it has every component (extra
            # entries are allowed) and each conforms; a missing component is not the same as a null one.
            if name not in value:
                return _NO
            converted = _convert(component, value[name], warnings)
            if converted is _NO:
                return _NO
            result[name] = converted
        value = result
    elif not kind.check(value):
        if kind.name == "date and time" and _is_date(value):
            # DMN 1.5 10.3.2.9.4: a date where a date and time is expected is that date at midnight UTC.
            value = as_utc_datetime(value)
        else:
            return _NO
    for tests in (kind.constraint, kind.allowed):
        if tests is not None and not _allowed(tests, value, warnings):
            return _NO
    return value


def _allowed(tests: CompiledTests, value: Any, warnings: list[FeelWarning]) -> bool:
    return value is None or tests.matches(value, {}, warnings)


class TypeResolver:
    """Resolves typeRefs against the model's item definitions (and imported models', by ``prefix.name``)."""

    def __init__(
        self,
        items: tuple[ItemDefinition, ...],
        compiler: FeelCompiler,
        imported: Mapping[str, TypeResolver] | None = None,
    ) -> None:
        self._items = {item.name: item for item in items}
        self._compiler = compiler
        self._imported = dict(imported or {})
        self._cache: dict[str, DmnType] = {}
        self._resolving: dict[str, DmnType] = {}

    def resolve(self, type_ref: str | None) -> DmnType:
        if not type_ref:
            return DmnType("Any", is_any=True)
        if type_ref in self._cache:
            return self._cache[type_ref]
        kind = self._resolve_uncached(type_ref.strip())
        self._cache[type_ref] = kind
        return kind

    def _resolve_uncached(self, type_ref: str) -> DmnType:
        item = self._items.get(type_ref)
        if item is not None:
            if type_ref in self._resolving:
                # A recursive type (a tree node whose children are tree nodes): hand out the type object that
                # is being built; it is complete before any value is checked against it.
                return self._resolving[type_ref]
            placeholder = DmnType(type_ref)
            self._resolving[type_ref] = placeholder
            try:
                built = self.from_item(item)
            finally:
                del self._resolving[type_ref]
            placeholder.__dict__.update(built.__dict__)
            return placeholder
        prefix, _, rest = type_ref.partition(".")
        if rest and prefix in self._imported:
            return self._imported[prefix].resolve(rest)
        return _builtin(type_ref)

    def from_item(self, item: ItemDefinition) -> DmnType:
        where = Where(f"itemDefinition '{item.name}'", "allowedValues", item.line)
        allowed = self._tests(item.allowed_values.text if item.allowed_values else None, where)
        constraint_text = item.type_constraint.text if item.type_constraint else None
        constraint = self._tests(constraint_text, where.at("typeConstraint"))
        if item.components:
            components = {c.name: self.from_item(c) for c in item.components}
            base = DmnType(item.name, components=components)
        elif item.function_item is not None:
            base = DmnType(item.name, _BUILTIN["function"])
        else:
            base = self.resolve(item.type_ref)
        if item.is_collection:
            # Unconstrained, the element type is the base itself (kept by identity: it may be recursive).
            element = base if constraint is None else _restricted(base, item.name, None, constraint)
            return DmnType(item.name, base.check, True, element, allowed=allowed)
        return _restricted(base, item.name, allowed, constraint)

    def _tests(self, text: str | None, where: Where) -> CompiledTests | None:
        if not text:
            return None
        return self._compiler.unary_tests(text, where)


def _restricted(
    base: DmnType, name: str, allowed: CompiledTests | None, constraint: CompiledTests | None
) -> DmnType:
    if allowed is None and constraint is None:
        if base.name == name:
            return base
        return DmnType(
            name,
            base.check,
            base.is_collection,
            base.element,
            base.components,
            base.allowed,
            base.constraint,
            base.is_any,
        )
    if base.is_collection:
        # A constraint on a collection-typed base applies to the collection's elements.
        element = base.element or DmnType(base.name, base.check, components=base.components)
        return DmnType(
            name,
            base.check,
            True,
            _restricted(element, element.name, None, constraint),
            allowed=allowed or base.allowed,
        )
    return DmnType(
        name,
        base.check,
        False,
        None,
        base.components,
        allowed or base.allowed,
        constraint or base.constraint,
        base.is_any and not (allowed or constraint),
    )


def _builtin(type_ref: str) -> DmnType:
    name = _ALIASES.get(type_ref, type_ref)
    check = _BUILTIN.get(name)
    if check is not None:
        return DmnType(name, check, is_any=name == "any")
    generic = _generic(name)
    if generic is not None:
        return generic
    # An unknown type name is not checked: tools write vendor types the spec does not define.
    return DmnType(type_ref, is_any=True)


def _generic(name: str) -> DmnType | None:
    """``list<T>``, ``context<...>``, ``function<...>``, ``range<T>``: checked through FEEL's own types."""
    if "<" not in name:
        return None
    try:
        from cadenza.feel.types import parse_type

        feel_type = parse_type(name)
    except Exception:  # an unparsable type name is treated like any other unknown type
        return None
    return DmnType(name, feel_type.is_instance)
