"""Decisions: evaluate the latest version of a deployed decision (DECISION_EVALUATION EVALUATE)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from cadenza.api.problems import Problem
from cadenza.api.rest.deps import CurrentUser, Svc, tenant_for
from cadenza.core.records import ValueType

__all__ = ["router"]

router = APIRouter(tags=["decisions"])


class Evaluate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Any] | None = None
    tenantId: str | None = None


def _evaluated(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "decisionId": entry.get("decisionId"),
        "decisionName": entry.get("decisionName"),
        "decisionType": entry.get("decisionType"),
        "output": json.loads(entry.get("decisionOutput") or "null"),
        "matchedRules": entry.get("matchedRules", []),
    }


@router.post("/v1/decisions/{decisionId}/evaluate")
async def evaluate(decisionId: str, body: Evaluate, services: Svc, user: CurrentUser) -> dict[str, Any]:
    tenant = tenant_for(user, body.tenantId)
    value = {"decisionId": decisionId, "variables": services.variables(body.variables), "tenantId": tenant}
    response = await services.accepted(ValueType.DECISION_EVALUATION, "EVALUATE", value, tenant=tenant)
    result = response.value
    if response.intent == "FAILED":
        raise Problem(
            422, result.get("evaluationFailureMessage") or "the evaluation failed", kind="evaluation-failed"
        )
    return {
        "decisionKey": str(result["decisionKey"]),
        "decisionId": result["decisionId"],
        "decisionName": result.get("decisionName"),
        "decisionVersion": result.get("decisionVersion"),
        "output": json.loads(result.get("decisionOutput") or "null"),
        "evaluatedDecisions": [_evaluated(e) for e in result.get("evaluatedDecisions", [])],
    }
