"""``cadenza dmn``: evaluate a decision from the shell, and run the DMN TCK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cadenza.dmn.audit import DecisionResult
from cadenza.dmn.errors import DmnError
from cadenza.dmn.evaluate import DmnModel
from cadenza.dmn.itemdef import DmnType
from cadenza.dmn.loader import load_dmn
from cadenza.feel import temporal
from cadenza.feel.json_values import loads, to_json

__all__ = ["dmn_app", "inputs_from_json"]

dmn_app = typer.Typer(
    help="Evaluate DMN decisions and run the DMN TCK.", no_args_is_help=True, add_completion=False
)

_TEMPORAL = {
    "date": temporal.parse_date,
    "time": temporal.parse_time,
    "date and time": temporal.parse_date_and_time,
    "days and time duration": temporal.parse_duration,
    "years and months duration": temporal.parse_duration,
    "duration": temporal.parse_duration,
}


def _typed(value: Any, kind: DmnType) -> Any:
    """An ISO string becomes a temporal value when the declared type (or a component's) is temporal."""
    if isinstance(value, list):
        element = kind.element or kind
        return [_typed(item, element) for item in value]
    if isinstance(value, dict) and kind.components:
        return {k: _typed(v, kind.components[k]) if k in kind.components else v for k, v in value.items()}
    parse = _TEMPORAL.get(kind.name)
    if isinstance(value, str) and parse is not None:
        try:
            return parse(value)
        except Exception:
            return value  # left as a string; the type check then reports it
    return value


def inputs_from_json(model: DmnModel, text: str) -> dict[str, Any]:
    """JSON inputs as FEEL values: numbers exact, ISO strings converted where the input data is temporal."""
    data = loads(text)
    if not isinstance(data, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="--input")
    types = {d.name: model.types.resolve(d.variable.type_ref) for d in model.definitions.input_data}
    return {name: _typed(value, types[name]) if name in types else value for name, value in data.items()}


def _report(result: DecisionResult) -> dict[str, Any]:
    return {
        "decision": {"id": result.decision_id, "name": result.decision_name},
        "value": to_json(result.value),
        "audit": [
            {
                "decision": {"id": a.decision_id, "name": a.decision_name},
                "inputs": to_json(a.inputs),
                "matchedRules": [
                    {
                        "table": m.table_id,
                        "index": m.index,
                        "id": m.rule_id,
                        "outputs": to_json(dict(m.outputs)),
                    }
                    for m in a.matched_rules
                ],
                "output": to_json(a.output),
                "warnings": [w.message for w in a.warnings],
            }
            for a in result.audit
        ],
    }


@dmn_app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="The .dmn file.")],
    decision: Annotated[str, typer.Option("--decision", "-d", help="The decision's id or name.")],
    input_json: Annotated[
        str, typer.Option("--input", "-i", help="A JSON object of input data by name.")
    ] = "{}",
    as_json: Annotated[bool, typer.Option("--json", help="Print value and audit trail as JSON.")] = False,
) -> None:
    """Evaluate DECISION of FILE with the given inputs; print the result and the rules that matched."""
    try:
        model = load_dmn(file)
    except DmnError as exc:
        typer.echo(f"invalid DMN model: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        result = model.evaluate(decision, inputs_from_json(model, input_json))
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--input") from exc
    except DmnError as exc:  # no such decision
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(_report(result), ensure_ascii=False))
        return
    typer.echo(json.dumps(to_json(result.value), ensure_ascii=False))
    for audit in result.audit:
        rules = ", ".join(
            f"{m.index}" + (f" ({m.rule_id})" if m.rule_id else "") for m in audit.matched_rules
        )
        line = f"{audit.decision_name}: {json.dumps(to_json(audit.output), ensure_ascii=False)}"
        typer.echo(line + (f"  [rules {rules}]" if rules else ""))
        for warning in audit.warnings:
            typer.echo(f"warning: {warning.message}", err=True)


@dmn_app.command("tck")
def tck_command(
    folder: Annotated[Path, typer.Argument(help="The TCK TestCases folder (or any folder below it).")],
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the per-result CSV here.")] = None,
) -> None:
    """Run every DMN TCK test case under FOLDER; the last line is the summary."""
    from cadenza.dmn.tck import run_tck

    if not folder.is_dir():
        typer.echo(f"not a folder: {folder}", err=True)
        raise typer.Exit(2)
    summary = run_tck(folder)
    if csv_path is not None:
        summary.write_csv(csv_path)
    if summary.rounded:
        typer.echo(f"({summary.rounded} of the passes compare numbers to 12 significant digits)")
    typer.echo(summary.line())
