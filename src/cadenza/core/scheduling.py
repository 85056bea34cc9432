"""Commands that time makes due: the adapter's scheduler asks for them and submits them.

The core never reads a clock; the adapter passes ``now`` and submits what is returned, each as an ordinary
command whose processor re-checks that it is still due.
"""

from __future__ import annotations

from cadenza.core.intents import JobIntent
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.state import EngineState

__all__ = ["due_commands", "next_due"]


def due_commands(state: EngineState, now: int) -> list[Record]:
    commands: list[Record] = []
    for key in state.jobs.timed_out(now):
        commands.append(_command(state, ValueType.JOB, JobIntent.TIME_OUT, key))
    for key in state.jobs.backoffs_due(now):
        commands.append(_command(state, ValueType.JOB, JobIntent.RECUR_AFTER_BACKOFF, key))
    return commands


def next_due(state: EngineState) -> int | None:
    return state.jobs.next_due()


def _command(state: EngineState, value_type: ValueType, intent: str, key: int) -> Record:
    row = state.jobs.get(key)
    tenant = row["v"]["tenantId"] if row else "<default>"
    return Record(-1, key, RecordType.COMMAND, value_type, intent, {}, state.partition, tenant)
