"""Camunda 8 element templates (the ``@camunda/zeebe-element-templates-json-schema`` format) from connector
declarations, so the modeler offers each connector as a service task with fields.

A template binds the connector's job type (``zeebe:taskDefinition`` ``type``, hidden), each input to a
``zeebe:input`` mapping of the same name, and the rules every connector shares to task headers
(``resultVariable``, ``resultExpression``, ``errorExpression``, ``retryBackoff``) and to the task's retries.
Field types follow the input type: STRING → String, TEXT and ANY → Text, NUMBER → Number and BOOLEAN →
Boolean (written as static FEEL, so the job sees a number or a boolean), CHOICE → Dropdown, CONTEXT → String
that must be FEEL. A required input gets ``constraints.notEmpty``; a conditional one a ``condition``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cadenza.workers.connector import Connector, Input, InputType

__all__ = ["SCHEMA_URL", "element_template", "template_file_name", "template_json", "write_templates"]

SCHEMA_URL = "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json"

_FIELD = {
    InputType.STRING: ("String", "optional"),
    InputType.TEXT: ("Text", "optional"),
    InputType.ANY: ("Text", "optional"),
    InputType.NUMBER: ("Number", "static"),
    InputType.BOOLEAN: ("Boolean", "static"),
    InputType.CHOICE: ("Dropdown", None),
    InputType.CONTEXT: ("String", "required"),
}

_SHARED_GROUPS = [
    {"id": "output", "label": "Output mapping"},
    {"id": "error", "label": "Error handling"},
    {"id": "retries", "label": "Retries"},
]


def element_template(connector: Connector) -> dict[str, Any]:
    template: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "name": connector.title,
        "id": connector.template_id,
        "description": connector.description,
        "version": connector.version,
    }
    if connector.documentation_url:
        template["documentationRef"] = connector.documentation_url
    template |= {
        "category": {"id": "connectors", "name": "Connectors"},
        "appliesTo": ["bpmn:Task"],
        "elementType": {"value": "bpmn:ServiceTask"},
        "groups": [{"id": g.id, "label": g.label} for g in connector.groups] + _SHARED_GROUPS,
        "properties": [_job_type(connector)]
        + [_input_property(spec) for spec in connector.inputs]
        + _shared_properties(connector),
    }
    return template


def _job_type(connector: Connector) -> dict[str, Any]:
    return {
        "type": "Hidden",
        "value": connector.job_type,
        "binding": {"type": "zeebe:taskDefinition", "property": "type"},
    }


def _input_property(spec: Input) -> dict[str, Any]:
    field_type, feel = _FIELD[spec.type]
    prop: dict[str, Any] = {"id": spec.name, "label": spec.label, "type": field_type}
    if spec.description:
        prop["description"] = spec.description
    if spec.group:
        prop["group"] = spec.group
    if feel:
        prop["feel"] = feel
    if spec.default is not None:
        prop["value"] = (
            spec.default if spec.type in (InputType.NUMBER, InputType.BOOLEAN) else str(spec.default)
        )
    if spec.choices:
        prop["choices"] = [{"name": choice.label, "value": choice.value} for choice in spec.choices]
    if spec.required:
        prop["constraints"] = {"notEmpty": True}
    elif spec.default is None:
        prop["optional"] = True  # left empty, the modeler writes no mapping and the job gets no value
    if spec.condition is not None:
        equals = spec.condition.equals
        test = {"equals": equals[0]} if len(equals) == 1 else {"oneOf": list(equals)}
        prop["condition"] = {"type": "simple", "property": spec.condition.input, **test}
    prop["binding"] = {"type": "zeebe:input", "name": spec.name}
    return prop


#: The rules every connector shares (:mod:`cadenza.workers.outcome`): id, label, description, field. All are
#: task headers but ``retries``, the task definition's; ``{fields}`` in a description names the outputs.
_SHARED: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("resultVariable", "Result variable", "Store the whole result ({fields}) in this variable",
     {"type": "String", "group": "output"}),
    ("resultExpression", "Result expression",
     "A FEEL context mapping the result's fields ({fields}) to variables",
     {"type": "Text", "feel": "required", "group": "output"}),
    ("errorExpression", "Error expression",
     "FEEL over the result and error: bpmnError(code, message), jobError(message) or null",
     {"type": "Text", "feel": "required", "group": "error"}),
    ("retries", "Retries", "How often a failed job is retried",
     {"type": "String", "value": "3", "group": "retries"}),
    ("retryBackoff", "Retry backoff", "ISO 8601 duration to wait before a retry, e.g. PT30S",
     {"type": "String", "value": "PT0S", "group": "retries"}),
)  # fmt: skip


def _shared_properties(connector: Connector) -> list[dict[str, Any]]:
    fields = ", ".join(output.name for output in connector.outputs) or "none"
    properties = []
    for key, label, description, field in _SHARED:
        binding = (
            {"type": "zeebe:taskDefinition", "property": key}
            if key == "retries"
            else {"type": "zeebe:taskHeader", "key": key}
        )
        text = description.format(fields=fields)
        properties.append({"id": key, "label": label, "description": text, **field, "binding": binding})
    return properties


def template_json(connector: Connector) -> str:
    """The template as the file holds it: two-space indents, a final newline."""
    return json.dumps(element_template(connector), indent=2, ensure_ascii=False) + "\n"


def template_file_name(connector: Connector) -> str:
    return f"{connector.name}.json"


def write_templates(connectors: tuple[Connector, ...], directory: Path) -> list[Path]:
    """Writes one file per connector into ``directory`` (created if need be); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for connector in connectors:
        path = directory / template_file_name(connector)
        path.write_text(template_json(connector), encoding="utf-8")
        paths.append(path)
    return paths
