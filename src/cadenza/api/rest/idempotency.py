"""Idempotency keys for execute: the first response is stored durably per (tenant, key); the same key with the
same body gets that response again, a different body a 409. A lock per key in this process makes a retry that
races its original wait for it instead of starting a second instance."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import insert, select

from cadenza.api.problems import Problem
from cadenza.projections import ViewDb
from cadenza.store.views_schema import idempotency_keys

__all__ = ["Idempotency", "request_hash"]

MAX_KEY_LENGTH = 255


def request_hash(path: str, body: Any) -> str:
    canonical = json.dumps({"path": path, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Idempotency:
    def __init__(self, views: ViewDb) -> None:
        self.views = views
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    @asynccontextmanager
    async def held(self, tenant: str, key: str) -> AsyncIterator[None]:
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise Problem(400, f"the Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters")
        lock = self._locks.setdefault((tenant, key), asyncio.Lock())
        async with lock:
            yield
        if not lock.locked():
            self._locks.pop((tenant, key), None)

    def replay(self, tenant: str, key: str, digest: str) -> dict[str, Any] | None:
        with self.views.read() as conn:
            row = conn.execute(
                select(idempotency_keys.c.request_hash, idempotency_keys.c.response).where(
                    idempotency_keys.c.tenant == tenant, idempotency_keys.c.key == key
                )
            ).first()
        if row is None:
            return None
        if row.request_hash != digest:
            raise Problem(
                409,
                f"the Idempotency-Key '{key}' was used with a different request body",
                kind="idempotency-conflict",
            )
        stored: dict[str, Any] = json.loads(row.response)
        return stored

    def remember(self, tenant: str, key: str, digest: str, response: dict[str, Any], now_ms: int) -> None:
        with self.views.begin() as conn:
            conn.execute(
                insert(idempotency_keys).values(
                    tenant=tenant,
                    key=key,
                    request_hash=digest,
                    status=200,
                    response=json.dumps(response),
                    created_at=now_ms,
                )
            )
