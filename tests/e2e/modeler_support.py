"""Helpers of the modeler's browser tests: opening the modeler signed in, drawing with the palette and the
context pad, and comparing two BPMN files semantically (lxml: elements, attributes, zeebe extensions, DI)."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from browser_support import login
from lxml import etree
from playwright.sync_api import Page, expect

from serve_support import ServeProcess

__all__ = ["draw_start_task_end", "new_file", "open_modeler", "semantic_signature", "wait_for_state"]


def open_modeler(page: Page, server: ServeProcess, user: str = "demo") -> None:
    login(page, server, user, "/modeler/")
    expect(page.get_by_role("button", name="New BPMN")).to_be_visible()


def new_file(page: Page, button: str, name: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept(name))
    page.get_by_role("button", name=button).click()
    expect(page.locator("#file-name")).to_have_text(name)


def draw_start_task_end(page: Page) -> str:
    """Start event from the palette, clicked onto the canvas; a task appended and turned into a service
    task; an end event appended. Returns the service task's id."""
    page.click(".djs-palette [data-action='create.start-event']")
    canvas = page.locator("#bpmn-canvas").bounding_box()
    assert canvas is not None
    x, y = canvas["x"] + 200, canvas["y"] + 220
    page.mouse.move(x - 20, y)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.click(".djs-context-pad [data-action='append.append-task']")
    page.click(".djs-context-pad [data-action='replace']")
    page.click("[data-id='replace-with-service-task']")
    task_id = page.locator(".djs-element.selected").first.get_attribute("data-element-id")
    assert task_id is not None
    page.click(".djs-context-pad [data-action='append.end-event']")
    expect(page.locator(".djs-shape[data-element-id^='Event_']")).to_have_count(2)
    return task_id


def wait_for_state(page: Page, state: str, timeout_s: float = 15) -> None:
    """Refreshes the instance view until it shows ``state`` (the engine runs on its own time)."""
    deadline = time.monotonic() + timeout_s
    while page.locator("#instance-state").inner_text() != state:
        assert time.monotonic() < deadline, (
            f"the instance stayed {page.locator('#instance-state').inner_text()!r}"
        )
        page.get_by_role("button", name="Refresh").click()
        page.wait_for_timeout(200)


_WHITESPACE = re.compile(r"\s+")
# Attributes that mean the same when absent (the spec's defaults): bpmn.io's moddle leaves defaults out.
_DEFAULTS = {("decisionTable", "hitPolicy"): "UNIQUE"}


def semantic_signature(path_or_bytes: Path | bytes) -> Counter[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Every element as (qualified tag, attributes with namespace URIs, normalized text): prefixes,
    attribute order, indentation, namespace declarations and attributes set to their spec default do not
    count; anything dropped or changed does."""
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(data, parser)
    out: Counter[tuple[str, tuple[tuple[str, str], ...], str]] = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        attributes = tuple(
            sorted(
                (str(k), _WHITESPACE.sub(" ", str(v)).strip())
                for k, v in element.attrib.items()
                if _DEFAULTS.get((local, str(k))) != v
            )
        )
        text = _WHITESPACE.sub(" ", element.text or "").strip()
        out[(str(element.tag), attributes, text)] += 1
    return out
