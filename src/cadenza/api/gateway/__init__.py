"""The Zeebe-compatible gRPC gateway over the Engine port (pyzeebe's generated stubs, grpc.aio).

``start_gateway(engine, settings)`` serves it; ``local_gateway()`` runs an embedded engine behind it, for
tests.
"""

from cadenza.api.gateway.local import local_gateway
from cadenza.api.gateway.server import GatewayServer, start_gateway
from cadenza.api.gateway.settings import DEFAULT_GRPC_PORT, GatewaySettings

__all__ = ["DEFAULT_GRPC_PORT", "GatewayServer", "GatewaySettings", "local_gateway", "start_gateway"]
