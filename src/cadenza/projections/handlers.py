"""How each committed record changes the views: one small function per (value type, intent).

Runs inside the exporter's transaction; reads only the views themselves (a task's name comes from its
workflow's XML, deployed before any instance of it), so replaying the log into empty views gives
the same rows. Writes go through ``ViewWrites``, which sends a batch's inserts per table as one statement.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Executable, Table, insert, select, update

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.store.views_schema import executions, incidents_view, tasks, workflow_forms, workflows
from cadenza.tasklist.forms import is_approval_form

__all__ = ["ViewHandlers", "ViewWrites", "due_millis"]
_PROCESS_END = {"ELEMENT_COMPLETED": "completed", "ELEMENT_TERMINATED": "canceled"}
_TASK_END = {"COMPLETED": "completed", "CANCELED": "canceled"}


def due_millis(text: str) -> int | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


class ViewWrites:
    """One exporter batch's SQL. Inserts are gathered per table and sent together (one multi-row INSERT: on
    PostgreSQL one round trip for a batch's new executions instead of one each); any other statement first
    sends what is gathered, so an update always follows the insert of the row it changes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._inserts: dict[Table, list[dict[str, Any]]] = {}

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        self._inserts.setdefault(table, []).append(row)

    def execute(self, statement: Executable) -> Any:
        self.flush()
        return self.conn.execute(statement)

    def flush(self) -> None:
        for table, rows in self._inserts.items():
            self.conn.execute(insert(table), rows)
        self._inserts.clear()


Handler = Callable[[ViewWrites, Record], None]


class ViewHandlers:
    def __init__(self) -> None:
        self._names: dict[int, dict[str, str]] = {}
        #: Whether a deployed form is an approval form, by form key (deployed forms never change).
        self._approval_forms: dict[int, bool] = {}
        self._by_type: dict[tuple[ValueType, str], Handler] = {
            (ValueType.PROCESS, "CREATED"): self._workflow,
            (ValueType.FORM, "CREATED"): _form,
            (ValueType.INCIDENT, "CREATED"): _incident_created,
            (ValueType.INCIDENT, "RESOLVED"): _incident_resolved,
            (ValueType.USER_TASK, "CREATED"): self._task_created,
            (ValueType.USER_TASK, "ASSIGNED"): _task_changed,
            (ValueType.USER_TASK, "UPDATED"): _task_changed,
            (ValueType.USER_TASK, "COMPLETED"): _task_ended,
            (ValueType.USER_TASK, "CANCELED"): _task_ended,
        }

    def apply(self, conn: ViewWrites, record: Record) -> None:
        if record.record_type is not RecordType.EVENT:
            return
        if record.value_type is ValueType.PROCESS_INSTANCE:
            if record.value.get("bpmnElementType") == "PROCESS":
                _execution(conn, record)
            return
        handler = self._by_type.get((record.value_type, record.intent))
        if handler is not None:
            handler(conn, record)

    def _workflow(self, conn: ViewWrites, record: Record) -> None:
        value = record.value
        names = self._element_names(value["resource"], value["bpmnProcessId"], value["resourceName"])
        self._names[record.key] = names
        conn.insert(
            workflows,
            dict(
                key=record.key,
                tenant=record.tenant,
                bpmn_process_id=value["bpmnProcessId"],
                name=names.get(value["bpmnProcessId"], ""),
                version=value["version"],
                resource_name=value["resourceName"],
                deployed_at=record.timestamp,
                resource=value["resource"],
            ),
        )

    @staticmethod
    def _element_names(resource: str, process_id: str, resource_name: str) -> dict[str, str]:
        from cadenza.bpmn.reader import parse_bpmn  # the parser is only needed for workflow records

        process = parse_bpmn(resource.encode(), resource_name=resource_name).process(process_id)
        names = {node_id: node.name or "" for node_id, node in process.elements.items()}
        names[process_id] = process.name or ""
        return names

    def _name(self, conn: ViewWrites, definition_key: int, element_id: str) -> str:
        names = self._names.get(definition_key)
        if names is None:
            row = conn.execute(select(workflows).where(workflows.c.key == definition_key)).mappings().first()
            names = {} if row is None else self._element_names(row["resource"], row["bpmn_process_id"], "x")
            self._names[definition_key] = names
        return names.get(element_id) or element_id

    def _task_created(self, conn: ViewWrites, record: Record) -> None:
        value = record.value
        headers = value.get("customHeaders") or {}
        form_key = int(value.get("formKey") or -1)
        conn.insert(
            tasks,
            dict(
                key=record.key,
                tenant=record.tenant,
                name=self._name(conn, value["processDefinitionKey"], value["elementId"]),
                element_id=value["elementId"],
                element_instance_key=value["elementInstanceKey"],
                process_instance_key=value["processInstanceKey"],
                process_definition_key=value["processDefinitionKey"],
                bpmn_process_id=value["bpmnProcessId"],
                state="created",
                created_at=record.timestamp,
                form_key=str(form_key) if form_key > 0 else "",
                headers=json.dumps(headers),
                approval=int(self._is_approval(conn, headers, form_key)),
                **_task_fields(value),
            ),
        )

    def _is_approval(self, conn: ViewWrites, headers: dict[str, Any], form_key: int) -> bool:
        if str(headers.get("cadenza:approval", "")).lower() == "true":
            return True
        if form_key <= 0:
            return False
        if form_key not in self._approval_forms:
            text = conn.execute(
                select(workflow_forms.c.resource).where(workflow_forms.c.key == form_key)
            ).scalar()
            try:
                self._approval_forms[form_key] = text is not None and is_approval_form(json.loads(text))
            except ValueError:
                self._approval_forms[form_key] = False
        return self._approval_forms[form_key]


