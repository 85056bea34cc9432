"""Engine tests: given a deployed fixture, when commands arrive, then these records; and the log replays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cadenza.core.testing import EngineDriver

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def engine() -> Iterator[EngineDriver]:
    driver = EngineDriver()
    yield driver
    driver.assert_replay_equal()
