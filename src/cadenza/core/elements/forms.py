"""Linked forms of user tasks (``zeebe:formDefinition formId``): the deployed form a task shows.

Resolved on activation, with the other user task properties: the latest version of the form id (binding
``latest``, the default), the version deployed with the process (``deployment``) or the newest version with
a version tag (``versionTag``). A form that is not deployed raises a FORM_NOT_FOUND incident with Zeebe's
message; deploying the form and resolving the incident activates the task.
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.zeebe_ext import FormDefinition
from cadenza.core.writer import Writer

__all__ = ["FormNotFound", "linked_form_key"]

NO_FORM = -1


class FormNotFound(Exception):
    """The linked form is not deployed; the message is the incident's."""


def linked_form_key(writer: Writer, instance: dict[str, Any], form: FormDefinition | None) -> int:
    """The key of the form a user task links, or -1 when it links none (an embedded or external form)."""
    if form is None or form.form_id is None:
        return NO_FORM
    processes = writer.state.processes
    tenant, form_id = instance["tenantId"], form.form_id
    if form.binding_type == "deployment":
        own = processes.process(instance["processDefinitionKey"]) or {}
        deployment = own.get("deploymentKey")
        found = _newest(writer, tenant, form_id, "deploymentKey", deployment)
        message = (
            f"Expected to use a form with id '{form_id}' with binding type 'deployment', but no such form "
            f"found in the deployment with key {deployment} which contained the current process. To resolve "
            "this incident, migrate the process instance to a process definition that is deployed together "
            "with the intended form to use."
        )
    elif form.binding_type == "versionTag":
        found = _newest(writer, tenant, form_id, "versionTag", form.version_tag)
        message = (
            f"Expected to use a form with id '{form_id}' and version tag '{form.version_tag}', but no such "
            "form found. To resolve the incident, deploy a form with the given id and version tag."
        )
    else:
        found = processes.latest_form(tenant, form_id)
        message = (
            f"Expected to find a form with id '{form_id}', but no form with this id is found, at least a "
            "form with this id should be available. To resolve the Incident please deploy a form with the "
            "same id"
        )
    if found is None:
        raise FormNotFound(message)
    return int(found["formKey"])


def _newest(writer: Writer, tenant: str, form_id: str, field: str, wanted: Any) -> dict[str, Any] | None:
    rows = [
        row
        for row in writer.state.processes.all_forms()
        if row["formId"] == form_id and row["tenantId"] == tenant and row.get(field) == wanted
    ]
    return max(rows, key=lambda row: int(row["version"])) if rows else None
