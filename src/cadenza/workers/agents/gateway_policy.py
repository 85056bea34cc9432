"""The policy evaluator on the Zeebe gateway: EvaluateDecision through pyzeebe's client, so the engine
(Cadenza or a Zeebe cluster) evaluates the deployed DMN and records the evaluation like any other."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import grpc
from pyzeebe import ZeebeClient
from pyzeebe.errors import DecisionNotFoundError

from cadenza.workers.agents.policy import PolicyError
from cadenza.workers.connector import DEFAULT_TENANT

__all__ = ["GatewayPolicy"]


class GatewayPolicy:
    """Opens its channel on first use (inside the worker's event loop) from ``channel``, e.g.
    ``lambda: open_channel(config)``."""

    def __init__(self, channel: Callable[[], grpc.aio.Channel]) -> None:
        self._open = channel
        self._channel: grpc.aio.Channel | None = None
        self._client: ZeebeClient | None = None

    async def evaluate(self, decision_id: str, variables: Mapping[str, Any], *, tenant_id: str) -> Any:
        if self._client is None:
            self._channel = self._open()
            self._client = ZeebeClient(self._channel)
        tenant = None if tenant_id == DEFAULT_TENANT else tenant_id
        try:
            response = await self._client.evaluate_decision(None, decision_id, dict(variables), tenant)
        except DecisionNotFoundError:
            raise PolicyError(f"no decision {decision_id!r} is deployed") from None
        if response.failure_message:
            raise PolicyError(f"decision {response.failed_decision_id}: {response.failure_message}")
        return response.decision_output

    async def aclose(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = self._client = None
