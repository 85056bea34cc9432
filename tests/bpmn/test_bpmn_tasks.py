"""Tasks, call activities, sub-processes, multi-instance and gateways, with their zeebe extensions."""

from __future__ import annotations

import pytest
from bpmn_support import fixture_bytes

from cadenza.bpmn import (
    AdHocSubProcess,
    BusinessRuleTask,
    CallActivity,
    ElementKind,
    Gateway,
    JobTask,
    Process,
    ReceiveTask,
    ScriptTask,
    SubProcess,
    Task,
    UserTask,
    parse_bpmn,
)


@pytest.fixture(scope="module")
def process() -> Process:
    definitions = parse_bpmn(fixture_bytes("tasks.bpmn"), resource_name="tasks.bpmn")
    assert [p.id for p in definitions.processes] == ["tasks"]  # the non-executable process is skipped
    return definitions.processes[0]


def test_process_level_extensions(process: Process) -> None:
    assert process.version_tag == "v7"
    assert process.business_key is not None and process.business_key.feel_source == "customer.id"
    assert process.properties["owner"] == "team-a"


def test_service_task_with_feel_type_retries_headers_and_mappings(process: Process) -> None:
    task = process.elements["Service"]
    assert isinstance(task, JobTask) and task.kind is ElementKind.SERVICE_TASK
    assert task.job.type.feel_source == '"api-" + region'
    assert task.job.retries.feel_source == "maxRetries"
    assert list(task.job.headers.items()) == [("model", "claude"), ("budget", "10")]
    inputs = task.io.inputs
    assert [m.target for m in inputs] == ["name", "greeting"]
    assert inputs[1].source.is_static and inputs[1].source.evaluate({}) == "static text"
    assert [m.target for m in task.io.outputs] == ["order.total"]


def test_send_task_is_job_based_with_default_retries(process: Process) -> None:
    task = process.elements["Send"]
    assert isinstance(task, JobTask) and task.kind is ElementKind.SEND_TASK
    assert task.job.type.static_value == "send-mail"
    assert task.job.retries.static_value == "3"


def test_camunda_user_task(process: Process) -> None:
    task = process.elements["Review"]
    assert isinstance(task, UserTask) and task.native
    assert task.assignment.assignee is not None and task.assignment.assignee.feel_source == "owner"
    assert task.assignment.candidate_groups is not None
    assert task.assignment.candidate_groups.static_value == "reviewers,leads"
    assert task.assignment.candidate_users is not None and not task.assignment.candidate_users.is_static
    assert task.schedule.due_date is not None
    assert task.schedule.due_date.static_value == "2026-12-01T10:00:00Z"
    assert task.schedule.follow_up_date is not None and task.schedule.follow_up_date.feel_source == "now()"
    assert task.form is not None and task.form.external_reference is not None
    assert task.priority is not None and task.priority.static_value == "80"


def test_job_based_user_task_keeps_form_key_and_headers(process: Process) -> None:
    task = process.elements["LegacyReview"]
    assert isinstance(task, UserTask) and not task.native
    assert task.form is not None and task.form.form_key == "camunda-forms:bpmn:form1"
    assert dict(task.headers) == {"k": "v"}
    form_id = task.form.form_key.removeprefix("camunda-forms:bpmn:")
    assert process.embedded_forms[form_id].startswith('{"components"')


def test_receive_task_resolves_message_name_and_key(process: Process) -> None:
    task = process.elements["Receive"]
    assert isinstance(task, ReceiveTask)
    assert task.message.message_id == "Msg_Reply"
    assert task.message.name.feel_source == '"reply-" + kind'
    assert task.message.correlation_key is not None
    assert task.message.correlation_key.feel_source == "requestId"


