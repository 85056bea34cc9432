"""Resource RPCs: DeployResource (BPMN, DMN, forms), the deprecated DeployProcess, DeleteResource and
EvaluateDecision."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway.base import RpcBase
from cadenza.api.gateway.convert import deployed, tenant
from cadenza.api.gateway.errors import Context, invalid, unary
from cadenza.core.records import Record, ValueType
from cadenza.engine_adapters.port import DEFAULT_TENANT

__all__ = ["ResourceRpcs"]


class ResourceRpcs(RpcBase):
    @unary
    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: Context
    ) -> pb.DeployResourceResponse:
        tenant_id = tenant(request.tenantId, "DeployResource")
        resources = [(r.name, r.content) for r in request.resources]
        response = await self._deploy(resources, tenant_id, "DeployResource")
        return pb.DeployResourceResponse(
            key=response.key, deployments=deployed(response.value), tenantId=tenant_id
        )

    @unary
    async def DeployProcess(
        self, request: pb.DeployProcessRequest, context: Context
    ) -> pb.DeployProcessResponse:
        resources = [(p.name, p.definition) for p in request.processes]
        response = await self._deploy(resources, DEFAULT_TENANT, "DeployProcess")
        processes = [d.process for d in deployed(response.value) if d.HasField("process")]
        return pb.DeployProcessResponse(key=response.key, processes=processes)

    async def _deploy(self, resources: Iterable[tuple[str, bytes]], tenant_id: str, rpc: str) -> Record:
        value = {
            "resources": [_resource(name, content, rpc) for name, content in resources],
            "tenantId": tenant_id,
        }
        return await self.command(ValueType.DEPLOYMENT, "CREATE", value, tenant=tenant_id)

    @unary
    async def DeleteResource(
        self, request: pb.DeleteResourceRequest, context: Context
    ) -> pb.DeleteResourceResponse:
        key = request.resourceKey
        value = {"resourceKey": key}
        await self.command(ValueType.RESOURCE_DELETION, "DELETE", value, tenant=await self.tenant_of(key))
        return pb.DeleteResourceResponse()

    @unary
    async def EvaluateDecision(
        self, request: pb.EvaluateDecisionRequest, context: Context
    ) -> pb.EvaluateDecisionResponse:
        if (request.decisionKey > 0) == bool(request.decisionId):
            raise invalid(
                "Expected to handle gRPC request EvaluateDecision, but it must name the decision by either "
                "'decisionKey' or 'decisionId' (exactly one of them)"
            )
        tenant_id = tenant(request.tenantId, "EvaluateDecision")
        value = {
            "decisionKey": request.decisionKey if request.decisionKey > 0 else -1,
            "decisionId": request.decisionId,
            "variables": self.variables(request.variables, "EvaluateDecision"),
            "tenantId": tenant_id,
        }
        response = await self.command(ValueType.DECISION_EVALUATION, "EVALUATE", value, tenant=tenant_id)
        return _evaluation(response)


def _resource(name: str, content: bytes, rpc: str) -> dict[str, str]:
    if not name:
        raise invalid(f"Expected to handle gRPC request {rpc}, but a resource has no name")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise invalid(
            f"Expected to handle gRPC request {rpc}, but resource '{name}' is not UTF-8 text: {error}"
        ) from None
    return {"resourceName": name, "resource": text}


def _json(value: Any) -> str:
    """Decision values travel as JSON text; a value the engine kept structured is encoded here."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _evaluation(record: Record) -> pb.EvaluateDecisionResponse:
    v = record.value
    return pb.EvaluateDecisionResponse(
        decisionKey=v.get("decisionKey", -1),
        decisionId=v.get("decisionId", ""),
        decisionName=v.get("decisionName", ""),
        decisionVersion=v.get("decisionVersion", -1),
        decisionRequirementsId=v.get("decisionRequirementsId", ""),
        decisionRequirementsKey=v.get("decisionRequirementsKey", -1),
        decisionOutput=_json(v.get("decisionOutput", "null")),
        evaluatedDecisions=[_evaluated(d) for d in v.get("evaluatedDecisions", [])],
        failedDecisionId=v.get("failedDecisionId", ""),
        failureMessage=v.get("evaluationFailureMessage", ""),
        tenantId=v.get("tenantId") or record.tenant,
        decisionInstanceKey=record.key,
    )


def _evaluated(d: dict[str, Any]) -> pb.EvaluatedDecision:
    return pb.EvaluatedDecision(
        decisionKey=d.get("decisionKey", -1),
        decisionId=d.get("decisionId", ""),
        decisionName=d.get("decisionName", ""),
        decisionVersion=d.get("decisionVersion", -1),
        decisionType=d.get("decisionType", ""),
        decisionOutput=_json(d.get("decisionOutput", "null")),
        evaluatedInputs=[
            pb.EvaluatedDecisionInput(
                inputId=i.get("inputId", ""),
                inputName=i.get("inputName", ""),
                inputValue=_json(i.get("inputValue", "null")),
            )
            for i in d.get("evaluatedInputs", [])
        ],
        matchedRules=[
            pb.MatchedDecisionRule(
                ruleId=r.get("ruleId", ""),
                ruleIndex=r.get("ruleIndex", 0),
                evaluatedOutputs=[
                    pb.EvaluatedDecisionOutput(
                        outputId=o.get("outputId", ""),
                        outputName=o.get("outputName", ""),
                        outputValue=_json(o.get("outputValue", "null")),
                    )
                    for o in r.get("evaluatedOutputs", [])
                ],
            )
            for r in d.get("matchedRules", [])
        ],
        tenantId=d.get("tenantId") or DEFAULT_TENANT,
    )
