"""Request checks and conversions between the gateway's protobuf messages and the engine's record values.

Checks run before anything is submitted, so a refused request changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway.errors import invalid
from cadenza.core.limits import Limits, oversized_variables
from cadenza.engine_adapters.port import DEFAULT_TENANT
from cadenza.textsafe import lone_surrogate, surrogate_reason

__all__ = [
    "activated_job",
    "deployed",
    "tenant",
    "tenant_ids",
    "variables_text",
]

_TENANT = re.compile(r"[A-Za-z0-9._-]{1,31}")
_KINDS = {list: "ARRAY", str: "STRING", bool: "BOOLEAN", type(None): "NIL", int: "NUMBER", float: "NUMBER"}


def variables_text(text: str, limit: int, rpc: str, field: str = "variables") -> str:
    """The request's variables document as the engine takes it: JSON object text, ``{}`` when empty."""
    if not text:
        return "{}"
    oversized = oversized_variables({"variables": text}, Limits(max_variables_bytes=limit))
    if oversized is not None:
        raise invalid(
            f"Expected to handle gRPC request {rpc}, but property '{field}' is too large: {oversized}"
        )
    if text == "{}":
        return text
    try:
        document = json.loads(text)
    except ValueError as error:
        raise invalid(
            f"Expected to handle gRPC request {rpc}, but property '{field}' is not valid JSON: {error}"
        ) from None
    if not isinstance(document, dict):
        kind = _KINDS.get(type(document), "UNKNOWN")
        raise invalid(
            f"Expected to handle gRPC request {rpc}, but property '{field}' is invalid: "
            f"expected document to be a root level object, but was '{kind}'"
        )
    if "\\u" in text and (where := lone_surrogate(document, field)) is not None:  # only an escape spells one
        raise invalid(f"Expected to handle gRPC request {rpc}, but {surrogate_reason(where)}")
    return text


def tenant(text: str, rpc: str) -> str:
    """A request's tenant id: empty means the default tenant; otherwise Zeebe's format rules."""
    if not text or text == DEFAULT_TENANT:
        return DEFAULT_TENANT
    if _TENANT.fullmatch(text) is None:
        raise invalid(
            f"Expected to handle gRPC request {rpc} with tenant identifier '{text}', but the identifier is "
            "longer than 31 characters or contains characters other than letters, digits, '.', '-', '_'"
        )
    return text


def tenant_ids(texts: Any, rpc: str) -> list[str]:
    ids = [tenant(text, rpc) for text in texts]
    return ids or [DEFAULT_TENANT]


def activated_job(key: int, job: dict[str, Any]) -> pb.ActivatedJob:
    return pb.ActivatedJob(
        key=key,
        type=job["type"],
        processInstanceKey=job["processInstanceKey"],
        bpmnProcessId=job["bpmnProcessId"],
        processDefinitionVersion=job["processDefinitionVersion"],
        processDefinitionKey=job["processDefinitionKey"],
        elementId=job["elementId"],
        elementInstanceKey=job["elementInstanceKey"],
        customHeaders=json.dumps(job.get("customHeaders") or {}, ensure_ascii=False),
        worker=job.get("worker") or "",
        retries=job["retries"],
        deadline=job["deadline"],
        variables=job.get("variables") or "{}",
        tenantId=job["tenantId"],
    )


def deployed(value: dict[str, Any]) -> list[pb.Deployment]:
    """A DEPLOYMENT CREATED value as the response's deployments: processes, decisions, their requirements
    graphs and forms, in that order (as Zeebe lists them)."""
    out = [pb.Deployment(process=_process(p)) for p in value.get("processesMetadata", [])]
    out += [pb.Deployment(decision=_decision(d)) for d in value.get("decisionsMetadata", [])]
    out += [
        pb.Deployment(decisionRequirements=_drg(d)) for d in value.get("decisionRequirementsMetadata", [])
    ]
    out += [pb.Deployment(form=_form(f)) for f in value.get("formMetadata", [])]
    return out


def _process(p: dict[str, Any]) -> pb.ProcessMetadata:
    return pb.ProcessMetadata(
        bpmnProcessId=p["bpmnProcessId"],
        version=p["version"],
        processDefinitionKey=p["processDefinitionKey"],
        resourceName=p["resourceName"],
        tenantId=p.get("tenantId") or DEFAULT_TENANT,
    )


def _decision(d: dict[str, Any]) -> pb.DecisionMetadata:
    return pb.DecisionMetadata(
        dmnDecisionId=d["decisionId"],
        dmnDecisionName=d.get("decisionName") or "",
        version=d["version"],
        decisionKey=d["decisionKey"],
        dmnDecisionRequirementsId=d.get("decisionRequirementsId") or "",
        decisionRequirementsKey=d.get("decisionRequirementsKey") or 0,
        tenantId=d.get("tenantId") or DEFAULT_TENANT,
    )


def _drg(d: dict[str, Any]) -> pb.DecisionRequirementsMetadata:
    return pb.DecisionRequirementsMetadata(
        dmnDecisionRequirementsId=d["decisionRequirementsId"],
        dmnDecisionRequirementsName=d.get("decisionRequirementsName") or "",
        version=d["version"],
        decisionRequirementsKey=d["decisionRequirementsKey"],
        resourceName=d["resourceName"],
        tenantId=d.get("tenantId") or DEFAULT_TENANT,
    )


def _form(f: dict[str, Any]) -> pb.FormMetadata:
    return pb.FormMetadata(
        formId=f["formId"],
        version=f["version"],
        formKey=f["formKey"],
        resourceName=f["resourceName"],
        tenantId=f.get("tenantId") or DEFAULT_TENANT,
    )
