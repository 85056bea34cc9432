"""Ad-hoc sub-processes (Camunda 8.8, BPMN implementation): the chosen elements run in inner instances, the
output is collected, the completion condition ends the sub-process (cancelling or waiting for the rest), more
elements are activated later by an instruction, and bad collections or conditions are incidents."""

from __future__ import annotations

import json
from typing import Any

from core_fixtures import FIXTURES
from record_kinds import written_by_last
from variables_log import scope_variables

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.testing import EngineDriver

LIFE = ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]
INNER = "tools#innerInstance"


def _start(engine: EngineDriver, process: str, variables: dict[str, Any]) -> int:
    engine.deploy(FIXTURES / "ad-hoc.bpmn")
    key: int = engine.create(process, variables).value["processInstanceKey"]
    return key


def _ad_hoc_key(engine: EngineDriver, instance: int, element_id: str) -> int:
    [record] = [
        r
        for r in engine.events(ValueType.PROCESS_INSTANCE, instance=instance)
        if r.value["elementId"] == element_id and r.intent == "ELEMENT_ACTIVATED"
    ]
    return record.key


def _activate(engine: EngineDriver, key: int | str, *elements: dict[str, Any]) -> Record:
    value = {"adHocSubProcessInstanceKey": str(key), "activateElements": list(elements)}
    return engine.submit(ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION, "ACTIVATE", value)


