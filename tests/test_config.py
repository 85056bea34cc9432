"""Settings: defaults, then CADENZA_* environment variables, then command-line options."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cadenza.config import ConfigError, ServeConfig, load_config


def test_defaults_without_environment_or_options() -> None:
    config = load_config({})
    assert config == ServeConfig()
    assert (config.http_port, config.grpc_port, config.host) == (8080, 26500, "127.0.0.1")
    assert config.store_url == str(Path(".cadenza") / "cadenza.db")
    assert config.max_variables_bytes == 4 * 1024 * 1024


def test_options_override_the_environment_which_overrides_defaults() -> None:
    env = {
        "CADENZA_DATA_DIR": "/srv/cadenza",
        "CADENZA_HTTP_PORT": "9000",
        "CADENZA_GRPC_PORT": "26600",
        "CADENZA_HOST": "0.0.0.0",
        "CADENZA_MAX_VARIABLES_BYTES": "1000",
    }
    config = load_config(env, http_port=9100, host=None)
    assert config.data_dir == Path("/srv/cadenza") and config.store_url == "/srv/cadenza/cadenza.db"
    assert (config.http_port, config.grpc_port, config.host) == (9100, 26600, "0.0.0.0")
    assert config.max_variables_bytes == 1000


def test_the_event_loop_is_uvloop_when_installed_unless_asyncio_is_chosen() -> None:
    assert load_config({}).event_loop == "uvloop"  # a dependency on every platform the tests run on
    assert load_config({"CADENZA_EVENT_LOOP": "asyncio"}).event_loop == "asyncio"
    assert load_config({"CADENZA_EVENT_LOOP": "asyncio"}, event_loop="uvloop").event_loop == "uvloop"


def test_uvloop_must_be_installed_to_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "uvloop" else real(name))
    with pytest.raises(ConfigError, match="needs the uvloop package"):
        load_config({"CADENZA_EVENT_LOOP": "uvloop"})
    assert load_config({}).event_loop == "asyncio"  # the default falls back to asyncio's own loop


def test_a_database_url_overrides_the_data_dir() -> None:
    config = load_config({"CADENZA_DATABASE": "postgresql://x@db/cadenza"}, data_dir="/tmp/ignored")
    assert config.store_url == "postgresql://x@db/cadenza"


@pytest.mark.parametrize(
    ("env", "options", "message"),
    [
        ({"CADENZA_HTTP_PORT": "http"}, {}, "CADENZA_HTTP_PORT must be a whole number, not 'http'"),
        ({}, {"grpc_port": 65536}, "grpc-port (CADENZA_GRPC_PORT) must be 0-65535, not 65536"),
        ({"CADENZA_MAX_VARIABLES_BYTES": "0"}, {}, "CADENZA_MAX_VARIABLES_BYTES must be positive"),
        (
            {"CADENZA_EVENT_LOOP": "trio"},
            {},
            "event-loop (CADENZA_EVENT_LOOP) must be one of asyncio, uvloop, not 'trio'",
        ),
        (
            {"CADENZA_USERS": "/nonexistent/users.toml"},
            {},
            "CADENZA_USERS: no such file: /nonexistent/users.toml",
        ),
    ],
)
def test_bad_settings_name_the_setting(env: dict[str, str], options: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(env, **options)
