"""Activities and gateways: tasks with their zeebe extensions, call activities, the headers of the three
sub-process kinds (their children are attached by the linker), multi-instance, and gateways."""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.context import BuildContext, Report, XmlElement, bpmn_tag
from cadenza.bpmn.events import common_fields, message_definition
from cadenza.bpmn.model import (
    AdHocSubProcess,
    BusinessRuleTask,
    CallActivity,
    ElementKind,
    EventSubProcess,
    FlowNode,
    Gateway,
    JobTask,
    MultiInstance,
    ReceiveTask,
    ScriptTask,
    SubProcess,
    Task,
    UserTask,
)
from cadenza.bpmn.zeebe_ext import check_variable_name

__all__ = ["ACTIVITY_TAGS", "GATEWAY_TAGS", "build_activity", "build_gateway"]

_K = ElementKind
ACTIVITY_TAGS = {
    "task": _K.TASK,
    "manualTask": _K.MANUAL_TASK,
    "serviceTask": _K.SERVICE_TASK,
    "sendTask": _K.SEND_TASK,
    "userTask": _K.USER_TASK,
    "receiveTask": _K.RECEIVE_TASK,
    "scriptTask": _K.SCRIPT_TASK,
    "businessRuleTask": _K.BUSINESS_RULE_TASK,
    "callActivity": _K.CALL_ACTIVITY,
    "subProcess": _K.SUB_PROCESS,
    "adHocSubProcess": _K.AD_HOC_SUB_PROCESS,
}
GATEWAY_TAGS = {
    "exclusiveGateway": _K.EXCLUSIVE_GATEWAY,
    "inclusiveGateway": _K.INCLUSIVE_GATEWAY,
    "parallelGateway": _K.PARALLEL_GATEWAY,
    "eventBasedGateway": _K.EVENT_BASED_GATEWAY,
}
_LABELS = {
    _K.SERVICE_TASK: "service task",
    _K.SEND_TASK: "send task",
    _K.SCRIPT_TASK: "script task",
    _K.BUSINESS_RULE_TASK: "business rule task",
}


def _multi_instance(node: XmlElement, ctx: BuildContext, report: Report) -> MultiInstance | None:
    if node.find(bpmn_tag("standardLoopCharacteristics")) is not None:
        report("unsupported element: standard loops (use multi-instance)")
    loop = node.find(bpmn_tag("multiInstanceLoopCharacteristics"))
    if loop is None:
        return None
    if loop.find(bpmn_tag("loopCardinality")) is not None:
        report("unsupported element: multi-instance loopCardinality (use zeebe:loopCharacteristics)")
    zeebe = ctx.zeebe.find(ctx.extensions(loop), "loopCharacteristics")
    attr = zeebe.get if zeebe is not None else (lambda _name: None)
    if not (attr("inputCollection") or "").strip():
        report("multi-instance has no zeebe:loopCharacteristics inputCollection")
        return None
    collection = ctx.expr.feel(attr("inputCollection"), "inputCollection", report)
    if collection is None:
        return None
    output_collection = check_variable_name(attr("outputCollection"), "outputCollection", report)
    output_element = ctx.expr.feel(attr("outputElement"), "outputElement", report)
    if (output_collection is None) != (output_element is None):
        report("multi-instance needs outputCollection and outputElement together")
    condition_node = loop.find(bpmn_tag("completionCondition"))
    condition = None
    if condition_node is not None:
        condition = ctx.expr.feel(condition_node.text or "", "completionCondition", report)
    return MultiInstance(
        sequential=(loop.get("isSequential") or "false").strip() == "true",
        input_collection=collection,
        input_element=check_variable_name(attr("inputElement"), "inputElement", report),
        output_collection=output_collection,
        output_element=output_element,
        completion_condition=condition,
    )


def _activity_fields(node: XmlElement, ctx: BuildContext, kind: ElementKind, scope_id: str) -> dict[str, Any]:
    report = ctx.report(node)
    if (node.get("isForCompensation") or "").strip() == "true":
        report("unsupported element: compensation handlers")
    fields = common_fields(node, ctx, kind, scope_id)
    fields["multi_instance"] = _multi_instance(node, ctx, report)
    return fields


def _user_task(node: XmlElement, ctx: BuildContext, fields: dict[str, Any]) -> UserTask:
    ext, report, z = ctx.extensions(node), ctx.report(node), ctx.zeebe
    return UserTask(
        **fields,
        native=z.find(ext, "userTask") is not None,
        assignment=z.assignment(ext, report),
        schedule=z.schedule(ext, report),
        form=z.form(ext, report),
        priority=z.priority(ext, report),
        headers=z.headers(ext, report),
    )


