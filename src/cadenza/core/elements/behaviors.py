"""What each kind of element does when it activates (Zeebe's ``BpmnElementProcessor.onActivate``).

An activation that fails (a mapping, a job type, a gateway condition) raises an incident and leaves the
element in ACTIVATING; resolving the incident runs the activation again with the variables as they are then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from cadenza.bpmn.model import (
    Activity,
    ElementKind,
    EventSubProcess,
    EventType,
    FlowNode,
    Gateway,
    Process,
    SubProcess,
    UserTask,
)
from cadenza.bpmn.zeebe_ext import JobDefinition
from cadenza.core.elements import ad_hoc, inclusive, multi_instance, user_tasks
from cadenza.core.elements.call_activity import activate_call_activity
from cadenza.core.elements.decisions import activate_decision
from cadenza.core.elements.event_behaviors import EVENT_ACTIVATIONS, EVENT_TYPES
from cadenza.core.elements.flow import BODY, activate_command, child_value, complete
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.scripts import activate_script
from cadenza.core.elements.subscriptions import open_subscriptions
from cadenza.core.elements.variables import evaluate_mappings, set_local, to_text
from cadenza.core.intents import JobIntent, ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["SUPPORTED_KINDS", "run_activation"]

_PI = ValueType.PROCESS_INSTANCE
_NO_VARIABLES: Mapping[str, Any] = MappingProxyType({})
Activation = Callable[[Writer, int, dict[str, Any], FlowNode, Process], None]


def run_activation(writer: Writer, key: int) -> None:
    row = writer.state.elements.get(key)
    if row is None:
        return
    value = row["v"]
    model = writer.state.processes.model(value["processDefinitionKey"])
    element = model.elements.get(value["elementId"])
    if element is None:
        if open_subscriptions(writer, key, value, None, model):
            _activate_process(writer, key, value, model)
        return
    if value["bpmnElementType"] == BODY:  # mappings apply per inner instance, not to the body
        assert isinstance(element, Activity)
        multi_instance.activate_body(writer, key, value, element)
        return
    if not _input_mappings(writer, key, value, element):
        return
    if not open_subscriptions(writer, key, value, element, model):
        return
    _ACTIVATIONS[element.kind](writer, key, value, element, model)


def _activated(writer: Writer, key: int, value: dict[str, Any]) -> None:
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, value["tenantId"])


def _input_mappings(writer: Writer, key: int, value: dict[str, Any], element: FlowNode) -> bool:
    if not element.io.inputs:
        return True
    results = evaluate_mappings(element.io.inputs, writer.state.variables.view(key), merge_into_visible=False)
    for name, result in results.items():
        set_local(writer, key, name, to_text(result), value)
    return True


def _activate_process(writer: Writer, key: int, value: dict[str, Any], model: Process) -> None:
    _activated(writer, key, value)
    start = model.none_start_event
    if start is not None:
        activate_command(writer, child_value(value, key, start))


def _activate_subprocess(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _model: Process
) -> None:
    _activated(writer, key, value)
    assert isinstance(element, SubProcess)
    start = element.none_start_event
    if start is not None:
        activate_command(writer, child_value(value, key, start))


def _activate_event_subprocess(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _model: Process
) -> None:
    """Only a modification activates an event sub-process by command (a trigger activates it by events:
    ``triggers.activate_event_subprocess``); as in Zeebe, it starts at its start event and interrupts
    nothing."""
    _activated(writer, key, value)
    assert isinstance(element, EventSubProcess)
    activate_command(writer, child_value(value, key, element.start_event))


def _pass_through(
    writer: Writer, key: int, value: dict[str, Any], _element: FlowNode, _model: Process
) -> None:
    _activated(writer, key, value)
    complete(writer, key)


def _activate_job_task(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _m: Process
) -> None:
    job = getattr(element, "job", None)
    assert isinstance(job, JobDefinition)
    created = _create_job(writer, key, value, job)
    if created:
        _activated(writer, key, value)


def _create_job(writer: Writer, key: int, value: dict[str, Any], job: JobDefinition) -> bool:
    # Static type and retries (the usual case) read no variables: no view to build.
    static = job.type.compiled is None and job.retries.compiled is None
    view: Mapping[str, Any] = _NO_VARIABLES if static else writer.state.variables.view(key)
    job_type = job.type.evaluate(view)
    if not isinstance(job_type, str) or not job_type:
        message = (
            f"Expected result of the expression '{job.type.source}' to be 'STRING', but was {job_type!r}."
        )
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return False
    static_retries = job.retries.static_value
    if static_retries is not None and static_retries.isascii() and static_retries.isdigit():
        # A plain count (the usual case): what the general path below makes of it, sooner.
        retries: Any = Decimal(int(static_retries))
    else:
        retries = job.retries.evaluate(view)
    if isinstance(retries, str) and retries.strip().lstrip("-").isdigit():
        retries = Decimal(retries.strip())
    if not isinstance(retries, Decimal) or retries != retries.to_integral_value():
        message = (
            f"Expected result of the expression '{job.retries.source}' to be 'NUMBER', but was {retries!r}."
        )
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return False
    record = {
        "type": job_type,
        "retries": int(retries),
        "retryBackoff": 0,
        "recurringTime": -1,
        "deadline": -1,
        "worker": "",
        "errorMessage": "",
        "errorCode": "",
        "customHeaders": dict(job.headers),
        "variables": "{}",
        "elementId": value["elementId"],
        "elementInstanceKey": key,
        "processInstanceKey": value["processInstanceKey"],
        "bpmnProcessId": value["bpmnProcessId"],
        "processDefinitionKey": value["processDefinitionKey"],
        "processDefinitionVersion": value["version"],
        "tenantId": value["tenantId"],
    }
    writer.event(ValueType.JOB, JobIntent.CREATED, writer.next_key(), record, value["tenantId"])
    return True


def _activate_exclusive(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _m: Process
) -> None:
    assert isinstance(element, Gateway)
    if len(element.outgoing) <= 1 and all(flow.condition is None for flow in element.outgoing):
        _activated(writer, key, value)
        complete(writer, key)
        return
    view = writer.state.variables.view(key)
    for flow in element.outgoing:
        if flow is element.default_flow or flow.condition is None:
            continue
        verdict = flow.condition.evaluate(view)
        if verdict is True:
            _activated(writer, key, value)
            complete(writer, key, (flow,))
            return
        if verdict is not False:
            message = (
                f"Expected result of the expression '{flow.condition.feel_source}' to be 'BOOLEAN', "
                f"but was {_describe(verdict)}."
            )
            raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
            return
    if element.default_flow is not None:
        _activated(writer, key, value)
        complete(writer, key, (element.default_flow,))
        return
    message = "Expected at least one condition to evaluate to true, or to have a default flow"
    raise_incident(writer, key, value, ErrorType.CONDITION_ERROR, message)


def _engine_or_job(own: Activation) -> Activation:
    """Script and business rule tasks: evaluated by the engine, or a job when they have a task definition."""

    def activate(writer: Writer, key: int, value: dict[str, Any], element: FlowNode, model: Process) -> None:
        if getattr(element, "job", None) is not None:
            _activate_job_task(writer, key, value, element, model)
        else:
            own(writer, key, value, element, model)

    return activate


def _activate_user_task(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, model: Process
) -> None:
    assert isinstance(element, UserTask)
    if element.native:
        user_tasks.activate_native(writer, key, value, element, model)
        return
    job = user_tasks.job_definition(writer, key, value, element)
    if job is not None and _create_job(writer, key, value, job):
        _activated(writer, key, value)


def _describe(value: Any) -> str:
    return "'NULL'" if value is None else f"'{type(value).__name__.upper()}'"


_ACTIVATIONS: dict[ElementKind, Activation] = {
    ElementKind.START_EVENT: _pass_through,
    ElementKind.END_EVENT: _pass_through,
    ElementKind.INTERMEDIATE_THROW_EVENT: _pass_through,
    ElementKind.TASK: _pass_through,
    ElementKind.MANUAL_TASK: _pass_through,
    ElementKind.SERVICE_TASK: _activate_job_task,
    ElementKind.SEND_TASK: _activate_job_task,
    ElementKind.EXCLUSIVE_GATEWAY: _activate_exclusive,
    ElementKind.PARALLEL_GATEWAY: _pass_through,
    ElementKind.SUB_PROCESS: _activate_subprocess,
    ElementKind.EVENT_SUB_PROCESS: _activate_event_subprocess,
    **EVENT_ACTIVATIONS,
    ElementKind.CALL_ACTIVITY: activate_call_activity,
    ElementKind.SCRIPT_TASK: _engine_or_job(activate_script),
    ElementKind.BUSINESS_RULE_TASK: _engine_or_job(activate_decision),
    ElementKind.USER_TASK: _activate_user_task,
    ElementKind.INCLUSIVE_GATEWAY: inclusive.activate_inclusive,
    ElementKind.AD_HOC_SUB_PROCESS: ad_hoc.activate_ad_hoc,
}

#: What this engine can run today; a deployment with anything else is rejected, naming the element.
SUPPORTED_KINDS = frozenset(_ACTIVATIONS)
SUPPORTED_EVENT_TYPES = frozenset({EventType.NONE, *EVENT_TYPES})
