"""Executions (process instances): the list from the ``executions`` view; one execution, its variables,
history and graph from its committed records (so they show exactly what is durable)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from cadenza.api.problems import Problem
from cadenza.api.replay import graph_at
from cadenza.api.rest.deps import CurrentUser, Services, Svc, iso, parse_key
from cadenza.api.rest.pagination import MAX_LIMIT, decode_cursor, page
from cadenza.api.views import history_line, instance_view
from cadenza.core.records import Record, ValueType
from cadenza.identity import Principal
from cadenza.store.views_schema import executions

__all__ = ["router"]

router = APIRouter(tags=["executions"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
State = Literal["active", "completed", "canceled", "incident"]


class VariablesPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Any]
    local: bool = False


def _item(row: Any) -> dict[str, Any]:
    state = "incident" if row.state == "active" and row.incident_count > 0 else row.state
    return {
        "key": str(row.key),
        "processDefinitionKey": str(row.process_definition_key),
        "bpmnProcessId": row.bpmn_process_id,
        "version": row.version,
        "state": state,
        "startedAt": iso(row.started_at),
        "endedAt": iso(row.ended_at),
        "businessKey": row.business_key or None,
        "correlationId": row.correlation_id,
        "incidentCount": row.incident_count,
        "tenantId": row.tenant,
    }


@router.get("/v1/executions")
async def list_executions(
    services: Svc,
    user: CurrentUser,
    bpmnProcessId: str | None = None,
    state: State | None = None,
    correlationId: str | None = None,
    businessKey: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    query = select(executions).where(executions.c.tenant.in_(user.tenants))
    if bpmnProcessId:
        query = query.where(executions.c.bpmn_process_id == bpmnProcessId)
    if state == "incident":
        query = query.where(executions.c.state == "active", executions.c.incident_count > 0)
    elif state == "active":
        query = query.where(executions.c.state == "active", executions.c.incident_count == 0)
    elif state is not None:
        query = query.where(executions.c.state == state)
    if correlationId:
        query = query.where(executions.c.correlation_id == correlationId)
    if businessKey:
        query = query.where(executions.c.business_key == businessKey)
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(executions.c.key < int(after[0]))
    rows = await services.views.rows(query.order_by(executions.c.key.desc()).limit(limit + 1))
    return page([_item(r) for r in rows], rows, limit, lambda r: [r.key])


async def _records(services: Services, user: Principal, key: str) -> tuple[int, list[Record]]:
    number = parse_key(key, "execution")
    records = await services.engine.history(number)
    if not records or records[0].tenant not in user.tenants:
        raise Problem(404, f"no execution with key '{key}' was found")
    return number, records


async def _correlation_id(services: Services, key: int) -> str | None:
    found: str | None = await services.views.scalar(
        select(executions.c.correlation_id).where(executions.c.key == key)
    )
    return found


@router.get("/v1/executions/{key}")
async def get_execution(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    number, records = await _records(services, user, key)
    return {**instance_view(number, records), "correlationId": await _correlation_id(services, number)}


@router.post("/v1/executions/{key}/cancel")
async def cancel_execution(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    number, records = await _records(services, user, key)
    await services.accepted(ValueType.PROCESS_INSTANCE, "CANCEL", {}, key=number, tenant=records[0].tenant)
    return {"key": key, "state": "canceling"}


@router.get("/v1/executions/{key}/variables")
async def get_variables(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    number, records = await _records(services, user, key)
    return {"variables": instance_view(number, records)["variables"]}


@router.patch("/v1/executions/{key}/variables")
async def patch_variables(key: str, body: VariablesPatch, services: Svc, user: CurrentUser) -> dict[str, Any]:
    number, records = await _records(services, user, key)
    value = {
        "scopeKey": number,
        "variables": services.variables(body.variables),
        "updateSemantics": "LOCAL" if body.local else "PROPAGATE",
    }
    await services.accepted(ValueType.VARIABLE_DOCUMENT, "UPDATE", value, tenant=records[0].tenant)
    number, records = await _records(services, user, key)
    return {"variables": instance_view(number, records)["variables"]}


@router.get("/v1/executions/{key}/history")
async def get_history(
    key: str, services: Svc, user: CurrentUser, cursor: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    _, records = await _records(services, user, key)
    after = decode_cursor(cursor, 1)
    shown = [r for r in records if after is None or r.position > int(after[0])][: limit + 1]
    lines = [history_line(r) for r in shown]
    for line in lines:
        line["key"] = str(line["key"])
        line["at"] = iso(line["timestamp"])
    return page(lines, shown, limit, lambda r: [r.position])


@router.get("/v1/executions/{key}/graph")
async def get_graph(
    key: str, services: Svc, user: CurrentUser, position: int | None = None
) -> dict[str, Any]:
    number, records = await _records(services, user, key)
    # The modeler's history slider: the graph as it stood at ``position`` (cadenza.api.replay).
    return graph_at(number, records, position)
