"""The worker runtime on pyzeebe: the same workers run against Cadenza's gateway or a Zeebe cluster.

:func:`register_connectors` makes each connector's job types pyzeebe tasks of a ``ZeebeWorker``;
:func:`build_worker` opens the channel (plaintext or TLS, with an optional bearer token) and registers them;
:func:`run_worker` runs until SIGINT/SIGTERM or a stop event, then stops gracefully: no more activations, jobs
in hand are finished and reported, connector resources closed, the channel closed.

How an outcome reaches the gateway: a completion is the task function's return value (pyzeebe completes the
job); a failure or a BPMN error is raised as :class:`_Report` and carried out by the task's exception handler,
because pyzeebe's ``JobController.set_failure_status`` always sends retries - 1, while a connector may need
0 (bad inputs) or the count ``jobError`` chose.
"""

# No ``from __future__ import annotations`` here: pyzeebe finds the job parameter by comparing the task
# function's annotation with the ``Job`` class itself, which a string annotation would not equal.

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc
from pyzeebe import Job, JobController, ZeebeWorker

from cadenza.workers.connector import DEFAULT_TENANT, Connector, JobInfo
from cadenza.workers.connectors import builtin_connectors
from cadenza.workers.execute import run_job
from cadenza.workers.outcome import Complete, Fail, Outcome, Throw
from cadenza.workers.secrets import CredentialStore, FileCredentialStore, MemoryCredentialStore
from cadenza.workers.settings import WorkerConfig

__all__ = [
    "build_worker",
    "credential_store",
    "job_info",
    "open_channel",
    "register_connectors",
    "run_worker",
    "select_connectors",
]

logger = logging.getLogger("cadenza.workers")


class _Report(Exception):
    """Carries a failure or a BPMN error from the task function to its exception handler."""

    def __init__(self, outcome: Fail | Throw) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def job_info(job: Job) -> JobInfo:
    return JobInfo(
        key=job.key,
        type=job.type,
        variables=job.variables,
        custom_headers=job.custom_headers,
        retries=job.retries,
        bpmn_process_id=job.bpmn_process_id,
        process_instance_key=job.process_instance_key,
        element_id=job.element_id,
        tenant_id=job.tenant_id or DEFAULT_TENANT,
    )


def register_connectors(
    worker: ZeebeWorker, connectors: Sequence[Connector], credentials: CredentialStore, *, max_jobs: int = 32
) -> None:
    """Registers every job type of every connector as a task of ``worker``."""

    async def report(error: Exception, job: Job, controller: JobController) -> None:
        outcome = (
            error.outcome if isinstance(error, _Report) else Fail(f"worker fault: {error}", job.retries - 1)
        )
        await _send(worker, job, controller, outcome)

    for connector in connectors:
        for job_type in connector.job_types:
            worker.task(
                job_type,
                exception_handler=report,
                variables_to_fetch=connector.variables_to_fetch,
                timeout_ms=connector.timeout_ms,
                max_jobs_to_activate=max_jobs,
                max_running_jobs=max_jobs,
            )(_task_function(connector, credentials))


def _task_function(connector: Connector, credentials: CredentialStore) -> Any:
    async def run(job: Job, **_fetched: Any) -> dict[str, Any]:
        outcome = await run_job(connector, job_info(job), credentials)
        if isinstance(outcome, Complete):
            return outcome.variables
        raise _Report(outcome)

    return run


async def _send(worker: ZeebeWorker, job: Job, controller: JobController, outcome: Outcome) -> None:
    if isinstance(outcome, Throw):
        await controller.set_error_status(
            outcome.message, error_code=outcome.code, variables=outcome.variables
        )
    elif isinstance(outcome, Fail):
        logger.info(
            "job %s (%s) failed, %s retries left: %s", job.key, job.type, outcome.retries, outcome.message
        )
        await worker.zeebe_adapter.fail_job(
            job_key=job.key,
            retries=max(outcome.retries, 0),
            message=outcome.message,
            retry_back_off_ms=outcome.backoff_ms,
            variables=outcome.variables,
        )


