"""Event RPCs: PublishMessage and BroadcastSignal."""

from __future__ import annotations

from pyzeebe.proto import gateway_pb2 as pb

from cadenza.api.gateway.base import RpcBase
from cadenza.api.gateway.convert import tenant
from cadenza.api.gateway.errors import Context, unary
from cadenza.core.records import ValueType

__all__ = ["EventRpcs"]


class EventRpcs(RpcBase):
    @unary
    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: Context
    ) -> pb.PublishMessageResponse:
        tenant_id = tenant(request.tenantId, "PublishMessage")
        value = {
            "name": request.name,
            "correlationKey": request.correlationKey,
            "timeToLive": request.timeToLive,
            "messageId": request.messageId,
            "variables": self.variables(request.variables, "PublishMessage"),
            "tenantId": tenant_id,
        }
        published = await self.command(ValueType.MESSAGE, "PUBLISH", value, tenant=tenant_id)
        return pb.PublishMessageResponse(key=published.key, tenantId=tenant_id)

    @unary
    async def BroadcastSignal(
        self, request: pb.BroadcastSignalRequest, context: Context
    ) -> pb.BroadcastSignalResponse:
        tenant_id = tenant(request.tenantId, "BroadcastSignal")
        value = {
            "signalName": request.signalName,
            "variables": self.variables(request.variables, "BroadcastSignal"),
            "tenantId": tenant_id,
        }
        broadcast = await self.command(ValueType.SIGNAL, "BROADCAST", value, tenant=tenant_id)
        return pb.BroadcastSignalResponse(key=broadcast.key, tenantId=tenant_id)
