"""The OpenAPI document: the file in docs/ is the app's, and a schemathesis run against `cadenza serve` finds
no server error and no response that breaks the document (one test per operation)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis.specs.openapi.checks import response_schema_conformance

from cadenza.api.rest.openapi_file import DEFAULT_PATH, openapi_text
from serve_support import ServeProcess


def test_the_document_in_docs_is_the_apps() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is stale: run python -m cadenza.api.rest.openapi_file"
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    server = ServeProcess(tmp_path_factory.mktemp("schemathesis") / "data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def token(served: ServeProcess) -> str:
    answer = httpx.post(f"{served.address}/v1/auth/token", json={"username": "demo", "password": "demo"})
    access: str = answer.json()["access_token"]
    return access


@pytest.fixture(scope="module")
def api_schema(served: ServeProcess) -> schemathesis.schemas.BaseSchema:
    # Long polling would only make the run slow: activation waits up to its requestTimeoutMs for jobs.
    return schemathesis.openapi.from_url(f"{served.address}/openapi.json").exclude(path="/v1/jobs/activate")


def test_no_server_error_and_every_response_fits_the_document(
    api_schema: schemathesis.schemas.BaseSchema, served: ServeProcess, token: str
) -> None:
    """Each operation in turn (schemathesis's pytest plugin does not run on this pytest, so hypothesis
    drives each operation's strategy directly); failures are gathered, so one run names them all."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 25
    for operation in operations:
        try:
            _exercise(operation.as_strategy(), served.address, token)
        except Exception as failure:  # schemathesis's FailureGroup names every distinct failure
            failures[operation.label] = str(failure)[:800]
    assert failures == {}


def _exercise(strategy: SearchStrategy[schemathesis.Case], address: str, token: str) -> None:
    # Derandomized so that CI is repeatable; to explore, set derandomize=False and run with `--hypothesis-seed=N`
    # (seeds 1-3 and 11-15 ran clean after the two bugs random runs found were fixed).
    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=address,
            headers={"Authorization": f"Bearer {token}"},
            checks=[schemathesis.checks.not_a_server_error, response_schema_conformance],
        )

    run()
