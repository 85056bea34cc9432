"""``cadenza feel``: evaluate a FEEL expression from the shell (handy for conditions and mappings)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cadenza.feel import FeelSyntaxError, FeelWarning, compile_expression
from cadenza.feel.json_values import loads, to_json

__all__ = ["feel_app"]

feel_app = typer.Typer(help="Evaluate FEEL expressions.", no_args_is_help=True, add_completion=False)


@feel_app.command("eval")
def eval_command(
    expression: Annotated[str, typer.Argument(help="The FEEL expression, e.g. 'sum([1, 2, x])'.")],
    variables: Annotated[str, typer.Option("--variables", "-v", help="A JSON object of variables.")] = "{}",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object: value and warnings.")] = False,
) -> None:
    """Evaluate EXPRESSION with VARIABLES and print the result."""
    try:
        scope = loads(variables)  # numbers straight to Decimal, every digit kept
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--variables") from exc
    if not isinstance(scope, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="--variables")
    try:
        compiled = compile_expression(expression, names=scope.keys())
    except FeelSyntaxError as exc:
        typer.echo(f"syntax error: {exc}", err=True)
        raise typer.Exit(2) from exc
    warnings: list[FeelWarning] = []
    value = compiled.evaluate(scope, warnings=warnings)
    if as_json:
        typer.echo(json.dumps({"value": to_json(value), "warnings": [w.message for w in warnings]}))
        return
    typer.echo(json.dumps(to_json(value)))
    for warning in warnings:
        typer.echo(f"warning: {warning.message}", err=True)
