"""Reading a connector's inputs from a job's variables: present, of the declared type, secrets resolved.

Every problem is collected and reported in one :class:`ConnectorInputError` (``url: required input is missing;
method: must be one of GET, POST, ...``), so one incident shows all that needs fixing. Values are taken as
Zeebe hands them over; the few conversions are those a static mapping needs (``"20"`` for a NUMBER, ``"true"``
for a BOOLEAN, a JSON object's text for a CONTEXT) and a CHOICE is matched ignoring case.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cadenza.workers.connector import Input, InputType
from cadenza.workers.errors import ConnectorInputError
from cadenza.workers.secrets import SECRET_REFERENCE, CredentialStore, Redactor

__all__ = ["SecretResolver", "read_inputs"]

_MISSING = object()


class SecretResolver:
    """Replaces ``{{secrets.NAME}}`` in a value's strings with the secret the job's tenant and process see,
    and tells the redactor each value it used."""

    def __init__(
        self, store: CredentialStore, *, tenant_id: str, process_id: str, redactor: Redactor
    ) -> None:
        self._store = store
        self._tenant_id = tenant_id
        self._process_id = process_id
        self._redactor = redactor

    def resolve(self, value: Any, problems: list[str], where: str) -> Any:
        if isinstance(value, str):
            return SECRET_REFERENCE.sub(lambda found: self._secret(found[1], problems, where), value)
        if isinstance(value, dict):
            return {key: self.resolve(item, problems, where) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, problems, where) for item in value]
        return value

    def _secret(self, name: str, problems: list[str], where: str) -> str:
        secret = self._store.secret(name, tenant_id=self._tenant_id, process_id=self._process_id)
        if secret is None:
            problems.append(
                f"{where}: unknown secret '{name}' (tenant '{self._tenant_id}', process '{self._process_id}')"
            )
            return ""
        self._redactor.add(secret)
        return secret


def read_inputs(
    specs: Sequence[Input], variables: Mapping[str, Any], secrets: SecretResolver
) -> dict[str, Any]:
    """The inputs by name; an input whose condition does not hold, or that is optional and absent, is left
    out. Raises :class:`ConnectorInputError` listing every problem."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for spec in specs:
        if spec.condition is not None and values.get(spec.condition.input) not in spec.condition.equals:
            continue
        raw = _lookup(variables, spec.name)
        if raw is _MISSING or raw is None or raw == "":
            if spec.default is not None:
                values[spec.name] = spec.default
            elif spec.required:
                problems.append(f"{spec.name}: required input is missing")
            continue
        value = _coerce(spec, raw, problems)
        if value is _MISSING:
            continue
        values[spec.name] = secrets.resolve(value, problems, spec.name) if spec.secret else value
    if problems:
        raise ConnectorInputError("; ".join(problems))
    return values


def _lookup(variables: Mapping[str, Any], name: str) -> Any:
    value: Any = variables
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _coerce(spec: Input, raw: Any, problems: list[str]) -> Any:
    try:
        return _COERCE[spec.type](spec, raw)
    except _Bad as bad:
        problems.append(f"{spec.name}: {bad}")
        return _MISSING


class _Bad(Exception):
    pass


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a context"
    return "a list" if isinstance(value, list) else type(value).__name__


def _text(_spec: Input, raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    raise _Bad(f"expected text, got {_kind(raw)}")


def _number(spec: Input, raw: Any) -> int | float:
    value: Any = raw
    if isinstance(raw, str):
        try:
            value = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            raise _Bad(f"expected a number, got text {raw[:40]!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad(f"expected a number, got {_kind(raw)}")
    if spec.minimum is not None and value < spec.minimum:
        raise _Bad(f"must be at least {spec.minimum:g}, not {value:g}")
    return value


def _boolean(_spec: Input, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise _Bad(f"expected true or false, got {_kind(raw)}")


def _choice(spec: Input, raw: Any) -> str:
    if isinstance(raw, str):
        for choice in spec.choices:
            if choice.value.lower() == raw.lower():
                return choice.value
    allowed = ", ".join(choice.value for choice in spec.choices)
    shown = repr(raw[:40]) if isinstance(raw, str) else _kind(raw)
    raise _Bad(f"must be one of {allowed}, not {shown}")


def _context(_spec: Input, raw: Any) -> dict[str, Any]:
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            raise _Bad("expected a context (a JSON object), got text that is not JSON") from None
    if not isinstance(value, dict):
        raise _Bad(f"expected a context (a JSON object), got {_kind(value)}")
    return value


def _any(_spec: Input, raw: Any) -> Any:
    return raw


_COERCE: dict[InputType, Callable[[Input, Any], Any]] = {
    InputType.STRING: _text,
    InputType.TEXT: _text,
    InputType.NUMBER: _number,
    InputType.BOOLEAN: _boolean,
    InputType.CHOICE: _choice,
    InputType.CONTEXT: _context,
    InputType.ANY: _any,
}
