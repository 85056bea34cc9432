"""Deploy-time validation: every problem of a file is reported at once, naming the element and its line."""

from __future__ import annotations

import pytest
from bpmn_support import fixture_bytes, line_of_id, messages_for, problems_of

from cadenza.bpmn import BpmnError, Problem, parse_bpmn


def test_error_string_lists_every_problem_with_resource_line_and_element() -> None:
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(fixture_bytes("service-task-no-type.bpmn"), resource_name="order-process.bpmn")
    line = line_of_id("service-task-no-type.bpmn", "Task_1")
    lines = str(caught.value).splitlines()
    assert (
        lines[0]
        == f"order-process.bpmn:{line} element 'Task_1': service task has no zeebe:taskDefinition type"
    )
    assert len(lines) == len(caught.value.problems) == 5


def test_job_based_elements_without_a_task_type() -> None:
    name = "service-task-no-type.bpmn"
    problems = problems_of(name)
    assert problems[0] == Problem(
        "Task_1", line_of_id(name, "Task_1"), "service task has no zeebe:taskDefinition type"
    )
    assert messages_for(problems, "Task_2") == ["service task has no zeebe:taskDefinition type"]
    assert messages_for(problems, "Send_1") == ["send task has no zeebe:taskDefinition type"]
    assert messages_for(problems, "Script_1") == [
        "script task needs exactly one of zeebe:script or zeebe:taskDefinition"
    ]
    assert messages_for(problems, "MessageEnd") == ["message end event has no zeebe:taskDefinition type"]


def test_no_executable_process() -> None:
    (problem,) = problems_of("not-executable.bpmn")
    assert problem.element_id is None
    assert problem.message == 'the file has no executable process (isExecutable="true")'


def test_no_top_level_start_event_even_if_a_sub_process_has_one() -> None:
    (problem,) = problems_of("no-start-event.bpmn")
    assert problem.element_id == "no-start"
    assert problem.line == line_of_id("no-start-event.bpmn", "no-start")
    assert problem.message.startswith("process has no start event at the top level")


def test_unsupported_elements_are_named() -> None:
    problems = problems_of("unsupported-elements.bpmn")
    assert messages_for(problems, "Complex") == ["unsupported element: bpmn:complexGateway"]
    assert messages_for(problems, "Tx") == ["unsupported element: bpmn:transaction"]
    for compensation in ("Compensate", "ThrowCompensation"):
        assert messages_for(problems, compensation) == [
            "unsupported element: compensation events are not supported"
        ]
    assert messages_for(problems, "Loop") == ["unsupported element: standard loops (use multi-instance)"]
    assert messages_for(problems, "Handler") == ["unsupported element: compensation handlers"]
    assert messages_for(problems, "CatchEscalation") == [
        "unsupported element: escalation intermediate catch event"
    ]
    assert messages_for(problems, "TimedSubStart") == ["unsupported element: timer sub-process start event"]
    assert (
        messages_for(problems, "DoubleEnd")[0]
        == "unsupported element: end event with several event definitions"
    )
    assert messages_for(problems, "CancelEnd") == ["unsupported element: cancel events are not supported"]
    assert all(p.line is not None for p in problems)


def test_feel_syntax_errors_name_element_attribute_and_position() -> None:
    name = "feel-syntax-error.bpmn"
    problems = problems_of(name)
    (flow_problem,) = [p for p in problems if p.element_id == "Flow_Bad"]
    assert flow_problem.line == line_of_id(name, "Flow_Bad")
    assert flow_problem.message.startswith("FEEL syntax error in conditionExpression at line 1, column ")
    (mapping_problem,) = [p for p in problems if p.element_id == "Task"]
    assert mapping_problem.message.startswith("FEEL syntax error in zeebe:input source at line 1, column ")
    assert len(problems) == 2


def test_sequence_flow_references() -> None:
    problems = problems_of("bad-flow-refs.bpmn")
    assert messages_for(problems, "Flow_NoTarget") == ["sequence flow target 'Missing' does not exist"]
    assert messages_for(problems, "Flow_NoSource") == ["sequence flow source 'Ghost' does not exist"]
    assert messages_for(problems, "Flow_Crossing") == ["sequence flow target 'End' is in another scope"]


def test_default_flow_must_leave_the_gateway() -> None:
    (problem,) = problems_of("bad-default-flow.bpmn")
    assert problem.element_id == "Gateway"
    assert problem.message == "default flow 'F1' is not an outgoing flow of the gateway"


def test_static_timers_are_checked() -> None:
    problems = problems_of("bad-timers.bpmn")
    assert messages_for(problems, "BadDuration") == ["timer timeDuration: 'PXT' is not an ISO 8601 duration"]
    assert messages_for(problems, "BadDate") == [
        "timer timeDate: 'tomorrow at noon' is not an ISO 8601 date-time"
    ]
    assert messages_for(problems, "BadCycle") == ["timer timeCycle: 'PT' is not an ISO 8601 duration"]
    assert (
        "neither an ISO 8601 repeating interval nor a six-field cron" in messages_for(problems, "BadCron")[0]
    )
    assert messages_for(problems, "CycleOnCatch") == [
        "a timer here takes timeDate or timeDuration, not timeCycle"
    ]
    assert messages_for(problems, "NoTimerValue") == [
        "a timer needs exactly one of timeDate, timeDuration, timeCycle"
    ]


def test_message_names_and_correlation_keys() -> None:
    problems = problems_of("message-problems.bpmn")
    assert messages_for(problems, "Start") == ["message 'Msg_NoName' has no name"]
    assert messages_for(problems, "StartNoKey") == []  # start events correlate without a key
    assert messages_for(problems, "CatchNoKey") == [
        "message 'Msg_NoKey' has no zeebe:subscription correlationKey"
    ]
    assert messages_for(problems, "CatchNoMessage") == ["message catch event has no message"]
    assert messages_for(problems, "ReceiveUnknown") == ["messageRef 'Msg_Missing' names no bpmn:message"]


