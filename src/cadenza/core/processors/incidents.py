"""INCIDENT RESOLVE (ZEEBE-SEMANTICS §4.3): a job incident makes the job activatable again (it needs retries);
any other incident re-runs the step that failed, with the variables as they are now."""

from __future__ import annotations

from cadenza.core.elements.behaviors import run_activation
from cadenza.core.elements.flow import complete
from cadenza.core.intents import IncidentIntent, ProcessInstanceIntent
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["resolve_incident"]


def resolve_incident(writer: Writer, command: Record) -> None:
    incident = writer.state.incidents.get(command.key)
    if incident is None or incident["tenantId"] != command.tenant:
        reason = f"Expected to resolve incident with key '{command.key}', but no such incident was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    job_key = incident["jobKey"]
    job = writer.state.jobs.get(job_key) if job_key > 0 else None
    if job is not None and incident["errorType"] == "JOB_NO_RETRIES" and job["v"]["retries"] <= 0:
        reason = (
            f"Expected to resolve incident with key '{command.key}', but job with key '{job_key}' "
            "has no retries left. Please update the job retries first"
        )
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    writer.respond(writer.event(ValueType.INCIDENT, IncidentIntent.RESOLVED, command.key, incident))
    if job is not None:
        return  # the RESOLVED applier made the job activatable again
    element = writer.state.elements.get(incident["elementInstanceKey"])
    if element is None:
        return
    if element["s"] == ProcessInstanceIntent.ELEMENT_ACTIVATING:
        run_activation(writer, incident["elementInstanceKey"])
    elif element["s"] == ProcessInstanceIntent.ELEMENT_COMPLETING:
        complete(writer, incident["elementInstanceKey"])
