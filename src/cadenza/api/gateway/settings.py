"""The gateway's settings: where it listens, how it is secured, and the bounds it enforces."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cadenza.core.limits import DEFAULT_MAX_VARIABLES_BYTES
from cadenza.xmlsafe import DEFAULT_MAX_BYTES

__all__ = ["DEFAULT_GRPC_PORT", "GatewaySettings"]

#: Zeebe's gateway port.
DEFAULT_GRPC_PORT = 26500


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    host: str = "127.0.0.1"
    #: 0 picks a free port; the started server tells which (``GatewayServer.port``).
    port: int = DEFAULT_GRPC_PORT
    #: PEM files; both set → TLS, neither → plaintext.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    #: When set, every call must carry ``authorization: Bearer <token>`` (else UNAUTHENTICATED).
    token: str | None = None
    #: Bound on one variables document (UTF-8 bytes of its JSON text); larger → INVALID_ARGUMENT.
    max_variables_bytes: int = DEFAULT_MAX_VARIABLES_BYTES
    #: Bound on one gRPC message (a deployment may carry several models); gRPC itself refuses larger ones.
    max_message_bytes: int = 4 * DEFAULT_MAX_BYTES
    #: ActivateJobs with requestTimeout 0 waits this long for jobs (Zeebe's default long-polling timeout).
    long_polling_timeout_ms: int = 10_000
    #: CreateProcessInstanceWithResult with requestTimeout 0 waits this long (Zeebe's request timeout).
    request_timeout_ms: int = 15_000
    #: Jobs a StreamActivatedJobs stream takes per activation while more are waiting.
    stream_batch: int = 32

    def __post_init__(self) -> None:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("TLS needs both a certificate and a key file (or neither, for plaintext)")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"the gRPC port must be 0-65535, not {self.port}")
        if self.token is not None and not self.token:
            raise ValueError("the bearer token must not be empty (leave it unset for no token check)")
