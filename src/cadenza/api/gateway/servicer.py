"""The Zeebe Gateway service: every RPC of pyzeebe's generated ``GatewayServicer``, one family per module."""

from __future__ import annotations

from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayServicer

from cadenza import __version__
from cadenza.api.gateway.errors import Context, unary
from cadenza.api.gateway.instances import InstanceRpcs
from cadenza.api.gateway.jobs import JobRpcs
from cadenza.api.gateway.messages import EventRpcs
from cadenza.api.gateway.resources import ResourceRpcs

__all__ = ["GATEWAY_VERSION", "Gateway"]

#: The Zeebe version whose gateway API this one serves (pyzeebe's stubs), with Cadenza's own version. Clients
#: that read it see a Zeebe version first.
GATEWAY_VERSION = f"8.5.0-cadenza.{__version__}"


class Gateway(JobRpcs, InstanceRpcs, ResourceRpcs, EventRpcs, GatewayServicer):
    #: The port the server listens on, for Topology (known once the server is bound).
    port = 0

    @unary
    async def Topology(self, request: pb.TopologyRequest, context: Context) -> pb.TopologyResponse:
        partition = pb.Partition(
            partitionId=1,
            role=pb.Partition.PartitionBrokerRole.LEADER,
            health=pb.Partition.PartitionBrokerHealth.HEALTHY,
        )
        broker = pb.BrokerInfo(
            nodeId=0, host=self.settings.host, port=self.port, partitions=[partition], version=GATEWAY_VERSION
        )
        return pb.TopologyResponse(
            brokers=[broker],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion=GATEWAY_VERSION,
        )
