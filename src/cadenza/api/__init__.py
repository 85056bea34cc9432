"""The APIs over the Engine port: a small HTTP JSON API now; the gRPC gateway and full REST API later."""

from cadenza.api.http import create_app

__all__ = ["create_app"]
