"""Local users: a TOML or JSON file of users with scrypt password hashes, or the built-in demo set.

A ``UserDirectory`` answers one question, "who is this, given a name and a password?", with a ``Principal``
(username, display name, groups, tenants). An OIDC provider replaces the directory: it yields the same
Principal from an ID token, and nothing downstream changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_TENANT",
    "DEMO_USERS",
    "Principal",
    "User",
    "UserDirectory",
    "UsersFileError",
    "hash_password",
    "load_users",
    "verify_password",
]

DEFAULT_TENANT = "<default>"
# scrypt's cost: N=2^14, r=8 takes ~50 ms and 16 MiB per check, the usual interactive-login setting.
_N, _R, _P = 16384, 8, 1


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as every route sees it."""

    username: str
    name: str
    groups: tuple[str, ...]
    tenants: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "name": self.name,
            "groups": list(self.groups),
            "tenants": list(self.tenants),
        }


@dataclass(frozen=True, slots=True)
class User:
    principal: Principal
    password_hash: str


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64): self-describing, so the cost can grow, old hashes still work."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _demo() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return (
        ("demo", "Demo User", ("approvers", "managers")),
        ("alice", "Alice Approver", ("approvers",)),
        ("bob", "Bob Manager", ("managers",)),
    )


#: The demo set ``cadenza serve`` runs with when no users file is given: each password is the username.
DEMO_USERS = tuple((name, name, display, groups) for name, display, groups in _demo())


class UserDirectory:
    def __init__(self, users: Iterable[User], *, demo: bool = False) -> None:
        self._users = {user.principal.username: user for user in users}
        self.demo = demo
        self._demo_passwords = {name: password for name, password, _, _ in DEMO_USERS} if demo else {}

    @classmethod
    def demo_set(cls) -> UserDirectory:
        # Demo passwords are checked as plain text: hashing them with scrypt at start would cost ~150 ms for
        # users whose passwords are public anyway.
        users = [
            User(Principal(name, display, groups, (DEFAULT_TENANT,)), "")
            for name, _, display, groups in DEMO_USERS
        ]
        return cls(users, demo=True)

    def authenticate(self, username: str, password: str) -> Principal | None:
        user = self._users.get(username)
        if user is None:
            return None
        if self.demo:
            ok = hmac.compare_digest(self._demo_passwords.get(username, "\0"), password)
        else:
            ok = verify_password(password, user.password_hash)
        return user.principal if ok else None

    def get(self, username: str) -> Principal | None:
        user = self._users.get(username)
        return None if user is None else user.principal

    def usernames(self) -> list[str]:
        return sorted(self._users)


class UsersFileError(ValueError):
    """The users file cannot be used; the message says which entry and why."""


def load_users(path: Path) -> UserDirectory:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise UsersFileError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {error}"
        ) from None
    entries = data.get("users") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise UsersFileError(f"{path}: expected a list 'users' of tables")
    return UserDirectory(_user(path, index, entry) for index, entry in enumerate(entries))


def _user(path: Path, index: int, entry: Any) -> User:
    if not isinstance(entry, dict) or not isinstance(entry.get("username"), str) or not entry["username"]:
        raise UsersFileError(f"{path}: user #{index + 1} needs a non-empty 'username'")
    name = entry["username"]
    secret = entry.get("password_hash")
    if not isinstance(secret, str) or not secret.startswith("scrypt$"):
        raise UsersFileError(
            f"{path}: user '{name}' needs 'password_hash' (scrypt$...; cadenza hash-password)"
        )
    groups, tenants = entry.get("groups", []), entry.get("tenants", [DEFAULT_TENANT])
    for field, items in (("groups", groups), ("tenants", tenants)):
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise UsersFileError(f"{path}: user '{name}': '{field}' must be a list of strings")
    if not tenants:
        raise UsersFileError(f"{path}: user '{name}' needs at least one tenant")
    display = entry["name"] if isinstance(entry.get("name"), str) else name
    return User(Principal(name, display, tuple(groups), tuple(tenants)), secret)