def _with_token(details: grpc.aio.ClientCallDetails, header: tuple[str, str]) -> grpc.aio.ClientCallDetails:
    return grpc.aio.ClientCallDetails(
        method=details.method,
        timeout=details.timeout,
        metadata=grpc.aio.Metadata(*(details.metadata or ()), header),
        credentials=details.credentials,
        wait_for_ready=details.wait_for_ready,
    )


# Two classes, not one inheriting both: grpc.aio files an interceptor under the first kind it is.
class _UnaryToken(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, header: tuple[str, str]) -> None:
        self._header = header

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(_with_token(details, self._header), request)


class _StreamToken(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, header: tuple[str, str]) -> None:
        self._header = header

    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(_with_token(details, self._header), request)


def open_channel(config: WorkerConfig) -> grpc.aio.Channel:
    """A channel to ``config.address``: plaintext or TLS (``ca_file`` or the system's CAs), with the token."""
    # ``authorization: Bearer <token>`` on every call, plaintext or TLS alike
    header = ("authorization", f"Bearer {config.token}")
    interceptors: list[grpc.aio.ClientInterceptor] | None = (
        [_UnaryToken(header), _StreamToken(header)] if config.token else None
    )
    if not config.tls:
        return grpc.aio.insecure_channel(config.address, interceptors=interceptors)
    roots = Path(config.ca_file).read_bytes() if config.ca_file else None
    credentials = grpc.ssl_channel_credentials(root_certificates=roots)
    return grpc.aio.secure_channel(config.address, credentials, interceptors=interceptors)


def select_connectors(available: Sequence[Connector], names: Sequence[str]) -> tuple[Connector, ...]:
    """The connectors named (all when ``names`` is empty); raises ValueError for an unknown name."""
    if not names:
        return tuple(available)
    by_name = {connector.name: connector for connector in available}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name))
        raise ValueError(f"unknown connector(s) {', '.join(unknown)}; the built-in ones are: {known}")
    return tuple(by_name[name] for name in dict.fromkeys(names))


def credential_store(config: WorkerConfig) -> CredentialStore:
    """The credentials file's store (raises CredentialFileError when it is bad), or an empty one."""
    if config.credentials_file is None:
        return MemoryCredentialStore()
    return FileCredentialStore(config.credentials_file)


def build_worker(
    config: WorkerConfig,
    connectors: Sequence[Connector],
    credentials: CredentialStore,
    channel: grpc.aio.Channel | None = None,
) -> ZeebeWorker:
    worker = ZeebeWorker(channel or open_channel(config), name=config.name)
    register_connectors(worker, connectors, credentials, max_jobs=config.max_jobs)
    return worker


async def run_worker(
    config: WorkerConfig,
    connectors: Sequence[Connector] | None = None,
    *,
    credentials: CredentialStore | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Runs ``connectors`` (default: the built-in ones ``config.connectors`` names) with secrets from
    ``credentials`` (default: ``config.credentials_file``) until ``stop`` is set or, with ``handle_signals``,
    SIGINT/SIGTERM arrives."""
    chosen = (
        tuple(connectors)
        if connectors
        else select_connectors(builtin_connectors(config.http), config.connectors)
    )
    credentials = credentials or credential_store(config)
    channel = open_channel(config)
    worker = build_worker(config, chosen, credentials, channel)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    working = asyncio.create_task(worker.work())
    try:
        await _until_stopped(working, stop)
        await worker.stop()  # stops polling, then waits for the jobs in hand
        await working
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
        if not working.done():
            working.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await working
        for connector in chosen:
            for resource in connector.resources:
                await resource.aclose()
        await channel.close()


async def _until_stopped(working: "asyncio.Task[None]", stop: asyncio.Event) -> None:
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if working.done():
        working.result()  # the worker ended by itself: raise its error