def test_chosen_elements_run_in_inner_instances_with_the_exact_record_sequence(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc", {"toolCalls": ["A", "C1"]})
    assert engine.complete_all("tool-a", {"result": "found"}) == 1
    assert engine.complete_all("tool-c", {"result": "charged"}) == 1
    assert engine.activate("tool-b") == []  # not chosen, never activated
    assert engine.trace(instance) == [
        ("ad-hoc", "ELEMENT_ACTIVATING"),
        ("ad-hoc", "ELEMENT_ACTIVATED"),
        *[("start", intent) for intent in LIFE],
        ("f1", "SEQUENCE_FLOW_TAKEN"),
        ("tools", "ELEMENT_ACTIVATING"),
        ("tools", "ELEMENT_ACTIVATED"),
        (INNER, "ELEMENT_ACTIVATING"),
        (INNER, "ELEMENT_ACTIVATED"),
        (INNER, "ELEMENT_ACTIVATING"),
        (INNER, "ELEMENT_ACTIVATED"),
        ("A", "ELEMENT_ACTIVATING"),
        ("A", "ELEMENT_ACTIVATED"),
        ("C1", "ELEMENT_ACTIVATING"),
        ("C1", "ELEMENT_ACTIVATED"),
        ("A", "ELEMENT_COMPLETING"),
        ("A", "ELEMENT_COMPLETED"),
        (INNER, "ELEMENT_COMPLETING"),
        (INNER, "ELEMENT_COMPLETED"),
        ("C1", "ELEMENT_COMPLETING"),
        ("C1", "ELEMENT_COMPLETED"),
        ("c", "SEQUENCE_FLOW_TAKEN"),
        *[("C2", intent) for intent in LIFE],
        (INNER, "ELEMENT_COMPLETING"),
        (INNER, "ELEMENT_COMPLETED"),
        ("tools", "ELEMENT_COMPLETING"),
        ("tools", "ELEMENT_COMPLETED"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        *[("end", intent) for intent in LIFE],
        ("ad-hoc", "ELEMENT_COMPLETING"),
        ("ad-hoc", "ELEMENT_COMPLETED"),
    ]
    records = engine.events(ValueType.PROCESS_INSTANCE, instance=instance)
    inner = [r for r in records if r.value["elementId"] == INNER]
    assert {r.value["bpmnElementType"] for r in inner} == {"AD_HOC_SUB_PROCESS_INNER_INSTANCE"}
    tools_key = _ad_hoc_key(engine, instance, "tools")
    assert {r.value["flowScopeKey"] for r in inner} == {tools_key}
    # Each tool runs in its inner instance, and its result stays there (the output element is preset).
    [a] = [r for r in records if r.value["elementId"] == "A" and r.intent == "ELEMENT_ACTIVATED"]
    assert a.value["flowScopeKey"] in {r.key for r in inner}
    assert scope_variables(engine, instance) == {"toolCalls": ["A", "C1"], "results": ["found", "charged"]}


def test_the_sub_process_lists_what_it_can_activate(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc", {"toolCalls": []})
    tools = _ad_hoc_key(engine, instance, "tools")
    elements = engine.variables(tools)["adHocSubProcessElements"]
    assert elements == [  # C2 has an incoming flow: only reachable from C1
        {"elementId": "A", "elementName": "Search", "properties": {"risk": "low"}},
        {"elementId": "B", "elementName": "", "properties": {}},
        {"elementId": "C1", "elementName": "", "properties": {}},
    ]
    assert engine.variables(tools)["results"] == []


def test_an_empty_collection_waits_and_an_instruction_activates_more_later(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc", {"toolCalls": []})
    tools = _ad_hoc_key(engine, instance, "tools")
    assert engine.is_active(instance) and engine.engine.state.elements.children(tools) == []
    response = _activate(engine, tools, {"elementId": "B", "variables": {"query": "refund"}})
    assert response.intent == "ACTIVATED" and response.value["adHocSubProcessInstanceKey"] == str(tools)
    assert written_by_last(engine) == [
        ("AD_HOC_SUB_PROCESS_INSTRUCTION", "ACTIVATE"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED"),
        ("VARIABLE", "CREATED"),  # the preset output element
        ("VARIABLE", "CREATED"),  # the instruction's variable, local to the inner instance
        ("AD_HOC_SUB_PROCESS_INSTRUCTION", "ACTIVATED"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING"),
        ("JOB", "CREATED"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED"),
    ]
    [job] = engine.activate("tool-b")
    assert json.loads(job["variables"])["query"] == "refund"
    # While B runs, a later decision adds A, and B once more, in new inner instances.
    _activate(engine, tools, {"elementId": "A"}, {"elementId": "B"})
    engine.complete(job["key"], {"result": 42})
    assert engine.is_active(instance)
    assert engine.complete_all("tool-a", {"result": 43}) == 1
    assert engine.complete_all("tool-b", {"result": 44}) == 1
    assert not engine.is_active(instance)  # no condition: done once nothing is left running
    assert scope_variables(engine, instance)["results"] == [42, 43, 44]


def test_instructions_are_rejected_with_zeebe_reasons(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc", {"toolCalls": []})
    tools = _ad_hoc_key(engine, instance, "tools")
    cases = [
        (instance, [{"elementId": "A"}], "NOT_FOUND", "no ad-hoc sub-process instance found with key"),
        (tools, [{"elementId": "A"}, {"elementId": "A"}], "INVALID_ARGUMENT", "duplicate activities"),
        (
            tools,
            [{"elementId": "C2"}, {"elementId": "nope"}],
            "NOT_FOUND",
            "elements [C2, nope] do not exist",
        ),
        (tools, [], "INVALID_ARGUMENT", "no elements were given"),
        (tools, [{"elementId": "A", "variables": [1]}], "INVALID_ARGUMENT", "root level object"),
    ]
    for key, elements, rejection, reason in cases:
        response = _activate(engine, key, *elements)
        assert response.record_type is RecordType.COMMAND_REJECTION
        assert str(response.rejection_type) == rejection and reason in response.rejection_reason
    assert engine.engine.state.elements.children(tools) == []  # nothing was activated


def test_a_satisfied_condition_cancels_the_remaining_instances(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc-cancel", {"toolCalls": ["cancel-a", "cancel-b"], "done": False})
    [job_b] = engine.activate("tool-b")
    assert engine.complete_all("tool-a", {"done": True}) == 1
    assert not engine.is_active(instance)
    trace = engine.trace(instance)
    assert trace[trace.index(("cancel-a", "ELEMENT_COMPLETING")) :] == [
        ("cancel-a", "ELEMENT_COMPLETING"),
        ("cancel-a", "ELEMENT_COMPLETED"),
        ("cancel-tools#innerInstance", "ELEMENT_COMPLETING"),
        ("cancel-tools#innerInstance", "ELEMENT_COMPLETED"),
        ("cancel-tools#innerInstance", "ELEMENT_TERMINATING"),
        ("cancel-b", "ELEMENT_TERMINATING"),
        ("cancel-b", "ELEMENT_TERMINATED"),
        ("cancel-tools#innerInstance", "ELEMENT_TERMINATED"),
        ("cancel-tools", "ELEMENT_COMPLETING"),
        ("cancel-tools", "ELEMENT_COMPLETED"),
        ("g2", "SEQUENCE_FLOW_TAKEN"),
        *[("cancel-end", intent) for intent in LIFE],
        ("ad-hoc-cancel", "ELEMENT_COMPLETING"),
        ("ad-hoc-cancel", "ELEMENT_COMPLETED"),
    ]
    canceled = [r.key for r in engine.events(ValueType.JOB, instance=instance) if r.intent == "CANCELED"]
    assert canceled == [job_b["key"]]


def test_an_unsatisfied_condition_keeps_the_sub_process_open_for_more_work(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc-cancel", {"toolCalls": ["cancel-a"], "done": False})
    assert engine.complete_all("tool-a", {"done": False}) == 1
    tools = _ad_hoc_key(engine, instance, "cancel-tools")
    assert engine.is_active(instance) and engine.engine.state.elements.children(tools) == []
    _activate(engine, tools, {"elementId": "cancel-b"})
    assert engine.complete_all("tool-b", {"done": True}) == 1
    assert not engine.is_active(instance)


def test_without_cancelling_a_satisfied_condition_waits_for_what_still_runs(engine: EngineDriver) -> None:
    instance = _start(engine, "ad-hoc-wait", {"toolCalls": ["wait-a", "wait-b"], "done": False})
    assert engine.complete_all("tool-a", {"done": True}) == 1
    assert engine.is_active(instance)
    assert engine.complete_all("tool-b") == 1
    assert not engine.is_active(instance)
    assert not [r for r in engine.events(ValueType.JOB, instance=instance) if r.intent == "CANCELED"]


def test_a_collection_that_is_not_a_list_of_ids_is_an_incident_resolved_after_fixing_it(
    engine: EngineDriver,
) -> None:
    instance = _start(engine, "ad-hoc", {"toolCalls": "A"})
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident.value["errorMessage"] == (
        "Failed to activate ad-hoc elements. Expected result of the expression 'toolCalls' to be 'ARRAY', "
        "but was 'STRING'."
    )
    engine.set_variables(instance, {"toolCalls": ["A", "C2", "nope"]})
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    second = engine.events(ValueType.INCIDENT, instance=instance)[-1]
    assert second.intent == "CREATED" and second.value["errorMessage"] == (
        "Failed to activate ad-hoc elements. No BPMN elements found with ids: 'C2', 'nope'."
    )
    engine.set_variables(instance, {"toolCalls": ["A"]})
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, second.key)
    assert engine.complete_all("tool-a", {"result": 1}) == 1
    assert not engine.is_active(instance)


def test_a_condition_that_is_not_boolean_is_an_incident_and_collects_the_output_once(
    engine: EngineDriver,
) -> None:
    instance = _start(engine, "ad-hoc-cancel", {"toolCalls": ["cancel-a"]})
    assert engine.complete_all("tool-a") == 1  # `done` is not set: null
    [incident] = engine.events(ValueType.INCIDENT, instance=instance)
    assert incident.value["elementId"] == "cancel-tools#innerInstance"
    assert incident.value["errorMessage"] == (
        "Failed to evaluate completion condition. Expected result of the expression 'done' to be 'BOOLEAN', "
        "but was 'NULL'."
    )
    engine.set_variables(instance, {"done": True})
    engine.submit(ValueType.INCIDENT, "RESOLVE", {}, incident.key)
    assert not engine.is_active(instance)


def test_a_multi_instance_ad_hoc_sub_process_runs_one_tool_call_per_item(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "ad-hoc-agent.bpmn")
    calls = [{"id": "1", "name": "lookup", "arguments": {"q": "x"}}, {"id": "2", "name": "lookup"}]
    instance = engine.create("ad-hoc-agent", {"toolCalls": calls}).value["processInstanceKey"]
    jobs = engine.activate("lookup")
    assert [json.loads(j["variables"])["toolCall"]["id"] for j in jobs] == ["1", "2"]
    for job in reversed(jobs):
        engine.complete(job["key"], {"toolCallResult": "r" + json.loads(job["variables"])["toolCall"]["id"]})
    assert not engine.is_active(instance)
    assert scope_variables(engine, instance)["toolCallResults"] == [
        {"id": "1", "content": "r1"},
        {"id": "2", "content": "r2"},
    ]


def _deploy_rejection(engine: EngineDriver, body: str) -> str:
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d"><bpmn:process id="p" isExecutable="true">'
        f'<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="h" />{body}'
        "</bpmn:process></bpmn:definitions>"
    )
    response = engine.deploy(resources={"p.bpmn": xml})
    assert response.record_type is RecordType.COMMAND_REJECTION
    return str(response.rejection_reason)


def test_models_cadenza_cannot_run_are_rejected_at_deployment_naming_the_element(
    engine: EngineDriver,
) -> None:
    task = '<bpmn:task id="t" />'
    cases = [
        (f'<bpmn:adHocSubProcess id="h">{task}<bpmn:endEvent id="e" /></bpmn:adHocSubProcess>', "end events"),
        (
            f'<bpmn:adHocSubProcess id="h">{task}<bpmn:startEvent id="x" /></bpmn:adHocSubProcess>',
            "start events",
        ),
        (
            '<bpmn:adHocSubProcess id="h"><bpmn:intermediateThrowEvent id="t" /></bpmn:adHocSubProcess>',
            "activity",
        ),
        (
            '<bpmn:adHocSubProcess id="h"><bpmn:extensionElements><zeebe:taskDefinition type="agent" />'
            f"</bpmn:extensionElements>{task}</bpmn:adHocSubProcess>",
            "job worker implementation",
        ),
        (
            '<bpmn:adHocSubProcess id="h"><bpmn:extensionElements><zeebe:adHoc outputCollection="r" />'
            f"</bpmn:extensionElements>{task}</bpmn:adHocSubProcess>",
            "outputCollection and outputElement together",
        ),
        (
            '<bpmn:adHocSubProcess id="h"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[" />'
            f"</bpmn:extensionElements>{task}</bpmn:adHocSubProcess>",
            "FEEL syntax error in activeElementsCollection",
        ),
    ]
    for body, expected in cases:
        reason = _deploy_rejection(engine, body)
        assert "'h'" in reason and expected in reason, reason


def _modify(engine: EngineDriver, instance: int, activate: str = "", terminate: int = -1) -> Record:
    value = {
        "processInstanceKey": instance,
        "activateInstructions": [{"elementId": activate}] if activate else [],
        "terminateInstructions": [{"elementInstanceKey": terminate}] if terminate > 0 else [],
    }
    return engine.submit(ValueType.PROCESS_INSTANCE_MODIFICATION, "MODIFY", value, instance)


def test_modification_terminates_a_tool_but_leaves_activation_to_the_instruction(
    engine: EngineDriver,
) -> None:
    instance = _start(engine, "ad-hoc-cancel", {"toolCalls": ["cancel-a", "cancel-b"], "done": False})
    refused = _modify(engine, instance, activate="cancel-a")
    assert refused.record_type is RecordType.COMMAND_REJECTION
    assert (
        "'cancel-a'" in refused.rejection_reason
        and "AD_HOC_SUB_PROCESS_INSTRUCTION" in refused.rejection_reason
    )
    [a] = [
        r
        for r in engine.events(ValueType.PROCESS_INSTANCE, instance=instance)
        if r.value["elementId"] == "cancel-a" and r.intent == "ELEMENT_ACTIVATED"
    ]
    assert _modify(engine, instance, terminate=a.key).intent == "MODIFIED"
    assert engine.is_active(instance)  # b still runs
    assert engine.complete_all("tool-b", {"done": True}) == 1
    assert not engine.is_active(instance)


def test_an_error_from_a_tool_is_caught_on_the_sub_process_and_ends_what_still_runs(
    engine: EngineDriver,
) -> None:
    instance = _start(engine, "ad-hoc-error", {})
    assert len(engine.engine.state.timers.due(engine.now + 3_600_000)) == 1  # the catch event waits inside
    [job] = engine.activate("tool-a")
    engine.throw_error(job["key"], "refused", "not allowed")
    assert not engine.is_active(instance)
    trace = engine.trace(instance)
    inner = "err-tools#innerInstance"
    assert trace[trace.index(("err-tools", "ELEMENT_TERMINATING")) :] == [
        ("err-tools", "ELEMENT_TERMINATING"),
        (inner, "ELEMENT_TERMINATING"),
        (inner, "ELEMENT_TERMINATING"),
        ("err-a", "ELEMENT_TERMINATING"),
        ("err-a", "ELEMENT_TERMINATED"),
        (inner, "ELEMENT_TERMINATED"),
        ("err-wait", "ELEMENT_TERMINATING"),
        ("err-wait", "ELEMENT_TERMINATED"),
        (inner, "ELEMENT_TERMINATED"),
        ("err-tools", "ELEMENT_TERMINATED"),
        ("err-caught", "ELEMENT_ACTIVATING"),
        ("err-caught", "ELEMENT_ACTIVATED"),
        ("err-caught", "ELEMENT_COMPLETING"),
        ("err-caught", "ELEMENT_COMPLETED"),
        ("e2", "SEQUENCE_FLOW_TAKEN"),
        *[("err-end", intent) for intent in LIFE],
        ("ad-hoc-error", "ELEMENT_COMPLETING"),
        ("ad-hoc-error", "ELEMENT_COMPLETED"),
    ]
    assert engine.engine.state.timers.due(engine.now + 3_600_000) == []
