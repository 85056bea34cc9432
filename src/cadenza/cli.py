"""The ``cadenza`` command. Each component contributes its own sub-command group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cadenza import __version__
from cadenza.check import check_file
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


def main() -> None:
    app()
