"""The ``cadenza`` command. Each component contributes its own sub-command group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cadenza import __version__
from cadenza.check import check_file
from cadenza.client_cli import register as register_client_commands
from cadenza.config import ConfigError, load_config
from cadenza.dmn.cli import dmn_app
from cadenza.feel.cli import feel_app
from cadenza.workers.cli import register as register_worker_commands

__all__ = ["app", "main"]

app = typer.Typer(
    name="cadenza",
    help="Cadenza: a BPMN/DMN process engine whose service tasks can be AI agents.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(dmn_app, name="dmn")
app.add_typer(feel_app, name="feel")
register_client_commands(app)
register_worker_commands(app)


@app.command()
def version() -> None:
    """Print Cadenza's version."""
    typer.echo(__version__)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="The .bpmn and .dmn files to validate.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: every file's result.")
    ] = False,
) -> None:
    """Validate BPMN and DMN files as deployment will; print each problem with element id and line.

    Exits with 1 when any file is invalid."""
    reports = [check_file(path) for path in files]
    valid = all(report.valid for report in reports)
    if as_json:
        files_json = [report.to_json() for report in reports]
        typer.echo(json.dumps({"valid": valid, "files": files_json}, ensure_ascii=False))
    else:
        for report in reports:
            if report.valid:
                typer.echo(f"{report.file}: ok ({', '.join(report.contents) or 'nothing executable'})")
            for problem in report.problems:
                typer.echo(problem.render(report.file))
        invalid = sum(not report.valid for report in reports)
        typer.echo(f"{len(reports)} file(s) checked, {invalid} invalid")
    if not valid:
        raise typer.Exit(1)


@app.command()
def serve(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Directory of the embedded SQLite store. (env CADENZA_DATA_DIR, default ./.cadenza)",
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL, e.g. postgresql://...; overrides --data-dir. (env CADENZA_DATABASE)",
        ),
    ] = None,
    grpc_port: Annotated[
        int | None,
        typer.Option(
            "--grpc-port",
            help="Port of the Zeebe gRPC gateway. (env CADENZA_GRPC_PORT, default 26500)",
        ),
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option("--http-port", help="Port of the HTTP JSON API. (env CADENZA_HTTP_PORT, default 8080)"),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option("--host", help="Interface to listen on. (env CADENZA_HOST, default 127.0.0.1)"),
    ] = None,
    grpc_tls_cert: Annotated[
        Path | None,
        typer.Option(
            "--grpc-tls-cert",
            help="PEM certificate for TLS on the gRPC gateway; needs --grpc-tls-key. "
            "(env CADENZA_GRPC_TLS_CERT)",
        ),
    ] = None,
    grpc_tls_key: Annotated[
        Path | None,
        typer.Option("--grpc-tls-key", help="PEM private key of --grpc-tls-cert. (env CADENZA_GRPC_TLS_KEY)"),
    ] = None,
    grpc_token: Annotated[
        str | None,
        typer.Option(
            "--grpc-token",
            help="Require 'authorization: Bearer <token>' on every gRPC call. (env CADENZA_GRPC_TOKEN; "
            "prefer the environment: a command line is visible to other users)",
        ),
    ] = None,
    users: Annotated[
        Path | None,
        typer.Option(
            "--users",
            help="Users file (TOML or JSON: username, password_hash, name, groups, tenants); without one the "
            "demo users demo/demo, alice/alice and bob/bob sign in. (env CADENZA_USERS)",
        ),
    ] = None,
    web_dir: Annotated[
        Path | None,
        typer.Option(
            "--web-dir",
            help="Directory holding tasklist/dist and modeler/dist. (env CADENZA_WEB_DIR, default the "
            "repository's folders)",
        ),
    ] = None,
    event_loop: Annotated[
        str | None,
        typer.Option(
            "--event-loop",
            help="uvloop (faster) or asyncio. (env CADENZA_EVENT_LOOP, default uvloop when installed)",
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Also run demo workers that complete bpmn/order-process.bpmn's jobs and user tasks.",
        ),
    ] = False,
) -> None:
    """Run the engine, its HTTP API and the Zeebe gRPC gateway until SIGINT or SIGTERM (then stop gracefully).

    Variables documents over CADENZA_MAX_VARIABLES_BYTES (default 4 MiB) are refused (HTTP 413, gRPC
    INVALID_ARGUMENT); past CADENZA_MAX_QUEUED_COMMANDS (default 10000) waiting commands, new work is refused
    (gRPC RESOURCE_EXHAUSTED) until the engine catches up."""
    from cadenza.server import run_server  # imported here: the other commands need no web stack

    try:
        config = load_config(
            data_dir=data_dir,
            database=database,
            grpc_port=grpc_port,
            http_port=http_port,
            host=host,
            grpc_tls_cert=grpc_tls_cert,
            grpc_tls_key=grpc_tls_key,
            grpc_token=grpc_token,
            users=users,
            web_dir=web_dir,
            event_loop=event_loop,
        )
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None
    try:
        run_server(config, demo=demo, announce=typer.echo)
    except Exception as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command("hash-password")
def hash_password_command(
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="The password.")
    ],
) -> None:
    """Print the scrypt hash of a password, for the password_hash of a users file (cadenza serve --users)."""
    from cadenza.identity import hash_password

    typer.echo(hash_password(password))


def main() -> None:
    app()
