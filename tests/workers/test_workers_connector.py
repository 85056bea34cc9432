"""The connector shape with a connector of the test's own: inputs read and validated from the declaration before the
handler runs, secrets resolved only where declared, and what a handler's failure becomes."""

from __future__ import annotations

from typing import Any

import pytest
from workers_support import credentials, run

from cadenza.workers import (
    Choice,
    Complete,
    Condition,
    Connector,
    ConnectorCall,
    ConnectorError,
    ConnectorInputError,
    Fail,
    Input,
    InputType,
    Output,
)

SEEN: list[ConnectorCall] = []


async def _record(call: ConnectorCall) -> dict[str, Any]:
    SEEN.append(call)
    return {"inputs": dict(call.inputs)}


def _connector(handler: Any = _record) -> Connector:
    return Connector(
        name="probe",
        title="Probe",
        job_type="test:probe:1",
        template_id="test.Probe.v1",
        handler=handler,
        inputs=(
            Input(
                "mode",
                "Mode",
                InputType.CHOICE,
                default="plain",
                choices=(Choice("plain", "Plain"), Choice("fancy", "Fancy")),
            ),
            Input("settings.count", "Count", InputType.NUMBER, required=True, minimum=1),
            Input("settings.loud", "Loud", InputType.BOOLEAN, default=False),
            Input("options", "Options", InputType.CONTEXT),
            Input(
                "flourish", "Flourish", InputType.TEXT, required=True, condition=Condition("mode", ("fancy",))
            ),
            Input("greeting", "Greeting", secret=True),
            Input("note", "Note"),
            Input("anything", "Anything", InputType.ANY),
        ),
        outputs=(Output("inputs", "Inputs"),),
    )


@pytest.fixture(autouse=True)
def _clear() -> None:
    SEEN.clear()


def test_inputs_are_read_from_nested_variables_with_defaults() -> None:
    outcome = run(_connector(), {"settings": {"count": 2}, "unrelated": "x"}, {"resultVariable": "r"})
    assert outcome == Complete(
        {"r": {"inputs": {"mode": "plain", "settings.count": 2, "settings.loud": False}}}
    )


def test_static_mapping_text_is_converted_to_the_declared_type() -> None:
    variables = {
        "settings": {"count": "20", "loud": "TRUE"},
        "options": '{"a": [1]}',
        "mode": "Fancy",
        "flourish": "~",
    }
    run(_connector(), variables)
    (call,) = SEEN
    assert call.inputs == {
        "mode": "fancy",
        "settings.count": 20,
        "settings.loud": True,
        "options": {"a": [1]},
        "flourish": "~",
    }


def test_a_conditional_input_applies_only_while_its_condition_holds() -> None:
    assert isinstance(run(_connector(), {"settings": {"count": 1}, "flourish": "ignored"}), Complete)
    assert SEEN[0].inputs.get("flourish") is None
    outcome = run(_connector(), {"settings": {"count": 1}, "mode": "fancy"})
    assert outcome == Fail("Probe: flourish: required input is missing", 0)


def test_secrets_are_resolved_only_in_inputs_that_may_hold_them() -> None:
    store = credentials({"HELLO": "bonjour-secret"})
    variables = {
        "settings": {"count": 1},
        "greeting": "{{secrets.HELLO}}, world",
        "note": "{{secrets.HELLO}}",
    }
    outcome = run(_connector(), variables, {"resultVariable": "r"}, store)
    assert SEEN[0].inputs["greeting"] == "bonjour-secret, world"  # the handler gets the value...
    assert SEEN[0].inputs["note"] == "{{secrets.HELLO}}"  # ...only where the declaration allows it
    assert isinstance(outcome, Complete)
    assert outcome.variables["r"]["inputs"]["greeting"] == "****, world"  # and never hands it back


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "settings.count: required input is missing"),
        ({"settings": "flat"}, "settings.count: required input is missing"),
        ({"settings": {"count": 0}}, "settings.count: must be at least 1, not 0"),
        ({"settings": {"count": "1x"}}, "settings.count: expected a number, got text '1x'"),
        ({"settings": {"count": [1]}}, "settings.count: expected a number, got a list"),
        ({"settings": {"count": 1, "loud": "yes"}}, "settings.loud: expected true or false, got text"),
        (
            {"settings": {"count": 1}, "options": [1]},
            "options: expected a context (a JSON object), got a list",
        ),
        ({"settings": {"count": 1}, "mode": 3}, "mode: must be one of plain, fancy, not a number"),
        ({"settings": {"count": 1}, "note": True}, "note: expected text, got a boolean"),
    ],
)
def test_wrong_inputs_never_reach_the_handler(variables: dict[str, Any], message: str) -> None:
    assert run(_connector(), variables) == Fail(f"Probe: {message}", 0)
    assert SEEN == []


def test_what_a_handler_failure_becomes() -> None:
    async def refuses(_call: ConnectorCall) -> dict[str, Any]:
        raise ConnectorInputError("the thing is upside down")

    async def fails(_call: ConnectorCall) -> dict[str, Any]:
        raise ConnectorError("BUSY", "try later", {"hint": 1})

    async def breaks(_call: ConnectorCall) -> dict[str, Any]:
        raise KeyError("oops")

    variables = {"settings": {"count": 1}}
    assert run(_connector(refuses), variables) == Fail("Probe: the thing is upside down", 0)
    assert run(_connector(fails), variables, {"retryBackoff": "PT1M"}) == Fail("try later", 2, 60_000)
    rule = {"errorExpression": "=bpmnError(error.code, error.message, {hint: error.hint})"}
    thrown = run(_connector(fails), variables, rule)
    assert (thrown.code, thrown.variables) == ("BUSY", {"hint": 1})  # type: ignore[union-attr]
    assert run(_connector(breaks), variables, retries=1) == Fail("KeyError: 'oops'", 0)


def test_activation_fetches_only_the_inputs_root_variables() -> None:
    assert _connector().variables_to_fetch == [
        "anything",
        "flourish",
        "greeting",
        "mode",
        "note",
        "options",
        "settings",
    ]
