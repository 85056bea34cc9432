"""Conformance scenarios run real Zeebe clients against a real ``cadenza serve`` process (SQLite on disk).

The server is started once per test module through tests/serve_support.py; the tests observe the engine's
state through its HTTP API, so a scenario's outcome is checked on the server, not only as the client saw it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conformance_support import Inspector

from serve_support import ServeProcess


@pytest.fixture(scope="module")
def cadenza(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    server = ServeProcess(tmp_path_factory.mktemp("conformance") / "data").start()
    yield server
    assert server.stop() == 0, server.output()


@pytest.fixture(scope="module")
def inspector(cadenza: ServeProcess) -> Inspector:
    return Inspector(cadenza)
