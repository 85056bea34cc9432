"""Store fixtures: one parametrized ``store`` runs every port test on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cadenza.store import Store, open_store
from pg_support import reset_postgres

BACKENDS = ["memory", "sqlite", "postgresql"]


def backend_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "memory":
        return "memory:"
    if backend == "sqlite":
        return str(tmp_path / "store" / "cadenza.db")
    url: str = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store that outlives the object: reopening the URL finds what was committed.

    A URL (``store_url`` gives SQLite as a plain path), so tests can also open it with SQLAlchemy directly."""
    url = backend_url(request.param, request, tmp_path)
    return url if "://" in url else f"sqlite:///{url}"


@pytest.fixture
def opened() -> Iterator[Callable[[str], Store]]:
    """Opens stores and closes them all when the test ends, even if it fails."""
    stores: list[Store] = []

    def open_(url: str) -> Store:
        stores.append(open_store(url))
        return stores[-1]

    yield open_
    for store in stores:
        store.close()


@pytest.fixture
def store(store_url: str, opened: Callable[[str], Store]) -> Store:
    return opened(store_url)
