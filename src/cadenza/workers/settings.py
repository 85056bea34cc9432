"""Settings of ``cadenza worker``: defaults, overridden by ``CADENZA_*`` environment variables, overridden by
command-line options (the order :mod:`cadenza.config` uses for ``cadenza serve``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cadenza.config import ConfigError
from cadenza.workers.connectors.http_policy import HttpSettings, valid_pattern

__all__ = ["WORKER_ENV", "WorkerConfig", "load_worker_config"]


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    #: The Zeebe gateway, ``host:port`` (Cadenza's or a Zeebe cluster's).
    address: str = "127.0.0.1:26500"
    tls: bool = False
    #: PEM file of the CA that signed the gateway's certificate (TLS); the system's CAs otherwise.
    ca_file: Path | None = None
    #: Sent as ``authorization: Bearer <token>`` on every call.
    token: str | None = None
    credentials_file: Path | None = None
    name: str = "cadenza-worker"
    #: Short names of the connectors to run; empty: all built-in ones.
    connectors: tuple[str, ...] = ()
    #: Jobs one connector runs at once (and activates per request).
    max_jobs: int = 32
    http: HttpSettings = field(default_factory=HttpSettings)
    #: The agent worker's configuration (models, tools, ledger...); the agent connector runs only with one.
    agent_config: Path | None = None


def _path(text: str) -> Path:
    return Path(text)


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


#: setting -> (environment variable, parser of its text)
WORKER_ENV: dict[str, tuple[str, Callable[[str], Any]]] = {
    "address": ("CADENZA_WORKER_ADDRESS", str),
    "tls": ("CADENZA_WORKER_TLS", _flag),
    "ca_file": ("CADENZA_WORKER_CA_FILE", _path),
    "token": ("CADENZA_WORKER_TOKEN", str),
    "credentials_file": ("CADENZA_CREDENTIALS_FILE", _path),
    "name": ("CADENZA_WORKER_NAME", str),
    "connectors": ("CADENZA_WORKER_CONNECTORS", _names),
    "max_jobs": ("CADENZA_WORKER_MAX_JOBS", _count),
    "max_response_bytes": ("CADENZA_HTTP_MAX_RESPONSE_BYTES", _count),
    "allowed_hosts": ("CADENZA_HTTP_ALLOWED_HOSTS", _names),
    "denied_hosts": ("CADENZA_HTTP_DENIED_HOSTS", _names),
    "agent_config": ("CADENZA_AGENT_CONFIG", _path),
}
_HTTP = ("max_response_bytes", "allowed_hosts", "denied_hosts")


def load_worker_config(env: Mapping[str, str] | None = None, **options: Any) -> WorkerConfig:
    """The defaults, then ``env`` (``os.environ`` if None), then ``options`` that are not None (same names as
    :data:`WORKER_ENV`'s keys). Raises ConfigError naming the setting."""
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    for name, (variable, parse) in WORKER_ENV.items():
        text = environ.get(variable)
        if text not in (None, ""):
            try:
                values[name] = parse(text)
            except ValueError as error:
                raise ConfigError(f"{variable}: {error} (got {text!r})") from None
    for name, value in options.items():
        if name not in WORKER_ENV:
            raise TypeError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = value
    http = replace(HttpSettings(), **{name: values.pop(name) for name in _HTTP if name in values})
    config = replace(WorkerConfig(http=http), **values)
    _validate(config)
    return config


def _validate(config: WorkerConfig) -> None:
    host, _, port = config.address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise ConfigError(f"address (CADENZA_WORKER_ADDRESS) must be host:port, not {config.address!r}")
    for label, patterns in (("ALLOWED", config.http.allowed_hosts), ("DENIED", config.http.denied_hosts)):
        bad = [pattern for pattern in patterns if not valid_pattern(pattern)]
        if bad:
            raise ConfigError(f"CADENZA_HTTP_{label}_HOSTS: not a host pattern: {', '.join(bad)}")
    if config.max_jobs < 1 or config.http.max_response_bytes < 1:
        raise ConfigError("max jobs and CADENZA_HTTP_MAX_RESPONSE_BYTES must be at least 1")
    if config.ca_file is not None and not config.tls:
        raise ConfigError("a CA file (CADENZA_WORKER_CA_FILE) needs TLS (CADENZA_WORKER_TLS)")
