"""DEPLOYMENT CREATE: parse, validate and version every resource, atomically (ZEEBE-SEMANTICS §8.4–8.5).

Processes (``.bpmn``/``.xml``), decision requirements graphs (``.dmn``) and forms (``.form``). A resource
whose bytes and name equal the latest version's is a duplicate and gets no new version, unless the same
deployment changes another resource; a model Cadenza cannot run is rejected here, never at run time.
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.errors import BpmnError
from cadenza.bpmn.model import Definitions, EventType, Process
from cadenza.bpmn.reader import parse_bpmn
from cadenza.core.elements.behaviors import SUPPORTED_EVENT_TYPES, SUPPORTED_KINDS
from cadenza.core.elements.limits import unsupported_detail
from cadenza.core.intents import DeploymentIntent, ProcessIntent
from cadenza.core.processors.deploy_resources import (
    checksum,
    deploy_drg,
    deploy_form,
    drg_id,
    parse_form,
)
from cadenza.core.processors.start_events import deploy_problems, open_start_subscriptions
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer
from cadenza.dmn import load_dmn
from cadenza.dmn.errors import DmnError

__all__ = ["deploy"]


class _Rejected(Exception):
    pass


def _unsupported(process: Process) -> list[str]:
    problems = []
    for element in process.elements.values():
        event_type = getattr(element, "event_type", EventType.NONE)
        if element.kind not in SUPPORTED_KINDS or event_type not in SUPPORTED_EVENT_TYPES:
            what = element.kind if event_type is EventType.NONE else f"{event_type} {element.kind}"
            line = f" (line {element.line})" if element.line else ""
            problems.append(f"element '{element.id}'{line}: Cadenza cannot run a {what} yet")
        elif (detail := unsupported_detail(element)) is not None:
            line = f" (line {element.line})" if element.line else ""
            problems.append(f"element '{element.id}'{line}: {detail}")
    return problems + deploy_problems(process)


def _parse(resource: dict[str, Any]) -> tuple[str, Any]:
    name = str(resource.get("resourceName") or "")
    text = resource.get("resource")
    if not isinstance(text, str):
        raise _Rejected(f"'{name}': resource is not text")
    lower = name.lower()
    if lower.endswith((".bpmn", ".xml")):
        try:
            definitions = parse_bpmn(text.encode(), resource_name=name)
        except BpmnError as error:
            raise _Rejected(f"'{name}': {error}") from None
        problems = [p for process in definitions.processes for p in _unsupported(process)]
        if problems:
            raise _Rejected(f"'{name}': " + "; ".join(problems))
        return "bpmn", definitions
    if lower.endswith(".dmn"):
        try:
            return "dmn", load_dmn(text.encode())
        except DmnError as error:
            raise _Rejected(f"'{name}': {error}") from None
    if lower.endswith(".form"):
        try:
            return "form", parse_form(text)
        except ValueError as error:
            raise _Rejected(f"'{name}': {error}") from None
    raise _Rejected(f"'{name}': unknown resource type (expected .bpmn, .xml, .dmn or .form)")


def deploy(writer: Writer, command: Record) -> None:
    tenant = command.value.get("tenantId") or command.tenant
    resources = command.value.get("resources") or []
    if not resources:
        writer.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected to deploy at least one resource, but none given",
        )
        return
    try:
        parsed = [(resource, *_parse(resource)) for resource in resources]
        _check_unique_ids(parsed)
    except _Rejected as error:
        reason = f"Expected to deploy new resources, but encountered the following errors:\n{error}"
        writer.reject(command, RejectionType.INVALID_ARGUMENT, reason)
        return
    changed = any(not _is_duplicate(writer, tenant, res, kind, model) for res, kind, model in parsed)
    deployment_key = writer.next_key()
    value: dict[str, Any] = {
        "resources": [{"resourceName": r["resourceName"]} for r in resources],
        "processesMetadata": [],
        "decisionRequirementsMetadata": [],
        "decisionsMetadata": [],
        "formMetadata": [],
        "tenantId": tenant,
    }
    for resource, kind, model in parsed:
        if kind == "bpmn":
            processes = _processes(writer, tenant, resource, model, deployment_key, changed)
            value["processesMetadata"].extend(processes)
        elif kind == "dmn":
            drg, decisions = deploy_drg(writer, tenant, resource, model, deployment_key, changed)
            value["decisionRequirementsMetadata"].append(drg)
            value["decisionsMetadata"].extend(decisions)
        else:
            value["formMetadata"].append(
                deploy_form(writer, tenant, resource, model, deployment_key, changed)
            )
    writer.respond(
        writer.event(ValueType.DEPLOYMENT, DeploymentIntent.CREATED, deployment_key, value, tenant)
    )


def _check_unique_ids(parsed: list[tuple[dict[str, Any], str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    for resource, kind, model in parsed:
        if kind == "bpmn":
            ids = [p.id for p in model.processes]
        else:
            ids = [model.id] if kind == "form" else [drg_id(model)]
        what = "form" if kind == "form" else "process"
        for resource_id in ids:
            if (what, resource_id) in seen:
                raise _Rejected(
                    f"Duplicated {what} id in resources '{resource['resourceName']}': '{resource_id}'"
                )
            seen.add((what, resource_id))


def _is_duplicate(writer: Writer, tenant: str, resource: dict[str, Any], kind: str, model: Any) -> bool:
    text_checksum = checksum(resource["resource"])
    state = writer.state.processes
    if kind == "bpmn":
        latest = [state.latest_process(tenant, process.id) for process in model.processes]
    elif kind == "dmn":
        latest = [state.latest_drg_by_id(tenant, drg_id(model))]
    else:
        latest = [state.latest_form(tenant, model.id)]
    return all(
        row is not None
        and row["checksum"] == text_checksum
        and row["resourceName"] == resource["resourceName"]
        for row in latest
    )


def _processes(
    writer: Writer,
    tenant: str,
    resource: dict[str, Any],
    model: Definitions,
    deployment_key: int,
    changed: bool,
) -> list[dict[str, Any]]:
    state = writer.state.processes
    text_checksum = checksum(resource["resource"])
    out = []
    for process in model.processes:
        latest = state.latest_process(tenant, process.id)
        if latest is not None and not changed:
            out.append({**_metadata(latest), "duplicate": True})
            continue
        key = writer.next_key()
        row = {
            "bpmnProcessId": process.id,
            "version": state.next_version("process", tenant, process.id, latest),
            "processDefinitionKey": key,
            "resourceName": resource["resourceName"],
            "checksum": text_checksum,
            "resource": resource["resource"],
            "versionTag": process.version_tag or "",
            "deploymentKey": deployment_key,
            "tenantId": tenant,
        }
        writer.event(ValueType.PROCESS, ProcessIntent.CREATED, key, row, tenant)
        state.remember_model(key, process)
        open_start_subscriptions(writer, row, process, latest)
        out.append({**_metadata(row), "duplicate": False})
    return out


def _metadata(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("bpmnProcessId", "version", "processDefinitionKey", "resourceName", "checksum", "tenantId")
    return {name: row[name] for name in keep}
