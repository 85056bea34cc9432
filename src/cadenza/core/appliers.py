"""Appliers: the only code that changes engine state, one per event (Zeebe's ``EventApplier``).

Replaying a log means calling these in order, so each must depend only on the state and the event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cadenza.bpmn.model import ElementKind
from cadenza.core.intents import (
    DecisionRequirementsIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceIntent,
    ProcessIntent,
    VariableIntent,
)
from cadenza.core.records import ValueType
from cadenza.core.state.jobs import ACTIVATABLE, ACTIVATED, ERROR_THROWN, FAILED

if TYPE_CHECKING:
    from cadenza.core.state import EngineState

__all__ = ["APPLIERS"]

Applier = Callable[["EngineState", int, dict[str, Any]], None]
APPLIERS: dict[tuple[ValueType, str], Applier] = {}

_JOINS = frozenset({ElementKind.PARALLEL_GATEWAY, ElementKind.INCLUSIVE_GATEWAY})


def applies(value_type: ValueType, intent: str) -> Callable[[Applier], Applier]:
    def register(fn: Applier) -> Applier:
        APPLIERS[(value_type, intent)] = fn
        return fn

    return register


@applies(ValueType.PROCESS, ProcessIntent.CREATED)
def process_created(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.put_process(value)


@applies(ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED)
def drg_created(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.put_drg(value)


# ------------------------------------------------------------------------------------- process instances

_PI = ValueType.PROCESS_INSTANCE


@applies(_PI, ProcessInstanceIntent.ELEMENT_TERMINATING)
def element_terminating(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.elements.set_state(key, ProcessInstanceIntent.ELEMENT_TERMINATING)
    state.elements.clear_joins(key)


@applies(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING)
def element_activating(state: EngineState, key: int, value: dict[str, Any]) -> None:
    # The flows that brought the token here stop being in flight: one of each for a join, else one.
    join = value["bpmnElementType"] in _JOINS
    state.elements.create(key, value, ProcessInstanceIntent.ELEMENT_ACTIVATING, join=join)
    activity_appliers.element_activating(state, key, value)


def _set_state(intent: ProcessInstanceIntent) -> Applier:
    def apply(state: EngineState, key: int, _value: dict[str, Any]) -> None:
        state.elements.set_state(key, intent)

    return apply


for _intent in (
    ProcessInstanceIntent.ELEMENT_ACTIVATED,
    ProcessInstanceIntent.ELEMENT_COMPLETING,
):
    APPLIERS[(_PI, _intent)] = _set_state(_intent)


def element_left(state: EngineState, key: int, value: dict[str, Any]) -> None:
    listener = state.on_root_completed
    if listener is not None and value["flowScopeKey"] < 0:
        listener(key, {name: text for name, (_, text) in state.variables.local(key).items()})
    state.elements.remove(key)
    state.variables.drop_scope(key)


APPLIERS[(_PI, ProcessInstanceIntent.ELEMENT_COMPLETED)] = element_left
APPLIERS[(_PI, ProcessInstanceIntent.ELEMENT_TERMINATED)] = element_left


@applies(_PI, ProcessInstanceIntent.ELEMENT_MIGRATED)
def element_migrated(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.elements.update(key, v=value)


@applies(_PI, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN)
def flow_taken(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    model = state.processes.model(value["processDefinitionKey"])
    flow = model.flows[value["elementId"]]
    state.elements.flow_taken(value["flowScopeKey"], flow.target_id, flow.id)


# --------------------------------------------------------------------------------------------- variables


def variable_set(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.variables.set(value["scopeKey"], value["name"], key, value["value"])


APPLIERS[(ValueType.VARIABLE, VariableIntent.CREATED)] = variable_set
APPLIERS[(ValueType.VARIABLE, VariableIntent.UPDATED)] = variable_set


# -------------------------------------------------------------------------------------------------- jobs

_JOB = ValueType.JOB


@applies(_JOB, JobIntent.CREATED)
def job_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.jobs.put(key, value, ACTIVATABLE)
    state.elements.update(value["elementInstanceKey"], job=key)


@applies(ValueType.JOB_BATCH, JobBatchIntent.ACTIVATED)
def jobs_activated(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    for job_key, job in zip(value["jobKeys"], value["jobs"], strict=True):
        row = state.jobs.get(job_key)
        if row is not None:
            stored = row["v"]
            if len(job) == len(stored) and job["variables"] == stored["variables"]:
                # The batch's entry is the row with the deadline and worker set (activate_jobs builds it from
                # the row, keys in the same order): kept as it is, no second copy. Neither is changed in
                # place afterwards; a later job event stores a new dict.
                state.jobs.put(job_key, job, ACTIVATED)
            else:
                state.jobs.put(
                    job_key, {**stored, "deadline": job["deadline"], "worker": job["worker"]}, ACTIVATED
                )


def _job_gone(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.jobs.remove(key)
    if state.elements.get(value["elementInstanceKey"]) is not None:
        state.elements.update(value["elementInstanceKey"], job=None)


APPLIERS[(_JOB, JobIntent.COMPLETED)] = _job_gone
APPLIERS[(_JOB, JobIntent.CANCELED)] = _job_gone


@applies(_JOB, JobIntent.FAILED)
def job_failed(state: EngineState, key: int, value: dict[str, Any]) -> None:
    if value["retries"] > 0 and value.get("retryBackoff", 0) <= 0:
        state.jobs.put(key, value, ACTIVATABLE)
    elif value["retries"] > 0:
        state.jobs.put(key, value, FAILED, recurAt=value["recurringTime"])
    else:
        state.jobs.put(key, value, FAILED)


def _job_activatable(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.jobs.put(key, value, ACTIVATABLE)


APPLIERS[(_JOB, JobIntent.TIMED_OUT)] = _job_activatable
APPLIERS[(_JOB, JobIntent.RECURRED_AFTER_BACKOFF)] = _job_activatable


def _job_value_changed(state: EngineState, key: int, value: dict[str, Any]) -> None:
    row = state.jobs.get(key)
    if row is not None:
        state.jobs.put(key, value, row["s"], **{k: v for k, v in row.items() if k not in ("v", "s")})


APPLIERS[(_JOB, JobIntent.RETRIES_UPDATED)] = _job_value_changed
APPLIERS[(_JOB, JobIntent.TIMEOUT_UPDATED)] = _job_value_changed
APPLIERS[(_JOB, JobIntent.MIGRATED)] = _job_value_changed


@applies(_JOB, JobIntent.ERROR_THROWN)
def job_error_thrown(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.jobs.put(key, value, ERROR_THROWN)


# --------------------------------------------------------------------------------------------- incidents


@applies(ValueType.INCIDENT, IncidentIntent.CREATED)
def incident_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.incidents.put(key, value)
    if state.elements.get(value["elementInstanceKey"]) is not None:
        state.elements.update(value["elementInstanceKey"], incident=key)


APPLIERS[(ValueType.INCIDENT, IncidentIntent.MIGRATED)] = incident_created


@applies(ValueType.INCIDENT, IncidentIntent.RESOLVED)
def incident_resolved(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.incidents.remove(key)
    if state.elements.get(value["elementInstanceKey"]) is not None:
        state.elements.update(value["elementInstanceKey"], incident=None)
    job = state.jobs.get(value["jobKey"]) if value["jobKey"] > 0 else None
    if job is not None and job["s"] in (FAILED, ERROR_THROWN):
        state.jobs.put(value["jobKey"], job["v"], ACTIVATABLE)


# The event records' appliers live in their own module; importing it registers them here.
# Appliers of activity events (multi-instance, user tasks) live in their own module; importing registers them.
from cadenza.core import activity_appliers  # noqa: E402
from cadenza.core import conditional_appliers as _conditional_appliers  # noqa: E402,F401
from cadenza.core import event_appliers as _event_appliers  # noqa: E402,F401
from cadenza.core import resource_appliers as _resource_appliers  # noqa: E402,F401
