"""The workspace REST API on a real embedded engine, over SQLite and PostgreSQL: files, versions, concurrency,
tenancy, bounds, lint and deploy (with the engine's problems on the offending element)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from cadenza.api.rest.wiring import LocalApi, local_api
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.identity import Principal, User, UserDirectory, hash_password
from cadenza.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "charge-and-wait.bpmn"
Scenario = Callable[[httpx.AsyncClient, LocalApi], Awaitable[None]]

BROKEN = """<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="broken" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end">
      <bpmn:conditionExpression>= amount &gt;</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _users() -> UserDirectory:
    secret = hash_password("unused")  # the clients carry signed tokens; no password is checked
    people = [("ann", ("<default>",)), ("bob", ("<default>",)), ("zed", ("acme",))]
    return UserDirectory(User(Principal(name, name.title(), (), tenants), secret) for name, tenants in people)


def run(url: str, scenario: Scenario, max_file_bytes: int | None = None) -> None:
    async def main() -> None:
        engine = EmbeddedEngine(open_store(url), tick_seconds=0.01)
        async with local_api(engine, users=_users()) as api:
            if max_file_bytes is not None:
                api.services.max_workspace_file_bytes = max_file_bytes
            async with api.client("ann") as client:
                await scenario(client, api)

    asyncio.run(main())


async def _create(client: httpx.AsyncClient, name: str, content: str) -> dict[str, object]:
    kind = name.rsplit(".", 1)[-1]
    response = await client.post("/v1/workspace/files", json={"name": name, "kind": kind, "content": content})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_files_are_created_saved_in_versions_renamed_and_deleted(store_url: str) -> None:
    async def scenario(client: httpx.AsyncClient, api: LocalApi) -> None:
        made = await _create(client, "order.bpmn", "<draft")
        assert made["version"] == 1 and made["updatedBy"] == "ann"
        file_id = made["id"]
        async with api.client("bob") as bob:
            saved = await bob.put(
                f"/v1/workspace/files/{file_id}", json={"content": FIXTURE.read_text(), "baseVersion": 1}
            )
        assert saved.status_code == 200, saved.text
        assert saved.json()["version"] == 2 and saved.json()["updatedBy"] == "bob"
        opened = (await client.get(f"/v1/workspace/files/{file_id}")).json()
        assert opened["content"] == FIXTURE.read_text()
        assert [(v["version"], v["savedBy"]) for v in opened["versions"]] == [(1, "ann"), (2, "bob")]
        first = (await client.get(f"/v1/workspace/files/{file_id}/versions/1")).json()
        assert first["content"] == "<draft" and first["version"] == 1
        renamed = await client.patch(f"/v1/workspace/files/{file_id}", json={"name": "orders.bpmn"})
        assert renamed.json()["name"] == "orders.bpmn" and renamed.json()["version"] == 2
        listed = (await client.get("/v1/workspace/files")).json()["items"]
        assert [(f["name"], f["kind"], f["version"]) for f in listed] == [("orders.bpmn", "bpmn", 2)]
        assert (await client.delete(f"/v1/workspace/files/{file_id}")).status_code == 204
        assert (await client.get(f"/v1/workspace/files/{file_id}")).status_code == 404
        assert (await client.get("/v1/workspace/files")).json()["items"] == []

    run(store_url, scenario)


def test_a_save_on_a_stale_version_is_refused_and_loses_nothing(store_url: str) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        file_id = (await _create(client, "a.bpmn", "one"))["id"]
        url = f"/v1/workspace/files/{file_id}"
        assert (await client.put(url, json={"content": "two", "baseVersion": 1})).status_code == 200
        stale = await client.put(url, json={"content": "lost?", "baseVersion": 1})
        assert stale.status_code == 409
        assert stale.headers["content-type"] == "application/problem+json"
        assert stale.json()["latestVersion"] == 2
        opened = (await client.get(url)).json()
        assert opened["content"] == "two" and opened["version"] == 2

    run(store_url, scenario)


