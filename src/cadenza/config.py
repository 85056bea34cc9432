"""Settings of a running Cadenza: defaults, overridden by ``CADENZA_*`` environment variables, overridden by
command-line options. One frozen value, built once at start and handed to whatever needs it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["ConfigError", "ServeConfig", "load_config"]

_MB = 1024 * 1024


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the setting and its environment variable."""


@dataclass(frozen=True, slots=True)
class ServeConfig:
    #: Where the embedded SQLite store lives (``cadenza.db`` in it), unless ``database`` is set.
    data_dir: Path = Path(".cadenza")
    #: A database URL (``postgresql://...`` or ``sqlite:///...``); overrides ``data_dir``.
    database: str | None = None
    #: The Zeebe gRPC gateway's port: accepted and kept; the gateway itself arrives in a later issue.
    grpc_port: int = 26500
    http_port: int = 8080
    host: str = "127.0.0.1"
    #: Bound on one variables document (JSON text, UTF-8 bytes); larger ones are refused with 413.
    max_variables_bytes: int = 4 * _MB

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
}
_PORTS = ("grpc_port", "http_port")


def load_config(env: Mapping[str, str] | None = None, **options: Any) -> ServeConfig:
    """The defaults, then ``env`` (``os.environ`` if None), then ``options`` that are not None."""
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    for field in fields(ServeConfig):
        text = environ.get(_ENV[field.name])
        if text not in (None, ""):
            values[field.name] = _parse(field.name, text)
    for name, value in options.items():
        if name not in _ENV:
            raise TypeError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = Path(value) if name == "data_dir" else value
    config = replace(ServeConfig(), **values)
    _validate(config)
    return config


def _parse(name: str, text: str) -> Any:
    if name == "data_dir":
        return Path(text)
    if name in (*_PORTS, "max_variables_bytes"):
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
    if config.max_variables_bytes < 1:
        raise ConfigError(f"CADENZA_MAX_VARIABLES_BYTES must be positive, not {config.max_variables_bytes}")
    if not config.host:
        raise ConfigError("host (CADENZA_HOST) must not be empty")
