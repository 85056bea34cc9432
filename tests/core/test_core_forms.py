"""Forms: ``.form`` resources deploy as versioned forms; user tasks link the latest (or bound) version."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES
from record_kinds import written_by_last

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver

INTAKE = (FIXTURES / "intake.form").read_text()


def test_a_form_deploys_as_a_versioned_form_with_its_metadata(engine: EngineDriver) -> None:
    deployed = engine.deploy(FIXTURES / "intake.form")
    assert written_by_last(engine) == [
        ("DEPLOYMENT", "CREATE"),
        ("FORM", "CREATED"),
        ("DEPLOYMENT", "CREATED"),
    ]
    [form] = engine.events(ValueType.FORM)
    assert form.value["formId"] == "intake" and form.value["version"] == 1
    assert form.value["formKey"] == form.key and form.value["deploymentKey"] == deployed.key
    assert json.loads(form.value["resource"])["id"] == "intake"
    [metadata] = deployed.value["formMetadata"]
    assert {k: metadata[k] for k in ("formId", "version", "formKey", "resourceName", "tenantId")} == {
        "formId": "intake",
        "version": 1,
        "formKey": form.key,
        "resourceName": "intake.form",
        "tenantId": "<default>",
    }
    assert metadata["duplicate"] is False


def test_the_same_form_again_is_a_duplicate_and_a_changed_one_a_new_version(engine: EngineDriver) -> None:
    first = engine.deploy(FIXTURES / "intake.form")
    again = engine.deploy(FIXTURES / "intake.form")
    assert written_by_last(engine) == [("DEPLOYMENT", "CREATE"), ("DEPLOYMENT", "CREATED")]
    assert again.value["formMetadata"][0]["duplicate"] is True
    assert again.value["formMetadata"][0]["formKey"] == first.value["formMetadata"][0]["formKey"]
    changed = engine.deploy(resources={"intake.form": INTAKE.replace('"Name"', '"Full name"')})
    [metadata] = changed.value["formMetadata"]
    assert metadata["version"] == 2 and metadata["duplicate"] is False
    assert metadata["formKey"] != first.value["formMetadata"][0]["formKey"]


def test_a_malformed_form_or_one_without_an_id_rejects_the_whole_deployment(engine: EngineDriver) -> None:
    bpmn = (FIXTURES / "form-task.bpmn").read_text()
    cases = {
        "{ not json": "'broken.form': the form is not valid JSON: ",
        '{"components": []}': "'broken.form': Expected the form id to be present, but none given",
        '{"id": "  "}': "'broken.form': Expected the form id to be filled, but it is blank",
        "[1, 2]": "'broken.form': the form is not a JSON object",
    }
    for text, reason in cases.items():
        refused = engine.deploy(resources={"form-task.bpmn": bpmn, "broken.form": text})
        assert refused.rejection_type == "INVALID_ARGUMENT"
        assert refused.rejection_reason.startswith(
            "Expected to deploy new resources, but encountered the following errors:\n" + reason
        )
    assert engine.events() == []  # nothing of any refused deployment was written
    twice = engine.deploy(resources={"a.form": INTAKE, "b.form": INTAKE})
    assert twice.rejection_reason.endswith("Duplicated form id in resources 'b.form': 'intake'")


def test_a_user_task_links_the_latest_form_by_its_key(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "form-task.bpmn", FIXTURES / "intake.form")
    engine.deploy(resources={"intake.form": INTAKE.replace('"Name"', '"Full name"')})
    instance = engine.create("form-task").value["processInstanceKey"]
    latest = engine.events(ValueType.FORM)[-1]
    [task] = engine.engine.state.user_tasks.open_tasks(process_instance_key=instance)
    assert latest.value["version"] == 2 and task["formKey"] == latest.key
    [created] = engine.events(ValueType.USER_TASK)
    assert created.value["formKey"] == latest.key


def test_an_unknown_form_is_a_form_not_found_incident_resolved_after_deploying_it(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "form-task.bpmn")
    instance = engine.create("form-task").value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "FORM_NOT_FOUND" and incident.value["elementId"] == "fill"
    assert incident.value["errorMessage"] == (
        "Expected to find a form with id 'intake', but no form with this id is found, at least a form with "
        "this id should be available. To resolve the Incident please deploy a form with the same id"
    )
    assert engine.events(ValueType.USER_TASK) == []
    engine.deploy(FIXTURES / "intake.form")
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert written_by_last(engine) == [
        ("INCIDENT", "RESOLVE"),
        ("INCIDENT", "RESOLVED"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED"),
        ("USER_TASK", "CREATED"),
    ]
    [task] = engine.engine.state.user_tasks.open_tasks(process_instance_key=instance)
    assert task["formKey"] == engine.events(ValueType.FORM)[0].key


def test_a_job_based_user_task_bound_to_its_deployment_sends_the_form_key_as_a_header(
    engine: EngineDriver,
) -> None:
    engine.deploy(FIXTURES / "form-job-task.bpmn", FIXTURES / "intake.form")
    bound = engine.events(ValueType.FORM)[0].key
    engine.deploy(resources={"intake.form": INTAKE.replace('"Name"', '"Full name"')})
    engine.create("form-job-task")
    [job] = engine.activate("io.camunda.zeebe:userTask")
    assert job["customHeaders"]["io.camunda.zeebe:formKey"] == str(bound)
    # A process deployed without the form finds none in its own deployment.
    engine.deploy(resources={"form-job-task.bpmn": (FIXTURES / "form-job-task.bpmn").read_text() + " "})
    instance = engine.create("form-job-task").value["processInstanceKey"]
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "FORM_NOT_FOUND"
    assert incident.value["errorMessage"].startswith(
        "Expected to use a form with id 'intake' with binding type 'deployment', but no such form found in "
        "the deployment with key "
    )