def test_boundary_events_must_be_attached_to_an_activity() -> None:
    problems = problems_of("boundary-problems.bpmn")
    assert messages_for(problems, "Floating") == ["boundary event is attached to nothing ('')"]
    assert messages_for(problems, "OnGhost") == ["boundary event is attached to nothing ('Ghost')"]
    assert messages_for(problems, "OnStart") == [
        "boundary event is attached to 'Start', which is not an activity"
    ]
    assert messages_for(problems, "SoftError") == ["an error boundary event is always interrupting"]


def test_duplicate_ids() -> None:
    name = "duplicate-ids.bpmn"
    (problem,) = problems_of(name)
    first = line_of_id(name, "Twin")
    assert problem == Problem("Twin", first + 1, f"duplicate id (first used on line {first})")


def test_link_throw_needs_a_catch_in_its_own_scope() -> None:
    problems = problems_of("link-problems.bpmn")
    assert messages_for(problems, "LinkOut") == [
        "link throw 'nowhere' has no matching link catch in its scope"
    ]
    assert messages_for(problems, "OuterThrow") == [
        "link throw 'inner' has no matching link catch in its scope"
    ]
    assert messages_for(problems, "CatchA") == ["link catch name 'twice' is used twice in its scope"]


def test_problems_are_in_line_order() -> None:
    problems = problems_of("bad-timers.bpmn")
    lines = [p.line or 0 for p in problems]
    assert lines == sorted(lines)


def test_element_level_problems_are_all_collected() -> None:
    problems = problems_of("element-problems.bpmn")
    expected = {
        "p": ["FEEL syntax error in cadenza:businessKey at line 1, column "],
        "EmptyEventSub": ["event sub-process needs exactly one start event with a trigger"],
        "FlowingEventSub": ["event sub-process cannot have sequence flows"],
        "NoStartSub": ["embedded sub-process needs exactly one none start event"],
        "EventGateway": [
            "event-based gateway needs at least two outgoing flows",
            "event-based gateway leads to 'NotACatch', not a message, timer, signal or conditional catch event",
        ],
        "NoCollection": [
            "zeebe:output target 'not a name' is not a variable name or path",
            "multi-instance has no zeebe:loopCharacteristics inputCollection",
            "zeebe:taskDefinition retries must be a non-negative integer, not 'many'",
        ],
        "CallNothing": ["call activity has no zeebe:calledElement processId"],
        "FeelCatch": ["a catching error event needs a static errorCode, not '=code'"],
        "CatchAll1": [],
        "CatchAll2": ["another error catch event in the same scope already catches every error"],
        "ErrorEndNoRef": ["a throwing error event needs an errorRef with an errorCode"],
        "SignalNoName": ["signal event has no signal name (signalRef 'Sig_NoName')"],
        "NoCondition": ["conditional event has no condition"],
        "BadUserTask": [
            "zeebe:formDefinition needs exactly one of formKey, formId, externalReference",
            "zeebe:priorityDefinition priority must be an integer from 0 to 100, not '101'",
        ],
    }
    for element_id, messages in expected.items():
        found = messages_for(problems, element_id)
        assert len(found) == len(messages), (element_id, found)
        for actual, wanted in zip(found, messages, strict=True):
            assert actual.startswith(wanted), (element_id, actual)
    assert {p.element_id for p in problems} <= set(expected)


def test_flow_rules() -> None:
    problems = problems_of("flow-problems.bpmn")
    assert messages_for(problems, "SecondStart") == ["a process may have only one none start event"]
    assert messages_for(problems, "ConditionOffGateway") == [
        "a condition is only allowed on a flow leaving an exclusive or inclusive gateway"
    ]
    assert messages_for(problems, "Unconditioned") == [
        "a flow leaving a gateway with a choice needs a condition or must be the default"
    ]
    assert messages_for(problems, "Conditioned") == messages_for(problems, "Otherwise") == []
    assert messages_for(problems, "End") == ["an end event cannot have outgoing sequence flows"]
    assert messages_for(problems, "AfterEnd") == ["sequence flow targets the start event 'Start'"]


def test_variable_names_are_checked() -> None:
    data = fixture_bytes("tasks.bpmn").replace(b'inputElement="item"', b'inputElement="1item"')
    data = data.replace(b'resultVariable="sum"', b'resultVariable="the sum"')
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(data)
    assert [(p.element_id, p.message) for p in caught.value.problems] == [
        ("ScriptFeel", "resultVariable 'the sum' is not a variable name"),
        ("Each", "inputElement '1item' is not a variable name"),
    ]


def test_competing_message_catches_need_distinct_names() -> None:
    problems = problems_of("message-names.bpmn")
    assert [(p.element_id, p.message) for p in problems] == [
        ("StartB", "another message catch event here already waits for 'ping'"),
        ("CatchB", "another message catch event here already waits for 'ping'"),
    ]


def test_elements_without_ids() -> None:
    data = fixture_bytes("bad-default-flow.bpmn")
    data = data.replace(b'<bpmn:endEvent id="End" />', b'<bpmn:endEvent id="End" /><bpmn:task />')
    data = data.replace(b'<bpmn:sequenceFlow id="F2"', b"<bpmn:sequenceFlow")
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(data)
    messages = [(p.element_id, p.message) for p in caught.value.problems]
    assert (None, "bpmn:sequenceFlow has no id") in messages
    assert (None, "bpmn:task has no id") in messages
