"""The web apps' built files: ``<web dir>/tasklist/dist`` at /tasklist/, ``.../modeler/dist`` at /modeler/.

A missing build answers a page saying how to build it, rather than a bare 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["APPS", "default_web_dir", "mount_web_apps"]

APPS = ("tasklist", "modeler")


def default_web_dir() -> Path | None:
    """The repository's root when running from a checkout (where tasklist/ and modeler/ live)."""
    root = Path(__file__).resolve().parents[4]
    return root if any((root / app).is_dir() for app in APPS) else None


def _not_built(app: str) -> HTMLResponse:
    body = (
        f"<!doctype html><title>{app} not built</title><h1>The {app} app is not built</h1>"
        f"<p>Build it with <code>cd {app} &amp;&amp; npm ci &amp;&amp; npm run build</code>, or point "
        "<code>--web-dir</code> (<code>CADENZA_WEB_DIR</code>) at a directory holding "
        f"<code>{app}/dist</code>.</p>"
    )
    return HTMLResponse(body, status_code=404)


def _missing(name: str) -> Callable[[], Awaitable[HTMLResponse]]:
    async def missing() -> HTMLResponse:
        return _not_built(name)

    return missing


def mount_web_apps(app: FastAPI, web_dir: Path | None) -> None:
    for name in APPS:
        dist = None if web_dir is None else web_dir / name / "dist"
        if dist is not None and (dist / "index.html").is_file():
            app.mount(f"/{name}", StaticFiles(directory=dist, html=True), name=name)
            continue
        app.add_api_route(f"/{name}/{{rest:path}}", _missing(name), include_in_schema=False, methods=["GET"])

    async def root() -> RedirectResponse:
        return RedirectResponse("/tasklist/", status_code=307)

    app.add_api_route("/", root, include_in_schema=False, methods=["GET"])
