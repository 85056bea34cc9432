"""The modeler in Debian's Chromium against `cadenza serve`: draw a process with clicks, set the task type in
the properties panel, deploy, start, let a job worker (the REST job endpoints) complete the job and watch the
instance complete; deploy errors on the offending element; import a file from bpmn/, export it, and compare."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import REPO_ROOT, ApiClient, screenshot_path
from lxml import etree
from modeler_support import draw_start_task_end, new_file, open_modeler, semantic_signature, wait_for_state
from playwright.sync_api import Page, expect

from serve_support import ServeProcess

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"


@pytest.fixture
def api(web_server: ServeProcess) -> Iterator[ApiClient]:
    client = ApiClient(web_server, "demo")
    yield client
    client.close()


def test_draw_deploy_start_and_watch_an_instance_complete(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_modeler(page, web_server)
    new_file(page, "New BPMN", "drawn.bpmn")
    task_id = draw_start_task_end(page)
    # The engine's lint marks the service task: it has no task type yet.
    expect(page.locator(".bjsl-button")).to_contain_text("1 Errors")
    page.click(f".djs-shape[data-element-id='{task_id}']")
    page.locator("#properties").get_by_text("Task definition", exact=True).click()
    page.fill("#bio-properties-panel-taskDefinitionType", "e2e-work")
    expect(page.locator(".bjsl-button")).to_contain_text("0 Errors")

    page.get_by_role("button", name="Deploy").click()
    expect(page.locator("#status")).to_contain_text("deployed drawn.bpmn: drawn version 1")
    saved = {f["name"]: f["version"] for f in api.get("/v1/workspace/files")["items"]}
    assert saved["drawn.bpmn"] == 2  # deploy saved the drawing first

    page.get_by_role("button", name="Instances").click()
    page.fill("#start-variables", '{"order": 42}')
    page.get_by_role("button", name="Start instance").click()
    expect(page.locator("#instance-state")).to_have_text("active")
    expect(page.locator(f".djs-element.cz-active[data-element-id='{task_id}']")).to_have_count(1)
    key = page.locator("#instance-key").inner_text()

    # A job worker over the REST job endpoints does the work.
    jobs = api.post("/v1/jobs/activate", {"type": "e2e-work", "maxJobs": 1, "timeout": 60_000})["jobs"]
    assert [job["elementId"] for job in jobs] == [task_id]
    assert jobs[0]["variables"] == {"order": 42}
    api.post(f"/v1/jobs/{jobs[0]['key']}/complete", {"variables": {"done": True}})

    wait_for_state(page, "completed")
    expect(page.locator(f".djs-element.cz-completed[data-element-id='{task_id}']")).to_have_count(1)
    expect(page.locator(".djs-connection.cz-taken")).to_have_count(2)
    expect(page.locator(".cz-timing")).to_have_count(3)
    assert api.get(f"/v1/executions/{key}")["state"] == "completed"
    page.screenshot(path=str(screenshot_path("modeler-instance-completed")))
    # Back in history: the slider's first stop shows the instance before anything had run.
    page.eval_on_selector("#history-slider", "s => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
    expect(page.locator("#instance-state")).to_have_text("active")
    expect(page.locator(".djs-connection.cz-taken")).to_have_count(0)


def test_deploy_shows_the_engines_problems_on_the_element(page: Page, web_server: ServeProcess) -> None:
    open_modeler(page, web_server)
    new_file(page, "New BPMN", "untyped.bpmn")
    task_id = draw_start_task_end(page)
    page.get_by_role("button", name="Deploy").click()
    problem = page.locator(f"#problems li[data-element-id='{task_id}']")
    expect(problem).to_contain_text("service task has no zeebe:taskDefinition type")
    expect(page.locator("#status")).to_contain_text("cannot be deployed")
    # The same problem as a lint overlay on the task itself.
    expect(page.locator(".djs-overlays[data-container-id='" + task_id + "'] .bjsl-overlay")).to_have_count(1)
    problem.click()
    expect(page.locator(f".djs-shape.selected[data-element-id='{task_id}']")).to_have_count(1)


def test_import_a_model_from_bpmn_and_export_it_unchanged(
    page: Page, web_server: ServeProcess, tmp_path: Path
) -> None:
    original = REPO_ROOT / "bpmn" / "order-process.bpmn"
    open_modeler(page, web_server)
    page.set_input_files("#import", str(original))
    expect(page.locator("#file-name")).to_have_text("order-process.bpmn")
    expect(page.locator(".djs-shape[data-element-id='Task_CheckOrder']")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    exported = tmp_path / "exported.bpmn"
    download.value.save_as(exported)
    assert download.value.suggested_filename == "order-process.bpmn"

    before, after = semantic_signature(original), semantic_signature(exported)
    assert before - after == {}, f"lost or changed in the round trip: {before - after}"
    assert after - before == {}, f"added by the round trip: {after - before}"
    zeebe = [tag for tag, _, _ in before if "camunda.org/schema/zeebe" in tag]
    di = [tag for tag, _, _ in before if "BPMN/20100524/DI" in tag]
    assert zeebe and di  # the comparison did cover extension and diagram elements


def test_an_element_template_fills_in_the_connector(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_modeler(page, web_server)
    new_file(page, "New BPMN", "templated.bpmn")
    task_id = draw_start_task_end(page)
    page.click(f".djs-shape[data-element-id='{task_id}']")
    page.locator("#properties").get_by_role("button", name="Select").click()
    page.locator("#template-chooser").get_by_role("button", name="HTTP request").click()
    expect(page.locator("#properties")).to_contain_text("HTTP endpoint")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#file-version")).to_have_text("v2")
    file_id = next(f["id"] for f in api.get("/v1/workspace/files")["items"] if f["name"] == "templated.bpmn")
    saved = etree.fromstring(api.get(f"/v1/workspace/files/{file_id}")["content"].encode())
    task = saved.find(f".//{{{BPMN}}}serviceTask[@id='{task_id}']")
    assert task is not None
    assert task.get(f"{{{ZEEBE}}}modelerTemplate") == "io.cadenza.connectors.HttpJson.v1"
    definition = task.find(f".//{{{ZEEBE}}}taskDefinition")
    assert definition is not None and definition.get("type") == "io.cadenza:http-json:1"
    targets = {i.get("target") for i in task.iter(f"{{{ZEEBE}}}input")}
    assert {"method", "url", "authentication.type"} <= targets


def test_an_incident_is_shown_retried_and_the_instance_cancelled(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_modeler(page, web_server)
    new_file(page, "New BPMN", "flaky.bpmn")
    task_id = draw_start_task_end(page)
    page.click(f".djs-shape[data-element-id='{task_id}']")
    page.locator("#properties").get_by_text("Task definition", exact=True).click()
    page.fill("#bio-properties-panel-taskDefinitionType", "e2e-flaky")
    page.get_by_role("button", name="Deploy").click()
    expect(page.locator("#status")).to_contain_text("deployed flaky.bpmn")
    page.get_by_role("button", name="Instances").click()
    page.get_by_role("button", name="Start instance").click()
    expect(page.locator("#instance-state")).to_have_text("active")
    key = page.locator("#instance-key").inner_text()

    job = api.post("/v1/jobs/activate", {"type": "e2e-flaky", "maxJobs": 1, "timeout": 60_000})["jobs"][0]
    api.post(f"/v1/jobs/{job['key']}/fail", {"retries": 0, "errorMessage": "the service is down"})
    wait_for_state(page, "incident")
    expect(page.locator("#incident-list")).to_contain_text("the service is down")
    expect(page.locator(f".djs-element.cz-incident[data-element-id='{task_id}']")).to_have_count(1)
    page.screenshot(path=str(screenshot_path("modeler-instance-incident")))

    page.locator("#incident-list").get_by_role("button", name="Retry").click()
    expect(page.locator("#status")).to_contain_text("retried")
    expect(page.locator("#instance-state")).to_have_text("active")
    expect(page.locator("#incident-list li")).to_have_count(0)
    again = api.post("/v1/jobs/activate", {"type": "e2e-flaky", "maxJobs": 1, "timeout": 60_000})["jobs"]
    assert [j["key"] for j in again] == [job["key"]]  # the same job, its retries restored

    page.get_by_role("button", name="Cancel instance").click()
    wait_for_state(page, "terminated")
    expect(page.locator(f".djs-element.cz-terminated[data-element-id='{task_id}']")).to_have_count(1)
    assert api.get(f"/v1/executions/{key}")["state"] in ("canceled", "terminated")


def test_decisions_and_forms_are_edited_deployed_and_round_tripped(
    page: Page, web_server: ServeProcess, tmp_path: Path
) -> None:
    open_modeler(page, web_server)
    new_file(page, "New DMN", "routing.dmn")
    expect(page.locator("#dmn-view .djs-shape[data-element-id='Decision_1']")).to_have_count(1)
    page.get_by_role("button", name="Deploy").click()
    expect(page.locator("#status")).to_contain_text("deployed routing.dmn")

    for original in (REPO_ROOT / "dmn" / "approval-routing.dmn", REPO_ROOT / "bpmn" / "approve-order.form"):
        page.set_input_files("#import", str(original))
        expect(page.locator("#file-name")).to_have_text(original.name)
        with page.expect_download() as download:
            page.get_by_role("button", name="Export").click()
        exported = tmp_path / original.name
        download.value.save_as(exported)
        if original.suffix == ".dmn":
            assert semantic_signature(exported) == semantic_signature(original)
        else:
            assert _form_fields(exported) == _form_fields(original)
        page.get_by_role("button", name="Deploy").click()
        expect(page.locator("#status")).to_contain_text(f"deployed {original.name}")


def _form_fields(path: Path) -> list[tuple[str | None, str | None, str | None]]:
    schema = json.loads(path.read_text())
    return [(c.get("key"), c.get("type"), c.get("label")) for c in schema["components"]] + [
        (schema["id"], None, None)
    ]


def _rename_task(page: Page, element_id: str, name: str) -> None:
    page.click(f".djs-shape[data-element-id='{element_id}']")
    field = page.locator("#bio-properties-panel-name")
    if not field.is_visible():
        page.locator("#properties").get_by_text("General", exact=True).click()
    field.fill(name)


def test_a_stale_save_is_refused_and_an_old_version_restored(
    new_page: Callable[[], Page], web_server: ServeProcess, api: ApiClient
) -> None:
    original = (REPO_ROOT / "bpmn" / "order-process.bpmn").read_text()
    made = api.post(
        "/v1/workspace/files", {"name": "shared.bpmn", "kind": "bpmn", "content": original}, expect=201
    )
    first, second = new_page(), new_page()
    for page in (first, second):
        open_modeler(page, web_server)
        page.locator("#file-list").get_by_role("button", name="shared.bpmn").click()
        expect(page.locator("#file-name")).to_have_text("shared.bpmn")

    _rename_task(first, "Task_CheckOrder", "Check (first)")
    first.get_by_role("button", name="Save").click()
    expect(first.locator("#file-version")).to_have_text("v2")

    _rename_task(second, "Task_CheckOrder", "Check (second)")
    second.get_by_role("button", name="Save").click()
    expect(second.locator("#status")).to_contain_text("version 1 is not the latest (version 2)")
    expect(second.locator("#file-version")).to_have_text("v1 (unsaved)")
    expect(second.locator(".djs-element[data-element-id='Task_CheckOrder']")).to_contain_text(
        "Check (second)"
    )
    assert "Check (first)" in api.get(f"/v1/workspace/files/{made['id']}")["content"]

    # The first editor brings version 1 back: saved on top, as version 3.
    first.select_option("#versions", "1")
    expect(first.locator(".djs-element[data-element-id='Task_CheckOrder']")).not_to_contain_text(
        "Check (first)"
    )
    first.get_by_role("button", name="Save").click()
    expect(first.locator("#file-version")).to_have_text("v3")
    restored = api.get(f"/v1/workspace/files/{made['id']}")
    assert [v["version"] for v in restored["versions"]] == [1, 2, 3]
    assert semantic_signature(restored["content"].encode()) == semantic_signature(original.encode())

    first.once("dialog", lambda dialog: dialog.accept("orders.bpmn"))
    first.get_by_role("button", name="Rename").click()
    expect(first.locator("#file-list")).to_contain_text("orders.bpmn")
    assert api.get(f"/v1/workspace/files/{made['id']}")["name"] == "orders.bpmn"
