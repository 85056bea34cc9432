"""Where the engine tests' .bpmn and .dmn fixtures live (a plain module: ``conftest`` is ambiguous as an import
name once several test packages have one)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
