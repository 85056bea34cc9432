"""Commands that time makes due: the adapter's scheduler asks for them and submits them.

The core never reads a clock; the adapter passes ``now`` and submits what is returned, each as an ordinary
command whose processor re-checks that it is still due: job time-outs and back-offs, timers, and buffered
messages whose time to live is over.
"""

from __future__ import annotations

from cadenza.core.intents import JobIntent, MessageIntent, TimerIntent
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.state import EngineState

__all__ = ["due_commands"]


def due_commands(state: EngineState, now: int) -> list[Record]:
    commands: list[Record] = []
    for key in state.jobs.timed_out(now):
        commands.append(_command(state, ValueType.JOB, JobIntent.TIME_OUT, key, _job_tenant(state, key)))
    for key in state.jobs.backoffs_due(now):
        recur = JobIntent.RECUR_AFTER_BACKOFF
        commands.append(_command(state, ValueType.JOB, recur, key, _job_tenant(state, key)))
    for key in state.timers.due(now):  # earliest first, so timers fire in due order
        timer = state.timers.get(key)
        tenant = timer["tenantId"] if timer else "<default>"
        commands.append(_command(state, ValueType.TIMER, TimerIntent.TRIGGER, key, tenant))
    for key in state.messages.expired(now):
        message = state.messages.message(key)
        tenant = message["v"]["tenantId"] if message else "<default>"
        commands.append(_command(state, ValueType.MESSAGE, MessageIntent.EXPIRE, key, tenant))
    return commands


def _job_tenant(state: EngineState, key: int) -> str:
    row = state.jobs.get(key)
    return str(row["v"]["tenantId"]) if row else "<default>"


def _command(state: EngineState, value_type: ValueType, intent: str, key: int, tenant: str) -> Record:
    return Record(-1, key, RecordType.COMMAND, value_type, intent, {}, state.partition, tenant)
