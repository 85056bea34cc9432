"""``cadenza agent-replay``: an agent run's result again, from the ledger alone (no model, no tool is called),
or every run of a process instance; exit code 1 when a replay does not give the recorded outcome."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cadenza.config import ConfigError

__all__ = ["agent_replay"]


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
