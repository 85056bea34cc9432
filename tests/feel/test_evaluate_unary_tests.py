"""DMN unary tests (decision table input entries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from cadenza.feel import FeelWarning, compile_unary_tests

D = Decimal


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("-", None, True),
        ("-", D(5), True),
        ("< 5", D(4), True),
        ("< 5", D(5), False),
        (">= x", D(3), True),
        ("[1..10]", D(10), True),
        ("(1..10]", D(1), False),
        ("]1..10[", D(9), True),
        ("]1..10[", D(10), False),
        ("1, 2, 3", D(2), True),
        ('"a", "b"', "c", False),
        ('not("a", "b")', "c", True),
        ('not("a", "b")', "a", False),
        ("null", None, True),
        ("null", D(1), False),
        ("? > 5", D(7), True),
        ("count(?) > 2", [D(1), D(2), D(3)], True),
        ("[1, 2, 3]", D(2), True),
        ("x", D(3), True),
        ("x + 1", D(3), False),
        ("y > 0", D(100), True),
        ("true", True, True),
        ("false", False, True),
        ("false", True, False),
        ('[@"2021-01-01"..@"2021-12-31"]', dt.date(2021, 6, 1), True),
        ("< 5", None, False),
        ("= 3", D(3), True),
        ("!= 3", D(3), False),
    ],
)
def test_matches(source: str, value: Any, expected: bool) -> None:
    assert compile_unary_tests(source).matches(value, {"x": D(3), "y": D(1)}) is expected


def test_errors_are_no_match_with_warning() -> None:
    warnings: list[FeelWarning] = []
    assert compile_unary_tests('< "a"').matches(D(1), warnings=warnings) is False
    assert warnings and warnings[0].source == '< "a"'


def test_names_in_tests() -> None:
    tests = compile_unary_tests("<= Max Amount", names=["Max Amount"])
    assert tests.matches(D(5), {"Max Amount": D(10)}) is True
