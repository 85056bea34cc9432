"""The engine of one partition: a pure function from (state, command) to records.

``process`` runs one command and every follow-up command it causes, to quiescence, and returns the batch of
records to commit. Nothing here does I/O or reads a clock: the time is the command's timestamp, keys come from
the partition's counter, so replaying a log into empty state rebuilds equal state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from cadenza.core.appliers import APPLIERS
from cadenza.core.changes import StateChange
from cadenza.core.intents import (
    AdHocSubProcessInstructionIntent,
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    VariableDocumentIntent,
)
from cadenza.core.keys import counter_of
from cadenza.core.limits import Limits, oversized_variables
from cadenza.core.processors import (
    ad_hoc,
    creation,
    decisions,
    deployment,
    incidents,
    instances,
    jobs,
    migration,
    modification,
    resource_deletion,
    user_tasks,
    variables,
)
from cadenza.core.processors.events import EVENT_PROCESSORS
from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.core.state import EngineState
from cadenza.core.writer import Writer

__all__ = ["Engine", "ProcessingResult"]

Processor = Callable[[Writer, Record], None]

_PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.DEPLOYMENT, DeploymentIntent.CREATE): deployment.deploy,
    (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE): creation.create_instance,
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL): instances.cancel_instance,
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ACTIVATE_ELEMENT): instances.activate_element,
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.COMPLETE_ELEMENT): instances.complete_element,
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.TERMINATE_ELEMENT): instances.terminate_element,
    (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE): jobs.activate_jobs,
    (ValueType.INCIDENT, IncidentIntent.RESOLVE): incidents.resolve_incident,
    (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATE): variables.update_variables,
    (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE): decisions.evaluate,
    (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETE): resource_deletion.delete_resource,
    (ValueType.PROCESS_INSTANCE_MODIFICATION, ProcessInstanceModificationIntent.MODIFY): modification.modify,
    (ValueType.PROCESS_INSTANCE_MIGRATION, ProcessInstanceMigrationIntent.MIGRATE): migration.migrate,
    (ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION, AdHocSubProcessInstructionIntent.ACTIVATE): ad_hoc.activate,
    **{(ValueType.JOB, intent): fn for intent, fn in jobs.JOB_PROCESSORS.items()},
    **EVENT_PROCESSORS,
    **{(ValueType.USER_TASK, intent): fn for intent, fn in user_tasks.USER_TASK_PROCESSORS.items()},
}

#: Follow-up commands of one batch beyond this many are a runaway loop in the model (a cycle with no wait
#: state); the instance gets an incident-free stop: the remaining commands are written to the log and run in
#: later batches, so other work on the partition interleaves.
MAX_FOLLOW_UPS = 10_000


class ProcessingResult(NamedTuple):
    records: list[Record]
    response: Record | None


#: Builds a ProcessingResult without the NamedTuple constructor's extra frame (one per command).
_new_result = tuple.__new__


class Engine:
    """One partition's deterministic processor over its :class:`EngineState`."""

    __slots__ = ("state", "limits", "_pending")

    def __init__(self, state: EngineState | None = None, *, limits: Limits | None = None) -> None:
        self.state = state or EngineState()
        self.limits = limits or Limits()
        self._pending: list[Record] = []

    def process(self, command: Record, *, timestamp: int) -> ProcessingResult:
        """Processes an external command (the adapter gives it the time it was received)."""
        writer = Writer(self.state, timestamp)
        oversized = oversized_variables(command.value, self.limits)
        if oversized is not None:
            # The log keeps the command without its document: storing it would defeat the limit.
            command = command._replace(value={**command.value, "variables": "{}"})
        logged = writer.log_command(command)
        processor = _PROCESSORS.get((command.value_type, command.intent))
        if command.record_type is not RecordType.COMMAND or processor is None:
            reason = f"Cadenza has no processor for {command.value_type} {command.intent}"
            writer.reject(logged, RejectionType.INVALID_ARGUMENT, reason)
        elif oversized is not None:
            writer.reject(logged, RejectionType.INVALID_ARGUMENT, oversized)
        else:
            processor(writer, logged)
        self._drain(writer)
        writer.finish()
        return _new_result(ProcessingResult, (writer.records, writer.response))

    def take_changes(self) -> list[StateChange]:
        """The state rows changed since the last call: what the store commits with the batch's records."""
        return self.state.take_changes()

    def _drain(self, writer: Writer) -> None:
        follow_ups = writer.follow_ups
        steps = 0
        while follow_ups:
            command = follow_ups.popleft()
            steps += 1
            if steps > MAX_FOLLOW_UPS:
                follow_ups.appendleft(command)
                self._pending.extend(follow_ups)
                follow_ups.clear()
                break
            _PROCESSORS[(command.value_type, command.intent)](writer, command)

    def take_pending(self) -> list[Record]:
        """Follow-up commands a runaway batch left over; the adapter submits them as new commands."""
        pending, self._pending = self._pending, []
        return pending

    def replay(self, records: Iterable[Record]) -> None:
        """Applies the events of a log to this engine's state (commands and rejections change nothing)."""
        state = self.state
        last = state.last_position
        counter = state.last_key
        for record in records:
            last = max(last, record.position)
            if record.record_type is RecordType.EVENT:
                if record.key > 0:
                    counter = max(counter, counter_of(record.key))
                applier = APPLIERS.get((record.value_type, record.intent))
                if applier is not None:
                    applier(state, record.key, record.value)
        if last != state.last_position:
            state.set_last_position(last)
        if counter != state.last_key:
            state.set_last_key(counter)
