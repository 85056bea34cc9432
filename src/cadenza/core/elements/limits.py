"""What a supported element kind may still hold that Cadenza cannot run: checked at deployment, so such a
model is rejected naming the element instead of failing at run time."""

from __future__ import annotations

from cadenza.bpmn.model import BusinessRuleTask, FlowNode

__all__ = ["unsupported_detail"]


def unsupported_detail(element: FlowNode) -> str | None:
    """Why ``element`` cannot run although its kind can, or None."""
    decision = element.decision if isinstance(element, BusinessRuleTask) else None
    # Deployed DRGs do not record a version tag yet, so there is nothing to bind to.
    if decision is not None and decision.binding_type == "versionTag":
        return "Cadenza cannot bind a called decision by versionTag yet"
    return None
