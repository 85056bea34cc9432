"""Process instance RPCs: create (with or without waiting for the result), cancel, set variables, resolve an
incident, modify and migrate."""

from __future__ import annotations

import json
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway.base import RpcBase, engine_failure
from cadenza.api.gateway.convert import tenant
from cadenza.api.gateway.errors import Context, RpcFailure, invalid, rejected, unary
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.port import InstanceTerminated

__all__ = ["InstanceRpcs"]

_CREATION = ValueType.PROCESS_INSTANCE_CREATION


class InstanceRpcs(RpcBase):
    @unary
    async def CreateProcessInstance(
        self, request: pb.CreateProcessInstanceRequest, context: Context
    ) -> pb.CreateProcessInstanceResponse:
        value = self._creation(request, "CreateProcessInstance")
        created = await self.command(_CREATION, "CREATE", value, tenant=value["tenantId"])
        return pb.CreateProcessInstanceResponse(**_created(created))

    @unary
    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: Context
    ) -> pb.CreateProcessInstanceWithResultResponse:
        value = self._creation(request.request, "CreateProcessInstanceWithResult")
        wait = request.requestTimeout if request.requestTimeout > 0 else self.settings.request_timeout_ms
        try:
            created, variables = await self.engine.create_with_result(
                value, request_timeout_ms=wait, tenant=value["tenantId"]
            )
        except TimeoutError:
            raise RpcFailure(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"Time out between gateway and broker: the process instance did not complete within "
                f"{wait} ms (it is still running)",
            ) from None
        except InstanceTerminated as error:
            raise RpcFailure(
                grpc.StatusCode.FAILED_PRECONDITION, f"Expected the result of the instance, but {error}"
            ) from None
        except Exception as error:
            raise engine_failure(error) from error
        if created.record_type is RecordType.COMMAND_REJECTION:
            raise rejected(created)
        fetch = list(request.fetchVariables)
        if fetch:
            variables = {name: variables[name] for name in fetch if name in variables}
        text = json.dumps(variables, ensure_ascii=False)
        return pb.CreateProcessInstanceWithResultResponse(**_created(created), variables=text)

    def _creation(self, request: pb.CreateProcessInstanceRequest, rpc: str) -> dict[str, Any]:
        if request.processDefinitionKey <= 0 and not request.bpmnProcessId:
            raise invalid(
                f"Expected to handle gRPC request {rpc}, but neither 'processDefinitionKey' nor "
                "'bpmnProcessId' is given"
            )
        value: dict[str, Any] = {
            "bpmnProcessId": request.bpmnProcessId,
            "version": request.version,
            "variables": self.variables(request.variables, rpc),
            "tenantId": tenant(request.tenantId, rpc),
        }
        if request.processDefinitionKey > 0:
            value["processDefinitionKey"] = request.processDefinitionKey
        if request.startInstructions:  # the engine checks them (Zeebe's rejections)
            value["startInstructions"] = [{"elementId": i.elementId} for i in request.startInstructions]
        return value

    @unary
    async def CancelProcessInstance(
        self, request: pb.CancelProcessInstanceRequest, context: Context
    ) -> pb.CancelProcessInstanceResponse:
        await self.command_on(request.processInstanceKey, ValueType.PROCESS_INSTANCE, "CANCEL", {})
        return pb.CancelProcessInstanceResponse()

    @unary
    async def SetVariables(
        self, request: pb.SetVariablesRequest, context: Context
    ) -> pb.SetVariablesResponse:
        key = request.elementInstanceKey
        value = {
            "scopeKey": key,
            "variables": self.variables(request.variables, "SetVariables"),
            "updateSemantics": "LOCAL" if request.local else "PROPAGATE",
        }
        updated = await self.command(
            ValueType.VARIABLE_DOCUMENT, "UPDATE", value, tenant=await self.tenant_of(key)
        )
        return pb.SetVariablesResponse(key=updated.key)

    @unary
    async def ResolveIncident(
        self, request: pb.ResolveIncidentRequest, context: Context
    ) -> pb.ResolveIncidentResponse:
        await self.command_on(request.incidentKey, ValueType.INCIDENT, "RESOLVE", {})
        return pb.ResolveIncidentResponse()

    @unary
    async def ModifyProcessInstance(
        self, request: pb.ModifyProcessInstanceRequest, context: Context
    ) -> pb.ModifyProcessInstanceResponse:
        key = request.processInstanceKey
        value = {
            "processInstanceKey": key,
            "activateInstructions": [self._activation(a) for a in request.activateInstructions],
            "terminateInstructions": [
                {"elementInstanceKey": t.elementInstanceKey} for t in request.terminateInstructions
            ],
        }
        await self.command_on(key, ValueType.PROCESS_INSTANCE_MODIFICATION, "MODIFY", value)
        return pb.ModifyProcessInstanceResponse()

    def _activation(self, instruction: Any) -> dict[str, Any]:
        if not instruction.elementId:
            raise invalid(
                "Expected to handle gRPC request ModifyProcessInstance, but an activate instruction has no "
                "'elementId'"
            )
        ancestor = instruction.ancestorElementInstanceKey
        variables = [
            {"variables": self.variables(v.variables, "ModifyProcessInstance"), "scopeId": v.scopeId}
            for v in instruction.variableInstructions
        ]
        return {
            "elementId": instruction.elementId,
            "ancestorElementInstanceKey": ancestor if ancestor > 0 else -1,
            "variableInstructions": variables,
        }

    @unary
    async def MigrateProcessInstance(
        self, request: pb.MigrateProcessInstanceRequest, context: Context
    ) -> pb.MigrateProcessInstanceResponse:
        if not request.HasField("migrationPlan"):
            raise invalid(
                "Expected to handle gRPC request MigrateProcessInstance, but it has no 'migrationPlan'"
            )
        plan = request.migrationPlan
        key = request.processInstanceKey
        value = {
            "processInstanceKey": key,
            "targetProcessDefinitionKey": plan.targetProcessDefinitionKey,
            "mappingInstructions": [
                {"sourceElementId": m.sourceElementId, "targetElementId": m.targetElementId}
                for m in plan.mappingInstructions
            ],
        }
        await self.command_on(key, ValueType.PROCESS_INSTANCE_MIGRATION, "MIGRATE", value)
        return pb.MigrateProcessInstanceResponse()


def _created(record: Record) -> dict[str, Any]:
    value = record.value
    return {
        "processDefinitionKey": value["processDefinitionKey"],
        "bpmnProcessId": value["bpmnProcessId"],
        "version": value["version"],
        "processInstanceKey": value["processInstanceKey"],
        "tenantId": value.get("tenantId") or record.tenant,
    }