def test_files_are_scoped_by_tenant(store_url: str) -> None:
    async def scenario(client: httpx.AsyncClient, api: LocalApi) -> None:
        file_id = (await _create(client, "a.bpmn", "mine"))["id"]
        async with api.client("zed") as other:  # a member of tenant acme only
            assert (await other.get(f"/v1/workspace/files/{file_id}")).status_code == 404
            assert (await other.get("/v1/workspace/files")).json()["items"] == []
            put = await other.put(f"/v1/workspace/files/{file_id}", json={"content": "x", "baseVersion": 1})
            assert put.status_code == 404
            assert (await other.post(f"/v1/workspace/files/{file_id}/deploy")).status_code == 404
            assert (await other.delete(f"/v1/workspace/files/{file_id}")).status_code == 404
            # The same name is free in another tenant.
            made = await other.post(
                "/v1/workspace/files", json={"name": "a.bpmn", "kind": "bpmn", "content": ""}
            )
            assert made.status_code == 201
        async with api.client(None) as anonymous:
            assert (await anonymous.get("/v1/workspace/files")).status_code == 401
        assert (await client.get(f"/v1/workspace/files/{file_id}")).json()["content"] == "mine"

    run(store_url, scenario)


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"name": "", "kind": "bpmn", "content": ""}, 400, "1 to 200 characters"),
        ({"name": "a/b.bpmn", "kind": "bpmn", "content": ""}, 400, "slashes"),
        ({"name": "x" * 300 + ".bpmn", "kind": "bpmn", "content": ""}, 400, "1 to 200"),
        ({"name": "a.dmn", "kind": "bpmn", "content": ""}, 400, "ends with .bpmn"),
        ({"name": "a.txt", "kind": "txt", "content": ""}, 400, "kind"),
        ({"name": "a.bpmn", "kind": "bpmn", "content": "", "extra": 1}, 400, "extra"),
        ({"name": "big.bpmn", "kind": "bpmn", "content": "x" * 2000}, 413, "over the workspace's limit"),
    ],
)
def test_bad_new_files_get_a_problem_and_nothing_is_stored(
    tmp_path: Path, body: dict[str, object], status: int, fragment: str
) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        response = await client.post("/v1/workspace/files", json=body)
        assert response.status_code == status, response.text
        assert fragment in response.json()["detail"]
        assert (await client.get("/v1/workspace/files")).json()["items"] == []

    run(f"sqlite:///{tmp_path / 'c.db'}", scenario, max_file_bytes=1000)


