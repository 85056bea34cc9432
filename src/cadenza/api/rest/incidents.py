"""Incidents: listed from the ``incidents_view``; resolve, and retry (the job's retries, then resolve)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cadenza.api.problems import Problem
from cadenza.api.rest.deps import CurrentUser, Services, Svc, iso, parse_key
from cadenza.api.rest.pagination import MAX_LIMIT, decode_cursor, page
from cadenza.core.records import ValueType
from cadenza.identity import Principal
from cadenza.store.views_schema import incidents_view

__all__ = ["router"]

router = APIRouter(tags=["incidents"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


class Retry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retries: int = Field(default=1, ge=1, le=1000)


def _item(row: Any) -> dict[str, Any]:
    return {
        "key": str(row.key),
        "processInstanceKey": str(row.process_instance_key),
        "bpmnProcessId": row.bpmn_process_id,
        "elementId": row.element_id,
        "elementInstanceKey": str(row.element_instance_key),
        "errorType": row.error_type,
        "errorMessage": row.error_message,
        "jobKey": str(row.job_key) if row.job_key > 0 else None,
        "state": row.state,
        "createdAt": iso(row.created_at),
        "tenantId": row.tenant,
    }


@router.get("/v1/incidents")
async def list_incidents(
    services: Svc,
    user: CurrentUser,
    state: Literal["active", "resolved"] | None = None,
    processInstanceKey: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    query = select(incidents_view).where(incidents_view.c.tenant.in_(user.tenants))
    if state:
        query = query.where(incidents_view.c.state == state)
    if processInstanceKey:
        query = query.where(
            incidents_view.c.process_instance_key == parse_key(processInstanceKey, "execution")
        )
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(incidents_view.c.key < int(after[0]))
    rows = await services.views.rows(query.order_by(incidents_view.c.key.desc()).limit(limit + 1))
    return page([_item(r) for r in rows], rows, limit, lambda r: [r.key])


async def _incident(services: Services, user: Principal, key: str) -> Any:
    number = parse_key(key, "incident")
    row = await services.views.first(
        select(incidents_view).where(
            incidents_view.c.key == number, incidents_view.c.tenant.in_(user.tenants)
        )
    )
    if row is None:
        raise Problem(404, f"no incident with key '{key}' was found")
    return row


@router.post("/v1/incidents/{key}/resolve")
async def resolve_incident(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    row = await _incident(services, user, key)
    done = await services.accepted(ValueType.INCIDENT, "RESOLVE", {}, key=row.key, tenant=row.tenant)
    await services.settled(done)
    return {"key": key, "state": "resolved"}


@router.post("/v1/incidents/{key}/retry")
async def retry_incident(
    key: str, services: Svc, user: CurrentUser, body: Retry | None = None
) -> dict[str, Any]:
    row = await _incident(services, user, key)
    retries = body.retries if body else 1
    if row.job_key > 0:
        await services.accepted(
            ValueType.JOB, "UPDATE_RETRIES", {"retries": retries}, key=row.job_key, tenant=row.tenant
        )
    done = await services.accepted(ValueType.INCIDENT, "RESOLVE", {}, key=row.key, tenant=row.tenant)
    await services.settled(done)
    return {"key": key, "state": "resolved", "retries": retries}
