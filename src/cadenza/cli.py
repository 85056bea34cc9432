"""The ``cadenza`` command. Each component contributes its own sub-command group as it lands."""

from __future__ import annotations

import typer

from cadenza import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="cadenza",
    help="Cadenza: a BPMN/DMN process engine whose service tasks can be AI agents.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print Cadenza's version."""
    typer.echo(__version__)


@app.command()
def check(files: list[str]) -> None:
    """Validate BPMN files as the engine will at deploy time; print each problem with element and line."""
    from pathlib import Path

    from cadenza.bpmn import BpmnError, parse_bpmn

    failed = False
    for name in files:
        try:
            definitions = parse_bpmn(Path(name).read_bytes(), resource_name=Path(name).name)
        except BpmnError as exc:
            failed = True
            typer.echo(str(exc), err=True)
            continue
        ids = ", ".join(process.id for process in definitions.processes)
        typer.echo(f"{name}: ok ({ids})")
    if failed:
        raise typer.Exit(1)


def main() -> None:
    app()
