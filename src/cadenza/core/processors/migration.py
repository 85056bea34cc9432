"""PROCESS_INSTANCE_MIGRATION MIGRATE: Zeebe's MigrateProcessInstance.

After ``migration_plan`` has checked every active element instance, each is moved to its target element,
breadth-first from the process instance: ``ELEMENT_MIGRATED`` with the target definition's key, id and
version, then what it owns: its job (``JOB MIGRATED``, type and headers kept, as Zeebe keeps them), user
task, incident and local variables. Its catch events follow the mapping: a mapped catch event keeps its
subscription (a timer its due date), an unmapped one closes, and the target's other catch events subscribe.
Jobs, expressions and input mappings are not re-evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.core.elements.subscriptions import (
    CatchElement,
    close_subscriptions,
    is_interrupting,
    open_catch_events,
)
from cadenza.core.intents import (
    IncidentIntent,
    JobIntent,
    MessageSubscriptionIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
    UserTaskIntent,
    VariableIntent,
)
from cadenza.core.processors.instances import Rejected, named_instance
from cadenza.core.processors.migration_plan import MigrationPlan, MigrationStep, plan_migration
from cadenza.core.records import Record, RejectionType, ValueType
from cadenza.core.writer import Writer

__all__ = ["migrate"]


def migrate(writer: Writer, command: Record) -> None:
    value = command.value
    row = named_instance(writer, command, "migrate")
    if row is None:
        return
    key = int(row["k"])
    try:
        plan = plan_migration(writer.state, row, value)
    except Rejected as rejected:
        writer.reject(command, RejectionType(rejected.args[0]), rejected.args[1])
        return
    for step in plan.steps:
        _migrate_element(writer, plan, step)
    record = {
        "processInstanceKey": key,
        "targetProcessDefinitionKey": plan.target["processDefinitionKey"],
        "mappingInstructions": [
            {
                "sourceElementId": str(i.get("sourceElementId")),
                "targetElementId": str(i.get("targetElementId")),
            }
            for i in value.get("mappingInstructions") or []
        ],
        "tenantId": row["v"]["tenantId"],
    }
    intent = ProcessInstanceMigrationIntent.MIGRATED
    writer.respond(
        writer.event(ValueType.PROCESS_INSTANCE_MIGRATION, intent, key, record, record["tenantId"])
    )


def _definition(plan: MigrationPlan) -> dict[str, Any]:
    return {
        "processDefinitionKey": plan.target["processDefinitionKey"],
        "bpmnProcessId": plan.target["bpmnProcessId"],
    }


def _migrate_element(writer: Writer, plan: MigrationPlan, step: MigrationStep) -> None:
    tenant = step.row["v"]["tenantId"]
    moved = {
        **step.row["v"],
        **_definition(plan),
        "version": plan.target["version"],
        "elementId": step.target_id,
    }
    writer.event(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_MIGRATED, step.key, moved, tenant)
    state = writer.state
    owned = {**_definition(plan), "elementId": step.target_id}
    versioned = {**owned, "processDefinitionVersion": plan.target["version"]}
    job_key, incident_key, task_key = (step.row.get(name, -1) for name in ("job", "incident", "userTask"))
    job, incident, task = (
        state.jobs.get(job_key),
        state.incidents.get(incident_key),
        state.user_tasks.get(task_key),
    )
    if job is not None:
        writer.event(ValueType.JOB, JobIntent.MIGRATED, job_key, {**job["v"], **versioned}, tenant)
    if incident is not None:
        writer.event(ValueType.INCIDENT, IncidentIntent.MIGRATED, incident_key, {**incident, **owned}, tenant)
    if task is not None:
        migrated = {**task["v"], **versioned}
        writer.event(ValueType.USER_TASK, UserTaskIntent.MIGRATED, task_key, migrated, tenant)
    for name, (variable_key, text) in writer.state.variables.local(step.key).items():
        variable = {
            "name": name,
            "value": text,
            "scopeKey": step.key,
            "processInstanceKey": moved["processInstanceKey"],
        }
        variable.update(**_definition(plan), tenantId=tenant)
        writer.event(ValueType.VARIABLE, VariableIntent.MIGRATED, variable_key, variable, tenant)
    if step.target_catches:
        _migrate_catch_events(writer, plan, step, moved)


def _migrate_catch_events(
    writer: Writer, plan: MigrationPlan, step: MigrationStep, moved: dict[str, Any]
) -> None:
    """Mapped catch events keep their subscriptions, the others close; the target's others subscribe."""
    targets = {catch.id: catch for catch in step.target_catches}
    kept = {source: mapped for source, mapped in plan.mapping.items() if mapped in targets}
    definition = _definition(plan)
    state = writer.state

    def timer(key: int, row: dict[str, Any], target: str) -> None:
        value = {**row, "processDefinitionKey": definition["processDefinitionKey"], "targetElementId": target}
        writer.event(ValueType.TIMER, TimerIntent.MIGRATED, key, value, row["tenantId"])

    def message(key: int, row: dict[str, Any], target: str) -> None:
        value = {**row, **definition, "elementId": target, "interrupting": is_interrupting(targets[target])}
        process_side = ProcessMessageSubscriptionIntent.MIGRATED
        writer.event(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, process_side, key, value, row["tenantId"])
        message_side = MessageSubscriptionIntent.MIGRATED
        writer.event(ValueType.MESSAGE_SUBSCRIPTION, message_side, key, value, row["tenantId"])

    def signal(key: int, row: dict[str, Any], target: str) -> None:
        value = {**row, **definition, "catchElementId": target}
        intent = SignalSubscriptionIntent.MIGRATED
        writer.event(ValueType.SIGNAL_SUBSCRIPTION, intent, key, value, row["tenantId"])

    subscribed = (
        _keep(state.timers.of_element(step.key), state.timers.get, "targetElementId", kept, timer)
        | _keep(
            state.messages.subscriptions_of(step.key), state.messages.subscription, "elementId", kept, message
        )
        | _keep(state.signals.of_element(step.key), state.signals.get, "catchElementId", kept, signal)
    )
    closing = frozenset(subscribed - kept.keys())
    if closing:
        close_subscriptions(writer, step.key, closing)
    migrated = {kept[catch_id] for catch_id in subscribed if catch_id in kept}
    new: list[CatchElement] = [catch for catch in step.target_catches if catch.id not in migrated]
    if new:
        open_catch_events(writer, step.key, moved, new)


Migrate = Callable[[int, dict[str, Any], str], None]


def _keep(
    keys: list[int],
    get: Callable[[int], dict[str, Any] | None],
    catch_field: str,
    kept: dict[str, str],
    migrate: Migrate,
) -> set[str]:
    """Migrates the subscriptions of mapped catch events; returns the catch ids of all of them."""
    seen = set()
    for key in keys:
        row = get(key)
        assert row is not None
        seen.add(row[catch_field])
        if row[catch_field] in kept:
            migrate(key, row, kept[row[catch_field]])
    return seen
