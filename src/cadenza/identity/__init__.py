"""Identity: who a request comes from (users, groups, tenants) and the signed tokens that carry it."""

from __future__ import annotations

from cadenza.identity.tokens import TokenError, TokenSigner
from cadenza.identity.users import (
    DEMO_USERS,
    Principal,
    User,
    UserDirectory,
    hash_password,
    load_users,
    verify_password,
)

__all__ = [
    "DEMO_USERS",
    "Principal",
    "TokenError",
    "TokenSigner",
    "User",
    "UserDirectory",
    "hash_password",
    "load_users",
    "verify_password",
]
