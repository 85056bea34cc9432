"""Scoped credentials: secrets by name, per tenant and optionally per process, referenced in connector
inputs as ``{{secrets.NAME}}`` (Camunda connectors' syntax).

The model and the process variables only ever hold the reference. The value is looked up when a job runs,
used for the call, and kept out of everything the job reports back: variables, error messages and log lines
pass through the call's :class:`Redactor`, which replaces each secret (and values derived from one, such as a
basic-auth token) with ``****``.

The credential store is a port (:class:`CredentialStore`); :class:`FileCredentialStore` reads a JSON file::

    {"tenants": {"<default>": {"secrets": {"API_TOKEN": "..."},
                               "processes": {"order-process": {"API_TOKEN": "..."}}}}}

A process's own secret wins over its tenant's; a tenant never sees another tenant's secrets.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "MASK",
    "SECRET_REFERENCE",
    "CredentialFileError",
    "CredentialStore",
    "FileCredentialStore",
    "MemoryCredentialStore",
    "Redactor",
    "TenantSecrets",
    "parse_credentials",
]

MASK = "****"
SECRET_REFERENCE = re.compile(r"\{\{\s*secrets\.([A-Za-z0-9_.\-]+)\s*\}\}")


class CredentialStore(Protocol):
    def secret(self, name: str, *, tenant_id: str, process_id: str) -> str | None:
        """The secret ``name`` as process ``process_id`` of tenant ``tenant_id`` sees it; None if unknown."""
        ...


@dataclass(frozen=True, slots=True)
class TenantSecrets:
    secrets: Mapping[str, str] = field(default_factory=dict)
    processes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def lookup(self, name: str, process_id: str) -> str | None:
        own = self.processes.get(process_id, {})
        return own[name] if name in own else self.secrets.get(name)


class MemoryCredentialStore:
    """Secrets held in memory: the port's fake for tests, and what the file store parses into."""

    def __init__(self, tenants: Mapping[str, TenantSecrets] | None = None) -> None:
        self.tenants: Mapping[str, TenantSecrets] = dict(tenants or {})

    def secret(self, name: str, *, tenant_id: str, process_id: str) -> str | None:
        scope = self.tenants.get(tenant_id)
        return None if scope is None else scope.lookup(name, process_id)


class CredentialFileError(ValueError):
    """The credentials file is unreadable or malformed; the message names the file and the place, never a
    value."""


class FileCredentialStore:
    """Secrets from a JSON file, re-read when the file changes, so a secret added for an incident is used
    without restarting the worker. A file that turns bad keeps the last good contents (it raises on first
    load)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._store = MemoryCredentialStore()
        self._reload()

    def secret(self, name: str, *, tenant_id: str, process_id: str) -> str | None:
        # A file that turned bad keeps serving its last good contents; the first load reported errors.
        with contextlib.suppress(CredentialFileError):
            self._reload()
        return self._store.secret(name, tenant_id=tenant_id, process_id=process_id)

    def _reload(self) -> None:
        try:
            stat = os.stat(self.path)
        except OSError as error:
            raise CredentialFileError(f"{self.path}: cannot read ({error.strerror})") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                document = json.loads(self.path.read_bytes())
            except (OSError, ValueError) as error:
                # json's message quotes no content, only the position
                raise CredentialFileError(f"{self.path}: not JSON ({error})") from None
            self._store = MemoryCredentialStore(parse_credentials(document, source=str(self.path)))
            self._stamp = stamp


def parse_credentials(document: Any, *, source: str = "credentials") -> dict[str, TenantSecrets]:
    """The tenants of a credentials document (see the module's docstring); raises CredentialFileError."""
    tenants = _object(document, source).get("tenants")
    if tenants is None:
        raise CredentialFileError(f"{source}: expected an object with a 'tenants' object")
    result: dict[str, TenantSecrets] = {}
    for tenant_id, scope in _object(tenants, f"{source}: tenants").items():
        where = f"{source}: tenants.{tenant_id}"
        scope = _object(scope, where)
        unknown = sorted(set(scope) - {"secrets", "processes"})
        if unknown:
            raise CredentialFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
        processes = _object(scope.get("processes", {}), f"{where}.processes")
        result[tenant_id] = TenantSecrets(
            secrets=_names(scope.get("secrets", {}), f"{where}.secrets"),
            processes={pid: _names(s, f"{where}.processes.{pid}") for pid, s in processes.items()},
        )
    return result


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CredentialFileError(f"{where}: expected a JSON object")
    return value


def _names(value: Any, where: str) -> dict[str, str]:
    secrets = _object(value, where)
    for name, secret in secrets.items():
        if not isinstance(secret, str):
            raise CredentialFileError(f"{where}.{name}: a secret must be a string")
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
            raise CredentialFileError(f"{where}: bad secret name {name!r} (letters, digits, _ . - only)")
    return secrets


class Redactor:
    """The secrets one call used; masks them in text and in JSON values."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: list[str] = []

    def add(self, value: str) -> None:
        if value and value not in self._values:
            self._values.append(value)
            # longest first, so a secret containing another is masked whole
            self._values.sort(key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._values)

    def text(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return text

    def scrub(self, value: Any) -> Any:
        """``value`` (a JSON value) with every secret masked in its strings and keys."""
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(key)): self.scrub(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(item) for item in value]
        return value
