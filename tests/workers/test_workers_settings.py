"""``cadenza worker``'s settings (defaults, then CADENZA_* variables, then options) and its refusals of bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cadenza.cli import app
from cadenza.config import ConfigError
from cadenza.workers import WorkerConfig, load_worker_config
from cadenza.workers.connectors import HttpSettings
from cadenza.workers.connectors.http_policy import host_allowed


def test_defaults() -> None:
    config = load_worker_config({})
    assert config == WorkerConfig()
    assert (config.address, config.tls, config.token, config.connectors) == (
        "127.0.0.1:26500",
        False,
        None,
        (),
    )
    assert config.http == HttpSettings(max_response_bytes=1024 * 1024)


def test_options_override_the_environment_which_overrides_defaults(tmp_path: Path) -> None:
    env = {
        "CADENZA_WORKER_ADDRESS": "gw:1",
        "CADENZA_WORKER_TLS": "yes",
        "CADENZA_WORKER_TOKEN": "t0k",
        "CADENZA_WORKER_NAME": "w1",
        "CADENZA_WORKER_CONNECTORS": "http, other",
        "CADENZA_WORKER_MAX_JOBS": "4",
        "CADENZA_CREDENTIALS_FILE": str(tmp_path / "c.json"),
        "CADENZA_HTTP_MAX_RESPONSE_BYTES": "2048",
        "CADENZA_HTTP_ALLOWED_HOSTS": "api.example.com,*.internal",
        "CADENZA_HTTP_DENIED_HOSTS": "10.0.0.0/8",
    }
    config = load_worker_config(env, address="gw:2", name=None, connectors=("http",))
    assert (config.address, config.tls, config.token, config.name) == ("gw:2", True, "t0k", "w1")
    assert (config.connectors, config.max_jobs, config.credentials_file) == (
        ("http",),
        4,
        tmp_path / "c.json",
    )
    assert config.http == HttpSettings(2048, ("api.example.com", "*.internal"), ("10.0.0.0/8",))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CADENZA_WORKER_ADDRESS": "nohost"},
            "address (CADENZA_WORKER_ADDRESS) must be host:port, not 'nohost'",
        ),
        (
            {"CADENZA_WORKER_ADDRESS": "h:99999"},
            "address (CADENZA_WORKER_ADDRESS) must be host:port, not 'h:99999'",
        ),
        ({"CADENZA_WORKER_TLS": "maybe"}, "CADENZA_WORKER_TLS: expected true or false (got 'maybe')"),
        ({"CADENZA_WORKER_MAX_JOBS": "0"}, "CADENZA_WORKER_MAX_JOBS: must be at least 1 (got '0')"),
        (
            {"CADENZA_HTTP_MAX_RESPONSE_BYTES": "lots"},
            "CADENZA_HTTP_MAX_RESPONSE_BYTES: invalid literal for int() with base 10: 'lots' (got 'lots')",
        ),
        (
            {"CADENZA_HTTP_DENIED_HOSTS": "10.0.0.0/99"},
            "CADENZA_HTTP_DENIED_HOSTS: not a host pattern: 10.0.0.0/99",
        ),
        ({"CADENZA_HTTP_ALLOWED_HOSTS": "a b,ok.com"}, "CADENZA_HTTP_ALLOWED_HOSTS: not a host pattern: a b"),
        (
            {"CADENZA_WORKER_CA_FILE": "/ca.pem"},
            "a CA file (CADENZA_WORKER_CA_FILE) needs TLS (CADENZA_WORKER_TLS)",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_worker_config(env)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("host", "allowed", "denied", "verdict"),
    [
        ("api.example.com", (), (), True),
        ("api.example.com", ("*.example.com",), (), True),
        ("example.com", ("*.example.com",), (), False),
        ("evil.com", ("api.example.com",), (), False),
        ("API.Example.com.", ("api.example.com",), (), True),
        ("10.1.2.3", (), ("10.0.0.0/8",), False),
        ("10.1.2.3", ("*",), ("10.1.2.3",), False),
        ("::1", (), ("::1",), False),
        ("intranet", (), ("10.0.0.0/8",), True),  # names are not resolved
    ],
)
def test_host_rules(host: str, allowed: tuple[str, ...], denied: tuple[str, ...], verdict: bool) -> None:
    assert host_allowed(host, HttpSettings(allowed_hosts=allowed, denied_hosts=denied)) is verdict


runner = CliRunner()


def _said(output: str) -> str:
    """The output's words, without the box typer draws around an error."""
    return " ".join(output.replace("│", " ").split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--connector", "smtp"], "unknown connector(s) smtp; the built-in ones are: http"),
        (["--address", "nowhere"], "must be host:port, not 'nowhere'"),
    ],
)
def test_cadenza_worker_refuses_bad_options_before_connecting(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["worker", *args])
    assert result.exit_code == 2
    assert message in _said(result.output)


def test_cadenza_worker_refuses_a_bad_credentials_file(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"tenants": {"t": {"secrets": {"A": 1}}}}))
    result = runner.invoke(app, ["worker", "--credentials", str(bad)])
    assert result.exit_code == 2
    assert "a secret must be a string" in _said(result.output)
