"""The Engine port: what the APIs, workers and the tasklist ask of an engine, embedded or remote."""

from __future__ import annotations

from typing import Any, Protocol

from cadenza.core.records import Record, ValueType

__all__ = ["DEFAULT_TENANT", "Backpressure", "EnginePort", "InstanceTerminated"]

#: The tenant of everything created without one (Zeebe's name for it).
DEFAULT_TENANT = "<default>"


class Backpressure(Exception):
    """The engine has more commands waiting than its bound: nothing was submitted; retry with a backoff."""


class InstanceTerminated(RuntimeError):
    """The instance awaited for its result was terminated (cancelled) instead of completing."""


class EnginePort(Protocol):
    async def submit(
        self,
        value_type: ValueType,
        intent: str,
        value: dict[str, Any],
        *,
        key: int = -1,
        tenant: str = DEFAULT_TENANT,
    ) -> Record:
        """Sends a command; returns its response once it is durable (the result event or a rejection).

        Raises :class:`Backpressure` when too many commands wait (job COMPLETE, FAIL and THROW_ERROR are still
        accepted, as in Zeebe), or the store's error when the batch could not be committed. A command holding
        text no store can write (a lone surrogate, ``cadenza.textsafe``) is answered with an INVALID_ARGUMENT
        rejection naming the property, and never joins a batch."""
        ...

    async def activate_jobs(
        self, value: dict[str, Any], *, request_timeout_ms: int = 0, tenant: str = DEFAULT_TENANT
    ) -> Record:
        """JOB_BATCH ACTIVATE that waits up to ``request_timeout_ms`` for jobs to appear (long polling).

        Cancelling the caller never loses jobs: a batch activated for a caller that is gone is handed back."""
        ...

    async def return_jobs(self, jobs: list[tuple[int, dict[str, Any]]], reason: str) -> None:
        """Hands activated jobs (key, job value) back unsent: activatable again, retries unchanged."""
        ...

    async def create_with_result(
        self, value: dict[str, Any], *, request_timeout_ms: int, tenant: str = DEFAULT_TENANT
    ) -> tuple[Record, dict[str, Any]]:
        """Creates an instance and waits for its completion; returns the creation and the root variables.

        Raises TimeoutError when it does not complete in time (it keeps running), InstanceTerminated when it
        was terminated instead."""
        ...

    async def tenant_of(self, key: int) -> str | None:
        """The tenant of the job, element instance, incident or definition with this key, if there is one.

        For requests that name a key but carry no tenant (CompleteJob, CancelProcessInstance, ...)."""
        ...

    async def history(self, process_instance_key: int, *, tenant: str | None = None) -> list[Record]: ...
