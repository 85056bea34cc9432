"""The HTTP JSON API over the Engine port: deploy, start and inspect instances, work jobs, publish messages.

Small on purpose; a later issue grows it into the full REST API. Every write is one engine command and is
answered only once the command's events are durable. Errors are RFC 9457 problem documents (``problems.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request

from cadenza import __version__
from cadenza.api.limits import BodyLimit
from cadenza.api.problems import Problem, install_handlers, rejection_problem
from cadenza.api.schemas import (
    ActivateJobs,
    CompleteJob,
    CreateInstance,
    Deployment,
    FailJob,
    PublishMessage,
    variables_text,
)
from cadenza.api.views import instance_view, job_view
from cadenza.api.workspace import install_workspace
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.port import EnginePort
from cadenza.xmlsafe import DEFAULT_MAX_BYTES

__all__ = ["DEFAULT_MAX_VARIABLES_BYTES", "create_app"]

DEFAULT_MAX_VARIABLES_BYTES = 4 * 1024 * 1024

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
router = APIRouter()


class _Context:
    def __init__(self, engine: EnginePort, max_variables_bytes: int) -> None:
        self.engine = engine
        self.limit = max_variables_bytes

    def variables(self, document: Any) -> str:
        return variables_text(document, self.limit)

    async def accepted(
        self, value_type: ValueType, intent: str, value: dict[str, Any], key: int = -1
    ) -> Record:
        """Submits one command; a rejection becomes its problem (400/404/409), a failed commit a 503."""
        try:
            response = await self.engine.submit(value_type, intent, value, key=key)
        except Exception as error:  # the store refused the batch: nothing of it is durable
            raise Problem(503, f"the command was not committed: {error}", kind="not-committed") from error
        if response.record_type is RecordType.COMMAND_REJECTION:
            raise rejection_problem(response)
        return response


def _context(request: Request) -> _Context:
    context: _Context = request.app.state.cadenza
    return context


Ctx = Annotated[_Context, Depends(_context)]


def create_app(
    engine: EnginePort,
    *,
    max_variables_bytes: int = DEFAULT_MAX_VARIABLES_BYTES,
    lifespan: Lifespan | None = None,
) -> FastAPI:
    """The ASGI app; ``lifespan`` starts and stops what the app serves (the engine, demo workers)."""
    app = FastAPI(title="Cadenza", version=__version__, lifespan=lifespan)
    app.state.cadenza = _Context(engine, max_variables_bytes)
    install_handlers(app)
    app.add_middleware(
        BodyLimit, max_variables_bytes=max_variables_bytes, max_deployment_bytes=4 * DEFAULT_MAX_BYTES
    )
    app.include_router(router)
    install_workspace(app, engine)
    return app


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "UP", "version": __version__}


@router.post("/v1/deployments")
async def deploy(body: Deployment, ctx: Ctx) -> dict[str, Any]:
    resources = [{"resourceName": r.name, "resource": r.content} for r in body.resources]
    response = await ctx.accepted(ValueType.DEPLOYMENT, "CREATE", {"resources": resources})
    value = response.value
    processes = [
        {k: p.get(k) for k in ("bpmnProcessId", "version", "processDefinitionKey", "resourceName")}
        for p in value.get("processesMetadata", [])
    ]
    drgs = value.get("decisionRequirementsMetadata", [])
    return {"key": response.key, "processes": processes, "decisionRequirements": drgs}


@router.post("/v1/process-instances")
async def create_instance(body: CreateInstance, ctx: Ctx) -> dict[str, Any]:
    value = {"bpmnProcessId": body.bpmnProcessId, "version": body.version}
    value["variables"] = ctx.variables(body.variables)
    if not body.withResult:
        created = await ctx.accepted(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)
        return _created(created)
    try:
        created, variables = await ctx.engine.create_with_result(
            value, request_timeout_ms=body.requestTimeoutMs
        )
    except TimeoutError:
        detail = f"the instance did not complete within {body.requestTimeoutMs} ms; it is still running"
        raise Problem(504, detail, kind="result-timeout") from None
    except RuntimeError as error:  # the instance was terminated before it completed
        raise Problem(409, str(error), kind="terminated") from None
    if created.record_type is RecordType.COMMAND_REJECTION:
        raise rejection_problem(created)
    return {**_created(created), "variables": variables}


def _created(record: Record) -> dict[str, Any]:
    names = ("processInstanceKey", "bpmnProcessId", "version", "processDefinitionKey", "businessKey")
    return {name: record.value[name] for name in names if name in record.value}


@router.get("/v1/process-instances/{key}")
async def show_instance(key: int, ctx: Ctx) -> dict[str, Any]:
    records = await ctx.engine.history(key)
    if not records:
        raise Problem(404, f"no process instance with key '{key}' was found")
    return instance_view(key, records)


@router.post("/v1/process-instances/{key}/cancel")
async def cancel_instance(key: int, ctx: Ctx) -> dict[str, Any]:
    await ctx.accepted(ValueType.PROCESS_INSTANCE, "CANCEL", {}, key)
    return {"processInstanceKey": key, "state": "terminating"}


@router.post("/v1/jobs/activate")
async def activate_jobs(body: ActivateJobs, ctx: Ctx) -> dict[str, Any]:
    value: dict[str, Any] = {
        "type": body.type,
        "worker": body.worker,
        "timeout": body.timeout,
        "maxJobsToActivate": body.maxJobs,
    }
    if body.fetchVariables is not None:
        value["fetchVariable"] = body.fetchVariables
    response = await ctx.engine.activate_jobs(value, request_timeout_ms=body.requestTimeoutMs)
    if response.record_type is RecordType.COMMAND_REJECTION:
        raise rejection_problem(response)
    batch = response.value
    return {"jobs": [job_view(k, j) for k, j in zip(batch["jobKeys"], batch["jobs"], strict=True)]}


@router.post("/v1/jobs/{key}/complete")
async def complete_job(key: int, ctx: Ctx, body: CompleteJob | None = None) -> dict[str, Any]:
    variables = ctx.variables(body.variables if body else None)
    await ctx.accepted(ValueType.JOB, "COMPLETE", {"variables": variables}, key)
    return {"jobKey": key, "state": "completed"}


@router.post("/v1/jobs/{key}/fail")
async def fail_job(key: int, body: FailJob, ctx: Ctx) -> dict[str, Any]:
    value = {
        "retries": body.retries,
        "errorMessage": body.errorMessage,
        "retryBackoff": body.retryBackoff,
        "variables": ctx.variables(body.variables),
    }
    response = await ctx.accepted(ValueType.JOB, "FAIL", value, key)
    return {"jobKey": key, "state": "failed", "retries": response.value.get("retries")}


@router.post("/v1/incidents/{key}/resolve")
async def resolve_incident(key: int, ctx: Ctx) -> dict[str, Any]:
    await ctx.accepted(ValueType.INCIDENT, "RESOLVE", {}, key)
    return {"incidentKey": key, "state": "resolved"}


@router.post("/v1/messages")
async def publish_message(body: PublishMessage, ctx: Ctx) -> dict[str, Any]:
    value = {
        "name": body.name,
        "correlationKey": body.correlationKey,
        "timeToLive": body.timeToLive,
        "messageId": body.messageId,
        "variables": ctx.variables(body.variables),
    }
    response = await ctx.accepted(ValueType.MESSAGE, "PUBLISH", value)
    return {"messageKey": response.key}
