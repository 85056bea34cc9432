"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from cadenza import __version__
from cadenza.api.problems import Problem
from cadenza.api.rest.deps import Svc

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "UP", "version": __version__}


@router.get("/ready")
async def ready(services: Svc) -> dict[str, Any]:
    if not services.engine_running():
        raise Problem(503, "the engine's writer is not running", kind="not-ready")
    try:
        with services.views.begin() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        raise Problem(503, f"the store does not answer: {error}", kind="not-ready") from None
    return {"status": "READY", "exportedPosition": services.exporter.position}
