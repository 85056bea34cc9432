"""Shows the durability test's figures (artifacts/durability.json) in pytest's closing summary."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

_ARTIFACT = Path(__file__).parent.parent.parent / "artifacts" / "durability.json"
_SESSION_START = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ARTIFACT.exists() and _ARTIFACT.stat().st_mtime >= _SESSION_START:
        figures = json.loads(_ARTIFACT.read_text())
        terminalreporter.write_line("durability: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
