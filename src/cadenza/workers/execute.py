"""One job through one connector, independent of any Zeebe client: inputs, call, rules, outcome.

:func:`run_job` never raises; whatever happens becomes an :class:`~cadenza.workers.outcome.Outcome` whose
message and variables hold no secret the call used.
"""

from __future__ import annotations

import logging
from typing import Any

from cadenza.workers.connector import Connector, ConnectorCall, JobInfo
from cadenza.workers.errors import ConnectorError, ConnectorInputError
from cadenza.workers.inputs import SecretResolver, read_inputs
from cadenza.workers.logs import redacting
from cadenza.workers.outcome import Complete, Fail, Outcome, TaskRules, Throw
from cadenza.workers.secrets import CredentialStore, Redactor

__all__ = ["run_job"]

# The package logger itself: the redacting filter sits on it (a logger's filters skip its children's records).
logger = logging.getLogger("cadenza.workers")


async def run_job(connector: Connector, job: JobInfo, credentials: CredentialStore) -> Outcome:
    """What ``job`` comes to when ``connector`` runs it with secrets from ``credentials``."""
    redactor = Redactor()
    with redacting(redactor):
        try:
            outcome = await _run(connector, job, credentials, redactor)
        except ConnectorInputError as error:
            # Retrying cannot repair wrong inputs or headers: no retries left, an incident now.
            outcome = Fail(f"{connector.title}: {error}", 0)
        return _redacted(outcome, redactor)


async def _run(
    connector: Connector, job: JobInfo, credentials: CredentialStore, redactor: Redactor
) -> Outcome:
    rules = TaskRules(job.custom_headers)
    resolver = SecretResolver(
        credentials, tenant_id=job.tenant_id, process_id=job.bpmn_process_id, redactor=redactor
    )
    inputs = read_inputs(connector.inputs, job.variables, resolver)
    result: dict[str, Any] | None = None
    failure: ConnectorError | None = None
    try:
        result = dict(await connector.handler(ConnectorCall(inputs, job, redactor)))
    except ConnectorInputError:
        raise
    except ConnectorError as error:
        failure = error
    except Exception as error:  # a fault in the handler: report it and let the retries decide
        logger.exception("connector %s failed on job %s", connector.name, job.key)
        failure = ConnectorError("UNEXPECTED", f"{type(error).__name__}: {error}")
    # The rules see the secrets only masked, so no expression can copy one into a variable.
    return rules.outcome(redactor.scrub(result), _masked(failure, redactor), job.retries)


def _masked(failure: ConnectorError | None, redactor: Redactor) -> ConnectorError | None:
    if failure is None or not redactor:
        return failure
    # the same class: a ConnectorBpmnError must stay one
    return type(failure)(
        redactor.text(failure.code), redactor.text(failure.message), redactor.scrub(failure.details)
    )


def _redacted(outcome: Outcome, redactor: Redactor) -> Outcome:
    if not redactor:
        return outcome
    if isinstance(outcome, Complete):
        return Complete(redactor.scrub(outcome.variables))
    if isinstance(outcome, Throw):
        return Throw(
            redactor.text(outcome.code), redactor.text(outcome.message), redactor.scrub(outcome.variables)
        )
    return Fail(
        redactor.text(outcome.message), outcome.retries, outcome.backoff_ms, redactor.scrub(outcome.variables)
    )
