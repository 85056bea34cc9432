"""Deployment: versions, duplicates, and models that are rejected with a clear message."""

from __future__ import annotations

from core_fixtures import FIXTURES

from cadenza.core.records import RecordType
from cadenza.core.testing import EngineDriver


def test_versions_rise_per_process_id_and_identical_resources_are_duplicates(engine: EngineDriver) -> None:
    first = engine.deploy(FIXTURES / "three-tasks.bpmn").value["processesMetadata"][0]
    again = engine.deploy(FIXTURES / "three-tasks.bpmn").value["processesMetadata"][0]
    assert first["version"] == 1 and again == {**first, "duplicate": True}
    changed = (FIXTURES / "three-tasks.bpmn").read_text().replace('id="a"', 'id="a" name="A"')
    third = engine.deploy(resources={"three-tasks.bpmn": changed}).value["processesMetadata"][0]
    assert third["version"] == 2 and third["processDefinitionKey"] != first["processDefinitionKey"]


def test_instances_of_an_unknown_process_are_not_found(engine: EngineDriver) -> None:
    response = engine.create("nope")
    assert response.record_type is RecordType.COMMAND_REJECTION
    assert (
        response.rejection_reason
        == "Expected to find process definition with process ID 'nope', but none found"
    )


def test_a_variable_document_that_is_not_an_object_is_rejected(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "three-tasks.bpmn")
    for bad in ("[1, 2]", "{not json", '"text"'):
        response = engine.create("three-tasks", bad)
        assert response.rejection_type == "INVALID_ARGUMENT", bad
    assert engine.create("three-tasks", {"ok": 1}).record_type is RecordType.EVENT


def test_malformed_xml_and_unsupported_elements_are_rejected_naming_the_element(engine: EngineDriver) -> None:
    broken = engine.deploy(resources={"broken.bpmn": "<bpmn:definitions"})
    assert broken.rejection_type == "INVALID_ARGUMENT" and "broken.bpmn" in broken.rejection_reason
    text = (
        (FIXTURES / "three-tasks.bpmn")
        .read_text()
        .replace('bpmn:serviceTask id="b"', 'bpmn:serviceTask id="b"')
    )
    # A decision bound by version tag parses but cannot run yet: the deployment names the element instead.
    rule = (
        '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements><zeebe:calledDecision decisionId="d" '
        'resultVariable="r" bindingType="versionTag" versionTag="v1" /></bpmn:extensionElements>'
        "</bpmn:businessRuleTask>"
    )
    unsupported = text.replace('<bpmn:endEvent id="end">', rule + '<bpmn:endEvent id="end">')
    response = engine.deploy(resources={"t.bpmn": unsupported})
    assert response.rejection_type == "INVALID_ARGUMENT"
    assert "element 'rule'" in response.rejection_reason
    assert "versionTag" in response.rejection_reason
    assert engine.engine.state.processes.latest_process("<default>", "three-tasks") is None


def test_an_external_entity_in_a_deployment_is_never_resolved(engine: EngineDriver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>'
    )
    response = engine.deploy(resources={"evil.bpmn": xml})
    assert response.rejection_type == "INVALID_ARGUMENT"
    assert "TOP-SECRET" not in response.rejection_reason
