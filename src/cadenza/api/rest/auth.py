"""Sign-in: the local login page and form, the token endpoint for scripts, and /v1/me.

Local mode checks the users file; with OIDC, ``GET /auth/login`` would redirect to the provider and its
callback would set the same cookie, so the web apps (which only follow a 401 to /auth/login) never change.
"""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.problems import Problem
from cadenza.api.rest.deps import SESSION_COOKIE, CurrentUser, Svc

__all__ = ["router"]

router = APIRouter(tags=["identity"])


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=1000)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int


class Me(BaseModel):
    username: str
    name: str
    groups: list[str]
    tenants: list[str]


def _safe_next(target: str | None) -> str:
    """Only a local path: an open redirect would let a link send a signed-in user anywhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/tasklist/"
    return target


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Cadenza</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0}}
form{{display:grid;gap:.6rem;min-width:18rem;padding:2rem;border:1px solid #ccc;border-radius:8px}}
input,button{{font:inherit;padding:.4rem}}.error{{color:#b00020}}</style></head><body>
<form method="post" action="/auth/login"><h1>Cadenza</h1>{error}
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="{next}"><button type="submit">Sign in</button>{demo}
</form></body></html>"""


def _page(target: str, error: str, demo: bool) -> str:
    note = '<p class="error" role="alert">' + html.escape(error) + "</p>" if error else ""
    hint = "<p><small>Demo users: demo/demo, alice/alice, bob/bob</small></p>" if demo else ""
    return _PAGE.format(error=note, next=html.escape(target, quote=True), demo=hint)


@router.get("/auth/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(services: Svc, next: str | None = None) -> HTMLResponse:  # noqa: A002
    return HTMLResponse(_page(_safe_next(next), "", services.users.demo))


@router.post("/auth/login", include_in_schema=False)
async def login(
    services: Svc,
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/tasklist/",  # noqa: A002
) -> Any:
    target = _safe_next(next)
    principal = services.users.authenticate(username, password)
    if principal is None:
        page = _page(target, "Unknown user or wrong password.", services.users.demo)
        return HTMLResponse(page, status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        services.signer.issue(principal, services.clock()),
        max_age=services.signer.ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/auth/logout", include_in_schema=False)
async def logout() -> RedirectResponse:
    response = RedirectResponse("/auth/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/v1/auth/token", response_model=TokenResponse, openapi_extra={"security": []})
async def token(body: TokenRequest, services: Svc) -> dict[str, Any]:
    principal = services.users.authenticate(body.username, body.password)
    if principal is None:
        raise Problem(401, "unknown user or wrong password", kind="unauthorized")
    return {
        "access_token": services.signer.issue(principal, services.clock()),
        "token_type": "Bearer",
        "expires_in": services.signer.ttl_seconds,
    }


@router.get("/v1/me", response_model=Me)
async def me(user: CurrentUser) -> dict[str, Any]:
    return user.to_json()