def _task_fields(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "assignee": value.get("assignee") or "",
        "candidate_groups": json.dumps(value.get("candidateGroupsList") or []),
        "candidate_users": json.dumps(value.get("candidateUsersList") or []),
        "priority": int(value.get("priority", 50)),
        "due_date": value.get("dueDate") or "",
        "due_at": due_millis(value.get("dueDate") or ""),
        "follow_up_date": value.get("followUpDate") or "",
    }


def _task_changed(conn: ViewWrites, record: Record) -> None:
    conn.execute(update(tasks).where(tasks.c.key == record.key).values(**_task_fields(record.value)))


def _task_ended(conn: ViewWrites, record: Record) -> None:
    conn.execute(
        update(tasks)
        .where(tasks.c.key == record.key)
        .values(state=_TASK_END[record.intent], completed_at=record.timestamp)
    )


def _form(conn: ViewWrites, record: Record) -> None:
    value = record.value
    conn.insert(
        workflow_forms,
        dict(
            key=record.key,
            tenant=record.tenant,
            form_id=value["formId"],
            version=value["version"],
            resource=value["resource"],
        ),
    )


def _execution(conn: ViewWrites, record: Record) -> None:
    value = record.value
    if record.intent == "ELEMENT_ACTIVATING":
        conn.insert(
            executions,
            dict(
                key=record.key,
                tenant=record.tenant,
                process_definition_key=value["processDefinitionKey"],
                bpmn_process_id=value["bpmnProcessId"],
                version=value["version"],
                state="active",
                started_at=record.timestamp,
                business_key=value.get("businessKey") or "",
                incident_count=0,
            ),
        )
    elif record.intent in _PROCESS_END:
        conn.execute(
            update(executions)
            .where(executions.c.key == record.key)
            .values(state=_PROCESS_END[record.intent], ended_at=record.timestamp)
        )


def _incident_created(conn: ViewWrites, record: Record) -> None:
    value = record.value
    conn.insert(
        incidents_view,
        dict(
            key=record.key,
            tenant=record.tenant,
            process_instance_key=value.get("processInstanceKey", -1),
            bpmn_process_id=value.get("bpmnProcessId", ""),
            element_id=value.get("elementId", ""),
            element_instance_key=value.get("elementInstanceKey", -1),
            error_type=value.get("errorType", ""),
            error_message=value.get("errorMessage", ""),
            job_key=value.get("jobKey", -1),
            state="active",
            created_at=record.timestamp,
        ),
    )
    _count_incident(conn, value.get("processInstanceKey", -1), +1)


def _incident_resolved(conn: ViewWrites, record: Record) -> None:
    conn.execute(update(incidents_view).where(incidents_view.c.key == record.key).values(state="resolved"))
    _count_incident(conn, record.value.get("processInstanceKey", -1), -1)


def _count_incident(conn: ViewWrites, instance: int, delta: int) -> None:
    conn.execute(
        update(executions)
        .where(executions.c.key == instance)
        .values(incident_count=executions.c.incident_count + delta)
    )
