"""Boxed expressions, BKMs, decision services, item definitions, imports and the DRG's evaluate-once rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cadenza.dmn import DmnError, DmnModel, load_dmn

FIXTURES = Path(__file__).parent / "fixtures"
INPUTS: dict[str, Any] = {
    "Applicant": {"name": "Ann", "age": Decimal(30)},
    "Scores": [Decimal(1), Decimal(2), Decimal(3)],
    "Grade": "B",
}


@pytest.fixture(scope="module")
def boxed() -> DmnModel:
    return load_dmn(FIXTURES / "boxed.dmn")


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ("Invoke", Decimal(20)),
        ("Chain Invoke", Decimal(10)),
        ("Classify It", "adult"),
        ("Ctx", Decimal(3)),
        ("Ctx No Result", {"a": "x", "nested": {"c": "xy"}}),
        ("Rel", [{"name": "Ann", "age": Decimal(25)}, {"name": "Bob", "age": Decimal(42)}]),
        ("Lst", [Decimal(1), Decimal(2), "three"]),
        ("Cond", "adult"),
        ("For", [Decimal(2), Decimal(4), Decimal(6)]),
        ("Some", True),
        ("Every", False),
        ("Filt", [{"name": "Bob", "age": Decimal(42)}]),
        ("Fn", Decimal(9)),
        ("Grade Echo", "B"),
        ("Use Service", Decimal(42)),
    ],
)
def test_boxed_expression(boxed: DmnModel, decision: str, expected: Any) -> None:
    result = boxed.evaluate(decision, INPUTS)
    assert result.value == expected
    assert result.warnings == []


@pytest.mark.parametrize(
    ("scores", "some", "every"),
    [
        ([3, None], True, None),
        ([1, None], None, False),
        ([3, 4], True, True),
        ([], False, True),
    ],
)
def test_some_and_every_use_three_valued_logic(
    boxed: DmnModel, scores: list[int | None], some: bool | None, every: bool | None
) -> None:
    inputs = {**INPUTS, "Scores": scores}
    assert boxed.evaluate("Some", inputs).value is some
    assert boxed.evaluate("Every", inputs).value is every


def test_value_outside_allowed_values_becomes_null_with_warning(boxed: DmnModel) -> None:
    result = boxed.evaluate("Grade Echo", {**INPUTS, "Grade": "Z"})
    assert result.value is None
    assert any("input data 'Grade'" in w.message and "tGrade" in w.message for w in result.warnings)


def test_non_conforming_input_becomes_null_with_warning(boxed: DmnModel) -> None:
    result = boxed.evaluate("Cond", {**INPUTS, "Applicant": {"name": "Ann", "age": "thirty"}})
    assert any("input data 'Applicant'" in w.message for w in result.warnings)


def test_singleton_list_and_element_conversions(boxed: DmnModel) -> None:
    assert boxed.evaluate("Single", {}).value == Decimal(7)
    assert boxed.evaluate("Wrap", {}).value == [Decimal(7)]


def test_expression_type_ref_converts_a_singleton_list_once(boxed: DmnModel) -> None:
    assert boxed.evaluate("Unwrap Ten", {}).value == Decimal(10)
    result = boxed.evaluate("Unwrap Text", {})
    assert result.value is None
    assert any("does not conform to type number" in w.message for w in result.warnings)


def test_non_conforming_argument_makes_the_invocation_an_error(boxed: DmnModel) -> None:
    result = boxed.evaluate("Bad Argument", {})
    assert result.value is None
    assert any("parameter 'rate'" in w.message for w in result.warnings)


def test_filter_match_must_be_boolean(boxed: DmnModel) -> None:
    result = boxed.evaluate("Bad Filter", {})
    assert result.value is None
    assert any("not a boolean" in w.message for w in result.warnings)


def test_a_required_decision_is_evaluated_once(boxed: DmnModel) -> None:
    result = boxed.evaluate("Top", INPUTS)
    assert result.value == Decimal(7 * 8)
    names = [a.decision_name for a in result.audit]
    assert names == ["Base", "Left", "Right", "Top"]
    assert result.audit[-1].inputs == {"Left": Decimal(7), "Right": Decimal(8)}


def test_decision_service_invoked_directly_takes_input_decisions(boxed: DmnModel) -> None:
    result = boxed.evaluate_service("Plus One Service", {"Doubled": Decimal(10)})
    assert result.value == Decimal(11)
    assert "Doubled" not in [a.decision_name for a in result.audit]
    with pytest.raises(DmnError):
        boxed.evaluate_service("No Such Service", {})


def test_a_bkm_can_be_invoked_directly(boxed: DmnModel) -> None:
    result = boxed.invoke_bkm("Discount", {"rate": Decimal("0.5"), "amount": 8})
    assert result.value == Decimal(4)
    assert result.audit[0].inputs == {"rate": Decimal("0.5"), "amount": Decimal(8)}
    with pytest.raises(DmnError):
        boxed.invoke_bkm("Nope", {})


def test_decisions_are_found_by_id_or_name(boxed: DmnModel) -> None:
    assert boxed.evaluate("d-ctx", {}).decision_name == "Ctx"
    with pytest.raises(DmnError, match="no decision named"):
        boxed.evaluate("Nope", {})


def test_imported_model_names_are_qualified() -> None:
    model = load_dmn(FIXTURES / "importer.dmn")
    result = model.evaluate("Total", {"Price": Decimal(100), "lib": {"Rate": Decimal(20)}})
    assert result.value == Decimal(120)
    assert model.evaluate("Hello", {}).value == "Hello Ada"


def test_import_can_be_given_explicitly() -> None:
    lib = load_dmn(FIXTURES / "lib.dmn")
    source = (FIXTURES / "importer.dmn").read_bytes()
    model = load_dmn(source, imports={lib.namespace: lib})
    assert model.evaluate("Hello", {}).value == "Hello Ada"


def test_missing_import_is_an_error() -> None:
    with pytest.raises(DmnError, match="not found"):
        load_dmn((FIXTURES / "importer.dmn").read_bytes())


def test_recursive_item_definitions_are_checked_all_the_way_down() -> None:
    model = load_dmn(FIXTURES / "recursion.dmn")
    leaf = {"value": Decimal(2), "children": []}
    assert model.evaluate(
        "total", {"tree": {"value": Decimal(1), "children": [leaf, leaf]}}
    ).value == Decimal(5)
    bad = {"value": Decimal(1), "children": [{"value": "two", "children": []}]}
    result = model.evaluate("total", {"tree": bad})
    assert result.value is None
    assert any("does not conform to type tNode" in w.message for w in result.warnings)


def test_a_bkm_calling_itself_is_invalid() -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(FIXTURES / "self-call.dmn")
    assert "businessKnowledgeModel 'fact' (id=bkm-fact)" in str(caught.value)
    assert "invokes itself" in str(caught.value)
    # Leniently loaded, the unknown name is an evaluation error like any other.
    result = load_dmn(FIXTURES / "self-call.dmn", lenient=True).evaluate("five", {})
    assert result.value is None
    assert result.warnings
