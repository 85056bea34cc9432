"""``cadenza worker`` (run the built-in connectors against a Zeebe gateway) and ``cadenza templates`` (write
their element templates)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from cadenza.config import ConfigError

__all__ = ["register"]


def _file(flag: str, text: str) -> Any:
    return typer.Option(flag, help=text, exists=True, dir_okay=False)


Address = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="The Zeebe gateway, host:port. (env CADENZA_WORKER_ADDRESS, default 127.0.0.1:26500)",
    ),
]
Connectors = Annotated[
    list[str] | None,
    typer.Option(
        "--connector",
        help="Run only this connector (repeatable), e.g. http. "
        "(env CADENZA_WORKER_CONNECTORS, comma-separated; default all)",
    ),
]
Credentials = Annotated[
    Path | None, _file("--credentials", "JSON file of scoped secrets. (env CADENZA_CREDENTIALS_FILE)")
]
Tls = Annotated[
    bool | None, typer.Option("--tls/--plaintext", help="TLS to the gateway. (env CADENZA_WORKER_TLS)")
]
CaFile = Annotated[
    Path | None, _file("--ca-file", "CA certificate (PEM) for TLS. (env CADENZA_WORKER_CA_FILE)")
]
TokenFile = Annotated[
    Path | None,
    _file(
        "--token-file",
        "File holding a bearer token for the gateway (env CADENZA_WORKER_TOKEN holds the token itself).",
    ),
]
Name = Annotated[str | None, typer.Option("--name", help="Worker name. (env CADENZA_WORKER_NAME)")]
AgentConfig = Annotated[
    Path | None,
    _file(
        "--agent-config", "Agent configuration (JSON): runs the agent task too. (env CADENZA_AGENT_CONFIG)"
    ),
]


def worker(
    address: Address = None,
    connector: Connectors = None,
    credentials: Credentials = None,
    tls: Tls = None,
    ca_file: CaFile = None,
    token_file: TokenFile = None,
    name: Name = None,
    agent_config: AgentConfig = None,
) -> None:
    """Run the built-in connectors as job workers until SIGINT or SIGTERM (then finish the jobs in hand).

    Works against `cadenza serve`'s gateway or a Zeebe cluster. HTTP limits: CADENZA_HTTP_MAX_RESPONSE_BYTES,
    CADENZA_HTTP_ALLOWED_HOSTS, CADENZA_HTTP_DENIED_HOSTS."""
    from cadenza.workers.connectors import builtin_connectors
    from cadenza.workers.runtime import credential_store, run_worker, select_connectors
    from cadenza.workers.secrets import CredentialFileError
    from cadenza.workers.settings import load_worker_config

    token = token_file.read_text(encoding="utf-8").strip() if token_file else None
    try:
        config = load_worker_config(
            address=address,
            connectors=tuple(connector) if connector else None,
            credentials_file=credentials,
            tls=tls,
            ca_file=ca_file,
            token=token,
            name=name,
            agent_config=agent_config,
        )
        store = credential_store(config)
        available = builtin_connectors(config.http)
        if config.agent_config is not None:
            available = (*available, _agent_connector(config, store, available))
        chosen = select_connectors(available, config.connectors)
    except (ConfigError, ValueError, CredentialFileError) as error:
        raise typer.BadParameter(str(error)) from None
    names = ", ".join(c.name for c in chosen)
    typer.echo(f"cadenza worker: {names} -> {config.address} ({'TLS' if config.tls else 'plaintext'})")
    asyncio.run(run_worker(config, chosen, credentials=store))
    typer.echo("cadenza worker: stopped")


def _agent_connector(config: Any, store: Any, available: tuple[Any, ...]) -> Any:
    from cadenza.workers.agents.config import load_agent_runtime
    from cadenza.workers.agents.gateway_policy import GatewayPolicy
    from cadenza.workers.runtime import open_channel

    runtime = load_agent_runtime(
        config.agent_config,
        credentials=store,
        connectors={c.name: c for c in available},
        policy=lambda: GatewayPolicy(lambda: open_channel(config)),
    )
    return runtime.connector()


def templates(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write the templates into.", file_okay=False)
    ],
) -> None:
    """Write one Camunda 8 element template (JSON) per built-in connector and one for the agent task."""
    from cadenza.workers.connectors import template_connectors
    from cadenza.workers.templates import write_templates

    for path in write_templates(template_connectors(), out):
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    from cadenza.workers.agents.cli import agent_fork, agent_replay

    app.command()(worker)
    app.command()(templates)
    app.command("agent-replay")(agent_replay)
    app.command("agent-fork")(agent_fork)
