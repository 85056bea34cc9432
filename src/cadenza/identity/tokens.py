"""HMAC-signed session tokens: ``base64url(payload).base64url(HMAC-SHA256(secret, payload))``.

The payload is the Principal and an expiry; the server keeps no session table, so a token is valid on any
process that shares the secret (``CADENZA_SECRET``), until it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from typing import Any

from cadenza.identity.users import Principal

__all__ = ["DEFAULT_TTL_SECONDS", "VERIFIED_CACHE_SIZE", "TokenError", "TokenSigner"]

DEFAULT_TTL_SECONDS = 8 * 3600
#: Tokens remembered as verified. A client sends the same token with every request; checking its HMAC and
#: parsing its payload each time was about 2% of the REST API's CPU. Bounded: distinct tokens cannot grow it.
VERIFIED_CACHE_SIZE = 1024


class TokenError(ValueError):
    """The token is malformed, forged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(
        self,
        secret: str | bytes | None = None,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        cache_size: int = VERIFIED_CACHE_SIZE,
    ) -> None:
        raw = secret if secret is not None else os.urandom(32)
        self._key = raw.encode() if isinstance(raw, str) else raw
        self.ttl_seconds = ttl_seconds
        self._cache_size = cache_size
        # token -> (principal, expiry), only for tokens that passed the full check; oldest insertion first.
        self._verified: dict[str, tuple[Principal, int]] = {}
        self._lock = threading.Lock()

    def issue(self, principal: Principal, now: float) -> str:
        payload: dict[str, Any] = {**principal.to_json(), "exp": int(now) + self.ttl_seconds}
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, now: float) -> Principal:
        """The token's principal; TokenError when it is malformed, forged or expired.

        A token verified before is found in a bounded cache (the exact same text, which only a full check put
        there; a lookup by hash reveals nothing of a valid signature), and its expiry is still checked."""
        cached = self._verified.get(token)
        if cached is None:
            return self._verify_and_remember(token, now)
        principal, expiry = cached
        if expiry <= now:
            with self._lock:
                self._verified.pop(token, None)
            raise TokenError("the token has expired")
        return principal

    def _verify_and_remember(self, token: str, now: float) -> Principal:
        principal, expiry = self._verify(token, now)
        if self._cache_size <= 0:
            return principal
        verified = self._verified
        with self._lock:  # misses and expiries take it; a hit is one dict lookup, atomic on its own
            while len(verified) >= self._cache_size:
                del verified[next(iter(verified))]  # the oldest
            verified[token] = (principal, expiry)
        return principal

    def _verify(self, token: str, now: float) -> tuple[Principal, int]:
        body, _, signature = token.partition(".")
        if not body or not signature or not hmac.compare_digest(signature, self._sign(body)):
            raise TokenError("the token's signature is not valid")
        try:
            payload = json.loads(_unb64(body))
            expiry = int(payload["exp"])
            principal = Principal(
                str(payload["username"]),
                str(payload["name"]),
                tuple(payload["groups"]),
                tuple(payload["tenants"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise TokenError(f"the token's payload is malformed: {error}") from None
        if expiry <= now:
            raise TokenError("the token has expired")
        return principal, expiry

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
