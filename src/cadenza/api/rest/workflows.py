"""Workflows: deployed process definitions (listed from the ``workflows`` view), deploy, and execute."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from cadenza.api.problems import Problem, rejection_problem
from cadenza.api.rest.deploying import deploy_resources
from cadenza.api.rest.deps import CurrentUser, Services, Svc, iso, parse_key, tenant_for
from cadenza.api.rest.idempotency import request_hash
from cadenza.api.rest.pagination import MAX_LIMIT, decode_cursor, page
from cadenza.api.schemas import Deployment
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.identity import Principal
from cadenza.store.views_schema import executions, workflows

__all__ = ["router"]

router = APIRouter(tags=["workflows"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


class StartInstruction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    elementId: str


class Execute(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: Any JSON here, so a non-object gets the engine-wide sentence ("must be a JSON object, but was ...").
    variables: Any = None
    correlationId: str | None = Field(default=None, max_length=255)
    businessKey: str | None = Field(default=None, max_length=255)
    version: int = Field(default=-1, ge=-1, le=2**31 - 1)
    tenantId: str | None = None
    withResult: bool = False
    requestTimeoutMs: int = Field(default=10_000, ge=0, le=600_000)
    #: Zeebe's start instructions: start before these elements instead of at the none start event.
    startInstructions: list[StartInstruction] | None = None


def _item(row: Any) -> dict[str, Any]:
    return {
        "key": str(row.key),
        "bpmnProcessId": row.bpmn_process_id,
        "name": row.name,
        "version": row.version,
        "resourceName": row.resource_name,
        "tenantId": row.tenant,
        "deployedAt": iso(row.deployed_at),
    }


@router.get("/v1/workflows")
async def list_workflows(
    services: Svc,
    user: CurrentUser,
    bpmnProcessId: str | None = None,
    latest: bool = False,
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    query = select(workflows).where(workflows.c.tenant.in_(user.tenants))
    if bpmnProcessId:
        query = query.where(workflows.c.bpmn_process_id == bpmnProcessId)
    if latest:
        inner = workflows.alias("w")
        query = query.where(
            workflows.c.version
            == select(func.max(inner.c.version))
            .where(
                inner.c.tenant == workflows.c.tenant, inner.c.bpmn_process_id == workflows.c.bpmn_process_id
            )
            .scalar_subquery()
        )
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(workflows.c.key < int(after[0]))
    query = query.order_by(workflows.c.key.desc()).limit(limit + 1)
    rows = await services.views.rows(query)
    return page([_item(r) for r in rows], rows, limit, lambda r: [r.key])


async def _workflow_row(services: Services, user: Principal, key: str) -> Any:
    number = parse_key(key, "workflow")
    row = await services.views.first(
        select(workflows).where(workflows.c.key == number, workflows.c.tenant.in_(user.tenants))
    )
    if row is None:
        raise Problem(404, f"no workflow with key '{key}' was found")
    return row


@router.get("/v1/workflows/{key}")
async def get_workflow(key: str, services: Svc, user: CurrentUser) -> dict[str, Any]:
    from cadenza.bpmn import parse_bpmn

    row = await _workflow_row(services, user, key)
    process = parse_bpmn(row.resource.encode(), resource_name=row.resource_name).process(row.bpmn_process_id)
    elements = [
        {"elementId": node.id, "elementType": str(node.kind), "name": node.name}
        for node in process.elements.values()
    ]
    return {**_item(row), "elements": elements}


@router.get("/v1/workflows/{key}/xml", response_class=Response)
async def get_workflow_xml(key: str, services: Svc, user: CurrentUser) -> Response:
    return Response((await _workflow_row(services, user, key)).resource, media_type="application/xml")


@router.post(
    "/v1/workflows",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Deployment"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                        },
                    }
                },
            },
        }
    },
)
async def deploy(request: Request, services: Svc, user: CurrentUser) -> dict[str, Any]:
    """Deploys BPMN, DMN and form resources: JSON ``{resources: [{name, content}]}`` or multipart files."""
    kind = request.headers.get("content-type", "")
    tenant = None
    if kind.startswith("multipart/form-data"):
        resources = await _uploaded(request)
    else:
        try:
            body = Deployment.model_validate_json(await request.body())
        except ValueError as error:
            raise Problem(400, f"invalid deployment request: {error}", kind="invalid-request") from None
        resources = [(r.name, r.content) for r in body.resources]
        tenant = body.tenantId
    return await deploy_resources(services, user, resources, tenant)


async def _uploaded(request: Request) -> list[tuple[str, str]]:
    resources = []
    async with request.form() as form:  # closes the spooled files, however the request ends
        for part in form.getlist("files"):
            if isinstance(part, str):
                raise Problem(400, "each 'files' part must be a file")
            data = await part.read()
            try:
                resources.append((part.filename or "resource", data.decode("utf-8")))
            except UnicodeDecodeError:
                raise Problem(400, f"'{part.filename}' is not UTF-8 text") from None
    if not resources:
        raise Problem(400, "no 'files' parts in the request")
    return resources


@router.post("/v1/workflows/{bpmnProcessId}/execute")
async def execute(
    bpmnProcessId: str,
    body: Execute,
    services: Svc,
    user: CurrentUser,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    tenant = tenant_for(user, body.tenantId)
    if idempotency_key is None:
        return await _execute(services, tenant, bpmnProcessId, body)
    keys = services.idempotency
    digest = request_hash(bpmnProcessId, body.model_dump(mode="json"))
    async with keys.held(tenant, idempotency_key):
        stored = await asyncio.to_thread(keys.replay, tenant, idempotency_key, digest)
        if stored is not None:
            response.headers["Idempotent-Replayed"] = "true"
            return stored
        answer = await _execute(services, tenant, bpmnProcessId, body)
        now = int(services.clock() * 1000)
        await services.views.run_write(keys.remember, tenant, idempotency_key, digest, answer, now)
        return answer


async def _execute(services: Services, tenant: str, process_id: str, body: Execute) -> dict[str, Any]:
    value: dict[str, Any] = {
        "bpmnProcessId": process_id,
        "version": body.version,
        "variables": services.variables(body.variables),
        "tenantId": tenant,
    }
    if body.businessKey:
        value["businessKey"] = body.businessKey
    if body.startInstructions:
        value["startInstructions"] = [{"elementId": i.elementId} for i in body.startInstructions]
    variables = None
    if body.withResult:
        created, variables = await _with_result(services, value, tenant, body.requestTimeoutMs)
    else:
        created = await services.accepted(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value, tenant=tenant)
    key = created.value["processInstanceKey"]
    if body.correlationId:  # the execution's row must exist before it can carry the id
        await services.settled(created)
        await services.views.run_write(_tag, services, key, body.correlationId)
    answer = _created(created, body.correlationId)
    if variables is not None:
        answer["variables"] = variables
    return answer


async def _with_result(
    services: Services, value: dict[str, Any], tenant: str, timeout_ms: int
) -> tuple[Record, dict[str, Any]]:
    try:
        created, variables = await services.engine.create_with_result(
            value, request_timeout_ms=timeout_ms, tenant=tenant
        )
    except TimeoutError:
        detail = f"the instance did not complete within {timeout_ms} ms; it is still running"
        raise Problem(504, detail, kind="result-timeout") from None
    except RuntimeError as error:  # the instance was terminated before it completed
        raise Problem(409, str(error), kind="terminated") from None
    if created.record_type is RecordType.COMMAND_REJECTION:
        raise rejection_problem(created)
    return created, variables


def _tag(services: Services, key: int, correlation_id: str) -> None:
    with services.views.begin() as conn:
        conn.execute(executions.update().where(executions.c.key == key).values(correlation_id=correlation_id))


def _created(record: Record, correlation_id: str | None) -> dict[str, Any]:
    value = record.value
    return {
        "key": str(value["processInstanceKey"]),
        "processInstanceKey": str(value["processInstanceKey"]),
        "bpmnProcessId": value["bpmnProcessId"],
        "version": value["version"],
        "processDefinitionKey": str(value["processDefinitionKey"]),
        "businessKey": value.get("businessKey") or None,
        "correlationId": correlation_id,
    }
