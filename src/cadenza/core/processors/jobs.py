"""Job commands from workers and the scheduler (ZEEBE-SEMANTICS §3)."""

from __future__ import annotations

import json
from typing import Any

from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.throwing import throw_error_event
from cadenza.core.elements.variables import propagate, set_local
from cadenza.core.intents import JobBatchIntent, JobIntent, ProcessInstanceIntent
from cadenza.core.processors.instances import parse_document
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.state.jobs import ACTIVATABLE, ACTIVATED, FAILED
from cadenza.core.writer import Writer

__all__ = ["JOB_PROCESSORS", "activate_jobs"]

_JOB = ValueType.JOB
_DOING: dict[str, str] = {
    JobIntent.COMPLETE: "complete",
    JobIntent.FAIL: "fail",
    JobIntent.THROW_ERROR: "throw an error for",
    JobIntent.TIME_OUT: "time out",
    JobIntent.RECUR_AFTER_BACKOFF: "recur",
}


def _job(writer: Writer, command: Record, states: tuple[str, ...]) -> dict[str, Any] | None:
    """The job row if the command may act on it; otherwise rejects the command (NOT_FOUND/INVALID_STATE)."""
    doing = _DOING.get(command.intent, "act on")  # StrEnum keys: a plain str intent finds them too
    row = writer.state.jobs.get(command.key)
    if row is None or row["v"]["tenantId"] != command.tenant:
        reason = f"Expected to {doing} job with key '{command.key}', but no such job was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return None
    if row["s"] not in states:
        reason = f"Expected to {doing} job with key '{command.key}', but it is in state '{row['s']}'"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return None
    return row


