"""``cadenza serve``: the embedded engine, the HTTP API and the Zeebe gRPC gateway in one asyncio process.

uvicorn owns the event loop's signal handling: SIGINT or SIGTERM stops accepting connections, lets requests
in flight finish (bounded), then the lifespan stops the gateway (calls in flight get the same grace), the demo
workers and the engine, which closes the store.
Every acknowledged command was durable before its answer, so even a SIGKILL loses none of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from pathlib import Path
from types import FrameType

import uvicorn
from fastapi import FastAPI

from cadenza.api.gateway import GatewaySettings, start_gateway
from cadenza.api.rest import create_app
from cadenza.api.rest.web import default_web_dir
from cadenza.api.rest.wiring import build_services, start_services, stop_services
from cadenza.config import ServeConfig
from cadenza.core.limits import Limits
from cadenza.demo import DemoWorkers
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.engine_adapters.gc_policy import apply_engine_gc_policy
from cadenza.identity import DEMO_USERS, UserDirectory, load_users
from cadenza.store import open_store

__all__ = ["build_app", "gateway_settings", "run_server"]

_GRACE_SECONDS = 5


def build_app(
    config: ServeConfig, *, demo: bool = False, announce: Callable[[str], None] | None = None
) -> FastAPI:
    """The app with the engine on the configured store; the engine starts and stops with the app."""
    store = open_store(config.store_url)
    limits = Limits(max_variables_bytes=config.max_variables_bytes)
    engine = EmbeddedEngine(store, limits=limits, max_queued=config.max_queued_commands)
    users = load_users(config.users) if config.users is not None else UserDirectory.demo_set()
    # Without CADENZA_SECRET each start signs with a new random key: sessions end with a restart.
    secret = os.environ.get("CADENZA_SECRET") or None
    services = build_services(
        engine, users=users, secret=secret, max_variables_bytes=config.max_variables_bytes
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await engine.start()
        await start_services(services)
        try:
            gateway = await start_gateway(engine, gateway_settings(config))
        except Exception:
            await stop_services(services)
            await engine.stop()
            raise
        workers = DemoWorkers(engine) if demo else None
        if workers is not None:
            workers.start()
        # Start-up is done (partitions loaded, app built): freeze it out of the collector's walks and collect
        # young objects less often (why: cadenza.engine_adapters.gc_policy).
        apply_engine_gc_policy()
        if announce is not None:
            announce(_banner(config, repr(store), demo))
            if services.users.demo:
                names = ", ".join(f"{name}/{password}" for name, password, _, _ in DEMO_USERS)
                announce(f"No users file (--users): signing in with the demo users {names}")
        try:
            yield
        finally:
            await gateway.stop(_GRACE_SECONDS)
            if workers is not None:
                await workers.stop()
            await stop_services(services)
            await engine.stop()
            _write_stats(engine, services.exporter.cpu_seconds)
            if announce is not None:
                announce("Cadenza stopped")

    web_dir = config.web_dir if config.web_dir is not None else default_web_dir()
    return create_app(services, lifespan=lifespan, web_dir=web_dir)


def gateway_settings(config: ServeConfig) -> GatewaySettings:
    return GatewaySettings(
        host=config.host,
        port=config.grpc_port,
        tls_cert=config.grpc_tls_cert,
        tls_key=config.grpc_tls_key,
        token=config.grpc_token,
        max_variables_bytes=config.max_variables_bytes,
    )


def _banner(config: ServeConfig, store: str, demo: bool) -> str:
    security = "TLS" if config.grpc_tls_cert else "plaintext"
    if config.grpc_token:
        security += ", bearer token required"
    return (
        f"Cadenza serving the HTTP API on http://{config.host}:{config.http_port} and the Zeebe gRPC "
        f"gateway on {config.host}:{config.grpc_port} ({security}; store {store}"
        f"{'; demo workers on' if demo else ''}; event loop {config.event_loop})"
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
            # uvicorn installs no loop of its own: it runs on the Runner's below (uvloop or asyncio, as
            # configured), which the gRPC gateway shares. HTTP parsing by httptools (a dependency).
            loop="asyncio",
            log_level="warning",
            timeout_graceful_shutdown=_GRACE_SECONDS,
        )
    )
    # uvicorn re-raises the signal that stopped it once it has shut down; answering it here instead lets the
    # command end normally (exit code 0) after a graceful stop.
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, _ignore) for sig in stops}
    try:
        with _profiled(), asyncio.Runner(loop_factory=_loop_factory(config.event_loop)) as runner:
            runner.run(server.serve())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise RuntimeError(
            f"Cadenza could not start on {config.host} (HTTP port {config.http_port}, gRPC port "
            f"{config.grpc_port}): is a port in use?"
        )


def _ignore(_sig: int, _frame: FrameType | None) -> None:
    return None


def _loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop ``config.event_loop`` names (None: asyncio's default)."""
    if name != "uvloop":
        return None
    import uvloop  # imported only when chosen: the default loop needs no libuv

    return uvloop.new_event_loop


def _write_stats(engine: EmbeddedEngine, views_cpu: float) -> None:
    """``CADENZA_WRITER_STATS=FILE``: the writer's counters, and the CPU seconds the views' batches took, as
    JSON when the server stops (for bench/)."""
    target = os.environ.get("CADENZA_WRITER_STATS")
    if target:
        Path(target).write_text(json.dumps({**asdict(engine.stats), "views_cpu": views_cpu}))


@contextmanager
def _profiled() -> Iterator[None]:
    """``CADENZA_PROFILE=FILE`` profiles the whole server (CPU time, every thread: the store's writer thread
    too) with yappi, and writes the pstats file when the server stops; for bench/, not for production."""
    target = os.environ.get("CADENZA_PROFILE")
    if not target:
        yield
        return
    try:
        import yappi  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise RuntimeError("CADENZA_PROFILE needs yappi: pip install 'cadenza[bench]'") from None
    yappi.set_clock_type("cpu")
    yappi.start()
    try:
        yield
    finally:
        yappi.stop()
        yappi.get_func_stats().save(target, type="pstat")
