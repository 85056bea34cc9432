"""``cadenza serve``: the embedded engine and the HTTP API in one asyncio process.

uvicorn owns the event loop's signal handling: SIGINT or SIGTERM stops accepting connections, lets requests
in flight finish (bounded), then the lifespan stops the demo workers and the engine, which closes the store.
Every acknowledged command was durable before its answer, so even a SIGKILL loses none of them.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI

from cadenza.api.http import create_app
from cadenza.config import ServeConfig
from cadenza.core.limits import Limits
from cadenza.demo import DemoWorkers
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import open_store

__all__ = ["build_app", "run_server"]

_GRACE_SECONDS = 5


def build_app(
    config: ServeConfig, *, demo: bool = False, announce: Callable[[str], None] | None = None
) -> FastAPI:
    """The app with the engine on the configured store; the engine starts and stops with the app."""
    store = open_store(config.store_url)
    engine = EmbeddedEngine(store, limits=Limits(max_variables_bytes=config.max_variables_bytes))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await engine.start()
        workers = DemoWorkers(engine) if demo else None
        if workers is not None:
            workers.start()
        if announce is not None:
            announce(_banner(config, repr(store), demo))
        try:
            yield
        finally:
            if workers is not None:
                await workers.stop()
            await engine.stop()
            if announce is not None:
                announce("Cadenza stopped")

    return create_app(engine, max_variables_bytes=config.max_variables_bytes, lifespan=lifespan)


def _banner(config: ServeConfig, store: str, demo: bool) -> str:
    return (
        f"Cadenza serving the HTTP API on http://{config.host}:{config.http_port} "
        f"(store {store}; gRPC port {config.grpc_port} reserved, gateway not yet served"
        f"{'; demo workers on' if demo else ''})"
    )


def run_server(
    config: ServeConfig, *, demo: bool = False, announce: Callable[[str], None] | None = None
) -> None:
    """Serves until SIGINT or SIGTERM, then shuts down gracefully and returns."""
    app = build_app(config, demo=demo, announce=announce)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.http_port,
            lifespan="on",
            log_level="warning",
            timeout_graceful_shutdown=_GRACE_SECONDS,
        )
    )
    # uvicorn re-raises the signal that stopped it once it has shut down; answering it here instead lets the
    # command end normally (exit code 0) after a graceful stop.
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, _ignore) for sig in stops}
    try:
        asyncio.run(server.serve())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise RuntimeError(f"the HTTP API could not start on {config.host}:{config.http_port}")


def _ignore(_sig: int, _frame: FrameType | None) -> None:
    return None
