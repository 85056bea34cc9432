"""Element templates generated from connector declarations: their structure, and the committed files kept in sync
with the declarations (regenerate and compare)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cadenza.cli import app
from cadenza.workers import Choice, Condition, Connector, Input, InputType, Output, builtin_connectors
from cadenza.workers.connectors import template_connectors
from cadenza.workers.templates import SCHEMA_URL, element_template, template_file_name, template_json

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "modeler" / "element-templates"


async def _noop(_call: Any) -> dict[str, Any]:
    return {}


def _by_binding(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Properties by (binding type, name/key/property)."""
    found = {}
    for prop in template["properties"]:
        binding = prop["binding"]
        key = binding.get("name") or binding.get("key") or binding.get("property")
        found[(binding["type"], key)] = prop
    return found


def test_the_committed_templates_are_what_the_declarations_generate() -> None:
    expected = {template_file_name(c): template_json(c) for c in template_connectors()}
    committed = {path.name: path.read_text(encoding="utf-8") for path in COMMITTED.glob("*.json")}
    assert sorted(committed) == sorted(expected), "run: cadenza templates --out modeler/element-templates"
    for name, text in expected.items():
        assert committed[name] == text, (
            f"{name} is stale: run cadenza templates --out modeler/element-templates"
        )


def test_the_http_template_offers_every_input_bound_to_a_zeebe_input() -> None:
    (http,) = builtin_connectors()
    template = element_template(http)
    assert template["$schema"] == SCHEMA_URL
    assert (template["id"], template["name"], template["version"]) == (
        "io.cadenza.connectors.HttpJson.v1",
        "HTTP request",
        1,
    )
    assert template["appliesTo"] == ["bpmn:Task"] and template["elementType"] == {"value": "bpmn:ServiceTask"}
    props = _by_binding(template)
    job_type = props[("zeebe:taskDefinition", "type")]
    assert job_type == {
        "type": "Hidden",
        "value": "io.cadenza:http-json:1",
        "binding": {"type": "zeebe:taskDefinition", "property": "type"},
    }
    inputs = {name for (kind, name) in props if kind == "zeebe:input"}
    assert inputs == {spec.name for spec in http.inputs}
    headers = {name for (kind, name) in props if kind == "zeebe:taskHeader"}
    assert headers == {"resultVariable", "resultExpression", "errorExpression", "retryBackoff"}
    assert props[("zeebe:taskDefinition", "retries")]["value"] == "3"
    group_ids = [group["id"] for group in template["groups"]]
    assert len(group_ids) == len(set(group_ids))
    assert {prop["group"] for prop in template["properties"] if "group" in prop} <= set(group_ids)
    ids = [prop["id"] for prop in template["properties"] if "id" in prop]
    assert len(ids) == len(set(ids))


def test_field_types_constraints_and_conditions_follow_the_declaration() -> None:
    props = _by_binding(element_template(builtin_connectors()[0]))

    def field(name: str) -> dict[str, Any]:
        return props[("zeebe:input", name)]

    assert field("url")["type"] == "String" and field("url")["constraints"] == {"notEmpty": True}
    assert field("url")["feel"] == "optional"
    assert field("headers")["feel"] == "required" and field("headers")["optional"] is True
    assert field("body")["type"] == "Text"
    timeout = field("readTimeoutInSeconds")
    assert (timeout["type"], timeout["feel"], timeout["value"]) == ("Number", "static", 20)
    method = field("method")
    assert method["type"] == "Dropdown" and method["value"] == "GET"
    assert [c["value"] for c in method["choices"]] == [
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
    ]
    assert "feel" not in method
    assert field("authentication.token")["condition"] == {
        "type": "simple",
        "property": "authentication.type",
        "equals": "bearer",
    }
    # every property that a condition mentions exists, and comes earlier
    order = [prop.get("id") for prop in element_template(builtin_connectors()[0])["properties"]]
    for prop in props.values():
        if "condition" in prop:
            assert order.index(prop["condition"]["property"]) < order.index(prop["id"])


def test_a_user_connector_gets_a_template_too() -> None:
    connector = Connector(
        name="greet",
        title="Greet",
        job_type="acme:greet:1",
        template_id="com.acme.Greet.v2",
        version=2,
        handler=_noop,
        documentation_url="https://example.com/greet",
        inputs=(
            Input("loud", "Loud", InputType.BOOLEAN, default=False),
            Input("style", "Style", InputType.CHOICE, choices=(Choice("a", "A"), Choice("b", "B"))),
            Input("who", "Who", required=True, condition=Condition("style", ("a", "b"))),
        ),
        outputs=(Output("greeting", "Greeting"),),
    )
    template = element_template(connector)
    assert template["documentationRef"] == "https://example.com/greet" and template["version"] == 2
    props = _by_binding(template)
    assert props[("zeebe:input", "loud")] == {
        "id": "loud",
        "label": "Loud",
        "type": "Boolean",
        "feel": "static",
        "value": False,
        "binding": {"type": "zeebe:input", "name": "loud"},
    }
    assert props[("zeebe:input", "style")]["optional"] is True
    assert props[("zeebe:input", "who")]["condition"] == {
        "type": "simple",
        "property": "style",
        "oneOf": ["a", "b"],
    }
    assert "(greeting)" in props[("zeebe:taskHeader", "resultVariable")]["description"]


def test_cadenza_templates_writes_one_file_per_connector(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["templates", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in (tmp_path / "t").iterdir())
    assert written == ["agent.json", "http.json"]
    assert json.loads((tmp_path / "t" / "http.json").read_text())["id"] == "io.cadenza.connectors.HttpJson.v1"
    assert f"wrote {tmp_path / 't' / 'http.json'}" in result.output
