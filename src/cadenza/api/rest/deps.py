"""What every route depends on: the services (engine, views, identity, tasklist) and the signed-in caller."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from cadenza.api.problems import Problem, rejection_problem
from cadenza.api.rest.idempotency import Idempotency
from cadenza.api.schemas import variables_text
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.port import Backpressure, EnginePort
from cadenza.identity import Principal, TokenError, TokenSigner, UserDirectory
from cadenza.projections import ViewDb, ViewExporter
from cadenza.tasklist import SlaMonitor, TaskService

__all__ = [
    "SESSION_COOKIE",
    "CurrentUser",
    "Services",
    "Svc",
    "iso",
    "key_tenant",
    "parse_key",
    "tenant_for",
]

SESSION_COOKIE = "cadenza_session"


@dataclass(slots=True)
class Services:
    engine: EnginePort
    views: ViewDb
    exporter: ViewExporter
    users: UserDirectory
    signer: TokenSigner
    max_variables_bytes: int = 4 * 1024 * 1024
    clock: Callable[[], float] = time.time
    #: Whether the engine's writer runs (for /ready); set by whoever starts it.
    engine_running: Callable[[], bool] = field(default=lambda: True)
    #: The largest file the modeler's workspace stores (``cadenza.api.workspace``).
    max_workspace_file_bytes: int = 2 * 1024 * 1024
    tasklist: TaskService = field(init=False)
    idempotency: Idempotency = field(init=False)
    sla: SlaMonitor | None = None

    def __post_init__(self) -> None:
        self.tasklist = TaskService(self.engine, self.views, self.exporter, self.clock)
        self.idempotency = Idempotency(self.views)

    def variables(self, document: Any) -> str:
        return variables_text(document, self.max_variables_bytes)

    async def accepted(
        self,
        value_type: ValueType,
        intent: str,
        value: dict[str, Any],
        *,
        key: int = -1,
        tenant: str,
    ) -> Record:
        """Submits one command; a rejection becomes its problem (400/404/409), a failed commit a 503."""
        try:
            response = await self.engine.submit(value_type, intent, value, key=key, tenant=tenant)
        except Backpressure as error:
            raise Problem(503, str(error), kind="backpressure") from error
        except Exception as error:  # the store refused the batch: nothing of it is durable
            raise Problem(503, f"the command was not committed: {error}", kind="not-committed") from error
        if response.record_type is RecordType.COMMAND_REJECTION:
            raise rejection_problem(response)
        return response

    async def settled(self, record: Record) -> None:
        """Waits until the views show ``record`` (read-your-writes after a command)."""
        if record.position > 0:
            try:
                await self.exporter.caught_up(record.position)
            except TimeoutError:
                raise Problem(
                    503, "the views did not catch up with the command in time", kind="lagging"
                ) from None


# Dependencies are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, two thread
# hand-offs on every request for work that takes microseconds.
async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(_services)]


async def _principal(request: Request, services: Svc) -> Principal:
    header = request.headers.get("authorization", "")
    token = (
        header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(SESSION_COOKIE)
    )
    if not token:
        raise Problem(
            401, "sign in: send a session cookie or 'Authorization: Bearer <token>'", kind="unauthorized"
        )
    try:
        return services.signer.verify(token, services.clock())
    except TokenError as error:
        raise Problem(401, str(error), kind="unauthorized") from None


CurrentUser = Annotated[Principal, Depends(_principal)]


def parse_key(text: str, what: str) -> int:
    """A key from a path: digits only (a 64-bit integer); anything else is a 404 like an unknown key."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) >= 2**63:
        raise Problem(404, f"no {what} with key '{text[:40]}' was found")
    return int(text)


async def key_tenant(services: Services, principal: Principal, key: int) -> str:
    """The tenant a command on ``key`` goes to: the key's own where it is one of the caller's, else the
    caller's first (the engine then answers NOT_FOUND for another tenant's key, as for an unknown one)."""
    tenant = await services.engine.tenant_of(key)
    return tenant if tenant in principal.tenants else principal.tenants[0]


def tenant_for(principal: Principal, requested: str | None) -> str:
    if requested is None:
        return principal.tenants[0]
    if requested not in principal.tenants:
        raise Problem(403, f"you are not a member of tenant '{requested}'", kind="forbidden-tenant")
    return requested


def iso(millis: int | None) -> str | None:
    if millis is None or millis < 0:
        return None
    moment = dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
