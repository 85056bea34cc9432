"""``local_gateway``: an embedded Cadenza behind a real gateway, for tests (Cadenza's and its users').

async with local_gateway() as (address, engine):
    channel = pyzeebe.create_insecure_channel(address)
    ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from cadenza.api.gateway.server import start_gateway
from cadenza.api.gateway.settings import GatewaySettings
from cadenza.core.limits import Limits
from cadenza.engine_adapters.embedded import DEFAULT_MAX_QUEUED_COMMANDS, EmbeddedEngine
from cadenza.store import open_store

__all__ = ["local_gateway"]


@asynccontextmanager
async def local_gateway(
    store_url: str | Path = "memory:",
    port: int = 0,
    *,
    settings: GatewaySettings | None = None,
    tick_seconds: float = 0.01,
    max_queued: int = DEFAULT_MAX_QUEUED_COMMANDS,
) -> AsyncIterator[tuple[str, EmbeddedEngine]]:
    """Starts an EmbeddedEngine on ``store_url`` (see ``cadenza.store.open_store``; in memory by default)
    and a gateway on ``127.0.0.1:port`` (0: a free port); yields ``("127.0.0.1:PORT", engine)``; stops
    both."""
    settings = replace(settings or GatewaySettings(), host="127.0.0.1", port=port)
    limits = Limits(max_variables_bytes=settings.max_variables_bytes)
    engine = EmbeddedEngine(
        open_store(store_url), tick_seconds=tick_seconds, limits=limits, max_queued=max_queued
    )
    await engine.start()
    try:
        server = await start_gateway(engine, settings)
        try:
            yield server.address, engine
        finally:
            await server.stop(grace=1.0)
    finally:
        await engine.stop()
