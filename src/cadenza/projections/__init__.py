"""Projections: read models the REST API and the tasklist query, fed by an exporter from committed records."""

from __future__ import annotations

from cadenza.projections.db import ViewDb
from cadenza.projections.exporter import ViewExporter

__all__ = ["ViewDb", "ViewExporter"]
