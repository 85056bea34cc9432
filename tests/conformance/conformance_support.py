"""What the conformance scenarios share: the fixture models and a reader of the engine's committed state."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cadenza.client import CadenzaClient
from serve_support import ServeProcess

FIXTURES = Path(__file__).parent / "fixtures"


class Inspector:
    """Reads a process instance as the engine committed it (GET /v1/executions/{key} and its history)."""

    def __init__(self, server: ServeProcess) -> None:
        self.server = server

    def instance(self, key: int | str) -> dict[str, Any]:
        with CadenzaClient(self.server.address, timeout=5) as client:  # signs in as the demo user
            body: dict[str, Any] = client.show(key)
        return body

    def wait_for(
        self, key: int | str, condition: Callable[[dict[str, Any]], bool], seconds: float = 10
    ) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        view = self.instance(key)
        while not condition(view):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"instance {key} did not reach the expected state: {view['state']}, "
                    f"incidents {view['incidents']}, active {view['activeElements']}"
                )
            time.sleep(0.05)
            view = self.instance(key)
        return view
