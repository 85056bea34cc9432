"""Helpers shared by the BPMN reader tests (a plain module: the test directories are not packages)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from cadenza.bpmn import BpmnError, Problem, parse_bpmn
from cadenza.feel.errors import FeelSyntaxError

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parents[2] / "bpmn"


class _StandInExpression:
    def __init__(self, source: str) -> None:
        self.source = source

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        raise NotImplementedError("the FEEL stand-in does not evaluate")


def stand_in_compile(source: str) -> _StandInExpression:
    depth = 0
    for column, char in enumerate(source, start=1):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if depth < 0:
            raise FeelSyntaxError(f"unexpected '{char}'", 1, column)
    stripped = source.rstrip()
    if depth:
        raise FeelSyntaxError("unclosed bracket", 1, len(stripped) + 1)
    if stripped.endswith(("+", "-", "*", "/", "=", "<", ">", ",", " and", " or")):
        raise FeelSyntaxError("expression ends after an operator", 1, len(stripped) + 1)
    return _StandInExpression(source)


def real_compiler_available() -> bool:
    try:
        return hasattr(importlib.import_module("cadenza.feel"), "compile_expression")
    except ImportError:
        return False


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
