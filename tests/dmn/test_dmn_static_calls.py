"""Strict loading rejects calls of built-ins that no signature accepts; lenient loading leaves them null."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadenza.dmn import DmnError, load_dmn


def test_strict_load_names_the_decision_and_the_call(fixtures: Path) -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(fixtures / "builtin-arity.dmn")
    message = str(caught.value)
    assert "decision 'too many' (id=d-bad)" in message
    assert "built-in function 'string' takes 1 argument, not 2" in message
    assert 'string("foo", "bar")' in message


def test_lenient_load_keeps_the_call_an_evaluation_error(fixtures: Path) -> None:
    model = load_dmn(fixtures / "builtin-arity.dmn", lenient=True)
    bad = model.evaluate("too many", {})
    assert bad.value is None
    assert any("string" in w.message for w in bad.warnings)
    assert model.evaluate("fine", {}).value == "123"


def test_a_bkm_named_like_a_built_in_shadows_it(fixtures: Path) -> None:
    # abs(7, 2) would be a wrong call of the built-in; here it invokes the model's own two-parameter BKM,
    # in a decision table's input expression and in an input entry alike.
    model = load_dmn(fixtures / "builtin-shadowed.dmn")
    assert model.evaluate("distance", {}).value == "far"
