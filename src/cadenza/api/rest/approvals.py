"""Approvals: user tasks that decide yes or no (see docs/api-rest.md), listed and decided with a comment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.rest.deps import CurrentUser, Svc, parse_key
from cadenza.api.rest.pagination import MAX_LIMIT
from cadenza.api.rest.tasks import list_page, task_problem
from cadenza.tasklist import TaskError, TaskFilter
from cadenza.tasklist.service import MAX_COMMENT_CHARS

__all__ = ["router"]

router = APIRouter(tags=["approvals"])


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)
    variables: dict[str, Any] = Field(default_factory=dict)


@router.get("/v1/approvals")
async def list_approvals(
    services: Svc,
    user: CurrentUser,
    status: Literal["pending", "decided"] = "pending",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> dict[str, Any]:
    wanted = TaskFilter(state="created" if status == "pending" else "completed", approval=True)
    return await list_page(services, user, wanted, cursor, limit)


@router.post("/v1/approvals/{key}/decision")
async def decide(key: str, body: Decision, services: Svc, user: CurrentUser) -> dict[str, Any]:
    services.variables(body.variables)
    try:
        await services.tasklist.decide(
            parse_key(key, "task"), user, body.decision == "approve", body.comment, body.variables
        )
    except TaskError as error:
        raise task_problem(error) from None
    return {"key": key, "decision": body.decision, "decidedBy": user.username}
