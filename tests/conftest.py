"""Fixtures shared by every test package: the PostgreSQL that scripts/test starts; `cadenza serve` processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pg_support import reset_postgres
from serve_support import ServeProcess

POSTGRES_URL_ENV = "CADENZA_TEST_POSTGRES_URL"
NO_POSTGRES_ENV = "CADENZA_TEST_NO_POSTGRES"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test database's URL; a test that needs PostgreSQL fails without one, unless told to skip."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if url:
        return url
    if os.environ.get(NO_POSTGRES_ENV) == "1":
        pytest.skip(f"PostgreSQL tests skipped: {NO_POSTGRES_ENV}=1")
    # Failing rather than skipping: a run that silently left out the production database proves little.
    pytest.fail(
        f"{POSTGRES_URL_ENV} is not set: run scripts/test, which starts a throwaway PostgreSQL and sets it "
        f"(or set {NO_POSTGRES_ENV}=1 to skip the PostgreSQL tests on purpose)",
        pytrace=False,
    )


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> str:
    """The test database with the store's tables dropped, so a store opened on it starts empty."""
    reset_postgres(postgres_url)
    return postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes it runs twice: on a SQLite file, then on the emptied PostgreSQL test database.
    (tests/store overrides it to add the memory store.)"""
    if request.param == "sqlite":
        return str(tmp_path / "cadenza.db")
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    """Starts ``cadenza serve`` processes (``serve_process(data_dir, *options)``); kills leftovers at the end."""
    started: list[ServeProcess] = []

    def start(data_dir: Path | None = None, *extra: str) -> ServeProcess:
        started.append(ServeProcess(data_dir or tmp_path / "data", *extra).start())
        return started[-1]

    yield start
    for server in started:
        if server.process is not None and server.process.poll() is None:
            server.kill()
