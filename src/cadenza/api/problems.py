"""Errors as RFC 9457 problem documents: ``{"type", "title", "status", "detail"}``, application/problem+json.

Engine rejections keep the engine's reason as ``detail`` and its rejection type as an extension member.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cadenza.core.records import Record, RejectionType
from cadenza.textsafe import has_lone_surrogate, surrogate_reason

__all__ = ["Problem", "install_handlers", "problem_response", "rejection_problem"]

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_STATUS = {
    RejectionType.INVALID_ARGUMENT: 400,
    RejectionType.NOT_FOUND: 404,
    RejectionType.ALREADY_EXISTS: 409,
    RejectionType.INVALID_STATE: 409,
    RejectionType.EXCEEDED_BATCH_RECORD_SIZE: 413,
    RejectionType.FORBIDDEN: 403,
    RejectionType.PROCESSING_ERROR: 500,
}


class Problem(Exception):
    """Raised by a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _TITLES.get(status, "Error").lower().replace(" ", "-")
        self.extra = extra


def rejection_problem(record: Record) -> Problem:
    """The problem for an engine rejection: status by rejection type, the engine's reason as detail."""
    rejection = record.rejection_type
    status = _STATUS.get(rejection, 400)
    kind = str(rejection).lower().replace("_", "-") or "rejected"
    return Problem(status, record.rejection_reason, kind=kind, rejectionType=str(rejection))


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body = {
        "type": f"urn:cadenza:problem:{problem.kind}",
        "title": _TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        **({"instance": instance} if instance else {}),
        **problem.extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(
        body, status_code=problem.status, media_type="application/problem+json", headers=headers
    )


def _loc(item: Any) -> list[str]:
    """Where a validation error is, each part sendable: a name holding a lone surrogate comes escaped."""
    return [ascii(p)[1:-1] if has_lone_surrogate(str(p)) else str(p) for p in item.get("loc", ())]


def _validation_detail(error: RequestValidationError) -> str:
    """One readable sentence per problem: malformed JSON says where; a wrong field says which and why."""
    parts = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            reason = (item.get("ctx") or {}).get("error", "invalid JSON")
            parts.append(f"the request body is not valid JSON: {reason} (at character {item['loc'][-1]})")
            continue
        where = ".".join(p for p in _loc(item) if p != "body") or "body"
        if item.get("type") == "string_unicode":  # pydantic's words for a lone surrogate are obscure
            parts.append(surrogate_reason(where))
            continue
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"loc": _loc(item), "msg": str(item.get("msg", "invalid"))} for item in exc.errors()]
        problem = Problem(400, _validation_detail(exc), kind="invalid-request", errors=errors)
        return problem_response(problem, request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(Problem(exc.status_code, str(exc.detail)), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(StarletteHTTPException, on_http)
