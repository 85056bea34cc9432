"""Starting and stopping the gateway: a grpc.aio server with the Gateway and gRPC health services, optional
TLS, and an optional bearer-token check."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto.gateway_pb2_grpc import add_GatewayServicer_to_server

from cadenza.api.gateway.servicer import Gateway
from cadenza.api.gateway.settings import GatewaySettings
from cadenza.engine_adapters.port import EnginePort

__all__ = ["GatewayServer", "start_gateway"]

_ENVELOPE_BYTES = 64 * 1024


class GatewayServer:
    """A running gateway: its port, and how to stop it."""

    def __init__(self, server: grpc.aio.Server, port: int, settings: GatewaySettings) -> None:
        self._server = server
        self.port = port
        self.settings = settings

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.port}"

    async def stop(self, grace: float | None = 5.0) -> None:
        """Refuses new calls, lets calls in flight finish for up to ``grace`` seconds, then cancels them
        (long polls and streams end; jobs activated for them but unsent are handed back)."""
        await self._server.stop(grace)


async def start_gateway(engine: EnginePort, settings: GatewaySettings) -> GatewayServer:
    """Serves the Zeebe gateway API over ``engine``; raises OSError when the port cannot be bound."""
    receive = max(settings.max_message_bytes, settings.max_variables_bytes + _ENVELOPE_BYTES)
    options = [
        ("grpc.max_receive_message_length", receive),
        ("grpc.max_send_message_length", receive),
        # Clients keep long polls and job streams alive with pings (pyzeebe every 45 s, others every 10 s);
        # gRPC's server default answers a ping more often than every 5 minutes with GOAWAY "too_many_pings".
        # Zeebe's gateway permits them (minKeepAliveInterval); so does Cadenza, down to 10 s, idle or not.
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
    ]
    interceptors = [] if settings.token is None else [TokenCheck(settings.token)]
    server = grpc.aio.server(options=options, interceptors=interceptors)
    gateway = Gateway(engine, settings)
    add_GatewayServicer_to_server(gateway, server)
    health_service = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_service, server)
    address = f"{settings.host}:{settings.port}"
    if settings.tls_cert is not None and settings.tls_key is not None:
        pair = (settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())
        port = server.add_secure_port(address, grpc.ssl_server_credentials([pair]))
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"the gRPC gateway could not listen on {address}")
    gateway.port = port
    await server.start()
    for service in ("", "gateway_protocol.Gateway"):
        await health_service.set(service, health_pb2.HealthCheckResponse.SERVING)
    return GatewayServer(server, port, settings)


Continuation = Callable[[grpc.HandlerCallDetails], Awaitable["grpc.RpcMethodHandler[Any, Any] | None"]]


class TokenCheck(grpc.aio.ServerInterceptor):
    """Refuses every call without ``authorization: Bearer <token>`` (UNAUTHENTICATED), before its handler."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        metadata = dict(handler_call_details.invocation_metadata or ())
        given = metadata.get("authorization", "")
        given_bytes = given.encode() if isinstance(given, str) else given
        if handler is None or hmac.compare_digest(given_bytes, self._expected):
            return handler
        return _refusal(handler, "authorization" in metadata)


def _refusal(handler: grpc.RpcMethodHandler[Any, Any], had_header: bool) -> grpc.RpcMethodHandler[Any, Any]:
    message = (
        "Expected a valid bearer token in the 'authorization' header, but it was not accepted"
        if had_header
        else "Expected an 'authorization: Bearer <token>' header, but the call has none"
    )

    async def refuse(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    async def refuse_stream(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield  # an async generator, as a server-streaming handler must be

    deserializer = handler.request_deserializer
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(refuse_stream, request_deserializer=deserializer)
    return grpc.unary_unary_rpc_method_handler(refuse, request_deserializer=deserializer)
