"""Who asks: the user and tenant a workspace or replay request runs as.

The identity layer either sets ``request.state.principal`` (``username``, ``tenants``) or overrides
``workspace_caller`` in ``app.dependency_overrides``; without either the API is unauthenticated and everything
belongs to an anonymous user on Zeebe's default tenant.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from cadenza.engine_adapters.port import DEFAULT_TENANT

__all__ = ["Caller", "workspace_caller"]


@dataclass(frozen=True, slots=True)
class Caller:
    user: str
    tenant: str


def workspace_caller(request: Request) -> Caller:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return Caller("anonymous", DEFAULT_TENANT)
    tenants = list(getattr(principal, "tenants", ()) or ())
    return Caller(str(principal.username), str(tenants[0]) if tenants else DEFAULT_TENANT)
