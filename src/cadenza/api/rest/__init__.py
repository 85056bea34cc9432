"""The REST API: one router module per resource, assembled by ``app.create_app``."""

from __future__ import annotations

from cadenza.api.rest.app import create_app
from cadenza.api.rest.deps import Services

__all__ = ["Services", "create_app"]
