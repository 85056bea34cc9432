"""The REST tests' fixtures (``store_url`` runs each test on SQLite and on PostgreSQL)."""

from __future__ import annotations

from rest_support import store_url

__all__ = ["store_url"]
