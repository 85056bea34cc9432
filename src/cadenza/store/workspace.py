"""WorkspaceStore: the modeler's files, every saved version kept, scoped by tenant.

A save names the version it was edited from (``base_version``); it succeeds only while that is still the
latest, checked by the UPDATE's WHERE clause inside the transaction, so two editors saving at once cannot both
win. Bounds (content size, name length) are checked by the API before anything reaches the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from cadenza.store.schema import workspace_files as files
from cadenza.store.schema import workspace_versions as versions

__all__ = [
    "FileVersion",
    "NameTaken",
    "StaleVersion",
    "WorkspaceFile",
    "WorkspaceStore",
]


@dataclass(frozen=True, slots=True)
class WorkspaceFile:
    id: str
    name: str
    kind: str
    version: int
    updated_at: int
    updated_by: str


@dataclass(frozen=True, slots=True)
class FileVersion:
    version: int
    content: str
    saved_at: int
    saved_by: str


class NameTaken(Exception):
    """Another file of the tenant already has this name."""


class StaleVersion(Exception):
    """The save's base version is not the latest: someone saved in between."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"the latest version is {latest}")
        self.latest = latest


class WorkspaceStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            yield conn

    def files(
        self, tenant: str, *, after: str | None = None, limit: int | None = None
    ) -> list[WorkspaceFile]:
        """The tenant's files by name; ``after`` a name (the previous page's last), ``limit`` rows at most."""
        query = select(files).where(files.c.tenant == tenant).order_by(files.c.name)
        if after is not None:
            query = query.where(files.c.name > after)
        if limit is not None:
            query = query.limit(limit)
        with self._tx() as conn:
            return [_file(row) for row in conn.execute(query)]

    def get(self, tenant: str, file_id: str) -> WorkspaceFile | None:
        query = select(files).where(files.c.tenant == tenant, files.c.id == file_id)
        with self._tx() as conn:
            row = conn.execute(query).first()
        return _file(row) if row is not None else None

    def create(self, tenant: str, name: str, kind: str, content: str, user: str, now: int) -> WorkspaceFile:
        file_id = secrets.token_hex(16)
        row = {"id": file_id, "tenant": tenant, "name": name, "kind": kind, "version": 1}
        try:
            with self._tx() as conn:
                conn.execute(insert(files).values(**row, updated_at=now, updated_by=user))
                conn.execute(
                    insert(versions).values(
                        file_id=file_id, version=1, content=content, saved_at=now, saved_by=user
                    )
                )
        except IntegrityError as error:
            raise NameTaken(name) from error
        return WorkspaceFile(file_id, name, kind, 1, now, user)

    def save(
        self, tenant: str, file_id: str, content: str, base_version: int, user: str, now: int
    ) -> int | None:
        """The new version number; None when the file does not exist; StaleVersion on a stale base."""
        with self._tx() as conn:
            moved = conn.execute(
                update(files)
                .where(files.c.tenant == tenant, files.c.id == file_id, files.c.version == base_version)
                .values(version=base_version + 1, updated_at=now, updated_by=user)
            )
            if moved.rowcount != 1:
                latest = conn.scalar(
                    select(files.c.version).where(files.c.tenant == tenant, files.c.id == file_id)
                )
                if latest is None:
                    return None
                raise StaleVersion(latest)
            conn.execute(
                insert(versions).values(
                    file_id=file_id, version=base_version + 1, content=content, saved_at=now, saved_by=user
                )
            )
        return base_version + 1

    def rename(self, tenant: str, file_id: str, name: str, user: str, now: int) -> bool:
        try:
            with self._tx() as conn:
                done = conn.execute(
                    update(files)
                    .where(files.c.tenant == tenant, files.c.id == file_id)
                    .values(name=name, updated_at=now, updated_by=user)
                )
        except IntegrityError as error:
            raise NameTaken(name) from error
        return done.rowcount == 1

    def delete(self, tenant: str, file_id: str) -> bool:
        with self._tx() as conn:
            done = conn.execute(delete(files).where(files.c.tenant == tenant, files.c.id == file_id))
            if done.rowcount == 1:
                conn.execute(delete(versions).where(versions.c.file_id == file_id))
        return done.rowcount == 1

    def versions(self, tenant: str, file_id: str) -> list[FileVersion] | None:
        """Every version without content, oldest first; None when the tenant has no such file."""
        if self.get(tenant, file_id) is None:
            return None
        query = (
            select(versions.c.version, versions.c.saved_at, versions.c.saved_by)
            .where(versions.c.file_id == file_id)
            .order_by(versions.c.version)
        )
        with self._tx() as conn:
            return [FileVersion(v, "", at, by) for v, at, by in conn.execute(query)]

    def version(self, tenant: str, file_id: str, number: int | None = None) -> FileVersion | None:
        """One version with its content (the latest when ``number`` is None)."""
        current = self.get(tenant, file_id)
        if current is None:
            return None
        wanted = current.version if number is None else number
        query = select(versions).where(versions.c.file_id == file_id, versions.c.version == wanted)
        with self._tx() as conn:
            row = conn.execute(query).first()
        return None if row is None else FileVersion(row.version, row.content, row.saved_at, row.saved_by)


def _file(row: object) -> WorkspaceFile:
    m = row._mapping  # type: ignore[attr-defined]
    return WorkspaceFile(m["id"], m["name"], m["kind"], m["version"], m["updated_at"], m["updated_by"])
