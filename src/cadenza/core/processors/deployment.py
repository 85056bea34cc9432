"""DEPLOYMENT CREATE: parse, validate and version every resource, atomically (ZEEBE-SEMANTICS §8.4–8.5).

A resource whose bytes and name equal the latest version's is a duplicate and gets no new version, unless the
same deployment changes another resource; a model Cadenza cannot run is rejected here, never at run time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cadenza.bpmn.errors import BpmnError
from cadenza.bpmn.model import Definitions, EventType, Process
from cadenza.bpmn.reader import parse_bpmn
from cadenza.core.elements.behaviors import SUPPORTED_EVENT_TYPES, SUPPORTED_KINDS
from cadenza.core.elements.limits import unsupported_detail
from cadenza.core.intents import DecisionRequirementsIntent, DeploymentIntent, ProcessIntent
from cadenza.core.processors.start_events import deploy_problems, open_start_subscriptions
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer
from cadenza.dmn import load_dmn
from cadenza.dmn.errors import DmnError

__all__ = ["deploy"]


class _Rejected(Exception):
    pass


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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


def _parse(resource: dict[str, Any]) -> tuple[str, Definitions | Any]:
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
    raise _Rejected(f"'{name}': unknown resource type (expected .bpmn, .xml or .dmn)")


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
    processes: list[dict[str, Any]] = []
    drgs: list[dict[str, Any]] = []
    for resource, kind, model in parsed:
        if kind == "bpmn":
            processes.extend(_processes(writer, tenant, resource, model, deployment_key, changed))
        else:
            drgs.append(_drg(writer, tenant, resource, model, deployment_key, changed))
    value = {
        "resources": [{"resourceName": r["resourceName"]} for r in resources],
        "processesMetadata": processes,
        "decisionRequirementsMetadata": drgs,
        "tenantId": tenant,
    }
    writer.respond(
        writer.event(ValueType.DEPLOYMENT, DeploymentIntent.CREATED, deployment_key, value, tenant)
    )


def _check_unique_ids(parsed: list[tuple[dict[str, Any], str, Any]]) -> None:
    seen: set[str] = set()
    for resource, kind, model in parsed:
        ids = [p.id for p in model.processes] if kind == "bpmn" else [model.definitions.id or model.namespace]
        for resource_id in ids:
            if resource_id in seen:
                raise _Rejected(
                    f"Duplicated process id in resources '{resource['resourceName']}': '{resource_id}'"
                )
            seen.add(resource_id)


def _is_duplicate(writer: Writer, tenant: str, resource: dict[str, Any], kind: str, model: Any) -> bool:
    checksum = _checksum(resource["resource"])
    state = writer.state.processes
    if kind == "bpmn":
        latest = [state.latest_process(tenant, process.id) for process in model.processes]
    else:
        latest = [state.latest_drg_by_id(tenant, model.definitions.id or model.namespace)]
    return all(
        row is not None and row["checksum"] == checksum and row["resourceName"] == resource["resourceName"]
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
    checksum = _checksum(resource["resource"])
    out = []
    for process in model.processes:
        latest = state.latest_process(tenant, process.id)
        if latest is not None and not changed:
            out.append({**_metadata(latest), "duplicate": True})
            continue
        key = writer.next_key()
        row = {
            "bpmnProcessId": process.id,
            "version": 1 if latest is None else latest["version"] + 1,
            "processDefinitionKey": key,
            "resourceName": resource["resourceName"],
            "checksum": checksum,
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


def _drg(
    writer: Writer, tenant: str, resource: dict[str, Any], model: Any, deployment_key: int, changed: bool
) -> dict[str, Any]:
    drg_id = model.definitions.id or model.namespace
    latest = writer.state.processes.latest_drg_by_id(tenant, drg_id)
    if latest is not None and not changed:
        return {**{k: v for k, v in latest.items() if k != "resource"}, "duplicate": True}
    key = writer.next_key()
    row = {
        "decisionRequirementsKey": key,
        "decisionRequirementsId": drg_id,
        "decisionRequirementsName": model.definitions.name or drg_id,
        "version": 1 if latest is None else latest["version"] + 1,
        "resourceName": resource["resourceName"],
        "checksum": _checksum(resource["resource"]),
        "resource": resource["resource"],
        "decisionIds": sorted(model.decisions),
        "deploymentKey": deployment_key,
        "tenantId": tenant,
    }
    writer.event(ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED, key, row, tenant)
    return {**{k: v for k, v in row.items() if k != "resource"}, "duplicate": False}
