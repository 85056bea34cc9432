"""Declaring built-in functions once: their FEEL name, parameters and Python implementation.

A built-in may have several signatures (``date(from)`` and ``date(year, month, day)``); a call picks the one
that fits the arguments' count (positional) or names (named invocation), then their types. Parameters are
written compactly: ``"start position: number"``, ``"length?: number"`` (optional), ``"lists...: list"``
(variadic, passed to the implementation as one Python list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cadenza.feel.semantics import type_name
from cadenza.feel.values import FeelEvalError, FeelFunction, Param, WideDate
from cadenza.feel.wide_dates import AnyDate, date_part

__all__ = ["REGISTRY", "BuiltinFunction", "Signature", "builtin", "conforms"]


@dataclass(frozen=True, slots=True)
class Signature:
    """One way to call a built-in. With ``nulls`` False, a null required argument gives null at once."""

    params: tuple[Param, ...]
    impl: Callable[..., Any]
    nulls: bool = False
    #: The accepted FEEL types of each parameter, ``a|b`` for alternatives (Param.type_name stays one FEEL
    #: type name, ``Any`` for alternatives, so that ``instance of function<...>`` can read it).
    types: tuple[str, ...] = ()

    def accepts_count(self, count: int) -> bool:
        required = sum(1 for p in self.params if not p.optional and not p.variadic)
        if self.params and self.params[-1].variadic:
            return count > required  # at least one variadic argument
        return required <= count <= len(self.params)

    def accepts_names(self, names: Sequence[str]) -> bool:
        known = {p.name for p in self.params}
        required = {p.name for p in self.params if not p.optional}
        return set(names) <= known and required <= set(names)


def _param(spec: str) -> tuple[Param, str]:
    name, _, type_text = spec.partition(":")
    name, type_text = name.strip(), type_text.strip() or "Any"
    declared = "Any" if "|" in type_text else type_text
    if name.endswith("..."):
        return Param(name[:-3], declared, variadic=True), type_text
    if name.endswith("?"):
        return Param(name[:-1], declared, optional=True), type_text
    return Param(name, declared), type_text


#: Every signature declared so far, by FEEL name, in declaration order.
REGISTRY: dict[str, list[Signature]] = {}


def builtin(
    name: str, *params: str, nulls: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Registers the decorated function as one signature of the FEEL built-in ``name``."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        parsed = [_param(p) for p in params]
        signature = Signature(tuple(p for p, _ in parsed), impl, nulls, tuple(t for _, t in parsed))
        REGISTRY.setdefault(name, []).append(signature)
        return impl

    return register


def conforms(value: Any, type_text: str) -> bool:
    """Whether a (non-null) value is of a declared parameter type; ``a|b`` lists alternatives."""
    kinds = type_text.split("|")
    actual = type_name(value)
    if "Any" in kinds or actual in kinds:
        return True
    # A date and time may stand where a date is asked for (DMN 1.5 10.3.2.9.4 conversions).
    return actual == "date and time" and "date" in kinds


def _coerce(value: Any, type_text: str) -> Any:
    """DMN 1.5 10.3.2.9.4: a singleton list stands for its element, and an element for a singleton list."""
    if value is None or type_text == "Any":
        return value
    if type_text == "list" and not isinstance(value, list):
        return [value]
    if isinstance(value, list) and len(value) == 1 and "list" not in type_text.split("|"):
        return value[0]
    return value


class BuiltinFunction(FeelFunction):
    """A FEEL built-in with one or more :class:`Signature`."""

    def __init__(self, name: str, signatures: Sequence[Signature]) -> None:
        self.name = name
        self.signatures = tuple(signatures)

    @property
    def params(self) -> Sequence[Param]:
        return self.signatures[0].params

    def __repr__(self) -> str:
        return f"BuiltinFunction({self.name!r})"

    def call(self, args: Sequence[Any]) -> Any:
        candidates = [s for s in self.signatures if s.accepts_count(len(args))]
        if not candidates:
            raise FeelEvalError(f"{self.name}: no signature takes {len(args)} argument(s)")
        return self._dispatch(candidates, [_bind_positional(s, args) for s in candidates])

    def call_named(self, args: Mapping[str, Any]) -> Any:
        candidates = [s for s in self.signatures if s.accepts_names(list(args))]
        if not candidates:
            raise FeelEvalError(f"{self.name}: no signature has parameters {', '.join(args)}")
        bound = [[_named_value(p, args) for p in s.params] for s in candidates]
        return self._dispatch(candidates, bound)

    def _dispatch(self, candidates: Sequence[Signature], bound: Sequence[list[Any]]) -> Any:
        for signature, values in zip(candidates, bound, strict=True):
            coerced = _typed(signature, values)
            if coerced is None:
                continue
            if not signature.nulls and any(
                v is None for p, v in zip(signature.params, coerced, strict=True) if not p.optional
            ):
                return None
            return _run(self.name, signature, coerced)
        described = ", ".join(type_name(v) for v in bound[0])
        raise FeelEvalError(f"{self.name}: invalid argument types ({described})")


def _named_value(param: Param, args: Mapping[str, Any]) -> Any:
    value = args.get(param.name)
    if param.variadic:
        return value if isinstance(value, list) else [] if value is None else [value]
    return value


def _bind_positional(signature: Signature, args: Sequence[Any]) -> list[Any]:
    params = signature.params
    if params and params[-1].variadic:
        fixed = len(params) - 1
        return [*args[:fixed], list(args[fixed:])]
    return [*args, *([None] * (len(params) - len(args)))]


def _typed(signature: Signature, values: list[Any]) -> list[Any] | None:
    """The arguments after the implicit conversions, or None if one is not of its declared type."""
    result: list[Any] = []
    for param, type_text, value in zip(signature.params, signature.types, values, strict=True):
        if param.variadic:
            if not all(item is None or conforms(item, type_text) for item in value):
                return None
            result.append(value)
            continue
        value = _coerce(value, type_text)
        if value is not None and not conforms(value, type_text):
            return None
        result.append(value)
    return result


def _run(name: str, signature: Signature, args: list[Any]) -> Any:
    try:
        return signature.impl(*args)
    except FeelEvalError:
        raise
    except (
        ArithmeticError,
        ValueError,
        TypeError,
        OverflowError,
        IndexError,
        KeyError,
        RecursionError,
    ) as error:
        # A bug or an edge the implementation did not foresee still must not escape as a Python error.
        raise FeelEvalError(f"{name}: {type(error).__name__}: {error}") from None


def as_date(value: AnyDate) -> dt.date | WideDate:
    """The date part of a date or date and time."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    return date_part(value)
