"""The modeler's workspace over REST: files (BPMN, DMN, forms) saved in versions, linted and deployed.

``install_workspace(app, engine)`` is the one line an app factory needs. Files are scoped by the caller's
tenant (``cadenza.api.caller``). A draft may be malformed XML: saving keeps it, lint and deploy report it.
Deploy runs the engine's own reader first, so each problem arrives with its element id and line for the
editor to mark, then submits the deployment.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.caller import Caller, workspace_caller
from cadenza.api.problems import Problem
from cadenza.api.replay import router as replay_router
from cadenza.check import FileReport, Issue, check_document
from cadenza.core.records import RecordType, ValueType
from cadenza.engine_adapters.port import EnginePort
from cadenza.store.sql import SqlStore
from cadenza.store.workspace import (
    FileVersion,
    NameTaken,
    StaleVersion,
    WorkspaceFile,
    WorkspaceStore,
    memory_workspace_engine,
)

__all__ = ["DEFAULT_MAX_FILE_BYTES", "Caller", "install_workspace", "lint_issues", "workspace_caller"]

DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
_MAX_NAME = 200
Kind = Literal["bpmn", "dmn", "form"]
router = APIRouter(prefix="/v1")


@dataclass(frozen=True, slots=True)
class _Workspace:
    store: WorkspaceStore
    engine: EnginePort
    max_file_bytes: int


def _workspace(request: Request) -> _Workspace:
    workspace: _Workspace = request.app.state.workspace
    return workspace


Ws = Annotated[_Workspace, Depends(_workspace)]
Who = Annotated[Caller, Depends(workspace_caller)]


def install_workspace(
    app: FastAPI, engine: EnginePort, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> None:
    """Serves the workspace and lint routes; files go to the engine's SQL database (a private in-memory one
    when the engine has none)."""
    store = getattr(engine, "store", None)
    database = store.sql_engine if isinstance(store, SqlStore) else memory_workspace_engine()
    app.state.workspace = _Workspace(WorkspaceStore(database), engine, max_file_bytes)
    app.include_router(router)
    app.include_router(replay_router)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewFile(_Body):
    name: str
    kind: Kind
    content: str = ""


class SaveFile(_Body):
    content: str
    baseVersion: int = Field(ge=1)


class RenameFile(_Body):
    name: str


class LintRequest(_Body):
    content: str
    kind: Literal["bpmn", "dmn"] = "bpmn"
    name: str = "model.bpmn"


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


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _now() -> int:
    return time.time_ns() // 1_000_000


def _item(file: WorkspaceFile) -> dict[str, Any]:
    return {
        "id": file.id,
        "name": file.name,
        "kind": file.kind,
        "version": file.version,
        "updatedAt": _iso(file.updated_at),
        "updatedBy": file.updated_by,
    }


def _missing(file_id: str) -> Problem:
    return Problem(404, f"no workspace file with id '{file_id}' was found")


def _found(ws: _Workspace, who: Caller, file_id: str) -> WorkspaceFile:
    file = ws.store.get(who.tenant, file_id)
    if file is None:
        raise _missing(file_id)
    return file


@router.get("/workspace/files")
def list_files(ws: Ws, who: Who) -> dict[str, Any]:
    return {"items": [_item(f) for f in ws.store.files(who.tenant)], "nextCursor": None}


@router.post("/workspace/files", status_code=201)
def create_file(body: NewFile, ws: Ws, who: Who) -> dict[str, Any]:
    name = _checked_name(body.name, body.kind)
    content = _checked_content(ws, body.content)
    try:
        file = ws.store.create(who.tenant, name, body.kind, content, who.user, _now())
    except NameTaken:
        raise Problem(409, f"a file named '{name}' already exists", kind="name-taken") from None
    return _item(file)


@router.get("/workspace/files/{file_id}")
def open_file(file_id: str, ws: Ws, who: Who) -> dict[str, Any]:
    file = _found(ws, who, file_id)
    latest = ws.store.version(who.tenant, file_id)
    history: list[FileVersion] = ws.store.versions(who.tenant, file_id) or []
    versions = [{"version": v.version, "savedAt": _iso(v.saved_at), "savedBy": v.saved_by} for v in history]
    return {**_item(file), "content": latest.content if latest else "", "versions": versions}


@router.put("/workspace/files/{file_id}")
def save_file(file_id: str, body: SaveFile, ws: Ws, who: Who) -> dict[str, Any]:
    content = _checked_content(ws, body.content)
    try:
        saved = ws.store.save(who.tenant, file_id, content, body.baseVersion, who.user, _now())
    except StaleVersion as stale:
        detail = f"version {body.baseVersion} is not the latest (version {stale.latest}): reload, then save"
        raise Problem(409, detail, kind="stale-version", latestVersion=stale.latest) from None
    if saved is None:
        raise _missing(file_id)
    return _item(_found(ws, who, file_id))


@router.patch("/workspace/files/{file_id}")
def rename_file(file_id: str, body: RenameFile, ws: Ws, who: Who) -> dict[str, Any]:
    file = _found(ws, who, file_id)
    name = _checked_name(body.name, file.kind)
    try:
        renamed = ws.store.rename(who.tenant, file_id, name, who.user, _now())
    except NameTaken:
        raise Problem(409, f"a file named '{name}' already exists", kind="name-taken") from None
    if not renamed:
        raise _missing(file_id)
    return _item(_found(ws, who, file_id))


@router.delete("/workspace/files/{file_id}", status_code=204)
def delete_file(file_id: str, ws: Ws, who: Who) -> None:
    if not ws.store.delete(who.tenant, file_id):
        raise _missing(file_id)


@router.get("/workspace/files/{file_id}/versions/{version}")
def file_version(file_id: str, version: int, ws: Ws, who: Who) -> dict[str, Any]:
    file = _found(ws, who, file_id)
    found = ws.store.version(who.tenant, file_id, version)
    if found is None:
        raise Problem(404, f"file '{file.name}' has no version {version}")
    meta = {"version": found.version, "savedAt": _iso(found.saved_at), "savedBy": found.saved_by}
    return {**_item(file), **meta, "content": found.content}


def _report(content: str, name: str, kind: str) -> FileReport:
    if kind == "form":
        report = FileReport(name, kind)
        try:
            json.loads(content)
        except json.JSONDecodeError as error:
            report.problems.append(_form_issue(error))
        return report
    return check_document(content.encode("utf-8"), name, kind)


def _form_issue(error: json.JSONDecodeError) -> Issue:
    return Issue(f"the form is not valid JSON: {error.msg}", None, error.lineno)


def lint_issues(content: str, name: str, kind: str) -> list[dict[str, Any]]:
    """The engine's deployment problems as editor issues: ``{elementId, message, severity, line}``."""
    report = _report(content, name, kind)
    return [
        {"elementId": p.element, "message": p.message, "severity": "error", "line": p.line}
        for p in report.problems
    ]


