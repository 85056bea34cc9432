"""The app factory: every router, the problem handlers, body bounds, correlation ids and the web apps.

``OPTIONAL_ROUTERS`` names modules that may or may not exist (the modeler's workspace); each that imports is
included, so adding one is adding its module and one line here.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi

from cadenza import __version__
from cadenza.api.limits import BodyLimit
from cadenza.api.problems import install_handlers
from cadenza.api.rest import (
    approvals,
    auth,
    decisions,
    executions,
    health,
    incidents,
    jobs,
    tasks,
    workflows,
)
from cadenza.api.rest.deps import Services
from cadenza.api.rest.web import mount_web_apps
from cadenza.xmlsafe import DEFAULT_MAX_BYTES

__all__ = ["OPTIONAL_ROUTERS", "PROBLEM_RESPONSES", "ROUTERS", "create_app"]

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    workflows.router,
    executions.router,
    incidents.router,
    decisions.router,
    tasks.router,
    approvals.router,
    jobs.router,
)
#: Modules with a ``router`` that other components add (``cadenza.api.workspace`` is the modeler's).
OPTIONAL_ROUTERS = ("cadenza.api.workspace",)
CORRELATION_HEADER = "X-Correlation-Id"


def _optional_routers() -> list[APIRouter]:
    found = []
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:  # the module exists but something it imports is missing: say so
                raise
            continue
        found.append(module.router)
    return found


def create_app(
    services: Services,
    *,
    lifespan: Lifespan | None = None,
    web_dir: Path | None = None,
) -> FastAPI:
    """The ASGI app; ``lifespan`` starts and stops what the app serves (the engine, exporters, workers)."""
    app = FastAPI(
        title="Cadenza",
        version=__version__,
        lifespan=lifespan,
        description="Cadenza's REST API: workflows, executions, incidents, decisions, tasks and approvals.",
    )
    app.state.services = services
    install_handlers(app)
    app.add_middleware(
        BodyLimit,
        max_variables_bytes=services.max_variables_bytes,
        max_deployment_bytes=4 * DEFAULT_MAX_BYTES,
    )

    @app.middleware("http")
    async def correlation(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # A caller's id (bounded, printable) is echoed so its logs and ours line up; otherwise we make one.
        given = request.headers.get(CORRELATION_HEADER, "")
        request.state.correlation_id = (
            given if given.isprintable() and 0 < len(given) <= 128 else uuid.uuid4().hex
        )
        response = await call_next(request)
        response.headers[CORRELATION_HEADER] = request.state.correlation_id
        return response

    for router in (*ROUTERS, *_optional_routers()):
        app.include_router(router, responses=PROBLEM_RESPONSES)
    mount_web_apps(app, web_dir)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
_PROBLEM_STATUSES = {
    400: "Invalid request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found (or another tenant's)",
    409: "Conflict with the current state",
    413: "Body or variables too large",
    422: "Decision evaluation failed",
    503: "Not committed, backpressure or views lagging",
    504: "Result not ready in time",
}
#: Every route may answer with these problem documents (RFC 9457).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": text,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, text in _PROBLEM_STATUSES.items()
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus the problem schema and the two ways to sign in."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = document.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "cadenza_session"},
        }
        document["security"] = [{"bearer": []}, {"session": []}]
        app.openapi_schema = document
    return app.openapi_schema
