"""Fixtures for the browser tests of every web app: a ``cadenza serve`` per module serving the built apps, one
Chromium per module, and per test a fresh browser context and page whose screenshot is saved to
artifacts/screenshots/<test>.png whether the test passed or failed (its console errors, if any, in
<test>.console.txt).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from browser_support import REPO_ROOT, Console, ensure_built, launch_chromium, screenshot_path
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from serve_support import ServeProcess

# The web apps `cadenza serve` serves; each one present in the checkout is built before its tests.
WEB_APPS = tuple(app for app in ("tasklist", "modeler") if (REPO_ROOT / app / "package.json").exists())
# A shared 2-core machine can be slow: a task appears within one list refresh (3 s) plus the server's work.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in this thread while it
    # is open, and every later test that calls asyncio.run() would fail.
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """``cadenza serve`` on free ports over a temporary SQLite data directory, with the demo users."""
    for app in WEB_APPS:
        ensure_built(app)
    server = ServeProcess(tmp_path_factory.mktemp("e2e") / "data", "--web-dir", str(REPO_ROOT)).start()
    yield server
    assert server.stop() == 0, server.output()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Opens pages, each in its own context (its own cookies: one user each); screenshots them all at the end."""
    opened: list[tuple[BrowserContext, Page, Console]] = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        opened.append((context, page, Console.attach(page)))
        return page

    yield open_page
    for index, (context, page, console) in enumerate(opened):
        suffix = "" if index == 0 else f"-{index + 1}"
        shot = screenshot_path(request.node.name, suffix)
        page.screenshot(path=str(shot), full_page=True)
        # The page's console errors beside its screenshot: the first thing to read when a test failed.
        if console.lines:
            shot.with_suffix(".console.txt").write_text("\n".join(console.lines) + "\n")
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()
