"""How each committed record changes the views: one small function per (value type, intent).

Runs inside the exporter's transaction; reads only the views themselves (a task's name comes from its
workflow's XML, deployed before any instance of it), so replaying the log into empty views gives
the same rows. Writes go through ``ViewWrites``, which sends a batch's rows per statement in one executemany.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Executable, Table, bindparam, insert, select, update

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.store.schema import exporter_positions
from cadenza.store.sql import DriverSql, upsert
from cadenza.store.views_schema import executions, incidents_view, tasks, workflow_forms, workflows
from cadenza.tasklist.forms import is_approval_form

__all__ = ["ViewHandlers", "ViewSql", "ViewWrites", "due_millis"]
_PROCESS_END = {"ELEMENT_COMPLETED": "completed", "ELEMENT_TERMINATED": "canceled"}
_TASK_END = {"COMPLETED": "completed", "CANCELED": "canceled"}
_TASK_FIELDS = (
    "assignee",
    "candidate_groups",
    "candidate_users",
    "priority",
    "due_date",
    "due_at",
    "follow_up_date",
)


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


def _insert(table: Table, engine: Engine, columns: tuple[str, ...]) -> DriverSql:
    return DriverSql(insert(table).values({name: bindparam(name) for name in columns}), engine, columns)


def _update(table: Table, engine: Engine, sets: dict[str, Any], params: tuple[str, ...] = ()) -> DriverSql:
    """UPDATE table SET sets WHERE key = ?; parameters: ``params`` (by default the columns set), the key."""
    statement = update(table).where(table.c.key == bindparam("b_key")).values(sets)
    return DriverSql(statement, engine, (*(params or tuple(sets)), "b_key"))


def _columns(table: Table, *skipped: str) -> tuple[str, ...]:
    return tuple(column.name for column in table.columns if column.name not in skipped)


class ViewSql:
    """Every write the views take, compiled once for the database's dialect with positional parameters, as
    the store's commit does (building a SQLAlchemy statement per record cost more than writing the row)."""

    def __init__(self, engine: Engine) -> None:
        self.workflow = _insert(workflows, engine, _columns(workflows))
        self.form = _insert(workflow_forms, engine, _columns(workflow_forms))
        self.execution = _insert(executions, engine, _columns(executions, "ended_at", "correlation_id"))
        self.execution_ended = _update(
            executions, engine, {"state": bindparam("state"), "ended_at": bindparam("ended_at")}
        )
        self.incident_count = _update(
            executions,
            engine,
            {"incident_count": executions.c.incident_count + bindparam("delta")},
            ("delta",),
        )
        self.incident = _insert(incidents_view, engine, _columns(incidents_view))
        self.incident_resolved = _update(incidents_view, engine, {"state": bindparam("state")})
        self.task = _insert(tasks, engine, _columns(tasks, "completed_at"))
        self.task_changed = _update(tasks, engine, {name: bindparam(name) for name in _TASK_FIELDS})
        self.task_ended = _update(
            tasks, engine, {"state": bindparam("state"), "completed_at": bindparam("completed_at")}
        )
        position_columns = ("exporter", "partition", "position")
        position = upsert(engine.dialect.name, exporter_positions, ["exporter", "partition"], ["position"])
        self.position = DriverSql(position, engine, position_columns)


