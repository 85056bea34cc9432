"""The tasklist in a real Chromium against a real ``cadenza serve``: a task appears when a process reaches it,
its form is filled, it is approved or rejected, and the process goes on (checked through the API); refusals
(a form the browser or the server rejects, a task someone else claimed, a comment too long) are shown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_support import ApiClient
from playwright.sync_api import Page, expect
from tasklist_support import (
    deploy_fixtures,
    open_task,
    open_tasklist,
    problem,
    task_item,
    wait_for_task,
    when,
)

from serve_support import ServeProcess


@pytest.fixture(scope="module")
def api(web_server: ServeProcess) -> Iterator[ApiClient]:
    client = ApiClient(web_server, "demo")
    deploy_fixtures(client)
    yield client
    client.close()


def start_expense(api: ApiClient, reference: str) -> tuple[str, str]:
    """Starts the blueprint expense approval (its review task is for the approvers); returns the instance's
    key and its review task's key."""
    instance = api.execute(
        "expense-approval", {"reference": reference, "amount": 120, "dueDate": when(days=2)}
    )
    return instance, wait_for_task(api, instance, "review")["key"]


def element_states(api: ApiClient, instance: str) -> dict[str, str]:
    graph = api.get(f"/v1/executions/{instance}/graph")
    return {element["elementId"]: element["state"] for element in graph["elements"]}


def test_approve_fills_the_form_and_the_process_moves_on(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_tasklist(page, web_server, "alice")
    instance, key = start_expense(api, "EXP-1")
    # The list's own refresh shows the new task; nobody reloads the page.
    expect(task_item(page, key)).to_be_visible()
    detail = open_task(page, key)
    expect(detail.get_by_role("heading", name="Approve expense")).to_be_visible()
    expect(page.locator('.diagram-host [data-element-id="review"].cadenza-current')).to_have_count(1)
    expect(detail.get_by_role("table", name="Variables")).to_contain_text("EXP-1")
    page.get_by_label("Approved amount").fill("150")
    page.get_by_label("Cost center").fill("CC-1234")
    page.get_by_label("Note").fill("taxi to the airport")
    page.get_by_label("Decision comment").fill("fine by me")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Approved.")
    expect(detail.get_by_text("This task is completed.")).to_be_visible()
    execution = api.get(f"/v1/executions/{instance}")
    assert execution["state"] == "completed"  # the approved path ran to its end
    states = element_states(api, instance)
    assert states["review"] == "completed"
    assert states["approved"] == "completed"
    assert "rejected" not in states
    variables = execution["variables"]
    assert variables["approved"] is True
    assert variables["approvedAmount"] == 150
    assert variables["costCenter"] == "CC-1234"
    assert variables["note"] == "taxi to the airport"
    assert variables["decidedBy"] == "alice"
    assert variables["decisionComment"] == "fine by me"


def test_reject_needs_a_comment_and_ends_the_process(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_tasklist(page, web_server, "alice")
    instance, key = start_expense(api, "EXP-2")
    expect(task_item(page, key)).to_be_visible()
    open_task(page, key)
    page.get_by_label("Cost center").fill("CC-0001")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(problem(page)).to_contain_text("A rejection needs a comment")
    assert wait_for_task(api, instance, "review")["assignee"] is None  # nothing was sent
    page.get_by_label("Decision comment").fill("no receipt attached")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Rejected.")
    expect(problem(page)).to_be_hidden()
    execution = api.get(f"/v1/executions/{instance}")
    assert execution["state"] == "completed"
    assert execution["variables"]["approved"] is False
    assert execution["variables"]["decisionComment"] == "no receipt attached"
    states = element_states(api, instance)
    assert states["rejected"] == "completed"
    assert "approved" not in states


def test_form_errors_are_shown_and_nothing_is_completed(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_tasklist(page, web_server, "alice")
    instance, key = start_expense(api, "EXP-3")
    expect(task_item(page, key)).to_be_visible()
    open_task(page, key)
    # The browser's own check: a required field left empty is refused before anything is sent.
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(problem(page)).to_contain_text("The form has errors")
    expect(problem(page).locator('li[data-field="costCenter"]')).to_contain_text("Cost center")
    assert wait_for_task(api, instance, "review")["assignee"] is None
    # The server's check: form-js accepts the pattern found anywhere in the value, the API wants all of it.
    page.get_by_label("Cost center").fill("CC-12345")
    page.get_by_label("Cost center").press("Tab")  # leaving the field commits it (form-js debounces typing)
    page.get_by_role("checkbox", name=re.compile("^Approve")).check()
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(problem(page)).to_contain_text("(400)")
    expect(problem(page).locator('li[data-field="costCenter"]')).to_contain_text("pattern")
    assert wait_for_task(api, instance, "review")["state"] == "created"
    assert api.get(f"/v1/executions/{instance}")["state"] == "active"
    page.get_by_label("Cost center").fill("CC-1234")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Completed.")
    expect(problem(page)).to_be_hidden()
    execution = api.get(f"/v1/executions/{instance}")
    assert execution["state"] == "completed"
    assert execution["variables"]["costCenter"] == "CC-1234"


def test_claiming_a_task_someone_else_claimed_shows_the_conflict(
    page: Page, web_server: ServeProcess, api: ApiClient
) -> None:
    open_tasklist(page, web_server, "alice")
    instance, key = start_expense(api, "EXP-4")
    expect(task_item(page, key)).to_be_visible()
    detail = open_task(page, key)
    api.post(f"/v1/tasks/{key}/claim")  # demo claims it while alice looks at it unclaimed
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(problem(page)).to_contain_text("(409)")
    expect(problem(page)).to_contain_text(re.compile("Claiming"))
    expect(detail.get_by_text("Claimed by demo.")).to_be_visible()  # the task was reloaded
    assert wait_for_task(api, instance, "review")["assignee"] == "demo"


def test_claim_unclaim_and_comments(page: Page, web_server: ServeProcess, api: ApiClient) -> None:
    open_tasklist(page, web_server, "alice")
    _, key = start_expense(api, "EXP-5")
    expect(task_item(page, key)).to_be_visible()
    detail = open_task(page, key)
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Claimed.")
    expect(task_item(page, key)).to_contain_text("Assignee: alice")
    page.get_by_role("button", name="Unclaim", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Unclaimed.")
    expect(detail.get_by_role("button", name="Claim", exact=True)).to_be_visible()
    history = detail.get_by_role("list", name="History")
    expect(history).to_contain_text("alice")
    page.get_by_label("New comment").fill("receipt is in the shared drive")
    page.get_by_role("button", name="Add comment", exact=True).click()
    expect(page.get_by_role("list", name="Comments")).to_contain_text("receipt is in the shared drive")
    page.get_by_label("New comment").fill("x" * 10_001)
    page.get_by_role("button", name="Add comment", exact=True).click()
    expect(problem(page)).to_contain_text("Adding the comment")
    expect(problem(page)).to_contain_text("(400)")
    comments = api.get(f"/v1/tasks/{key}/comments")["items"]
    assert [comment["text"] for comment in comments] == ["receipt is in the shared drive"]
