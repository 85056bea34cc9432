"""What every RPC family shares: the engine, the settings, and submitting a command with Zeebe's statuses."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from cadenza.api.gateway.convert import variables_text
from cadenza.api.gateway.errors import RpcFailure, rejected
from cadenza.api.gateway.settings import GatewaySettings
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.port import DEFAULT_TENANT, Backpressure, EnginePort

__all__ = ["RpcBase", "engine_failure"]


def engine_failure(error: Exception) -> RpcFailure:
    """RESOURCE_EXHAUSTED under backpressure; UNAVAILABLE when the batch could not be committed."""
    if isinstance(error, Backpressure):
        return RpcFailure(grpc.StatusCode.RESOURCE_EXHAUSTED, str(error))
    return RpcFailure(grpc.StatusCode.UNAVAILABLE, f"the command was not committed, retry it: {error}")


class RpcBase:
    def __init__(self, engine: EnginePort, settings: GatewaySettings) -> None:
        self.engine = engine
        self.settings = settings
        self._background: set[asyncio.Task[None]] = set()

    async def command(
        self,
        value_type: ValueType,
        intent: str,
        value: dict[str, Any],
        *,
        key: int = -1,
        tenant: str = DEFAULT_TENANT,
    ) -> Record:
        """Submits one command and returns its (durable) response; any refusal raises :class:`RpcFailure`."""
        try:
            response = await self.engine.submit(value_type, intent, value, key=key, tenant=tenant)
        except Exception as error:
            raise engine_failure(error) from error
        if response.record_type is RecordType.COMMAND_REJECTION:
            raise rejected(response)
        return response

    async def command_on(self, key: int, value_type: ValueType, intent: str, value: dict[str, Any]) -> Record:
        """A command addressed by key, in the tenant of what the key names."""
        return await self.command(value_type, intent, value, key=key, tenant=await self.tenant_of(key))

    async def tenant_of(self, key: int) -> str:
        """The tenant of what a key names, for requests that carry no tenant (no identity yet: every tenant
        is authorized). An unknown key gets the default tenant, and the engine answers NOT_FOUND."""
        return await self.engine.tenant_of(key) or DEFAULT_TENANT

    def variables(self, text: str, rpc: str, field: str = "variables") -> str:
        return variables_text(text, self.settings.max_variables_bytes, rpc, field)

    def in_background(self, work: Any) -> None:
        """Runs a coroutine the caller must not wait for (handing jobs back while a call is torn down)."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
