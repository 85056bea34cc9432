"""The Engine port: what the APIs, workers and the tasklist ask of an engine, embedded or remote."""

from __future__ import annotations

from typing import Any, Protocol

from cadenza.core.records import Record, ValueType

__all__ = ["EnginePort"]


class EnginePort(Protocol):
    async def submit(
        self,
        value_type: ValueType,
        intent: str,
        value: dict[str, Any],
        *,
        key: int = -1,
        tenant: str = "<default>",
    ) -> Record:
        """Sends a command; returns its response once it is durable (the result event or a rejection)."""
        ...

    async def activate_jobs(
        self, value: dict[str, Any], *, request_timeout_ms: int = 0, tenant: str = "<default>"
    ) -> Record:
        """JOB_BATCH ACTIVATE that waits up to ``request_timeout_ms`` for jobs to appear (long polling)."""
        ...

    async def create_with_result(
        self, value: dict[str, Any], *, request_timeout_ms: int, tenant: str = "<default>"
    ) -> tuple[Record, dict[str, Any]]:
        """Creates an instance and waits for its completion; returns the creation and the root variables."""
        ...

    async def history(self, process_instance_key: int, *, tenant: str | None = None) -> list[Record]: ...