def test_script_and_business_rule_tasks_engine_or_job(process: Process) -> None:
    feel = process.elements["ScriptFeel"]
    assert isinstance(feel, ScriptTask) and feel.job is None and feel.script is not None
    assert feel.script.expression.feel_source == "a + b" and feel.script.result_variable == "sum"
    job = process.elements["ScriptJob"]
    assert isinstance(job, ScriptTask) and job.script is None and job.job is not None

    decide = process.elements["Decide"]
    assert isinstance(decide, BusinessRuleTask) and decide.decision is not None
    assert decide.decision.decision_id.static_value == "discount"
    assert decide.decision.result_variable == "discount" and decide.decision.binding_type == "latest"
    decide_job = process.elements["DecideJob"]
    assert isinstance(decide_job, BusinessRuleTask) and decide_job.job is not None


def test_manual_and_undefined_tasks_pass_through(process: Process) -> None:
    assert isinstance(process.elements["Manual"], Task)
    assert process.elements["Manual"].kind is ElementKind.MANUAL_TASK
    assert process.elements["Plain"].kind is ElementKind.TASK


def test_call_activity(process: Process) -> None:
    call = process.elements["Call"]
    assert isinstance(call, CallActivity)
    assert call.called.process_id.feel_source == "childId"
    assert not call.called.propagate_all_child_variables
    assert not call.called.propagate_all_parent_variables
    assert (call.called.binding_type, call.called.version_tag) == ("versionTag", "v2")


def test_multi_instance_sub_process_and_its_scope(process: Process) -> None:
    sub = process.elements["Each"]
    assert isinstance(sub, SubProcess) and sub.kind is ElementKind.SUB_PROCESS
    mi = sub.multi_instance
    assert mi is not None and mi.sequential
    assert mi.input_collection.feel_source == "items" and mi.input_element == "item"
    assert mi.output_collection == "results"
    assert mi.output_element is not None and mi.output_element.feel_source == "result"
    assert mi.completion_condition is not None
    assert mi.completion_condition.feel_source == "numberOfCompletedInstances >= 3"
    assert sub.child_ids == ("EachStart", "EachWork", "EachEnd", "EachOnCancel")
    (on_cancel,) = sub.event_subprocesses
    assert on_cancel is process.elements["EachOnCancel"] and not on_cancel.interrupting
    assert on_cancel.start_event.outgoing[0].target_id == "EachOnCancelEnd"
    assert process.elements["EachOnCancelEnd"].scope_id == "EachOnCancel"
    assert process.event_subprocesses == ()
    assert sub.none_start_event is process.elements["EachStart"]
    inner = process.elements["EachWork"]
    assert inner.scope_id == "Each" and process.scope_of("EachWork") is sub
    assert isinstance(inner, JobTask) and inner.multi_instance is not None
    assert not inner.multi_instance.sequential
    assert "EachWork" not in process.child_ids and "Each" in process.child_ids
    assert set(process.flows) >= {"EF1", "EF2"}


def test_ad_hoc_sub_process(process: Process) -> None:
    ad_hoc = process.elements["AdHoc"]
    assert isinstance(ad_hoc, AdHocSubProcess)
    assert ad_hoc.active_elements_collection is not None
    assert ad_hoc.active_elements_collection.feel_source == "toolCalls"
    assert ad_hoc.completion_condition is not None and ad_hoc.completion_condition.feel_source == "done"
    assert not ad_hoc.cancel_remaining_instances
    assert ad_hoc.child_ids == ("AdHocA", "AdHocB")


def test_inclusive_and_event_based_gateways(process: Process) -> None:
    split = process.elements["Split"]
    assert isinstance(split, Gateway) and split.kind is ElementKind.INCLUSIVE_GATEWAY
    assert split.default_flow is not None and split.default_flow.id == "FDefault"
    assert split.outgoing[0].condition is not None
    wait = process.elements["Wait"]
    assert wait.kind is ElementKind.EVENT_BASED_GATEWAY
    assert [process.elements[f.target_id].id for f in wait.outgoing] == ["WaitTimer", "WaitMessage"]


def test_model_is_immutable(process: Process) -> None:
    with pytest.raises(AttributeError):
        process.elements["Service"].name = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        process.elements["new"] = process.elements["Service"]  # type: ignore[index]
