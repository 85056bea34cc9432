"""Where a memory lives (:class:`Namespace`: a tenant and a process) and the Milvus filter expressions that
keep every read, write and delete inside it.

Milvus Lite does not take filter templates (``filter_params``), so the expressions are built as text. Every
value placed in one is first checked against a strict pattern (no quotes, backslashes or spaces can pass) and
then written as a JSON string literal: a tenant, process, tag or id cannot change the expression's meaning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cadenza.workers.memory.errors import MemoryInputError

__all__ = [
    "DEFAULT_TENANT",
    "Namespace",
    "check_id",
    "check_kind",
    "check_tags",
    "in_list",
    "literal",
    "namespace_filter",
]

#: Zeebe's tenant of a single-tenant installation.
DEFAULT_TENANT = "<default>"
_TENANT = re.compile(r"[A-Za-z0-9_.+-]{1,64}")
# A BPMN process id is an XML NCName; a Zeebe process id never holds a space, quote or backslash.
_PROCESS = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,255}")
_TAG = re.compile(r"[A-Za-z0-9_.:/+-]{1,64}")
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_KINDS = ("note", "episode")
MAX_TAGS = 16


def _check(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise MemoryInputError(f"{what} {value!r} is not valid (allowed: {pattern.pattern})")
    return value


@dataclass(frozen=True, slots=True)
class Namespace:
    """A tenant's memory of one process (its BPMN process id). Records are written into exactly one
    namespace; a read may widen to the tenant's other processes, never to another tenant."""

    tenant: str
    process_id: str

    def __post_init__(self) -> None:
        if self.tenant != DEFAULT_TENANT:
            _check(_TENANT, self.tenant, "tenant")
        _check(_PROCESS, self.process_id, "process id")


def check_tags(tags: Iterable[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        raise MemoryInputError("tags must be a list of strings, not one string")
    result = tuple(dict.fromkeys(_check(_TAG, tag, "tag") for tag in tags))
    if len(result) > MAX_TAGS:
        raise MemoryInputError(f"{len(result)} tags; at most {MAX_TAGS}")
    return result


def check_id(record_id: object) -> str:
    return _check(_ID, record_id, "record id")


def check_kind(kind: object) -> str:
    if kind not in _KINDS:
        raise MemoryInputError(f"kind {kind!r} is not one of {', '.join(_KINDS)}")
    return str(kind)


def literal(value: str) -> str:
    """A Milvus string literal for an already-checked value."""
    return json.dumps(value)


def in_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]"


def namespace_filter(namespace: Namespace, *, across_processes: bool = False) -> str:
    """The expression every operation starts from: the tenant always, the process unless widened."""
    expr = f"tenant == {literal(namespace.tenant)}"
    if not across_processes:
        expr += f" and process_id == {literal(namespace.process_id)}"
    return expr
