"""Settings of a running Cadenza: defaults, overridden by ``CADENZA_*`` environment variables, overridden by
command-line options. One frozen value, built once at start and handed to whatever needs it."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["EVENT_LOOPS", "ConfigError", "ServeConfig", "default_event_loop", "load_config"]

_MB = 1024 * 1024


def default_event_loop() -> str:
    """uvloop when it is installed (a dependency except on Windows): 4-9 % less server CPU per instance than
    asyncio's loop in bench/grpc_e2e.py (docs/bench-grpc.md); else asyncio's own loop."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the setting and its environment variable."""


@dataclass(frozen=True, slots=True)
class ServeConfig:
    #: Where the embedded SQLite store lives (``cadenza.db`` in it), unless ``database`` is set.
    data_dir: Path = Path(".cadenza")
    #: A database URL (``postgresql://...`` or ``sqlite:///...``); overrides ``data_dir``.
    database: str | None = None
    #: The Zeebe gRPC gateway's port.
    grpc_port: int = 26500
    http_port: int = 8080
    host: str = "127.0.0.1"
    #: Bound on one variables document (JSON text, UTF-8 bytes); larger ones are refused with 413.
    max_variables_bytes: int = 4 * _MB
    #: TLS for the gRPC gateway: a PEM certificate (chain) and its private key, both or neither.
    grpc_tls_cert: Path | None = None
    grpc_tls_key: Path | None = None
    #: When set, gRPC calls must carry ``authorization: Bearer <token>``.
    grpc_token: str | None = None
    #: Commands that may wait for the engine's writer; past it new work gets RESOURCE_EXHAUSTED / 503.
    max_queued_commands: int = 10_000
    #: The users file (TOML or JSON); None runs with the demo users.
    users: Path | None = None
    #: Where the web apps' builds are (``tasklist/dist``, ``modeler/dist``); None: the repository's folders.
    web_dir: Path | None = None
    #: The asyncio event loop: ``uvloop`` (libuv, faster; the default when installed) or ``asyncio``.
    event_loop: str = field(default_factory=default_event_loop)

    @property
    def store_url(self) -> str:
        """What ``open_store`` is given: the database URL, or the SQLite file in the data directory."""
        return self.database or str(self.data_dir / "cadenza.db")


_ENV = {
    "data_dir": "CADENZA_DATA_DIR",
    "database": "CADENZA_DATABASE",
    "grpc_port": "CADENZA_GRPC_PORT",
    "http_port": "CADENZA_HTTP_PORT",
    "host": "CADENZA_HOST",
    "max_variables_bytes": "CADENZA_MAX_VARIABLES_BYTES",
    "grpc_tls_cert": "CADENZA_GRPC_TLS_CERT",
    "grpc_tls_key": "CADENZA_GRPC_TLS_KEY",
    "grpc_token": "CADENZA_GRPC_TOKEN",
    "max_queued_commands": "CADENZA_MAX_QUEUED_COMMANDS",
    "users": "CADENZA_USERS",
    "web_dir": "CADENZA_WEB_DIR",
    "event_loop": "CADENZA_EVENT_LOOP",
}
EVENT_LOOPS = ("asyncio", "uvloop")
_PATHS = ("data_dir", "grpc_tls_cert", "grpc_tls_key", "users", "web_dir")
_COUNTS = ("max_variables_bytes", "max_queued_commands")
_PORTS = ("grpc_port", "http_port")


def load_config(env: Mapping[str, str] | None = None, **options: Any) -> ServeConfig:
    """The defaults, then ``env`` (``os.environ`` if None), then ``options`` that are not None."""
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    for setting in fields(ServeConfig):
        text = environ.get(_ENV[setting.name])
        if text not in (None, ""):
            values[setting.name] = _parse(setting.name, text)
    for name, value in options.items():
        if name not in _ENV:
            raise TypeError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = Path(value) if name in _PATHS else value
    config = replace(ServeConfig(), **values)
    _validate(config)
    return config


def _parse(name: str, text: str) -> Any:
    if name in _PATHS:
        return Path(text)
    if name in (*_PORTS, *_COUNTS):
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{_ENV[name]} must be a whole number, not {text!r}") from None
    return text


def _validate(config: ServeConfig) -> None:
    for name in _PORTS:
        port = getattr(config, name)
        if not 0 <= port <= 65535:
            raise ConfigError(f"{name.replace('_', '-')} ({_ENV[name]}) must be 0-65535, not {port}")
    for name in _COUNTS:
        if getattr(config, name) < 1:
            raise ConfigError(f"{_ENV[name]} must be positive, not {getattr(config, name)}")
    _validate_grpc_security(config)
    if config.users is not None and not config.users.is_file():
        raise ConfigError(f"CADENZA_USERS: no such file: {config.users}")
    if config.event_loop not in EVENT_LOOPS:
        choices = ", ".join(EVENT_LOOPS)
        raise ConfigError(
            f"event-loop (CADENZA_EVENT_LOOP) must be one of {choices}, not {config.event_loop!r}"
        )
    if config.event_loop == "uvloop" and importlib.util.find_spec("uvloop") is None:
        raise ConfigError(
            "event-loop uvloop (CADENZA_EVENT_LOOP) needs the uvloop package, which is not installed"
        )
    if not config.host:
        raise ConfigError("host (CADENZA_HOST) must not be empty")


def _validate_grpc_security(config: ServeConfig) -> None:
    cert, key = config.grpc_tls_cert, config.grpc_tls_key
    if (cert is None) != (key is None):
        raise ConfigError("gRPC TLS needs both CADENZA_GRPC_TLS_CERT and CADENZA_GRPC_TLS_KEY (or neither)")
    for name, path in (("grpc_tls_cert", cert), ("grpc_tls_key", key)):
        if path is not None and not path.is_file():
            raise ConfigError(f"{_ENV[name]}: no such file: {path}")
    if config.grpc_token is not None and not config.grpc_token.strip():
        raise ConfigError("CADENZA_GRPC_TOKEN must not be blank")
