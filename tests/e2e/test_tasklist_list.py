"""The tasklist's list in a real Chromium: the login redirect, every filter and sorting, and overdue tasks
standing out. The tasks are made through the API; the page must show exactly the ones each filter selects."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from browser_support import ApiClient, login
from playwright.sync_api import Page, expect
from tasklist_support import deploy_fixtures, open_task, open_tasklist, task_item, wait_for_task, when

from serve_support import ServeProcess


@pytest.fixture(scope="module")
def api(web_server: ServeProcess) -> Iterator[ApiClient]:
    client = ApiClient(web_server, "demo")
    deploy_fixtures(client)
    yield client
    client.close()


@pytest.fixture(scope="module")
def tasks(api: ApiClient) -> dict[str, str]:
    """Three open tasks for demo (in both groups): one claimed by demo, two unassigned."""
    urgent = api.execute(
        "purchase-request",
        {
            "reference": "U",
            "amount": 9,
            "candidateGroups": ["approvers"],
            "priority": 80,
            "due": when(days=1),
        },
    )
    later = api.execute(
        "purchase-request",
        {"reference": "L", "amount": 9, "candidateGroups": ["managers"], "priority": 30, "due": when(days=5)},
    )
    leave = api.execute("leave-request", {})
    keys = {
        "urgent": wait_for_task(api, urgent, "Task_Approve")["key"],
        "later": wait_for_task(api, later, "Task_Approve")["key"],
        "leave": wait_for_task(api, leave, "Task_Review")["key"],
    }
    api.post(f"/v1/tasks/{keys['later']}/claim")
    return keys


def shown(page: Page, tasks: dict[str, str]) -> list[str]:
    """Which of the test's tasks the list shows, in the list's order."""
    page.locator("#task-list[data-loaded]").wait_for()
    keys = page.locator("#task-list .task-item").evaluate_all("items => items.map(item => item.dataset.key)")
    names = {key: name for name, key in tasks.items()}
    return [names[key] for key in keys if key in names]


def refilter(page: Page, expected: list[str], tasks: dict[str, str]) -> None:
    """Waits until the list shows exactly ``expected`` of the test's tasks, in that order."""
    deadline = time.monotonic() + 10
    while shown(page, tasks) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert shown(page, tasks) == expected


def test_an_anonymous_visit_goes_to_the_login_page(page: Page, web_server: ServeProcess) -> None:
    page.goto(f"{web_server.address}/tasklist/#/tasks/1")
    page.wait_for_url(re.compile(r"/auth/login\?next="))
    assert unquote(page.url.split("next=", 1)[1]) == "/tasklist/#/tasks/1"
    expect(page.get_by_label("Password")).to_be_visible()


def test_sign_out_ends_the_session(page: Page, web_server: ServeProcess) -> None:
    open_tasklist(page, web_server, "bob")
    expect(page.get_by_text("Signed in as")).to_contain_text("Bob")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/auth/login"))
    page.goto(f"{web_server.address}/tasklist/")
    page.wait_for_url(re.compile(r"/auth/login\?next="))  # the cookie is gone: /v1/me answers 401 again


def test_filters_select_the_tasks(page: Page, web_server: ServeProcess, tasks: dict[str, str]) -> None:
    open_tasklist(page, web_server, "demo")
    page.get_by_label("Sort by").select_option("priority")
    refilter(page, ["urgent", "later", "leave"], tasks)
    page.get_by_label("Order").select_option("asc")
    refilter(page, ["leave", "later", "urgent"], tasks)
    page.get_by_label("Assigned to me").check()
    refilter(page, ["later"], tasks)
    page.get_by_label("Assigned to me").uncheck()
    page.get_by_label("Unassigned").check()
    refilter(page, ["leave", "urgent"], tasks)
    page.get_by_label("Unassigned").uncheck()
    page.get_by_label("Candidate group").select_option("approvers")
    refilter(page, ["urgent"], tasks)
    page.get_by_label("Candidate group").select_option("")
    page.get_by_label("Process").select_option("leave-request")
    refilter(page, ["leave"], tasks)
    page.get_by_label("Process").select_option("")
    page.get_by_label("Minimum priority").fill("50")
    refilter(page, ["urgent"], tasks)
    page.get_by_label("Minimum priority").fill("")
    in_three_days = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Due before").fill(in_three_days)
    refilter(page, ["urgent"], tasks)
    page.get_by_label("Due before").fill("")
    # Sorting by due date (the leave request has none: the priority floor leaves it out).
    page.get_by_label("Minimum priority").fill("25")
    page.get_by_label("Sort by").select_option("due")
    refilter(page, ["urgent", "later"], tasks)
    page.get_by_label("Order").select_option("desc")
    refilter(page, ["later", "urgent"], tasks)


def test_load_more_follows_the_cursor(page: Page, web_server: ServeProcess, tasks: dict[str, str]) -> None:
    login(page, web_server, "demo", "/tasklist/?pageSize=1")
    page.get_by_label("Process").select_option("purchase-request")
    page.get_by_label("Sort by").select_option("priority")
    refilter(page, ["urgent"], tasks)
    more = page.get_by_role("button", name="Load more")
    more.click()
    refilter(page, ["urgent", "later"], tasks)
    expect(more).to_be_hidden()  # the last page has no next cursor
    assert shown(page, tasks) == ["urgent", "later"]


def test_the_state_filter_shows_completed_tasks(
    page: Page, web_server: ServeProcess, api: ApiClient, tasks: dict[str, str]
) -> None:
    done = api.execute("leave-request", {})
    key = wait_for_task(api, done, "Task_Review")["key"]
    api.post(f"/v1/tasks/{key}/complete", {"variables": {}})
    open_tasklist(page, web_server, "demo")
    expect(task_item(page, tasks["leave"])).to_be_visible()
    expect(task_item(page, key)).to_have_count(0)
    page.get_by_label("State").select_option("completed")
    expect(task_item(page, key)).to_be_visible()
    expect(task_item(page, tasks["leave"])).to_have_count(0)
    open_task(page, key)
    expect(page.get_by_text("This task is completed.")).to_be_visible()


def test_an_overdue_task_is_flagged(
    page: Page, web_server: ServeProcess, api: ApiClient, tasks: dict[str, str]
) -> None:
    late = api.execute(
        "purchase-request",
        {"reference": "O", "amount": 5, "candidateGroups": ["approvers"], "due": when(hours=-1)},
    )
    key = wait_for_task(api, late, "Task_Approve")["key"]
    open_tasklist(page, web_server, "alice")
    item = task_item(page, key)
    expect(item).to_have_class(re.compile(r"\boverdue\b"))
    expect(item.locator(".badge-overdue")).to_have_text("Overdue")
    on_time = task_item(page, tasks["urgent"])
    expect(on_time).to_be_visible()
    expect(on_time).not_to_have_class(re.compile(r"\boverdue\b"))
    expect(on_time.locator(".badge-overdue")).to_have_count(0)
    # Visibly styled, not only labelled: the item's background differs from an on-time one.
    colours = [element.evaluate("e => getComputedStyle(e).backgroundColor") for element in (item, on_time)]
    assert colours[0] != colours[1]
    detail = open_task(page, key)
    expect(detail.get_by_role("heading", name=re.compile("Overdue"))).to_be_visible()
