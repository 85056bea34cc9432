"""Helpers shared by the BPMN reader tests (a plain module: the test directories are not packages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cadenza.bpmn import BpmnError, Problem, parse_bpmn

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parents[2] / "bpmn"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def problems_of(name: str, **options: Any) -> list[Problem]:
    """The problems a fixture is rejected with; fails the test if it parses."""
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(fixture_bytes(name), resource_name=name, **options)
    return caught.value.problems


def messages_for(problems: list[Problem], element_id: str | None) -> list[str]:
    return [p.message for p in problems if p.element_id == element_id]


def line_of_id(name: str, element_id: str) -> int:
    """The 1-based line of ``id="element_id"`` in a fixture, found independently of the reader."""
    for number, text in enumerate((FIXTURES / name).read_text().splitlines(), start=1):
        if f'id="{element_id}"' in text:
            return number
    raise AssertionError(f"{element_id} not in {name}")
