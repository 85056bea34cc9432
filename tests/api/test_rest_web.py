"""The web apps' static files: served from the web directory, and a page saying how to build a missing one."""

from __future__ import annotations

from pathlib import Path

from rest_support import run

from cadenza.api.rest.wiring import LocalApi


def test_a_built_app_is_served_and_a_missing_one_says_how_to_build_it(tmp_path: Path, store_url: str) -> None:
    dist = tmp_path / "web" / "tasklist" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Tasklist</title>")
    (dist / "assets" / "app.js").write_text("console.log('tasklist')")

    async def scenario(api: LocalApi) -> None:
        browser = api.client(None)
        index = await browser.get("/tasklist/")
        assert index.status_code == 200 and "<title>Tasklist</title>" in index.text
        script = await browser.get("/tasklist/assets/app.js")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        missing = await browser.get("/modeler/")
        assert missing.status_code == 404 and "npm ci &amp;&amp; npm run build" in missing.text
        root = await browser.get("/")
        assert root.status_code == 307 and root.headers["location"] == "/tasklist/"

    run(store_url, scenario, web_dir=tmp_path / "web")


def test_a_correlation_id_is_echoed_or_made(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        given = await client.get("/v1/me", headers={"X-Correlation-Id": "req-42"})
        assert given.headers["x-correlation-id"] == "req-42"
        made = (await client.get("/v1/me")).headers["x-correlation-id"]
        assert len(made) == 32 and int(made, 16) >= 0
        too_long = await client.get("/v1/me", headers={"X-Correlation-Id": "x" * 200})
        assert too_long.headers["x-correlation-id"] != "x" * 200

    run(store_url, scenario)
