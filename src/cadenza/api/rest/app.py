"""The app factory: every router, the problem handlers, body bounds, correlation ids and the web apps.

``OPTIONAL_ROUTERS`` names modules that may or may not exist (the modeler's workspace); each that imports is
included, so adding one is adding its module and one line here.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadenza import __version__
from cadenza.api.limits import BodyLimit
from cadenza.api.problems import install_handlers
from cadenza.api.rest import (
    approvals,
    auth,
    decisions,
    element_instances,
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
    element_instances.router,
)
#: Modules with a ``router`` that other components add (``cadenza.api.workspace`` is the modeler's).
OPTIONAL_ROUTERS = ("cadenza.api.workspace",)


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


class CorrelationId:
    """Echoes the caller's X-Correlation-Id (bounded, printable) or a new one, so its logs and ours line up.

    Plain ASGI rather than ``@app.middleware``: Starlette's BaseHTTPMiddleware runs each request in an extra
    task with memory streams, a cost every request would pay."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-correlation-id", b"")
        valid = 0 < len(given) <= 128 and given.isascii() and given.decode().isprintable()
        value = given if valid else uuid.uuid4().hex.encode()
        scope.setdefault("state", {})["correlation_id"] = value.decode()

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-correlation-id", value)]
            await send(message)

        await self.app(scope, receive, tagged)


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

    app.add_middleware(CorrelationId)
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
