"""The built-in connectors."""

from __future__ import annotations

from cadenza.workers.connector import Connector
from cadenza.workers.connectors.http_json import CAMUNDA_JOB_TYPE, HTTP_JOB_TYPE, http_connector
from cadenza.workers.connectors.http_policy import HttpSettings

__all__ = [
    "CAMUNDA_JOB_TYPE",
    "HTTP_JOB_TYPE",
    "HttpSettings",
    "builtin_connectors",
    "http_connector",
    "template_connectors",
]


def builtin_connectors(http: HttpSettings | None = None) -> tuple[Connector, ...]:
    """Every built-in connector, each with fresh resources (connection pools) of its own."""
    return (http_connector(http),)


def template_connectors() -> tuple[Connector, ...]:
    """Every declaration the modeler gets an element template for: the built-in connectors and the agent task
    (which runs only when the worker has an agent configuration)."""
    from cadenza.workers.agents.declaration import agent_declaration, no_handler

    return (*builtin_connectors(), agent_declaration(no_handler))
