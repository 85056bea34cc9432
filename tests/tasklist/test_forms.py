"""Completion variables against a form-js schema: each rule, nested components, and fields outside the form."""

from __future__ import annotations

from typing import Any

import pytest

from cadenza.tasklist.forms import form_fields, is_approval_form, validate_variables

FORM: dict[str, Any] = {
    "components": [
        {"type": "text", "text": "Heading"},
        {"type": "number", "key": "amount", "validate": {"required": True, "min": 1, "max": 10}},
        {
            "type": "textfield",
            "key": "code",
            "validate": {"pattern": "[A-Z]{3}", "minLength": 3, "maxLength": 3},
        },
        {
            "type": "radio",
            "key": "size",
            "values": [{"label": "S", "value": "s"}, {"label": "L", "value": "l"}],
        },
        {"type": "checklist", "key": "tags", "values": [{"value": "a"}, {"value": "b"}]},
        {
            "type": "group",
            "components": [{"type": "checkbox", "key": "approved", "validate": {"required": True}}],
        },
        {"type": "button", "key": "submit", "action": "submit"},
    ]
}


def _errors(variables: dict[str, Any]) -> dict[str, str]:
    return {e.key: e.msg for e in validate_variables(FORM, variables)}


def test_valid_variables_pass_and_unknown_fields_pass_through() -> None:
    good = {"amount": 5, "code": "ABC", "size": "l", "tags": ["a"], "approved": False, "other": {"x": 1}}
    assert _errors(good) == {}


@pytest.mark.parametrize(
    ("variables", "field", "message"),
    [
        ({"approved": True}, "amount", "is required"),
        ({"amount": "5", "approved": True}, "amount", "must be a number"),
        ({"amount": True, "approved": True}, "amount", "must be a number"),
        ({"amount": 0, "approved": True}, "amount", "at least 1"),
        ({"amount": 11, "approved": True}, "amount", "at most 10"),
        ({"amount": 1, "code": "AB", "approved": True}, "code", "at least 3 characters"),
        ({"amount": 1, "code": "ABCD", "approved": True}, "code", "at most 3 characters"),
        ({"amount": 1, "code": "abc", "approved": True}, "code", "must match the pattern"),
        ({"amount": 1, "size": "m", "approved": True}, "size", "must be one of s, l"),
        ({"amount": 1, "tags": ["c"], "approved": True}, "tags", "every item must be one of a, b"),
        ({"amount": 1, "tags": "a", "approved": True}, "tags", "list of strings"),
        ({"amount": 1, "approved": "yes"}, "approved", "true or false"),
        ({"amount": 1}, "approved", "is required"),
    ],
)
def test_each_rule_names_its_field(variables: dict[str, Any], field: str, message: str) -> None:
    errors = _errors(variables)
    assert list(errors) == [field] and message in errors[field]


def test_fields_are_found_at_any_depth_and_approvals_by_their_checkbox() -> None:
    assert [c["key"] for c in form_fields(FORM)] == ["amount", "code", "size", "tags", "approved"]
    assert is_approval_form(FORM)
    assert not is_approval_form({"components": [{"type": "textfield", "key": "approved"}]})
    assert list(form_fields(None)) == [] and validate_variables(None, {"x": 1}) == []


def test_a_broken_pattern_does_not_block_completion() -> None:
    form = {"components": [{"type": "textfield", "key": "x", "validate": {"pattern": "(["}}]}
    assert validate_variables(form, {"x": "anything"}) == []
