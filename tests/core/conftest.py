"""Engine tests: given a deployed fixture, when commands arrive, then these records; and the log replays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cadenza.core.testing import EngineDriver


@pytest.fixture
def engine() -> Iterator[EngineDriver]:
    driver = EngineDriver()
    yield driver
    driver.assert_replay_equal()
