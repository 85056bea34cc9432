"""The DMN and form parts of a deployment (ZEEBE-SEMANTICS §8.4–8.5): decision requirements graphs with a
key and a version per decision, and Camunda forms.

A ``.form`` resource is form-js JSON whose ``id`` names the form; user tasks link the latest version of that
id (``zeebe:formDefinition formId``). Decisions are versioned by decision id, independently of their DRG's
version, and each version has its own key, as Zeebe's ``DECISION CREATED`` records say.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cadenza.core.intents import DecisionIntent, DecisionRequirementsIntent, FormIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer
from cadenza.dmn import DmnModel

__all__ = ["FormModel", "checksum", "deploy_drg", "deploy_form", "drg_id", "parse_form"]


@dataclass(frozen=True, slots=True)
class FormModel:
    id: str
    version_tag: str


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parse_form(text: str) -> FormModel:
    """The form's id (and version tag); ValueError with the reason a resource is no deployable form."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ValueError(f"the form is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ValueError("the form is not a JSON object")
    form_id = document.get("id")
    if form_id is None:
        raise ValueError("Expected the form id to be present, but none given")
    if not isinstance(form_id, str):
        raise ValueError(f"Expected the form id to be a string, but was {json.dumps(form_id)}")
    if not form_id.strip():
        raise ValueError("Expected the form id to be filled, but it is blank")
    tag = document.get("versionTag")
    return FormModel(form_id, tag if isinstance(tag, str) else "")


def drg_id(model: DmnModel) -> str:
    return model.definitions.id or model.namespace


def deploy_form(
    writer: Writer, tenant: str, resource: dict[str, Any], form: FormModel, deployment_key: int, changed: bool
) -> dict[str, Any]:
    """FORM CREATED for a new version, or the latest version's metadata when nothing changed."""
    processes = writer.state.processes
    latest = processes.latest_form(tenant, form.id)
    if latest is not None and not changed:
        return {**_form_metadata(latest), "duplicate": True}
    key = writer.next_key()
    row = {
        "formId": form.id,
        "version": processes.next_version("form", tenant, form.id, latest),
        "versionTag": form.version_tag,
        "formKey": key,
        "resourceName": resource["resourceName"],
        "checksum": checksum(resource["resource"]),
        "resource": resource["resource"],
        "deploymentKey": deployment_key,
        "tenantId": tenant,
    }
    writer.event(ValueType.FORM, FormIntent.CREATED, key, row, tenant)
    return {**_form_metadata(row), "duplicate": False}


def _form_metadata(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("formId", "version", "formKey", "resourceName", "checksum", "tenantId")
    return {name: row[name] for name in keep}


def deploy_drg(
    writer: Writer,
    tenant: str,
    resource: dict[str, Any],
    model: DmnModel,
    deployment_key: int,
    changed: bool,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """DECISION_REQUIREMENTS CREATED and a DECISION CREATED per decision; returns the metadata of both."""
    processes = writer.state.processes
    graph_id = drg_id(model)
    latest = processes.latest_drg_by_id(tenant, graph_id)
    if latest is not None and not changed:
        decisions = processes.decisions_of_drg(latest["decisionRequirementsKey"])
        return _drg_metadata(latest, True), [{**d, "duplicate": True} for d in decisions]
    key = writer.next_key()
    row = {
        "decisionRequirementsKey": key,
        "decisionRequirementsId": graph_id,
        "decisionRequirementsName": model.definitions.name or graph_id,
        "version": processes.next_version("drg", tenant, graph_id, latest),
        "resourceName": resource["resourceName"],
        "checksum": checksum(resource["resource"]),
        "resource": resource["resource"],
        "decisionIds": sorted(model.decisions),
        "deploymentKey": deployment_key,
        "tenantId": tenant,
    }
    writer.event(ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED, key, row, tenant)
    decisions = [
        _decision(writer, row, decision.id, decision.name) for decision in model.definitions.decisions
    ]
    return _drg_metadata(row, False), [{**d, "duplicate": False} for d in decisions]


def _decision(writer: Writer, drg: dict[str, Any], decision_id: str, name: str) -> dict[str, Any]:
    tenant = drg["tenantId"]
    processes = writer.state.processes
    latest = processes.latest_decision_row(tenant, decision_id)
    key = writer.next_key()
    row = {
        "decisionId": decision_id,
        "decisionName": name or decision_id,
        "version": processes.next_version("decision", tenant, decision_id, latest),
        "versionTag": "",
        "decisionKey": key,
        "decisionRequirementsId": drg["decisionRequirementsId"],
        "decisionRequirementsKey": drg["decisionRequirementsKey"],
        "deploymentKey": drg["deploymentKey"],
        "tenantId": tenant,
    }
    writer.event(ValueType.DECISION, DecisionIntent.CREATED, key, row, tenant)
    return row


def _drg_metadata(row: dict[str, Any], duplicate: bool) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "resource"}, "duplicate": duplicate}
