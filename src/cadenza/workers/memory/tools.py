"""Memory as agent tools: ``memory.search`` and ``memory.remember``, each a name, a description, the JSON
schema of its arguments and a callable, ready for an agent's allowlist.

The namespace is bound when the tools are made, from the job (its tenant and process), never taken from
the model's arguments: whatever a model asks, it reads and writes only the memory of the run it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cadenza.workers.memory.errors import MemoryInputError
from cadenza.workers.memory.scope import Namespace
from cadenza.workers.memory.store import MemoryHit, MemoryStore

__all__ = ["MemoryTool", "memory_tools"]

MAX_QUERY_CHARS = 2_000
MAX_TOOL_RESULTS = 10
_TAGS_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[A-Za-z0-9_.:/+-]{1,64}$"},
    "maxItems": 16,
}

SEARCH_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_TOOL_RESULTS, "default": 5},
        "tags": _TAGS_SCHEMA,
        "scope": {"type": "string", "enum": ["process", "tenant"], "default": "process"},
    },
    "required": ["query"],
    "additionalProperties": False,
}
REMEMBER_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 8_000},
        "tags": _TAGS_SCHEMA,
    },
    "required": ["text"],
    "additionalProperties": False,
}


@dataclass(frozen=True, slots=True)
class MemoryTool:
    """A tool an agent may be given: what the model is told (``name``, ``description``, ``input_schema``)
    and what runs (``call``, with the model's arguments; it raises :class:`MemoryInputError` on bad ones)."""

    name: str
    description: str
    input_schema: Mapping[str, Any]
    call: Callable[[Mapping[str, Any]], dict[str, Any]]


def _arguments(args: object, schema: Mapping[str, Any], tool: str) -> Mapping[str, Any]:
    if not isinstance(args, Mapping):
        raise MemoryInputError(f"{tool}: arguments must be a JSON object")
    unknown = sorted(set(args) - set(schema["properties"]))
    if unknown:
        raise MemoryInputError(f"{tool}: unknown argument(s) {', '.join(unknown)}")
    missing = [name for name in schema["required"] if name not in args]
    if missing:
        raise MemoryInputError(f"{tool}: missing argument(s) {', '.join(missing)}")
    return args


def _string(args: Mapping[str, Any], name: str, limit: int, tool: str) -> str:
    value = args[name]
    if not isinstance(value, str) or not value.strip():
        raise MemoryInputError(f"{tool}: {name} must be a non-empty string")
    if len(value) > limit:
        raise MemoryInputError(f"{tool}: {name} has {len(value)} characters; the limit is {limit}")
    return value


def _hit(hit: MemoryHit) -> dict[str, Any]:
    record = hit.record
    item: dict[str, Any] = {
        "text": record.text,
        "kind": record.kind,
        "tags": list(record.tags),
        "score": round(hit.score, 4),
        "createdAt": record.created_at,
    }
    if record.kind == "episode":
        item["outcome"] = record.metadata.get("outcome")
        item["instanceKey"] = record.metadata.get("instanceKey")
    return item


def memory_tools(
    store: MemoryStore, namespace: Namespace, *, instance_key: int | None = None
) -> tuple[MemoryTool, MemoryTool]:
    """``memory.search`` and ``memory.remember`` bound to ``namespace`` (the job's tenant and process);
    ``instance_key`` is written with each note, so a note can be traced to the run that wrote it."""

    def search(args: Mapping[str, Any]) -> dict[str, Any]:
        args = _arguments(args, SEARCH_SCHEMA, "memory.search")
        limit = args.get("limit", 5)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_TOOL_RESULTS:
            raise MemoryInputError(f"memory.search: limit must be an integer 1..{MAX_TOOL_RESULTS}")
        scope = args.get("scope", "process")
        if scope not in ("process", "tenant"):
            raise MemoryInputError("memory.search: scope must be 'process' or 'tenant'")
        hits = store.search(
            namespace,
            _string(args, "query", MAX_QUERY_CHARS, "memory.search"),
            limit=limit,
            tags_any=args.get("tags", ()),
            across_processes=scope == "tenant",
        )
        return {"memories": [_hit(hit) for hit in hits]}

    def remember(args: Mapping[str, Any]) -> dict[str, Any]:
        args = _arguments(args, REMEMBER_SCHEMA, "memory.remember")
        metadata = {} if instance_key is None else {"instanceKey": instance_key}
        record = store.add(
            namespace,
            _string(args, "text", REMEMBER_SCHEMA["properties"]["text"]["maxLength"], "memory.remember"),
            tags=args.get("tags", ()),
            metadata=metadata,
        )
        return {"id": record.record_id}

    return (
        MemoryTool(
            name="memory.search",
            description=(
                "Search this process's memory (notes and summaries of past runs) for what is closest in "
                "meaning to the query. scope 'tenant' also searches the tenant's other processes."
            ),
            input_schema=SEARCH_SCHEMA,
            call=search,
        ),
        MemoryTool(
            name="memory.remember",
            description="Store a short note in this process's memory for later runs to find.",
            input_schema=REMEMBER_SCHEMA,
            call=remember,
        ),
    )