@router.post("/lint")
def lint(body: LintRequest, ws: Ws) -> list[dict[str, Any]]:
    _checked_content(ws, body.content)
    return lint_issues(body.content, body.name, body.kind)


@router.post("/workspace/files/{file_id}/deploy")
async def deploy_file(file_id: str, ws: Ws, who: Who) -> dict[str, Any]:
    file = _found(ws, who, file_id)
    latest = ws.store.version(who.tenant, file_id)
    content = latest.content if latest else ""
    report = _report(content, file.name, file.kind)
    if report.problems:
        errors = [
            {"resource": file.name, "elementId": p.element, "line": p.line, "column": None, "msg": p.message}
            for p in report.problems
        ]
        raise Problem(
            400,
            f"'{file.name}' cannot be deployed: {len(errors)} problem(s)",
            kind="invalid-model",
            errors=errors,
        )
    resources = [{"resourceName": file.name, "resource": content}]
    response = await ws.engine.submit(
        ValueType.DEPLOYMENT, "CREATE", {"resources": resources}, tenant=who.tenant
    )
    if response.record_type is RecordType.COMMAND_REJECTION:
        error = {
            "resource": file.name,
            "elementId": None,
            "line": None,
            "column": None,
            "msg": response.rejection_reason,
        }
        raise Problem(400, response.rejection_reason, kind="invalid-model", errors=[error])
    return _deployment(response.key, response.value, latest.version if latest else 0)


def _deployment(key: int, value: dict[str, Any], version: int) -> dict[str, Any]:
    processes = [
        {
            "key": str(p.get("processDefinitionKey")),
            "bpmnProcessId": p.get("bpmnProcessId"),
            "version": p.get("version"),
            "resourceName": p.get("resourceName"),
        }
        for p in value.get("processesMetadata", [])
    ]
    decisions = [
        {"key": str(d.get("decisionKey")), "decisionId": d.get("decisionId"), "version": d.get("version")}
        for d in value.get("decisionsMetadata", [])
    ]
    forms = [
        {"key": str(f.get("formKey")), "formId": f.get("formId"), "version": f.get("version")}
        for f in value.get("formMetadata", [])
    ]
    return {
        "key": str(key),
        "fileVersion": version,
        "processes": processes,
        "decisions": decisions,
        "forms": forms,
    }
