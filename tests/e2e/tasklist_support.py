"""Helpers of the tasklist's browser tests: the fixture processes, waiting for a task through the API, and
the page's landmarks (the tests find things by their accessible labels, as a user would)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from browser_support import REPO_ROOT, ApiClient, login
from playwright.sync_api import Locator, Page

from serve_support import ServeProcess

__all__ = [
    "BLUEPRINTS",
    "FIXTURES",
    "deploy_fixtures",
    "open_task",
    "open_tasklist",
    "problem",
    "task_item",
    "wait_for_task",
    "when",
]

FIXTURES = Path(__file__).parent / "fixtures"
BLUEPRINTS = REPO_ROOT / "bpmn"


def deploy_fixtures(api: ApiClient) -> None:
    """The blueprint expense approval (bpmn/) and the tests' own processes, whose candidate groups, priority
    and due date come from variables so the filters have something to tell apart."""
    api.deploy(BLUEPRINTS / "expense-approval.bpmn", BLUEPRINTS / "expense-review.form")
    api.deploy(FIXTURES / "purchase-request.bpmn", FIXTURES / "purchase-request.form")
    api.deploy(FIXTURES / "leave-request.bpmn")


def when(**delta: float) -> str:
    """An ISO 8601 UTC instant relative to now (``when(days=2)``, ``when(hours=-1)``)."""
    return (
        (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def wait_for_task(api: ApiClient, instance: str, element_id: str, state: str = "created") -> dict[str, Any]:
    """The instance's task at ``element_id`` once the tasks projection has it (it follows the log closely)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        page = api.get("/v1/tasks", processInstanceKey=instance, state=state)
        for task in page["items"]:
            if task["elementId"] == element_id:
                return dict(task)
        time.sleep(0.1)
    raise AssertionError(f"no {state} task at {element_id} of instance {instance}")


def open_tasklist(page: Page, server: ServeProcess, username: str) -> None:
    login(page, server, username, "/tasklist/")
    page.get_by_text("Signed in as").wait_for()
    page.locator("#task-list[data-loaded]").wait_for()


def task_item(page: Page, key: str) -> Locator:
    return page.locator(f'#task-list .task-item[data-key="{key}"]')


def open_task(page: Page, key: str) -> Locator:
    """Clicks the task in the list (it appears by the list's own refresh) and waits for its detail."""
    task_item(page, key).get_by_role("link").click()
    detail = page.locator(f'article.task-detail[data-key="{key}"]')
    detail.wait_for()
    return detail


def problem(page: Page) -> Locator:
    return page.get_by_role("alert")
