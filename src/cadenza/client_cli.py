"""The client commands of ``cadenza``: deploy, start, show, jobs, complete-job, against a running
``cadenza serve`` over its HTTP API. Human output is short; ``--json`` prints the server's JSON answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from cadenza.client import DEFAULT_ADDRESS, CadenzaClient, ClientError

__all__ = ["register"]

Address = Annotated[
    str,
    typer.Option("--address", envvar="CADENZA_ADDRESS", help="The HTTP API of a running `cadenza serve`."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the server's answer as JSON.")]
Variables = Annotated[str, typer.Option("--variables", help="A JSON object, e.g. '{\"amount\": 10}'.")]


def _call(address: str, action: Callable[[CadenzaClient], Any]) -> Any:
    try:
        with CadenzaClient(address) as client:
            return action(client)
    except ClientError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise typer.BadParameter(f"not JSON: {error}", param_hint="--variables") from None


def _emit(as_json: bool, answer: Any, human: Callable[[Any], list[str]]) -> None:
    lines = [json.dumps(answer, ensure_ascii=False)] if as_json else human(answer)
    for line in lines:
        typer.echo(line)


def deploy(
    files: Annotated[
        list[Path], typer.Argument(help="BPMN, DMN and form files.", exists=True, dir_okay=False)
    ],
    address: Address = DEFAULT_ADDRESS,
    as_json: AsJson = False,
) -> None:
    """Deploy BPMN, DMN and form (.form) files to a running Cadenza, as one deployment."""
    answer = _call(address, lambda c: c.deploy(*files))
    _emit(as_json, answer, _deployed_lines)


def _deployed_lines(answer: dict[str, Any]) -> list[str]:
    lines = [
        f"deployed {p['bpmnProcessId']} version {p['version']} (key {p['key']})" for p in answer["processes"]
    ]
    lines += [f"deployed decision {d['decisionId']} version {d['version']}" for d in answer["decisions"]]
    lines += [f"deployed form {f['formId']} version {f['version']}" for f in answer["forms"]]
    return lines or [f"deployment {answer['key']}: nothing new"]


def start(
    process_id: Annotated[str, typer.Argument(help="The BPMN process id.")],
    variables: Variables = "{}",
    with_result: Annotated[bool, typer.Option("--with-result", help="Wait for it to complete.")] = False,
    address: Address = DEFAULT_ADDRESS,
    as_json: AsJson = False,
) -> None:
    """Start a process instance (the newest version)."""
    document = _document(variables)
    answer = _call(address, lambda c: c.start(process_id, document, with_result=with_result))
    _emit(as_json, answer, _started_lines)


def _started_lines(answer: dict[str, Any]) -> list[str]:
    lines = [
        f"started {answer['bpmnProcessId']} version {answer['version']}: "
        f"instance {answer['processInstanceKey']}"
    ]
    if "variables" in answer:
        lines.append(f"completed with {json.dumps(answer['variables'], ensure_ascii=False)}")
    return lines


def show(
    instance_key: Annotated[str, typer.Argument(help="The process instance key.")],
    address: Address = DEFAULT_ADDRESS,
    as_json: AsJson = False,
) -> None:
    """Show a process instance: state, active elements, variables, incidents, history."""
    answer = _call(address, lambda c: c.show(instance_key))
    _emit(as_json, answer, _instance_lines)


def _instance_lines(view: dict[str, Any]) -> list[str]:
    lines = [f"instance {view['key']} of {view['bpmnProcessId']} v{view['version']}: {view['state']}"]
    active = view["activeElements"]
    lines.append("active elements:" + ("" if active else " none"))
    lines += [f"  {e['elementId']} ({e['type']}) {e['state']}" for e in active]
    scopes = {"root": view["variables"], **view["scopeVariables"]}
    lines.append("variables:" + ("" if any(scopes.values()) else " none"))
    for scope, names in scopes.items():
        lines += [f"  {scope}: {name} = {json.dumps(v, ensure_ascii=False)}" for name, v in names.items()]
    lines.append("incidents:" + ("" if view["incidents"] else " none"))
    lines += [
        f"  {i['key']} {i['errorType']} at {i['elementId']}: {i['errorMessage']}" for i in view["incidents"]
    ]
    lines.append(f"history ({len(view['history'])} records):")
    lines += [_history_line(r) for r in view["history"]]
    return lines


def _history_line(record: dict[str, Any]) -> str:
    kind = "" if record["recordType"] == "EVENT" else f" [{record['recordType']}]"
    label = record.get("elementId") or record["value"].get("name")
    element = f" {label}" if label else ""
    return f"  {record['position']:>6} {record['valueType']} {record['intent']}{element}{kind}"


def jobs(
    job_type: Annotated[
        str, typer.Argument(help="The job type (a service task's zeebe:taskDefinition type).")
    ],
    max_jobs: Annotated[int, typer.Option("--max", help="At most this many jobs.")] = 10,
    timeout_ms: Annotated[int, typer.Option("--timeout", help="Lock the jobs for this many ms.")] = 60_000,
    wait_ms: Annotated[int, typer.Option("--wait", help="Wait up to this many ms for a job.")] = 0,
    address: Address = DEFAULT_ADDRESS,
    as_json: AsJson = False,
) -> None:
    """Activate jobs of a type and list them (they are then locked to this caller for --timeout ms)."""
    answer = _call(
        address, lambda c: c.activate(job_type, max_jobs=max_jobs, timeout_ms=timeout_ms, wait_ms=wait_ms)
    )
    _emit(as_json, answer, lambda a: _job_lines(job_type, a))


def _job_lines(job_type: str, answer: dict[str, Any]) -> list[str]:
    return [
        f"job {j['key']} ({j['type']}) instance {j['processInstanceKey']} at {j['elementId']}, "
        f"retries {j['retries']}, variables {json.dumps(j['variables'], ensure_ascii=False)}"
        for j in answer["jobs"]
    ] or [f"no activatable jobs of type {job_type!r}"]


def complete_job(
    job_key: Annotated[int, typer.Argument(help="The job key.")],
    variables: Variables = "{}",
    address: Address = DEFAULT_ADDRESS,
    as_json: AsJson = False,
) -> None:
    """Complete an activated job, with variables."""
    document = _document(variables)
    answer = _call(address, lambda c: c.complete_job(job_key, document))
    _emit(as_json, answer, lambda a: [f"completed job {a['jobKey']}"])


def register(app: typer.Typer) -> None:
    for command in (deploy, start, show, jobs):
        app.command()(command)
    app.command("complete-job")(complete_job)
