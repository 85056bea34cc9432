"""Element-instance commands: activating activities of an ad-hoc sub-process (Camunda 8.8's REST call)."""

from __future__ import annotations

import json

from fastapi import APIRouter

from cadenza.api.rest.deps import CurrentUser, Svc, key_tenant, parse_key
from cadenza.api.schemas import ActivateAdHocActivities
from cadenza.core.records import ValueType

__all__ = ["router"]

router = APIRouter(tags=["element instances"])


@router.post("/v1/element-instances/ad-hoc-activities/{key}/activation", status_code=204)
async def activate_ad_hoc_activities(
    key: str, body: ActivateAdHocActivities, services: Svc, user: CurrentUser
) -> None:
    """Activates elements of an active ad-hoc sub-process instance (Camunda 8.8's path and body)."""
    number = parse_key(key, "ad-hoc sub-process instance")
    elements = [
        {"elementId": e.elementId, "variables": json.loads(services.variables(e.variables))}
        for e in body.elements
    ]
    value = {"adHocSubProcessInstanceKey": str(number), "activateElements": elements}
    done = await services.accepted(
        ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION,
        "ACTIVATE",
        value,
        tenant=await key_tenant(services, user, number),
    )
    await services.settled(done)
