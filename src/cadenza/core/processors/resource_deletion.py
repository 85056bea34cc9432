"""RESOURCE_DELETION DELETE: Zeebe's DeleteResource for a process definition, a decision requirements graph
(with its decisions) or a form, by key.

A process version with running instances is not deleted (INVALID_STATE, as Zeebe rejects it). Deleting the
latest version of a process closes its start-event subscriptions and opens the previous version's, which
becomes the latest again: creating an instance by id then starts that version.
"""

from __future__ import annotations

from typing import Any

from cadenza.core.intents import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    ProcessIntent,
    ResourceDeletionIntent,
)
from cadenza.core.processors.instances import key_field
from cadenza.core.processors.start_events import close_start_subscriptions, open_start_subscriptions
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["delete_resource"]

_PROCESS_FIELDS = (
    "bpmnProcessId",
    "version",
    "versionTag",
    "processDefinitionKey",
    "resourceName",
    "deploymentKey",
    "tenantId",
)


def delete_resource(writer: Writer, command: Record) -> None:
    key = key_field(command.value, "resourceKey")
    if isinstance(key, str):
        writer.reject(command, RejectionType.INVALID_ARGUMENT, key)
        return
    tenant = str(command.value.get("tenantId") or command.tenant)
    processes = writer.state.processes
    found = [
        (kind, row)
        for kind, row in (
            ("process", processes.process(key)),
            ("drg", processes.drg(key)),
            ("form", processes.form(key)),
        )
        if row is not None and row["tenantId"] == tenant
    ]
    if not found:
        reason = f"Expected to delete resource but no resource found with key `{key}`"
        writer.reject(command, RejectionType.NOT_FOUND, reason)
        return
    kind, row = found[0]
    if kind == "process" and writer.state.elements.has_instances_of(key):
        reason = f"Expected to delete resource with key `{key}` but there are still running instances"
        writer.reject(command, RejectionType.INVALID_STATE, reason)
        return
    deletion_key = writer.next_key()
    value = {"resourceKey": key, "tenantId": tenant}
    writer.event(ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETING, deletion_key, value, tenant)
    _DELETERS[kind](writer, row)
    done = writer.event(
        ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETED, deletion_key, value, tenant
    )
    writer.respond(done)


def _delete_process(writer: Writer, row: dict[str, Any]) -> None:
    record = {name: row[name] for name in _PROCESS_FIELDS}
    tenant = row["tenantId"]
    writer.event(ValueType.PROCESS, ProcessIntent.DELETING, writer.next_key(), record, tenant)
    processes = writer.state.processes
    latest = processes.latest_process(tenant, row["bpmnProcessId"])
    if latest is not None and latest["processDefinitionKey"] == row["processDefinitionKey"]:
        close_start_subscriptions(writer, row["processDefinitionKey"])
        previous = max(
            (
                other
                for other in processes.all_processes()
                if other["bpmnProcessId"] == row["bpmnProcessId"]
                and other["tenantId"] == tenant
                and other["processDefinitionKey"] != row["processDefinitionKey"]
            ),
            key=lambda other: int(other["version"]),
            default=None,
        )
        if previous is not None:
            model = processes.model(previous["processDefinitionKey"])
            open_start_subscriptions(writer, previous, model, None)
    writer.event(ValueType.PROCESS, ProcessIntent.DELETED, writer.next_key(), record, tenant)


def _delete_drg(writer: Writer, row: dict[str, Any]) -> None:
    tenant = row["tenantId"]
    for decision in writer.state.processes.decisions_of_drg(row["decisionRequirementsKey"]):
        writer.event(ValueType.DECISION, DecisionIntent.DELETED, writer.next_key(), decision, tenant)
    record = {name: value for name, value in row.items() if name != "decisionIds"}
    intent = DecisionRequirementsIntent.DELETED
    writer.event(ValueType.DECISION_REQUIREMENTS, intent, writer.next_key(), record, tenant)


def _delete_form(writer: Writer, row: dict[str, Any]) -> None:
    writer.event(ValueType.FORM, FormIntent.DELETED, writer.next_key(), dict(row), row["tenantId"])


_DELETERS = {"process": _delete_process, "drg": _delete_drg, "form": _delete_form}
