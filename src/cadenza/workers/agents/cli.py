"""``cadenza agent-replay``: an agent run's result again, from the ledger alone (no model, no tool is called),
or every run of a process instance; exit code 1 when a replay does not give the recorded outcome.

``cadenza agent-fork``: a new run from step N of a recorded one, live from there with a changed goal, system
prompt, inputs or model (the configuration's models and connector tools)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cadenza.config import ConfigError

__all__ = ["agent_fork", "agent_replay"]


def agent_replay(
    agent_config: Annotated[
        Path,
        typer.Option(
            "--agent-config", help="The agent configuration (its ledger and prices are used).", exists=True
        ),
    ],
    run: Annotated[list[str] | None, typer.Option("--run", help="A run id (repeatable).")] = None,
    instance: Annotated[
        int | None, typer.Option("--instance", help="Every run of this process instance.")
    ] = None,
    tenant: Annotated[str, typer.Option("--tenant", help="The runs' tenant.")] = "<default>",
    credentials: Annotated[Path | None, typer.Option("--credentials", help="Scoped secrets file.")] = None,
) -> None:
    """Replay recorded agent runs and print each result as JSON lines; no model or tool is called."""
    from cadenza.workers.agents.config import load_agent_runtime
    from cadenza.workers.secrets import FileCredentialStore, MemoryCredentialStore

    store = FileCredentialStore(credentials) if credentials else MemoryCredentialStore()
    try:
        runtime = load_agent_runtime(agent_config, credentials=store, connectors={})
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None
    runs = list(run or [])
    if instance is not None:
        runs += runtime.ledger.instance_runs(tenant=tenant, process_instance_key=instance)
    if not runs:
        raise typer.BadParameter("name a --run or an --instance that has agent runs")
    mismatches = asyncio.run(_replay_all(runtime, runs, tenant))
    raise typer.Exit(1 if mismatches else 0)


async def _replay_all(runtime: Any, runs: list[str], tenant: str) -> int:
    from cadenza.workers.agents.ledger import EntryKind
    from cadenza.workers.agents.replay import replay_run
    from cadenza.workers.errors import ConnectorError

    mismatches = 0
    try:
        for run_id in runs:
            entries = runtime.ledger.run(run_id, tenant=tenant)
            recorded = next((e.payload for e in entries if e.kind is EntryKind.END), None)
            try:
                result = await replay_run(runtime, run_id, tenant=tenant)
                line: dict[str, Any] = {"runId": run_id, "status": result.status, "output": result.output}
            except ConnectorError as error:
                line = {"runId": run_id, "status": "failed", "code": error.code, "message": error.message}
            except LookupError as error:
                line = {"runId": run_id, "status": "unknown", "message": str(error)}
            same = recorded is None or _same(recorded, line)
            mismatches += 0 if same else 1
            typer.echo(json.dumps({**line, "matchesRecording": same}))
    finally:
        await runtime.aclose()
    return mismatches


def _same(recorded: dict[str, Any], replayed: dict[str, Any]) -> bool:
    if recorded.get("status") == "completed":
        return replayed["status"] == "completed" and replayed.get("output") == recorded.get("output")
    if recorded.get("status") == "budget-exceeded":
        return replayed.get("code") == "budget-exceeded"
    return replayed.get("code") == recorded.get("code")


def agent_fork(
    agent_config: Annotated[
        Path,
        typer.Option("--agent-config", help="The agent configuration (models, tools, ledger).", exists=True),
    ],
    run: Annotated[str, typer.Option("--run", help="The recorded run to fork.")],
    step: Annotated[
        int, typer.Option("--step", help="Model calls kept from the recording (0: none).", min=0)
    ],
    goal: Annotated[str | None, typer.Option("--goal", help="A new goal.")] = None,
    system: Annotated[str | None, typer.Option("--system", help="A new system prompt.")] = None,
    inputs: Annotated[str | None, typer.Option("--inputs", help="New inputs, a JSON object.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Another configured model.")] = None,
    tenant: Annotated[str, typer.Option("--tenant", help="The run's tenant.")] = "<default>",
    credentials: Annotated[Path | None, typer.Option("--credentials", help="Scoped secrets file.")] = None,
) -> None:
    """Fork a recorded agent run at a step and run it on with changes; prints the new run as JSON."""
    from cadenza.workers.agents.config import load_agent_runtime
    from cadenza.workers.connectors import builtin_connectors
    from cadenza.workers.secrets import FileCredentialStore, MemoryCredentialStore

    changes: dict[str, Any] = {"goal": goal, "system": system, "model": model}
    if inputs is not None:
        try:
            changes["inputs"] = json.loads(inputs)
        except ValueError as error:
            raise typer.BadParameter(f"--inputs: not JSON ({error})") from None
        if not isinstance(changes["inputs"], dict):
            raise typer.BadParameter("--inputs: expected a JSON object")
    store = FileCredentialStore(credentials) if credentials else MemoryCredentialStore()
    connectors = {c.name: c for c in builtin_connectors()}
    try:
        runtime = load_agent_runtime(agent_config, credentials=store, connectors=connectors)
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None
    line = asyncio.run(_fork(runtime, run, step, {k: v for k, v in changes.items() if v is not None}, tenant))
    typer.echo(json.dumps(line))
    raise typer.Exit(0 if line["status"] != "failed" else 1)


async def _fork(runtime: Any, run: str, step: int, changes: dict[str, Any], tenant: str) -> dict[str, Any]:
    from cadenza.workers.agents.replay import fork_run
    from cadenza.workers.agents.routing import RoutingError
    from cadenza.workers.errors import ConnectorError

    try:
        run_id, result = await fork_run(runtime, run, tenant=tenant, step=step, changes=changes)
        return {"runId": run_id, "parent": run, "status": result.status, "output": result.output}
    except (LookupError, RoutingError) as error:
        raise typer.BadParameter(str(error)) from None
    except ConnectorError as error:
        return {"parent": run, "status": "failed", "code": error.code, "message": error.message}
    finally:
        await runtime.aclose()
