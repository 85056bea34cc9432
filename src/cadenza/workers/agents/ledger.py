"""The ledger: a durable record of every agent run, outside the process variables.

Each run is a sequence of entries: ``run`` (what the agent was asked), ``model`` (a request and its response,
with the tokens and cost of a live call), ``tool`` (a call and its result), ``refused`` (a call outside the
allowlist or with invalid arguments), ``pending`` (a call waiting for a person or for the process),
``decision`` (what the person decided), ``end`` (the outcome). Variables and records hold only the run id.

:class:`MemoryLedger` is the port's fake; :class:`SqlLedger` keeps the entries in the store's ``agent_ledger``
table on SQLite or PostgreSQL (the engine's database or one of its own).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Engine, case, create_engine, event, func, insert, select

from cadenza.store.schema import agent_ledger
from cadenza.store.sql import SqlStore, normalize_url
from cadenza.workers.agents.budget import Spent

__all__ = ["EntryKind", "Ledger", "LedgerEntry", "MemoryLedger", "SqlLedger", "open_ledger"]


class EntryKind(StrEnum):
    RUN = "run"
    MODEL = "model"
    TOOL = "tool"
    REFUSED = "refused"
    PENDING = "pending"
    DECISION = "decision"
    END = "end"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    run_id: str
    seq: int
    kind: EntryKind
    #: The model call the entry belongs to (0 for the first), so a fork point is a step number.
    step: int
    payload: Mapping[str, Any]
    tenant: str
    process_instance_key: int | None
    element_id: str
    #: Tokens and cost of a live model call; 0 for anything replayed, cached or not a model call.
    tokens: int = 0
    cost_micros: int = 0
    created_ms: int = 0


class Ledger(Protocol):
    def append(self, entries: Sequence[LedgerEntry]) -> None: ...

    def run(self, run_id: str, *, tenant: str) -> list[LedgerEntry]:
        """The run's entries in order; empty when the tenant has no such run."""
        ...

    def instance_spent(self, *, tenant: str, process_instance_key: int) -> Spent:
        """Tokens and cost of the live model calls of every agent run of the instance."""
        ...

    def instance_runs(self, *, tenant: str, process_instance_key: int) -> list[str]: ...

    def open_runs(self, *, tenant: str, process_instance_key: int, element_id: str) -> list[str]:
        """Runs of the element that have no ``end`` entry (waiting, or cut short by a crash or an outage)."""
        ...


class MemoryLedger:
    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []
        self._keys: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        with self._lock:
            keys = {(e.run_id, e.seq) for e in entries}
            if keys & self._keys or len(keys) != len(entries):
                raise ValueError("ledger entry written twice (run id and sequence number)")
            self._keys |= keys
            self._entries.extend(entries)

    def run(self, run_id: str, *, tenant: str) -> list[LedgerEntry]:
        found = [e for e in self._entries if e.run_id == run_id and e.tenant == tenant]
        return sorted(found, key=lambda e: e.seq)

    def instance_spent(self, *, tenant: str, process_instance_key: int) -> Spent:
        spent = Spent()
        for e in self._entries:
            if e.tenant == tenant and e.process_instance_key == process_instance_key:
                spent = spent.plus(e.tokens, e.cost_micros)
        return spent

    def instance_runs(self, *, tenant: str, process_instance_key: int) -> list[str]:
        found = (
            e.run_id
            for e in self._entries
            if e.tenant == tenant and e.process_instance_key == process_instance_key
        )
        return list(dict.fromkeys(found))

    def open_runs(self, *, tenant: str, process_instance_key: int, element_id: str) -> list[str]:
        mine = [
            e
            for e in self._entries
            if e.tenant == tenant
            and e.process_instance_key == process_instance_key
            and e.element_id == element_id
        ]
        ended = {e.run_id for e in mine if e.kind is EntryKind.END}
        return list(dict.fromkeys(e.run_id for e in mine if e.run_id not in ended))


class SqlLedger:
    """The ledger in the ``agent_ledger`` table; the database is migrated to the newest schema on open."""

    def __init__(self, url: str) -> None:
        SqlStore(url).close()  # opening a store migrates the database (with its lock on PostgreSQL)
        parsed = normalize_url(url)
        self._engine: Engine = create_engine(parsed)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)

    def close(self) -> None:
        self._engine.dispose()

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        if not entries:
            return
        rows = [
            {
                "run_id": e.run_id,
                "seq": e.seq,
                "tenant": e.tenant,
                "process_instance_key": e.process_instance_key,
                "element_id": e.element_id,
                "kind": e.kind.value,
                "step": e.step,
                "tokens": e.tokens,
                "cost_micros": e.cost_micros,
                "created_ms": e.created_ms,
                "payload": json.dumps(e.payload, separators=(",", ":"), ensure_ascii=False),
            }
            for e in entries
        ]
        with self._engine.begin() as conn:
            conn.execute(insert(agent_ledger), rows)

    def run(self, run_id: str, *, tenant: str) -> list[LedgerEntry]:
        t = agent_ledger.c
        query = select(agent_ledger).where(t.run_id == run_id, t.tenant == tenant).order_by(t.seq)
        with self._engine.connect() as conn:
            return [_entry(dict(row)) for row in conn.execute(query).mappings()]

    def instance_spent(self, *, tenant: str, process_instance_key: int) -> Spent:
        t = agent_ledger.c
        query = select(func.coalesce(func.sum(t.tokens), 0), func.coalesce(func.sum(t.cost_micros), 0)).where(
            t.tenant == tenant, t.process_instance_key == process_instance_key
        )
        with self._engine.connect() as conn:
            tokens, cost = conn.execute(query).one()
        return Spent(int(tokens), int(cost))

    def instance_runs(self, *, tenant: str, process_instance_key: int) -> list[str]:
        t = agent_ledger.c
        query = (
            select(t.run_id, func.min(t.created_ms).label("first"))
            .where(t.tenant == tenant, t.process_instance_key == process_instance_key)
            .group_by(t.run_id)
            .order_by("first", t.run_id)
        )
        with self._engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]

    def open_runs(self, *, tenant: str, process_instance_key: int, element_id: str) -> list[str]:
        t = agent_ledger.c
        ended = func.sum(case((t.kind == EntryKind.END.value, 1), else_=0))
        query = (
            select(t.run_id)
            .where(
                t.tenant == tenant, t.process_instance_key == process_instance_key, t.element_id == element_id
            )
            .group_by(t.run_id)
            .having(ended == 0)
            .order_by(func.min(t.created_ms), t.run_id)
        )
        with self._engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
    finally:
        cursor.close()


def _entry(row: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        run_id=row["run_id"],
        seq=row["seq"],
        kind=EntryKind(row["kind"]),
        step=row["step"],
        payload=json.loads(row["payload"]),
        tenant=row["tenant"],
        process_instance_key=row["process_instance_key"],
        element_id=row["element_id"],
        tokens=row["tokens"],
        cost_micros=row["cost_micros"],
        created_ms=row["created_ms"],
    )


def open_ledger(url: str | None) -> Ledger:
    """``None``/``memory:`` → MemoryLedger (lost on exit); a SQLAlchemy URL or a SQLite path → SqlLedger."""
    if url in (None, "", "memory:"):
        return MemoryLedger()
    assert url is not None
    return SqlLedger(url if "://" in url else f"sqlite:///{url}")
