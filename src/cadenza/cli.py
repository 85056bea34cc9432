"""The ``cadenza`` command. Each component contributes its own sub-command group."""

from __future__ import annotations

import typer

from cadenza import __version__
from cadenza.dmn.cli import dmn_app
from cadenza.feel.cli import feel_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="cadenza",
    help="Cadenza: a BPMN/DMN process engine whose service tasks can be AI agents.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(dmn_app, name="dmn")
app.add_typer(feel_app, name="feel")


@app.command()
def version() -> None:
    """Print Cadenza's version."""
    typer.echo(__version__)


def main() -> None:
    app()