def _either_or(node: XmlElement, ctx: BuildContext, kind: ElementKind, fields: dict[str, Any]) -> FlowNode:
    """Script and business rule tasks: evaluated by the engine, or job-based; exactly one of the two."""
    ext, report = ctx.extensions(node), ctx.report(node)
    job = ctx.zeebe.job(ext, report)
    if kind is _K.SCRIPT_TASK:
        own: Any = ctx.zeebe.script(ext, report)
        extension = "zeebe:script"
    else:
        own = ctx.zeebe.called_decision(ext, report)
        extension = "zeebe:calledDecision"
    # Judged on what the XML holds, so a broken extension is reported once, by its own reader.
    has_own = ctx.zeebe.find(ext, extension.removeprefix("zeebe:")) is not None
    if has_own == (ctx.zeebe.find(ext, "taskDefinition") is not None):
        report(f"{_LABELS[kind]} needs exactly one of {extension} or zeebe:taskDefinition")
    if kind is _K.SCRIPT_TASK:
        return ScriptTask(**fields, script=own, job=job)
    return BusinessRuleTask(**fields, decision=own, job=job)


def _sub_process(node: XmlElement, ctx: BuildContext, scope_id: str) -> FlowNode:
    report = ctx.report(node)
    if (node.get("triggeredByEvent") or "").strip() == "true":
        fields = common_fields(node, ctx, _K.EVENT_SUB_PROCESS, scope_id)
        if node.find(bpmn_tag("multiInstanceLoopCharacteristics")) is not None:
            report("an event sub-process cannot be multi-instance")
        return EventSubProcess(**fields)
    return SubProcess(**_activity_fields(node, ctx, _K.SUB_PROCESS, scope_id))


def _ad_hoc(node: XmlElement, ctx: BuildContext, scope_id: str) -> AdHocSubProcess:
    report = ctx.report(node)
    fields = _activity_fields(node, ctx, _K.AD_HOC_SUB_PROCESS, scope_id)
    ext = ctx.extensions(node)
    ad_hoc = ctx.zeebe.find(ext, "adHoc")
    attr = ad_hoc.get if ad_hoc is not None else (lambda _name: None)
    if ctx.zeebe.find(ext, "taskDefinition") is not None:
        # A worker steers it by completing the job with an ad-hoc job result, which pyzeebe's protocol
        # stubs cannot send; the expression form plus a loop back from an agent task covers the pattern.
        report("unsupported element: the job worker implementation of an ad-hoc sub-process")
    output_collection = check_variable_name(attr("outputCollection"), "outputCollection", report)
    output_element = ctx.expr.feel(attr("outputElement"), "outputElement", report)
    if (output_collection is None) != (output_element is None):
        report("ad-hoc sub-process needs outputCollection and outputElement together")
    condition_node = node.find(bpmn_tag("completionCondition"))
    condition = None if condition_node is None else condition_node.text or ""
    return AdHocSubProcess(
        **fields,
        active_elements_collection=ctx.expr.feel(
            attr("activeElementsCollection"), "activeElementsCollection", report
        ),
        completion_condition=ctx.expr.feel(condition, "completionCondition", report),
        cancel_remaining_instances=(node.get("cancelRemainingInstances") or "true").strip() != "false",
        output_collection=output_collection,
        output_element=output_element,
    )


def _placeholder(fields: dict[str, Any]) -> FlowNode:
    """Stands in for an element whose problems were reported, so the graph checks still see it and do not
    add misleading "does not exist" problems; the parse fails anyway, so the engine never gets it."""
    return Task(**fields)


def build_activity(node: XmlElement, tag: str, ctx: BuildContext, scope_id: str) -> FlowNode:
    kind = ACTIVITY_TAGS[tag]
    if kind is _K.SUB_PROCESS:
        return _sub_process(node, ctx, scope_id)
    if kind is _K.AD_HOC_SUB_PROCESS:
        return _ad_hoc(node, ctx, scope_id)
    fields = _activity_fields(node, ctx, kind, scope_id)
    ext, report = ctx.extensions(node), ctx.report(node)
    if kind in (_K.SERVICE_TASK, _K.SEND_TASK):
        job = ctx.zeebe.job(ext, report, _LABELS[kind])
        return _placeholder(fields) if job is None else JobTask(**fields, job=job)
    if kind in (_K.SCRIPT_TASK, _K.BUSINESS_RULE_TASK):
        return _either_or(node, ctx, kind, fields)
    if kind is _K.USER_TASK:
        return _user_task(node, ctx, fields)
    if kind is _K.RECEIVE_TASK:
        message = message_definition(node, ctx, report, needs_key=True)
        return _placeholder(fields) if message is None else ReceiveTask(**fields, message=message)
    if kind is _K.CALL_ACTIVITY:
        called = ctx.zeebe.called_element(ext, report)
        return _placeholder(fields) if called is None else CallActivity(**fields, called=called)
    return Task(**fields)


def build_gateway(node: XmlElement, tag: str, ctx: BuildContext, scope_id: str) -> Gateway:
    kind = GATEWAY_TAGS[tag]
    if kind is _K.EVENT_BASED_GATEWAY and (
        (node.get("instantiate") or "").strip() == "true"
        or (node.get("eventGatewayType") or "Exclusive").strip() != "Exclusive"
    ):
        ctx.report(node)("unsupported element: instantiating or parallel event-based gateways")
    return Gateway(**common_fields(node, ctx, kind, scope_id))
