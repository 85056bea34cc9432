"""What the modeler does with an element template, done in the tests: a service task's XML from a template and
the values a user typed into its fields (conditions, defaults and FEEL kinds honoured)."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr


def _active(prop: dict[str, Any], values: dict[str, Any], props: dict[str, dict[str, Any]]) -> bool:
    condition = prop.get("condition")
    if condition is None:
        return True
    other = props[condition["property"]]
    current = values.get(other["id"], other.get("value"))
    return current == condition["equals"] if "equals" in condition else current in condition["oneOf"]


def _source(prop: dict[str, Any], value: Any) -> str:
    if prop.get("feel") == "static":  # Number and Boolean: written as FEEL so the job sees the typed value
        return "=" + json.dumps(value)
    if prop.get("feel") == "required" and not str(value).startswith("="):
        return "=" + str(value)
    return str(value)


def service_task(template: dict[str, Any], values: dict[str, Any], task_id: str = "call") -> str:
    """The ``bpmn:serviceTask`` element; ``values`` by property id (the defaults fill the rest)."""
    props = {prop["id"]: prop for prop in template["properties"] if "id" in prop}
    job_type, retries = "", "3"
    inputs, headers = [], []
    for prop in template["properties"]:
        binding = prop["binding"]
        value = values.get(prop.get("id", ""), prop.get("value"))
        if value is None or value == "" or not _active(prop, values, props):
            continue
        if binding["type"] == "zeebe:taskDefinition":
            if binding["property"] == "type":
                job_type = str(value)
            else:
                retries = str(value)
        elif binding["type"] == "zeebe:input":
            inputs.append(
                f"<zeebe:input source={quoteattr(_source(prop, value))} target={quoteattr(binding['name'])} />"
            )
        elif binding["type"] == "zeebe:taskHeader":
            headers.append(f"<zeebe:header key={quoteattr(binding['key'])} value={quoteattr(str(value))} />")
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        f"<zeebe:taskDefinition type={quoteattr(job_type)} retries={quoteattr(retries)} />"
        f"<zeebe:ioMapping>{''.join(inputs)}</zeebe:ioMapping>"
        f"<zeebe:taskHeaders>{''.join(headers)}</zeebe:taskHeaders>"
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def process(process_id: str, task: str, *, catch_code: str | None = None) -> bytes:
    """start → the task → end; with ``catch_code`` an error boundary event on the task (its ``why`` variable
    output-mapped) leads to the end event ``handled``."""
    boundary = ""
    if catch_code is not None:
        boundary = (
            '<bpmn:boundaryEvent id="caught" attachedToRef="call"><bpmn:extensionElements><zeebe:ioMapping>'
            '<zeebe:output source="=why" target="why" /></zeebe:ioMapping></bpmn:extensionElements>'
            '<bpmn:errorEventDefinition errorRef="error" /></bpmn:boundaryEvent>'
            '<bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="handled" />'
            '<bpmn:endEvent id="handled" />'
        )
    error = f'<bpmn:error id="error" name="error" errorCode="{catch_code}" />' if catch_code else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://cadenza.test">'
        f'{error}<bpmn:process id="{process_id}" isExecutable="true">'
        '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />'
        f'{task}<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" /><bpmn:endEvent id="end" />'
        f"{boundary}</bpmn:process></bpmn:definitions>"
    ).encode()
