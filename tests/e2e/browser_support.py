"""Browser-test support shared by every web app's tests (the tasklist's and the modeler's).

Debian's Chromium (installed by ``scripts/services/chromium``) driven by Playwright's Python package; the browser
build Playwright would download is never used. Also: building a web app when its dist is missing, logging in
through the server's login page, an API client with a bearer token, and the screenshot path of a test.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Playwright

from serve_support import ServeProcess

__all__ = [
    "CHROMIUM_ARGS",
    "REPO_ROOT",
    "SCREENSHOT_DIR",
    "ApiClient",
    "Console",
    "ensure_built",
    "launch_chromium",
    "login",
    "screenshot_path",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CADENZA_CHROMIUM", "/usr/bin/chromium")
# Headless, and quiet: no background fetches, updates or sync that would reach outside the machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: run `bash scripts/services/chromium install` (scripts/test does)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def ensure_built(app: str) -> Path:
    """The app's dist folder; built with npm (``npm ci && npm run build``) when it is missing."""
    folder = REPO_ROOT / app
    if not (folder / "dist" / "index.html").exists():
        for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
            subprocess.run(command, cwd=folder, check=True, capture_output=True)
    return folder / "dist"


def screenshot_path(test_name: str, suffix: str = "") -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{safe}{suffix}.png"


def login(page: Page, server: ServeProcess, username: str, next_path: str) -> None:
    """Opens ``next_path``; the app sends the browser to the login page, where the user signs in."""
    page.goto(f"{server.address}{next_path}")
    page.wait_for_url(re.compile(r"/auth/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(username)  # the demo users' passwords are their names
    page.get_by_role("button", name=re.compile("sign in|log in", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(re.escape(next_path.split("#")[0])))


@dataclass(frozen=True, slots=True)
class Console:
    """What the page logged as errors and threw; printed when a test fails, to say why the page misbehaved."""

    lines: list[str]

    @classmethod
    def attach(cls, page: Page) -> Console:
        console = cls([])
        page.on("console", lambda message: console.lines.append(f"console.{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.lines.append(f"pageerror: {error}"))
        return console


class ApiClient:
    """The REST API as a script sees it: a bearer token from ``POST /v1/auth/token``."""

    def __init__(self, server: ServeProcess, username: str, password: str | None = None) -> None:
        self.http = httpx.Client(base_url=server.address, timeout=30)
        response = self.http.post(
            "/v1/auth/token", json={"username": username, "password": password or username}
        )
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.http.post(path, json=body)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def deploy(self, *files: Path) -> Any:
        resources = [{"name": file.name, "content": file.read_text()} for file in files]
        return self.post("/v1/workflows", {"resources": resources})

    def execute(self, process_id: str, variables: dict[str, Any]) -> str:
        started = self.post(f"/v1/workflows/{process_id}/execute", {"variables": variables})
        return str(started["processInstanceKey"])

    def close(self) -> None:
        self.http.close()
