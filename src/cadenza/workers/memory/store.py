"""The memory store: texts with their embeddings in one Milvus collection, scoped by tenant and process.

Milvus Lite (a local file, ``MilvusClient("memory.db")``) is the default; a Milvus server is used when the
URI is ``http(s)://host:port``. The tenant is the collection's partition key, so a tenant's records sit in
their own partition and every query names it; :mod:`cadenza.workers.memory.scope` builds the filters.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymilvus import DataType, MilvusClient  # type: ignore[import-untyped]

from cadenza.workers.memory.embeddings import Embedder
from cadenza.workers.memory.errors import MemoryInputError
from cadenza.workers.memory.scope import (
    MAX_TAGS,
    Namespace,
    check_id,
    check_kind,
    check_tags,
    in_list,
    literal,
    namespace_filter,
)

__all__ = ["MAX_TEXT_BYTES", "MemoryConfig", "MemoryHit", "MemoryRecord", "MemoryStore"]

#: Milvus's longest VARCHAR. Longer texts are refused, not cut: a memory must come back as it was written.
MAX_TEXT_BYTES = 65_535
MAX_METADATA_BYTES = 16_384
MAX_LIMIT = 100
_DELETE_PAGE = 1_000
_OUTPUT = ["record_id", "tenant", "process_id", "kind", "text", "tags", "metadata", "created_at"]


@dataclass(frozen=True, slots=True)
class MemoryConfig:
    #: A Milvus Lite file (the default, under the data directory) or a server's ``http(s)://host:port``.
    uri: str = ".cadenza/memory.db"
    token: str | None = None
    collection: str = "cadenza_memory"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MemoryConfig:
        """``CADENZA_MEMORY_URI`` (default: ``memory.db`` in ``CADENZA_DATA_DIR``), ``CADENZA_MEMORY_TOKEN``
        and ``CADENZA_MEMORY_COLLECTION``."""
        environ = os.environ if env is None else env
        default_uri = str(Path(environ.get("CADENZA_DATA_DIR", ".cadenza")) / "memory.db")
        return cls(
            uri=environ.get("CADENZA_MEMORY_URI", default_uri),
            token=environ.get("CADENZA_MEMORY_TOKEN") or None,
            collection=environ.get("CADENZA_MEMORY_COLLECTION", "cadenza_memory"),
        )

    @property
    def is_server(self) -> bool:
        return self.uri.startswith(("http://", "https://", "tcp://"))


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    record_id: str
    namespace: Namespace
    kind: str
    text: str
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    #: Milliseconds since the epoch.
    created_at: int = 0


@dataclass(frozen=True, slots=True)
class MemoryHit:
    record: MemoryRecord
    #: Cosine similarity of the record's text to the query, -1..1 (higher is closer).
    score: float


def _primary_key(namespace: Namespace, record_id: str) -> str:
    # Record ids are chosen by callers, so two tenants may pick the same one: the key hashes the namespace
    # in, so an upsert in one tenant can never overwrite another tenant's record.
    raw = json.dumps([namespace.tenant, namespace.process_id, record_id])
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise MemoryInputError("text is empty" if isinstance(text, str) else "text must be a string")
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise MemoryInputError(f"text is {size} bytes of UTF-8; the limit is {MAX_TEXT_BYTES}")
    return text


def _check_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise MemoryInputError("metadata must be a JSON object")
    try:
        encoded = json.dumps(dict(metadata), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise MemoryInputError(f"metadata is not JSON: {exc}") from exc
    if len(encoded) > MAX_METADATA_BYTES:
        raise MemoryInputError(f"metadata is {len(encoded)} bytes of JSON; the limit is {MAX_METADATA_BYTES}")
    loaded: dict[str, Any] = json.loads(encoded)
    return loaded


def _check_limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise MemoryInputError(f"limit must be an integer 1..{MAX_LIMIT}, not {limit!r}")
    return limit


class MemoryStore:
    """Insert, search, fetch and delete memories. Every method takes the :class:`Namespace` first and
    touches nothing outside it."""

    def __init__(self, client: MilvusClient, embedder: Embedder, collection: str = "cadenza_memory") -> None:
        self._client = client
        self._embedder = embedder
        self.collection = collection
        self._ensure_collection()

    @classmethod
    def open(cls, config: MemoryConfig, embedder: Embedder) -> MemoryStore:
        if not config.is_server:
            Path(config.uri).parent.mkdir(parents=True, exist_ok=True)
        client = MilvusClient(uri=config.uri, token=config.token or "")
        return cls(client, embedder, config.collection)

    def close(self) -> None:
        self._client.close()

    def _ensure_collection(self) -> None:
        dim = self._embedder.dimension
        if self._client.has_collection(self.collection):
            fields = self._client.describe_collection(self.collection)["fields"]
            found = next((f["params"].get("dim") for f in fields if f["name"] == "vector"), None)
            if found is None or int(found) != dim:
                raise ValueError(
                    f"collection {self.collection!r} holds vectors of dimension {found}; "
                    f"the embedder makes {dim}"
                )
            return
        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("record_id", DataType.VARCHAR, max_length=128)
        schema.add_field("tenant", DataType.VARCHAR, max_length=64, is_partition_key=True)
        schema.add_field("process_id", DataType.VARCHAR, max_length=256)
        schema.add_field("kind", DataType.VARCHAR, max_length=16)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
        schema.add_field(
            "tags", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_TAGS, max_length=64
        )
        schema.add_field("metadata", DataType.JSON)
        schema.add_field("created_at", DataType.INT64)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index = self._client.prepare_index_params()
        # Vectors are unit length, so cosine is the dot product; FLAT is exact (memories per tenant are few).
        index.add_index("vector", index_type="FLAT", metric_type="COSINE")
        self._client.create_collection(self.collection, schema=schema, index_params=index)

    def add(
        self,
        namespace: Namespace,
        text: str,
        *,
        kind: str = "note",
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        record_id: str | None = None,
        created_at: int | None = None,
    ) -> MemoryRecord:
        """Stores ``text`` (or replaces the record of the same id in this namespace) and returns it."""
        record = MemoryRecord(
            record_id=check_id(record_id) if record_id is not None else uuid.uuid4().hex,
            namespace=namespace,
            kind=check_kind(kind),
            text=_check_text(text),
            tags=check_tags(tags),
            metadata=_check_metadata(metadata),
            created_at=int(time.time() * 1000) if created_at is None else int(created_at),
        )
        self.add_records([record])
        return record

    def add_records(self, records: Sequence[MemoryRecord]) -> None:
        """Stores records already built (one embedding batch, one upsert); each is checked as ``add``
        checks its arguments, and one bad record stores none."""
        if not records:
            return
        for record in records:
            if not isinstance(record.namespace, Namespace):
                raise MemoryInputError("a record's namespace must be a Namespace")
            check_id(record.record_id)
            check_kind(record.kind)
            check_tags(record.tags)
            _check_metadata(record.metadata)
            _check_text(record.text)
        vectors = self._embedder.embed([r.text for r in records])
        rows = [
            {
                "pk": _primary_key(r.namespace, r.record_id),
                "record_id": r.record_id,
                "tenant": r.namespace.tenant,
                "process_id": r.namespace.process_id,
                "kind": r.kind,
                "text": r.text,
                "tags": list(r.tags),
                "metadata": dict(r.metadata),
                "created_at": r.created_at,
                "vector": vector.tolist(),
            }
            for r, vector in zip(records, vectors, strict=True)
        ]
        self._client.upsert(self.collection, rows)

    def search(
        self,
        namespace: Namespace,
        query: str,
        *,
        limit: int = 5,
        kind: str | None = None,
        tags_any: Sequence[str] = (),
        across_processes: bool = False,
        since: int | None = None,
    ) -> list[MemoryHit]:
        """The records closest in meaning to ``query``, best first. ``across_processes`` widens the search
        to all of the tenant's processes; ``tags_any`` keeps records carrying at least one of the tags;
        ``since`` keeps records created at or after that millisecond."""
        limit = _check_limit(limit)
        expr = namespace_filter(namespace, across_processes=across_processes)
        if kind is not None:
            expr += f" and kind == {literal(check_kind(kind))}"
        tags = check_tags(tags_any)
        if tags:
            expr += f" and ARRAY_CONTAINS_ANY(tags, {in_list(tags)})"
        if since is not None:
            expr += f" and created_at >= {int(since)}"
        vector = self._embedder.embed([query])[0]
        results = self._client.search(
            self.collection, data=[vector.tolist()], filter=expr, limit=limit, output_fields=_OUTPUT
        )
        return [MemoryHit(_record(hit["entity"]), float(hit["distance"])) for hit in results[0]]

    def get(self, namespace: Namespace, record_ids: Sequence[str]) -> list[MemoryRecord]:
        ids = [check_id(i) for i in record_ids]
        if not ids:
            return []
        expr = f"{namespace_filter(namespace)} and record_id in {in_list(ids)}"
        rows = self._client.query(self.collection, filter=expr, output_fields=_OUTPUT)
        return sorted((_record(row) for row in rows), key=lambda r: ids.index(r.record_id))

    def count(self, namespace: Namespace, *, across_processes: bool = False) -> int:
        expr = namespace_filter(namespace, across_processes=across_processes)
        rows = self._client.query(self.collection, filter=expr, output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def delete(self, namespace: Namespace, record_ids: Sequence[str] | None = None) -> int:
        """Deletes the given records of the namespace (all of its records if ``record_ids`` is None) and
        returns how many there were. Ids of another namespace are simply not found."""
        expr = namespace_filter(namespace)
        if record_ids is not None:
            ids = [check_id(i) for i in record_ids]
            if not ids:
                return 0
            expr += f" and record_id in {in_list(ids)}"
        deleted = 0
        # A query returns a bounded window of rows (16,384 on a Milvus server), so a large namespace is
        # deleted page by page; a page seen twice means the delete did not take, and stops the loop.
        previous: set[str] = set()
        while True:
            rows = self._client.query(self.collection, filter=expr, output_fields=["pk"], limit=_DELETE_PAGE)
            keys = {str(row["pk"]) for row in rows}
            if not keys or keys & previous:
                return deleted
            self._client.delete(self.collection, filter=f"pk in {in_list(sorted(keys))}")
            deleted += len(keys)
            previous = keys


def _record(row: Mapping[str, Any]) -> MemoryRecord:
    return MemoryRecord(
        record_id=str(row["record_id"]),
        namespace=Namespace(str(row["tenant"]), str(row["process_id"])),
        kind=str(row["kind"]),
        text=str(row["text"]),
        tags=tuple(row.get("tags") or ()),
        metadata=dict(row.get("metadata") or {}),
        created_at=int(row["created_at"]),
    )
