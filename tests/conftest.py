"""Fixtures shared by every test package: the PostgreSQL that scripts/test starts."""

from __future__ import annotations

import os

import pytest

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
