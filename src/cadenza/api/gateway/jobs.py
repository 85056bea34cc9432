"""Job RPCs: ActivateJobs (long polling), StreamActivatedJobs (push), and what workers do with a job.

A job is handed back (FAIL with its retries unchanged, activatable again at once) when it was activated for a
call that ends before the job reached the client: the client went away, or the call was cancelled. That is
what Zeebe's gateway does for ActivateJobs; for streams Zeebe yields the job (no FAILED record), which the
core has no command for, so streams hand back the same way as ActivateJobs.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway.base import RpcBase, engine_failure
from cadenza.api.gateway.convert import activated_job, tenant_ids
from cadenza.api.gateway.errors import Context, invalid, rejected, streaming, unary
from cadenza.core.records import Record, RecordType, ValueType

__all__ = ["JobRpcs"]

_JOB = ValueType.JOB
#: A stream waits for jobs in rounds of this length (it is woken as soon as a job becomes activatable).
_STREAM_ROUND_MS = 60_000
_UNSENT = "the job was activated for a client that went away before it was sent; handed back"

Jobs = list[tuple[int, dict[str, Any]]]


class JobRpcs(RpcBase):
    @streaming
    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: Context
    ) -> AsyncGenerator[pb.ActivateJobsResponse, None]:
        if not request.worker:
            raise invalid(
                "Command 'ACTIVATE' rejected with code 'INVALID_ARGUMENT': Expected to activate job batch "
                "with worker to be present, but it was blank"
            )
        value = _activation(request, request.maxJobsToActivate, "ActivateJobs")
        # Zeebe: 0 means the gateway's default long-polling timeout, a negative value no long polling.
        wait = request.requestTimeout
        wait = self.settings.long_polling_timeout_ms if wait == 0 else max(wait, 0)
        jobs = await self._activate(value, wait)
        if not jobs:
            return
        sent = False
        try:
            yield pb.ActivateJobsResponse(jobs=[activated_job(key, job) for key, job in jobs])
            sent = True
        finally:
            if not sent:
                self.in_background(self.engine.return_jobs(jobs, _UNSENT))

    @streaming
    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: Context
    ) -> AsyncGenerator[pb.ActivatedJob, None]:
        value = _activation(request, self.settings.stream_batch, "StreamActivatedJobs")
        while True:
            pending = await self._activate(value, _STREAM_ROUND_MS)
            try:
                while pending:
                    yield activated_job(*pending[0])
                    pending.pop(0)  # only once the stream asked for the next one: this one went out
            finally:
                if pending:
                    self.in_background(self.engine.return_jobs(pending, _UNSENT))

    async def _activate(self, value: dict[str, Any], wait_ms: int) -> Jobs:
        try:
            batch: Record = await self.engine.activate_jobs(
                value, request_timeout_ms=wait_ms, tenant=value["tenantIds"][0]
            )
        except Exception as error:
            raise engine_failure(error) from error
        if batch.record_type is RecordType.COMMAND_REJECTION:
            raise rejected(batch)
        return list(zip(batch.value["jobKeys"], batch.value["jobs"], strict=True))

    @unary
    async def CompleteJob(self, request: pb.CompleteJobRequest, context: Context) -> pb.CompleteJobResponse:
        value = {"variables": self.variables(request.variables, "CompleteJob")}
        await self.command_on(request.jobKey, _JOB, "COMPLETE", value)
        return pb.CompleteJobResponse()

    @unary
    async def FailJob(self, request: pb.FailJobRequest, context: Context) -> pb.FailJobResponse:
        value = {
            "retries": request.retries,
            "errorMessage": request.errorMessage,
            "retryBackoff": request.retryBackOff,
            "variables": self.variables(request.variables, "FailJob"),
        }
        await self.command_on(request.jobKey, _JOB, "FAIL", value)
        return pb.FailJobResponse()

    @unary
    async def ThrowError(self, request: pb.ThrowErrorRequest, context: Context) -> pb.ThrowErrorResponse:
        value = {
            "errorCode": request.errorCode,
            "errorMessage": request.errorMessage,
            "variables": self.variables(request.variables, "ThrowError"),
        }
        await self.command_on(request.jobKey, _JOB, "THROW_ERROR", value)
        return pb.ThrowErrorResponse()

    @unary
    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: Context
    ) -> pb.UpdateJobRetriesResponse:
        await self.command_on(request.jobKey, _JOB, "UPDATE_RETRIES", {"retries": request.retries})
        return pb.UpdateJobRetriesResponse()

    @unary
    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: Context
    ) -> pb.UpdateJobTimeoutResponse:
        if request.timeout < 1:
            raise invalid(
                "Expected to handle gRPC request UpdateJobTimeout, but property 'timeout' is "
                f"'{request.timeout}': it must be at least 1 ms"
            )
        await self.command_on(request.jobKey, _JOB, "UPDATE_TIMEOUT", {"timeout": request.timeout})
        return pb.UpdateJobTimeoutResponse()


def _activation(
    request: pb.ActivateJobsRequest | pb.StreamActivatedJobsRequest, limit: int, rpc: str
) -> dict[str, Any]:
    """The JOB_BATCH ACTIVATE value; type, timeout and count are checked by the engine (its rejection)."""
    value: dict[str, Any] = {
        "type": request.type,
        "worker": request.worker,
        "timeout": request.timeout,
        "maxJobsToActivate": limit,
        "tenantIds": tenant_ids(request.tenantIds, rpc),
    }
    if request.fetchVariable:
        value["fetchVariable"] = list(request.fetchVariable)
    return value
