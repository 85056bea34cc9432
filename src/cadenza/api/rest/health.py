"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select, text

from cadenza import __version__
from cadenza.api.problems import Problem
from cadenza.api.rest.deps import Svc
from cadenza.store.views_schema import sla_breaches

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", openapi_extra={"security": []})
async def health() -> dict[str, str]:
    return {"status": "UP", "version": __version__}


@router.get("/ready", openapi_extra={"security": []})
async def ready(services: Svc) -> dict[str, Any]:
    if not services.engine_running():
        raise Problem(503, "the engine's writer is not running", kind="not-ready")
    try:
        await services.views.rows(text("SELECT 1"))
    except Exception as error:
        raise Problem(503, f"the store does not answer: {error}", kind="not-ready") from None
    return {"status": "READY", "exportedPosition": services.exporter.position}


@router.get("/metrics", response_class=PlainTextResponse, openapi_extra={"security": []})
async def metrics(services: Svc) -> str:
    """Prometheus text format. The breach count is the durable one (the table), so it survives restarts."""
    breaches = await services.views.scalar(select(func.count()).select_from(sla_breaches)) or 0
    return (
        "# HELP cadenza_sla_breaches_total User tasks whose due date passed while open.\n"
        "# TYPE cadenza_sla_breaches_total counter\n"
        f"cadenza_sla_breaches_total {breaches}\n"
        "# HELP cadenza_exported_position The last log position the API's views include.\n"
        "# TYPE cadenza_exported_position gauge\n"
        f"cadenza_exported_position {services.exporter.position}\n"
    )
