"""Deploying resources for the REST API (and the modeler's workspace): checked first so errors name the
resource, element, line and column; then one DEPLOYMENT CREATE command."""

from __future__ import annotations

import re
from typing import Any

from cadenza.api.problems import Problem
from cadenza.api.rest.deps import Services
from cadenza.bpmn import BpmnError, parse_bpmn
from cadenza.core.records import ValueType
from cadenza.dmn import DmnError, load_dmn
from cadenza.identity import Principal
from cadenza.xmlsafe import XmlError

__all__ = ["deploy_resources", "resource_errors"]

_DMN_ID = re.compile(r"\(id=([^)]+)\)")


def _error(resource: str, msg: str, element: str | None = None, line: int | None = None) -> dict[str, Any]:
    return {"resource": resource, "elementId": element, "line": line, "column": None, "msg": msg}


def resource_errors(name: str, content: str) -> list[dict[str, Any]]:
    """What is wrong with one resource, checked as deployment will check it; empty when it deploys."""
    lowered = name.lower()
    try:
        if lowered.endswith(".bpmn") or lowered.endswith(".bpmn20.xml"):
            parse_bpmn(content.encode(), resource_name=name)
        elif lowered.endswith(".dmn"):
            load_dmn(content.encode())
    except XmlError as error:
        return [_error(name, error.message, None, error.line)]
    except BpmnError as error:
        return [_error(name, p.message, p.element_id, p.line) for p in error.problems]
    except DmnError as error:
        found = _DMN_ID.search(error.element or "") or _DMN_ID.search(error.message)
        return [_error(name, error.message, found.group(1) if found else error.element, error.line)]
    return []


async def deploy_resources(
    services: Services, user: Principal, resources: list[tuple[str, str]], tenant: str | None = None
) -> dict[str, Any]:
    """Deploys ``(name, content)`` pairs as one deployment; a 400 problem with ``errors`` if any is bad."""
    errors = [error for name, content in resources for error in resource_errors(name, content)]
    if errors:
        raise Problem(
            400, f"{len(errors)} problem(s) in the deployment", kind="invalid-deployment", errors=errors
        )
    owner = tenant or user.tenants[0]
    if owner not in user.tenants:
        raise Problem(403, f"you are not a member of tenant '{owner}'", kind="forbidden-tenant")
    value = {"resources": [{"resourceName": n, "resource": c} for n, c in resources], "tenantId": owner}
    try:
        response = await services.accepted(ValueType.DEPLOYMENT, "CREATE", value, tenant=owner)
    except Problem as problem:
        if problem.status == 400:  # the engine's own checks (forms, duplicates): one error, the whole reason
            problem.extra["errors"] = [_error(resources[0][0] if len(resources) == 1 else "", problem.detail)]
        raise
    await services.settled(response)
    return _deployment_view(response.key, owner, response.value)


def _deployment_view(key: int, tenant: str, value: dict[str, Any]) -> dict[str, Any]:
    processes = [
        {
            "key": str(p["processDefinitionKey"]),
            "bpmnProcessId": p["bpmnProcessId"],
            "version": p["version"],
            "resourceName": p["resourceName"],
        }
        for p in value.get("processesMetadata", [])
    ]
    decisions = [
        {
            "key": str(d["decisionKey"]),
            "decisionId": d["decisionId"],
            "version": d["version"],
            "decisionRequirementsId": d.get("decisionRequirementsId"),
        }
        for d in value.get("decisionsMetadata", [])
    ]
    forms = [
        {
            "key": str(f["formKey"]),
            "formId": f["formId"],
            "version": f["version"],
            "resourceName": f["resourceName"],
        }
        for f in value.get("formMetadata", [])
    ]
    return {
        "key": str(key),
        "tenantId": tenant,
        "processes": processes,
        "decisions": decisions,
        "forms": forms,
    }