def _job_and_document(writer: Writer, command: Record) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The job a worker acts on (activatable or activated) and the command's variables document; or None
    after rejecting the command (unknown job, wrong state, a document that is not a JSON object)."""
    row = _job(writer, command, (ACTIVATABLE, ACTIVATED))
    if row is None:
        return None
    document = parse_document(command.value.get("variables"))
    if isinstance(document, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, document)
        return None
    return row, document


def complete_job(writer: Writer, command: Record) -> None:
    found = _job_and_document(writer, command)
    if found is None:
        return
    row, document = found
    job = {**row["v"], "variables": command.value.get("variables") or "{}"}
    writer.respond(writer.event(_JOB, JobIntent.COMPLETED, command.key, job, job["tenantId"]))
    element_key = job["elementInstanceKey"]
    element = writer.state.elements.get(element_key)
    if element is None:
        return
    instance = element["v"]
    model = writer.state.processes.model(instance["processDefinitionKey"])
    node = model.elements.get(instance["elementId"])
    if node is not None and node.io.outputs:
        for name, text in document.items():  # the result is an element local until the output mappings run
            set_local(writer, element_key, name, text, instance)
    else:
        propagate(writer, element_key, document, instance)
    writer.follow_up(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.COMPLETE_ELEMENT, element_key, instance
    )


def fail_job(writer: Writer, command: Record) -> None:
    found = _job_and_document(writer, command)
    if found is None:
        return
    row, document = found
    retries = int(command.value.get("retries", 0))
    backoff = max(0, int(command.value.get("retryBackoff", 0)))
    job = {
        **row["v"],
        "retries": retries,
        "errorMessage": str(command.value.get("errorMessage", "")),
        "retryBackoff": backoff,
        "recurringTime": writer.timestamp + backoff if backoff > 0 else -1,
        "deadline": -1,
    }
    writer.respond(writer.event(_JOB, JobIntent.FAILED, command.key, job, job["tenantId"]))
    element = writer.state.elements.get(job["elementInstanceKey"])
    if element is not None:
        for name, text in document.items():
            set_local(writer, job["elementInstanceKey"], name, text, element["v"])
    if retries <= 0 and element is not None:
        message = job["errorMessage"] or "No more retries left."
        raise_incident(
            writer,
            job["elementInstanceKey"],
            element["v"],
            ErrorType.JOB_NO_RETRIES,
            message,
            job_key=command.key,
        )


def throw_error(writer: Writer, command: Record) -> None:
    found = _job_and_document(writer, command)
    if found is None:
        return
    row, document = found
    code = str(command.value.get("errorCode", ""))
    message = str(command.value.get("errorMessage", ""))
    job = {**row["v"], "errorCode": code, "errorMessage": message}
    writer.respond(writer.event(_JOB, JobIntent.ERROR_THROWN, command.key, job, job["tenantId"]))
    element = writer.state.elements.get(job["elementInstanceKey"])
    if element is None:
        return
    if not throw_error_event(writer, job["elementInstanceKey"], code, document):
        reason = (
            f"Expected to throw an error event with the code '{code}' with message '{message}', "
            "but it was not caught. No error events are available in the scope."
        )
        raise_incident(
            writer,
            job["elementInstanceKey"],
            element["v"],
            ErrorType.UNHANDLED_ERROR_EVENT,
            reason,
            job_key=command.key,
        )


def _updatable(writer: Writer, command: Record) -> dict[str, Any] | None:
    """The job an UPDATE_RETRIES / UPDATE_TIMEOUT command names, or None after rejecting it (Zeebe 8.6+'s
    ``JobUpdateBehaviour`` wording)."""
    row = writer.state.jobs.get(command.key)
    if row is None or row["v"]["tenantId"] != command.tenant:
        reason = f"Expected to update job with key '{command.key}', but no such job was found"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return None
    return row


def update_retries(writer: Writer, command: Record) -> None:
    row = _updatable(writer, command)
    if row is None:
        return
    retries = int(command.value.get("retries", 0))
    if retries < 1:
        reason = (
            f"Expected to update retries for job with key '{command.key}' with a positive amount of retries, "
            f"but the amount given was '{retries}'"
        )
        writer.reject(command, RejectionType.INVALID_ARGUMENT, reason)
        return
    job = {**row["v"], "retries": retries}
    writer.respond(writer.event(_JOB, JobIntent.RETRIES_UPDATED, command.key, job, job["tenantId"]))


def update_timeout(writer: Writer, command: Record) -> None:
    """The deadline becomes now + timeout; only an activated job has one."""
    row = _updatable(writer, command)
    if row is None:
        return
    if row["s"] != ACTIVATED:
        reason = f"Expected to update the timeout of job with key '{command.key}', but it is not active"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    timeout = int(command.value.get("timeout", 0))
    job = {**row["v"], "deadline": writer.timestamp + timeout}
    writer.respond(writer.event(_JOB, JobIntent.TIMEOUT_UPDATED, command.key, job, job["tenantId"]))


def time_out(writer: Writer, command: Record) -> None:
    row = _job(writer, command, (ACTIVATED,))
    if row is None:
        return
    if row["v"]["deadline"] > writer.timestamp:
        writer.reject(command, RejectionType.INVALID_STATE, f"Job '{command.key}' has not timed out yet")
        return
    job = {**row["v"], "deadline": -1, "worker": ""}
    writer.respond(writer.event(_JOB, JobIntent.TIMED_OUT, command.key, job, job["tenantId"]))


def recur(writer: Writer, command: Record) -> None:
    row = _job(writer, command, (FAILED,))
    if row is None:
        return
    job = {**row["v"], "recurringTime": -1}
    writer.respond(writer.event(_JOB, JobIntent.RECURRED_AFTER_BACKOFF, command.key, job, job["tenantId"]))


def activate_jobs(writer: Writer, command: Record) -> None:
    """JOB_BATCH ACTIVATE: hands out up to ``maxJobsToActivate`` jobs of a type, with their variables."""
    value = command.value
    job_type = str(value.get("type") or "")
    worker = str(value.get("worker") or "")
    timeout = int(value.get("timeout") or 0)
    limit = int(value.get("maxJobsToActivate") or 0)
    problem = _activation_problem(job_type, timeout, limit)
    if problem:
        writer.reject(command, RejectionType.INVALID_ARGUMENT, problem)
        return
    tenants = value.get("tenantIds") or [command.tenant]
    fetch = [str(name) for name in value.get("fetchVariable") or []]
    keys: list[int] = []
    jobs: list[dict[str, Any]] = []
    for tenant in tenants:
        for job_key in writer.state.jobs.activatable(tenant, job_type)[: limit - len(keys)]:
            row = writer.state.jobs.get(job_key)
            assert row is not None
            variables = _job_variables(writer, row["v"]["elementInstanceKey"], fetch)
            deadline = writer.timestamp + timeout
            jobs.append({**row["v"], "deadline": deadline, "worker": worker, "variables": variables})
            keys.append(job_key)
    batch = {**value, "jobKeys": keys, "jobs": jobs, "truncated": False}
    writer.respond(writer.event(ValueType.JOB_BATCH, JobBatchIntent.ACTIVATED, writer.next_key(), batch))


def _activation_problem(job_type: str, timeout: int, limit: int) -> str:
    if not job_type:
        return "Expected to activate jobs with a non-empty type, but the type was empty"
    if timeout < 1:
        return f"Expected to activate jobs with a timeout greater than zero, but it was '{timeout}'"
    if limit < 1:
        return f"Expected to activate jobs with a maximum of jobs greater than zero, but it was '{limit}'"
    return ""


def _job_variables(writer: Writer, element_key: int, fetch: list[str]) -> str:
    texts = writer.state.variables.visible_texts(element_key)
    if fetch:
        texts = {name: texts[name] for name in fetch if name in texts}
    return "{" + ",".join(f"{json.dumps(name)}:{text}" for name, text in texts.items()) + "}"


JOB_PROCESSORS = {
    JobIntent.COMPLETE: complete_job,
    JobIntent.FAIL: fail_job,
    JobIntent.THROW_ERROR: throw_error,
    JobIntent.UPDATE_RETRIES: update_retries,
    JobIntent.UPDATE_TIMEOUT: update_timeout,
    JobIntent.TIME_OUT: time_out,
    JobIntent.RECUR_AFTER_BACKOFF: recur,
}
