"""User tasks (ZEEBE-SEMANTICS §9): Camunda user tasks (``zeebe:userTask``) and job-based ones.

Both evaluate their assignment, schedule, linked form (``elements/forms``) and priority on activation, after
the input mappings; a value of the wrong type raises an EXTRACT_VALUE_ERROR incident, a form that is not
deployed a FORM_NOT_FOUND incident. A Camunda user task writes ``USER_TASK CREATED`` and
waits for the USER_TASK commands (``processors/user_tasks``); a job-based one becomes a job of type
``io.camunda.zeebe:userTask`` whose headers carry the same values.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from cadenza.bpmn.expressions import BpmnExpression
from cadenza.bpmn.model import FlowNode, Process, UserTask
from cadenza.bpmn.zeebe_ext import JobDefinition
from cadenza.core.elements.flow import TERMINATION_HOOKS
from cadenza.core.elements.forms import FormNotFound, linked_form_key
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type
from cadenza.core.intents import ProcessInstanceIntent, UserTaskIntent
from cadenza.core.records import ValueType
from cadenza.core.state import ScopeView
from cadenza.core.writer import Writer

__all__ = ["JOB_TYPE", "activate_native", "job_definition", "valid_date"]

JOB_TYPE = "io.camunda.zeebe:userTask"
_HEADER = "io.camunda.zeebe:"
DEFAULT_PRIORITY = 50


class _Invalid(Exception):
    """A property evaluated to a value of the wrong type; the message is the incident's."""


def valid_date(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _string(expression: BpmnExpression | None, view: ScopeView) -> str:
    if expression is None:
        return ""
    result = expression.evaluate(view)
    if result is not None and not isinstance(result, str):
        raise _Invalid(expected_type(expression, "STRING", result))
    return result or ""


def _strings(expression: BpmnExpression | None, view: ScopeView) -> list[str]:
    """Candidate users or groups: a static comma-separated list, or FEEL giving a list of strings."""
    if expression is None:
        return []
    if expression.is_static:
        return [part.strip() for part in expression.source.split(",") if part.strip()]
    result = expression.evaluate(view)
    if result is None:
        return []
    if not isinstance(result, list) or not all(isinstance(item, str) for item in result):
        raise _Invalid(expected_type(expression, "ARRAY", result))
    return list(result)


def _date(expression: BpmnExpression | None, view: ScopeView) -> str:
    if expression is None:
        return ""
    result = expression.evaluate(view)
    if isinstance(result, dt.datetime):
        return result.isoformat()
    if result is None or result == "":
        return ""
    if not isinstance(result, str):
        raise _Invalid(expected_type(expression, "DATE_TIME", result))
    if not valid_date(result):
        source = (expression.feel_source or expression.source).strip()
        raise _Invalid(
            f"Expected result of the expression '{source}' to be a valid date-time string (ISO 8601), "
            f"but was '{result}'."
        )
    return result


def _priority(expression: BpmnExpression | None, view: ScopeView) -> int:
    if expression is None:
        return DEFAULT_PRIORITY
    result = expression.evaluate(view)
    if isinstance(result, str) and expression.is_static and result.strip().isdigit():
        result = Decimal(result.strip())
    if not isinstance(result, Decimal) or result != result.to_integral_value():
        raise _Invalid(expected_type(expression, "NUMBER", result))
    if not 0 <= result <= 100:
        raise _Invalid(f"Expected priority to be in the range [0,100], but was '{result}'.")
    return int(result)


def _properties(writer: Writer, key: int, value: dict[str, Any], task: UserTask) -> dict[str, Any] | None:
    """The evaluated assignment, schedule, form and priority; None after raising an incident."""
    view = writer.state.variables.view(key)
    try:
        return {
            "assignee": _string(task.assignment.assignee, view),
            "candidateGroupsList": _strings(task.assignment.candidate_groups, view),
            "candidateUsersList": _strings(task.assignment.candidate_users, view),
            "dueDate": _date(task.schedule.due_date, view),
            "followUpDate": _date(task.schedule.follow_up_date, view),
            "formKey": linked_form_key(writer, value, task.form),
            "externalFormReference": _string(task.form.external_reference if task.form else None, view),
            "priority": _priority(task.priority, view),
        }
    except _Invalid as invalid:
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, str(invalid))
    except FormNotFound as missing:
        raise_incident(writer, key, value, ErrorType.FORM_NOT_FOUND, str(missing))
    return None


def activate_native(writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _m: Process) -> None:
    assert isinstance(element, UserTask)
    properties = _properties(writer, key, value, element)
    if properties is None:
        return
    tenant = value["tenantId"]
    writer.event(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, tenant)
    task_key = writer.next_key()
    record = {
        "userTaskKey": task_key,
        **properties,
        "customHeaders": dict(element.headers),
        "creationTimestamp": writer.timestamp,
        "variables": "{}",
        "changedAttributes": [],
        "action": "",
        "elementId": value["elementId"],
        "elementInstanceKey": key,
        "bpmnProcessId": value["bpmnProcessId"],
        "processDefinitionKey": value["processDefinitionKey"],
        "processDefinitionVersion": value["version"],
        "processInstanceKey": value["processInstanceKey"],
        "tenantId": tenant,
    }
    writer.event(ValueType.USER_TASK, UserTaskIntent.CREATED, task_key, record, tenant)


def job_definition(writer: Writer, key: int, value: dict[str, Any], task: UserTask) -> JobDefinition | None:
    """The job of a job-based user task, its headers carrying the evaluated properties (§9.1)."""
    properties = _properties(writer, key, value, task)
    if properties is None:
        return None
    headers = dict(task.headers)
    groups, users = properties["candidateGroupsList"], properties["candidateUsersList"]
    texts = {
        "assignee": properties["assignee"],
        "candidateGroups": json.dumps(groups, separators=(",", ":")) if groups else "",
        "candidateUsers": json.dumps(users, separators=(",", ":")) if users else "",
        "dueDate": properties["dueDate"],
        "followUpDate": properties["followUpDate"],
        # An embedded form's key as written; a linked (deployed) form's key as Zeebe writes it, in decimal.
        "formKey": (task.form.form_key or "") if task.form and task.form.form_key else _linked(properties),
    }
    headers.update({_HEADER + name: text for name, text in texts.items() if text})
    return JobDefinition(BpmnExpression(JOB_TYPE), BpmnExpression("1"), MappingProxyType(headers))


def _linked(properties: dict[str, Any]) -> str:
    key = int(properties["formKey"])
    return str(key) if key > 0 else ""


def _cancel_user_task(writer: Writer, key: int, value: dict[str, Any]) -> bool:
    row = writer.state.elements.get(key) or {}
    task_key = row.get("userTask")
    task = None if task_key is None else writer.state.user_tasks.get(task_key)
    if task_key is not None and task is not None:
        writer.event(ValueType.USER_TASK, UserTaskIntent.CANCELED, task_key, task["v"], value["tenantId"])
    return False


TERMINATION_HOOKS.append(_cancel_user_task)