class ViewWrites:
    """One exporter batch's SQL. Rows are gathered and sent per statement with the driver's executemany (one
    call for a batch's new executions, one for its ended ones, instead of one each). A segment's inserts go
    before its updates, which keep their order: an update changes a row inserted earlier (a new row has a new
    key, so no insert depends on an update); a read (``query``) first sends everything gathered."""

    def __init__(self, conn: Connection, sql: ViewSql) -> None:
        self.conn = conn
        self.sql = sql
        self._inserts: dict[DriverSql, list[tuple[Any, ...]]] = {}
        self._updates: list[tuple[DriverSql, list[tuple[Any, ...]]]] = []

    def insert(self, statement: DriverSql, row: tuple[Any, ...]) -> None:
        self._inserts.setdefault(statement, []).append(row)

    def update(self, statement: DriverSql, row: tuple[Any, ...]) -> None:
        updates = self._updates
        if updates and updates[-1][0] is statement:
            updates[-1][1].append(row)
        else:
            updates.append((statement, [row]))

    def query(self, statement: Executable) -> CursorResult[Any]:
        self.flush()
        return self.conn.execute(statement)

    def flush(self) -> None:
        for statement, rows in self._inserts.items():
            statement.executemany(self.conn, rows)
        for statement, rows in self._updates:
            statement.executemany(self.conn, rows)
        self._inserts.clear()
        self._updates.clear()


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
        row = (
            record.key,
            record.tenant,
            value["bpmnProcessId"],
            names.get(value["bpmnProcessId"], ""),
            value["version"],
            value["resourceName"],
            record.timestamp,
            value["resource"],
        )
        conn.insert(conn.sql.workflow, row)

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
            row = conn.query(select(workflows).where(workflows.c.key == definition_key)).mappings().first()
            names = {} if row is None else self._element_names(row["resource"], row["bpmn_process_id"], "x")
            self._names[definition_key] = names
        return names.get(element_id) or element_id

    def _task_created(self, conn: ViewWrites, record: Record) -> None:
        value = record.value
        headers = value.get("customHeaders") or {}
        form_key = int(value.get("formKey") or -1)
        row = (
            record.key,
            record.tenant,
            self._name(conn, value["processDefinitionKey"], value["elementId"]),
            value["elementId"],
            value["elementInstanceKey"],
            value["processInstanceKey"],
            value["processDefinitionKey"],
            value["bpmnProcessId"],
            "created",
            *_task_fields(value),
            record.timestamp,
            str(form_key) if form_key > 0 else "",
            json.dumps(headers),
            int(self._is_approval(conn, headers, form_key)),
        )
        conn.insert(conn.sql.task, row)

    def _is_approval(self, conn: ViewWrites, headers: dict[str, Any], form_key: int) -> bool:
        if str(headers.get("cadenza:approval", "")).lower() == "true":
            return True
        if form_key <= 0:
            return False
        if form_key not in self._approval_forms:
            text = conn.query(
                select(workflow_forms.c.resource).where(workflow_forms.c.key == form_key)
            ).scalar()
            try:
                self._approval_forms[form_key] = text is not None and is_approval_form(json.loads(text))
            except ValueError:
                self._approval_forms[form_key] = False
        return self._approval_forms[form_key]


def _task_fields(value: dict[str, Any]) -> tuple[Any, ...]:
    """The columns a task's update may change, in _TASK_FIELDS order."""
    due_date = value.get("dueDate") or ""
    return (
        value.get("assignee") or "",
        json.dumps(value.get("candidateGroupsList") or []),
        json.dumps(value.get("candidateUsersList") or []),
        int(value.get("priority", 50)),
        due_date,
        due_millis(due_date),
        value.get("followUpDate") or "",
    )


def _task_changed(conn: ViewWrites, record: Record) -> None:
    conn.update(conn.sql.task_changed, (*_task_fields(record.value), record.key))


def _task_ended(conn: ViewWrites, record: Record) -> None:
    conn.update(conn.sql.task_ended, (_TASK_END[record.intent], record.timestamp, record.key))


def _form(conn: ViewWrites, record: Record) -> None:
    value = record.value
    row = (record.key, record.tenant, value["formId"], value["version"], value["resource"])
    conn.insert(conn.sql.form, row)


def _execution(conn: ViewWrites, record: Record) -> None:
    intent = record.intent
    if intent == "ELEMENT_ACTIVATING":
        value = record.value
        row = (
            record.key,
            record.tenant,
            value["processDefinitionKey"],
            value["bpmnProcessId"],
            value["version"],
            "active",
            record.timestamp,
            value.get("businessKey") or "",
            0,
        )
        conn.insert(conn.sql.execution, row)
    elif intent in _PROCESS_END:
        conn.update(conn.sql.execution_ended, (_PROCESS_END[intent], record.timestamp, record.key))


def _incident_created(conn: ViewWrites, record: Record) -> None:
    value = record.value
    row = (
        record.key,
        record.tenant,
        value.get("processInstanceKey", -1),
        value.get("bpmnProcessId", ""),
        value.get("elementId", ""),
        value.get("elementInstanceKey", -1),
        value.get("errorType", ""),
        value.get("errorMessage", ""),
        value.get("jobKey", -1),
        "active",
        record.timestamp,
    )
    conn.insert(conn.sql.incident, row)
    conn.update(conn.sql.incident_count, (+1, value.get("processInstanceKey", -1)))


def _incident_resolved(conn: ViewWrites, record: Record) -> None:
    conn.update(conn.sql.incident_resolved, ("resolved", record.key))
    conn.update(conn.sql.incident_count, (-1, record.value.get("processInstanceKey", -1)))
