"""The built-in connectors."""

from __future__ import annotations

from cadenza.workers.connector import Connector
from cadenza.workers.connectors.http_json import CAMUNDA_JOB_TYPE, HTTP_JOB_TYPE, http_connector
from cadenza.workers.connectors.http_policy import HttpSettings

__all__ = ["CAMUNDA_JOB_TYPE", "HTTP_JOB_TYPE", "HttpSettings", "builtin_connectors", "http_connector"]


def builtin_connectors(http: HttpSettings | None = None) -> tuple[Connector, ...]:
    """Every built-in connector, each with fresh resources (connection pools) of its own."""
    return (http_connector(http),)