def test_bad_saves_and_renames_change_nothing(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        file_id = (await _create(client, "a.bpmn", "one"))["id"]
        await _create(client, "b.bpmn", "two")
        url = f"/v1/workspace/files/{file_id}"
        assert (await client.patch(url, json={"name": "b.bpmn"})).status_code == 409
        assert (await client.patch(url, json={"name": "b.form"})).status_code == 400
        assert (await client.put(url, json={"content": "x" * 2000, "baseVersion": 1})).status_code == 413
        assert (await client.put(url, json={"content": "x", "baseVersion": 0})).status_code == 400
        assert (await client.put(url, json={"content": "x"})).status_code == 400
        assert (
            await client.put("/v1/workspace/files/nope", json={"content": "x", "baseVersion": 1})
        ).status_code == 404
        assert (await client.get(f"{url}/versions/7")).status_code == 404
        # past a 32-bit version: a clear 400, never a database error (found by schemathesis)
        huge = 49616807732064539126183744716056559616
        assert (await client.put(url, json={"content": "x", "baseVersion": huge})).status_code == 400
        assert (await client.get(f"{url}/versions/{huge}")).status_code == 400
        dup = await client.post("/v1/workspace/files", json={"name": "a.bpmn", "kind": "bpmn", "content": ""})
        assert dup.status_code == 409
        opened = (await client.get(url)).json()
        assert (opened["name"], opened["version"], opened["content"]) == ("a.bpmn", 1, "one")

    run(f"sqlite:///{tmp_path / 'c.db'}", scenario, max_file_bytes=1000)


def test_deploy_reports_the_engines_problems_on_their_elements_then_deploys_once_fixed(
    store_url: str,
) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        file_id = (await _create(client, "broken.bpmn", BROKEN))["id"]
        refused = await client.post(f"/v1/workspace/files/{file_id}/deploy")
        assert refused.status_code == 400
        errors = {(e["elementId"], e["line"]): e["msg"] for e in refused.json()["errors"]}
        assert errors[("work", 6)] == "service task has no zeebe:taskDefinition type"
        assert "FEEL syntax error" in errors[("f2", 7)]
        assert all(e["resource"] == "broken.bpmn" for e in refused.json()["errors"])
        draft = (await _create(client, "draft.bpmn", "<bpmn:definitions"))["id"]
        malformed = (await client.post(f"/v1/workspace/files/{draft}/deploy")).json()
        assert malformed["status"] == 400 and malformed["errors"][0]["line"] == 1
        good = (await _create(client, "charge.bpmn", FIXTURE.read_text()))["id"]
        deployed = await client.post(f"/v1/workspace/files/{good}/deploy")
        assert deployed.status_code == 200, deployed.text
        process = deployed.json()["processes"][0]
        assert process["bpmnProcessId"] == "charge-and-wait" and process["version"] == 1
        assert isinstance(process["key"], str) and int(process["key"]) > 0

    run(store_url, scenario)


def test_lint_returns_the_engines_problems_as_editor_issues(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        issues = (await client.post("/v1/lint", json={"content": BROKEN})).json()
        assert {
            "elementId": "work",
            "message": "service task has no zeebe:taskDefinition type",
            "severity": "error",
            "line": 6,
        } in issues
        clean = await client.post("/v1/lint", json={"content": FIXTURE.read_text()})
        assert clean.status_code == 200 and clean.json() == []
        dmn = (
            await client.post("/v1/lint", json={"content": "<definitions/>", "kind": "dmn", "name": "a.dmn"})
        ).json()
        assert len(dmn) == 1 and dmn[0]["severity"] == "error"
        assert (await client.post("/v1/lint", json={"content": 5})).status_code == 400
        too_big = await client.post("/v1/lint", json={"content": "x" * 9000})
        assert too_big.status_code == 413

    run(f"sqlite:///{tmp_path / 'c.db'}", scenario, max_file_bytes=8000)


def test_the_file_list_is_paged_by_name(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        for name in ("c.bpmn", "a.dmn", "b.form"):
            await _create(client, name, "{}" if name.endswith(".form") else "")
        first = (await client.get("/v1/workspace/files", params={"limit": 2})).json()
        assert [f["name"] for f in first["items"]] == ["a.dmn", "b.form"]
        rest = (await client.get("/v1/workspace/files", params={"cursor": first["nextCursor"]})).json()
        assert [f["name"] for f in rest["items"]] == ["c.bpmn"] and rest["nextCursor"] is None
        for bad_cursor in ("not-ours", "WzFd", "W10", "WyJhIiwiYiJd"):  # garbage, [1], [], ["a","b"]
            bad = await client.get("/v1/workspace/files", params={"cursor": bad_cursor})
            assert bad.status_code == 400 and bad.json()["type"].endswith("invalid-cursor"), bad_cursor
        assert (await client.get("/v1/workspace/files", params={"limit": 0})).status_code == 400

    run(f"sqlite:///{tmp_path / 'c.db'}", scenario)


def test_a_form_that_is_not_json_is_saved_as_a_draft_but_not_deployed(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, _api: LocalApi) -> None:
        file_id = (await _create(client, "approve.form", '{"id": "approve", "components": ['))["id"]
        refused = await client.post(f"/v1/workspace/files/{file_id}/deploy")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["msg"].startswith("the form is not valid JSON")
        lint = (await client.post("/v1/lint", json={"content": "{", "kind": "form"})).json()
        assert len(lint) == 1 and lint[0]["line"] == 1
        good = '{"id": "approve", "type": "default", "components": []}'
        assert (
            await client.put(f"/v1/workspace/files/{file_id}", json={"content": good, "baseVersion": 1})
        ).status_code == 200
        deployed = await client.post(f"/v1/workspace/files/{file_id}/deploy")
        assert deployed.status_code == 200, deployed.text
        assert deployed.json()["forms"][0]["formId"] == "approve" and deployed.json()["fileVersion"] == 2

    run(f"sqlite:///{tmp_path / 'c.db'}", scenario)
