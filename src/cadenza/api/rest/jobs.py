"""Jobs and messages for scripts and the ``cadenza`` client commands (workers mostly use gRPC)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cadenza.api.problems import rejection_problem
from cadenza.api.rest.deps import CurrentUser, Svc, key_tenant, parse_key, tenant_for
from cadenza.api.schemas import ActivateJobs, CompleteJob, FailJob, PublishMessage
from cadenza.api.views import job_view
from cadenza.core.records import RecordType, ValueType

__all__ = ["router"]

router = APIRouter(tags=["jobs"])


@router.post("/v1/jobs/activate")
async def activate_jobs(body: ActivateJobs, services: Svc, user: CurrentUser) -> dict[str, Any]:
    value: dict[str, Any] = {
        "type": body.type,
        "worker": body.worker,
        "timeout": body.timeout,
        "maxJobsToActivate": body.maxJobs,
        "tenantIds": list(user.tenants),
    }
    if body.fetchVariables is not None:
        value["fetchVariable"] = body.fetchVariables
    response = await services.engine.activate_jobs(
        value, request_timeout_ms=body.requestTimeoutMs, tenant=user.tenants[0]
    )
    if response.record_type is RecordType.COMMAND_REJECTION:
        raise rejection_problem(response)
    batch = response.value
    return {"jobs": [job_view(k, j) for k, j in zip(batch["jobKeys"], batch["jobs"], strict=True)]}


@router.post("/v1/jobs/{key}/complete")
async def complete_job(
    key: str, services: Svc, user: CurrentUser, body: CompleteJob | None = None
) -> dict[str, Any]:
    number = parse_key(key, "job")
    variables = services.variables(body.variables if body else None)
    tenant = await key_tenant(services, user, number)
    done = await services.accepted(
        ValueType.JOB, "COMPLETE", {"variables": variables}, key=number, tenant=tenant
    )
    await services.settled(done)  # the views (executions, incidents, tasks) show what the completion did
    return {"jobKey": number, "state": "completed"}


@router.post("/v1/jobs/{key}/fail")
async def fail_job(key: str, body: FailJob, services: Svc, user: CurrentUser) -> dict[str, Any]:
    number = parse_key(key, "job")
    value = {
        "retries": body.retries,
        "errorMessage": body.errorMessage,
        "retryBackoff": body.retryBackoff,
        "variables": services.variables(body.variables),
    }
    tenant = await key_tenant(services, user, number)
    response = await services.accepted(ValueType.JOB, "FAIL", value, key=number, tenant=tenant)
    await services.settled(response)
    return {"jobKey": number, "state": "failed", "retries": response.value.get("retries")}


@router.post("/v1/messages")
async def publish_message(body: PublishMessage, services: Svc, user: CurrentUser) -> dict[str, Any]:
    value = {
        "name": body.name,
        "correlationKey": body.correlationKey,
        "timeToLive": body.timeToLive,
        "messageId": body.messageId,
        "variables": services.variables(body.variables),
    }
    response = await services.accepted(ValueType.MESSAGE, "PUBLISH", value, tenant=tenant_for(user, None))
    return {"messageKey": response.key}
