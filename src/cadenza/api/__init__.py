"""The APIs over the Engine port: the REST API (``rest/``) and the Zeebe gRPC gateway (``gateway/``)."""

from cadenza.api.rest import create_app

__all__ = ["create_app"]
