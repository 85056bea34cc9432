"""The modeler's workspace over REST: files (BPMN, DMN, forms) saved in versions, linted and deployed.

The app factory includes ``router`` (``cadenza.api.rest.app.OPTIONAL_ROUTERS``). Files live in the store's
database beside the API's views, scoped by the caller's tenant. A draft may be malformed XML: saving keeps
it, lint and deploy report it. Lint and deploy check a file the way deployment does
(``cadenza.api.rest.deploying``), so each problem arrives with its element id and line for the editor to mark.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.problems import Problem
from cadenza.api.rest.deploying import deploy_resources, resource_errors
from cadenza.api.rest.deps import CurrentUser, Services, Svc, iso, tenant_for
from cadenza.api.rest.pagination import MAX_LIMIT, decode_text_cursor, page
from cadenza.identity import Principal
from cadenza.store.workspace import (
    FileVersion,
    NameTaken,
    StaleVersion,
    WorkspaceFile,
    WorkspaceStore,
)

__all__ = ["lint_issues", "router"]

_MAX_NAME = 200
#: Versions are 32-bit columns; a larger number can name no version (a 422, not a database error).
MAX_VERSION = 2**31 - 1
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION)]
Kind = Literal["bpmn", "dmn", "form"]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
router = APIRouter(prefix="/v1", tags=["workspace"])


class _Workspace:
    """One request's view of the workspace: the caller's tenant and user, the store, the bounds."""

    def __init__(self, services: Services, user: Principal) -> None:
        self.services = services
        self.principal = user
        self.user = user.username
        self.tenant = tenant_for(user, None)
        self.store = WorkspaceStore(services.views.engine)
        self.max_file_bytes = services.max_workspace_file_bytes


def _workspace(services: Svc, user: CurrentUser) -> _Workspace:
    return _Workspace(services, user)


Ws = Annotated[_Workspace, Depends(_workspace)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewFile(_Body):
    name: str
    kind: Kind
    content: str = ""


class SaveFile(_Body):
    content: str
    baseVersion: int = Field(ge=1, le=MAX_VERSION)


class RenameFile(_Body):
    name: str


class LintRequest(_Body):
    content: str
    kind: Kind = "bpmn"
    #: Named in the problems; a name without the kind's extension is replaced by ``model.<kind>``.
    name: str | None = None


def _checked_name(name: str, kind: str) -> str:
    name = name.strip()
    if not name or len(name) > _MAX_NAME:
        raise Problem(400, f"a file name has 1 to {_MAX_NAME} characters", kind="invalid-name")
    if any(c in name for c in "/\\") or any(ord(c) < 32 for c in name):
        raise Problem(400, "a file name may not contain slashes or control characters", kind="invalid-name")
    if not name.lower().endswith(f".{kind}"):
        raise Problem(400, f"a {kind} file's name ends with .{kind}", kind="invalid-name")
    return name


def _checked_content(ws: _Workspace, content: str) -> str:
    size = len(content.encode("utf-8"))
    if size > ws.max_file_bytes:
        detail = f"the file is {size:,} bytes, over the workspace's limit of {ws.max_file_bytes:,} bytes"
        raise Problem(413, detail, kind="file-too-large", limit=ws.max_file_bytes)
    return content


def _now(ws: _Workspace) -> int:
    return int(ws.services.clock() * 1000)


def _item(file: WorkspaceFile) -> dict[str, Any]:
    return {
        "id": file.id,
        "name": file.name,
        "kind": file.kind,
        "version": file.version,
        "updatedAt": iso(file.updated_at),
        "updatedBy": file.updated_by,
    }


def _missing(file_id: str) -> Problem:
    return Problem(404, f"no workspace file with id '{file_id[:64]}' was found")


def _found(ws: _Workspace, file_id: str) -> WorkspaceFile:
    file = ws.store.get(ws.tenant, file_id)
    if file is None:
        raise _missing(file_id)
    return file


def _name_cursor(cursor: str | None) -> str | None:
    """The last name of the previous page (``page`` encodes ``[name]``); anything else is a 400 problem."""
    return decode_text_cursor(cursor, _MAX_NAME)


@router.get("/workspace/files")
def list_files(ws: Ws, cursor: str | None = None, limit: Limit = 100) -> dict[str, Any]:
    rows = ws.store.files(ws.tenant, after=_name_cursor(cursor), limit=limit + 1)
    return page([_item(f) for f in rows], rows, limit, lambda f: [f.name])


@router.post("/workspace/files", status_code=201)
def create_file(body: NewFile, ws: Ws) -> dict[str, Any]:
    name = _checked_name(body.name, body.kind)
    content = _checked_content(ws, body.content)
    try:
        file = ws.store.create(ws.tenant, name, body.kind, content, ws.user, _now(ws))
    except NameTaken:
        raise Problem(409, f"a file named '{name}' already exists", kind="name-taken") from None
    return _item(file)


@router.get("/workspace/files/{file_id}")
def open_file(file_id: str, ws: Ws) -> dict[str, Any]:
    file = _found(ws, file_id)
    latest = ws.store.version(ws.tenant, file_id)
    history: list[FileVersion] = ws.store.versions(ws.tenant, file_id) or []
    versions = [{"version": v.version, "savedAt": iso(v.saved_at), "savedBy": v.saved_by} for v in history]
    return {**_item(file), "content": latest.content if latest else "", "versions": versions}


@router.put("/workspace/files/{file_id}")
def save_file(file_id: str, body: SaveFile, ws: Ws) -> dict[str, Any]:
    content = _checked_content(ws, body.content)
    try:
        saved = ws.store.save(ws.tenant, file_id, content, body.baseVersion, ws.user, _now(ws))
    except StaleVersion as stale:
        detail = f"version {body.baseVersion} is not the latest (version {stale.latest}): reload, then save"
        raise Problem(409, detail, kind="stale-version", latestVersion=stale.latest) from None
    if saved is None:
        raise _missing(file_id)
    return _item(_found(ws, file_id))


@router.patch("/workspace/files/{file_id}")
def rename_file(file_id: str, body: RenameFile, ws: Ws) -> dict[str, Any]:
    file = _found(ws, file_id)
    name = _checked_name(body.name, file.kind)
    try:
        renamed = ws.store.rename(ws.tenant, file_id, name, ws.user, _now(ws))
    except NameTaken:
        raise Problem(409, f"a file named '{name}' already exists", kind="name-taken") from None
    if not renamed:
        raise _missing(file_id)
    return _item(_found(ws, file_id))


@router.delete("/workspace/files/{file_id}", status_code=204)
def delete_file(file_id: str, ws: Ws) -> None:
    if not ws.store.delete(ws.tenant, file_id):
        raise _missing(file_id)


@router.get("/workspace/files/{file_id}/versions/{version}")
def file_version(file_id: str, version: VersionNumber, ws: Ws) -> dict[str, Any]:
    file = _found(ws, file_id)
    found = ws.store.version(ws.tenant, file_id, version)
    if found is None:
        raise Problem(404, f"file '{file.name}' has no version {version}")
    meta = {"version": found.version, "savedAt": iso(found.saved_at), "savedBy": found.saved_by}
    return {**_item(file), **meta, "content": found.content}


def _errors(name: str, kind: str, content: str) -> list[dict[str, Any]]:
    """The problems deployment would report, each ``{resource, elementId, line, column, msg}``."""
    if kind != "form":
        return resource_errors(name, content)
    try:
        json.loads(content)
    except json.JSONDecodeError as error:
        msg = f"the form is not valid JSON: {error.msg}"
        return [
            {"resource": name, "elementId": None, "line": error.lineno, "column": error.colno, "msg": msg}
        ]
    return []


def lint_issues(name: str, kind: str, content: str) -> list[dict[str, Any]]:
    """The engine's deployment problems as editor issues: ``{elementId, message, severity, line}``."""
    return [
        {"elementId": e["elementId"], "message": e["msg"], "severity": "error", "line": e["line"]}
        for e in _errors(name, kind, content)
    ]


@router.post("/lint")
def lint(body: LintRequest, ws: Ws) -> list[dict[str, Any]]:
    _checked_content(ws, body.content)
    name = body.name if body.name and body.name.lower().endswith(f".{body.kind}") else f"model.{body.kind}"
    return lint_issues(name, body.kind, body.content)


@router.post("/workspace/files/{file_id}/deploy")
async def deploy_file(file_id: str, ws: Ws) -> dict[str, Any]:
    """Deploys the latest version to the caller's tenant; a 400 problem with ``errors`` if it cannot run."""
    file = _found(ws, file_id)
    latest = ws.store.version(ws.tenant, file_id)
    version, content = (latest.version, latest.content) if latest else (0, "")
    errors = _errors(file.name, file.kind, content)
    if errors:
        detail = f"'{file.name}' cannot be deployed: {len(errors)} problem(s)"
        raise Problem(400, detail, kind="invalid-deployment", errors=errors)
    deployed = await deploy_resources(ws.services, ws.principal, [(file.name, content)], ws.tenant)
    return {**deployed, "fileVersion": version}
