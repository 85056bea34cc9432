"""The example models in the top-level bpmn/ folder parse into the model the engine will walk."""

from __future__ import annotations

import datetime as dt

import pytest
from bpmn_support import EXAMPLES, fixture_bytes

from cadenza.bpmn import (
    BoundaryEvent,
    ElementKind,
    EventType,
    Gateway,
    IntermediateCatchEvent,
    JobTask,
    MessageDefinition,
    TimerDefinition,
    TimerKind,
    UserTask,
    parse_bpmn,
)
from cadenza.bpmn.timers import IsoDuration


def test_order_process_has_its_elements_indexed_and_flows_resolved() -> None:
    definitions = parse_bpmn(
        (EXAMPLES / "order-process.bpmn").read_bytes(), resource_name="order-process.bpmn"
    )

    (process,) = definitions.processes
    assert process.id == "order-process"
    assert process.name == "Order process"
    assert process.version_tag == "1.0.0"
    assert process.business_key is not None and process.business_key.feel_source == "order.id"
    assert [s.id for s in process.start_events] == ["StartEvent_OrderReceived"]
    assert process.none_start_event is process.start_events[0]
    assert set(process.elements) == {
        "StartEvent_OrderReceived",
        "Task_CheckOrder",
        "Gateway_Valid",
        "Task_Approve",
        "Task_Ship",
        "EndEvent_Shipped",
        "EndEvent_Rejected",
    }
    start = process.elements["StartEvent_OrderReceived"]
    (flow,) = start.outgoing
    assert process.elements[flow.target_id].id == "Task_CheckOrder"
    assert process.elements["Task_CheckOrder"].incoming == (flow,)


def test_order_process_service_task_gateway_and_user_task() -> None:
    process = parse_bpmn((EXAMPLES / "order-process.bpmn").read_bytes()).process("order-process")

    check = process.elements["Task_CheckOrder"]
    assert isinstance(check, JobTask)
    assert check.job.type.static_value == "check-order"
    assert check.job.retries.static_value == "5"
    assert dict(check.job.headers) == {"agent": "order-checker"}
    assert [(m.source.source, m.target) for m in check.io.inputs] == [("=order", "order")]
    assert [m.target for m in check.io.outputs] == ["order.valid"]

    gateway = process.elements["Gateway_Valid"]
    assert isinstance(gateway, Gateway) and gateway.kind is ElementKind.EXCLUSIVE_GATEWAY
    assert [f.id for f in gateway.outgoing] == ["Flow_Valid", "Flow_Invalid"]
    assert gateway.default_flow is gateway.outgoing[1]
    condition = gateway.outgoing[0].condition
    assert condition is not None and condition.feel_source == "order.valid = true"

    approve = process.elements["Task_Approve"]
    assert isinstance(approve, UserTask) and approve.native
    assert approve.assignment.assignee is not None and not approve.assignment.assignee.is_static
    assert approve.assignment.candidate_groups is not None
    assert approve.assignment.candidate_groups.static_value == "sales, managers"
    assert approve.form is not None and approve.form.form_id == "approve-order"
    assert approve.priority is not None and approve.priority.static_value == "70"


def test_fulfilment_parallel_timer_boundary_and_message_catch() -> None:
    process = parse_bpmn((EXAMPLES / "fulfilment-parallel.bpmn").read_bytes()).process("fulfilment")

    fork, join = process.elements["Gateway_Fork"], process.elements["Gateway_Join"]
    assert fork.kind is join.kind is ElementKind.PARALLEL_GATEWAY
    assert len(fork.outgoing) == 2 and len(join.incoming) == 2

    pack = process.elements["Task_Pack"]
    assert isinstance(pack, JobTask)
    assert pack.job.retries.feel_source == "retries"
    (boundary,) = pack.boundary_events
    assert isinstance(boundary, BoundaryEvent)
    assert boundary is process.elements["Event_PackingTimeout"]
    assert boundary.attached_to_id == "Task_Pack" and boundary.interrupting
    assert isinstance(boundary.definition, TimerDefinition)
    assert boundary.definition.kind is TimerKind.DURATION
    assert boundary.definition.static == IsoDuration(exact=dt.timedelta(hours=4))

    catch = process.elements["Event_PaymentReceived"]
    assert isinstance(catch, IntermediateCatchEvent) and catch.event_type is EventType.MESSAGE
    assert isinstance(catch.definition, MessageDefinition)
    assert catch.definition.name.static_value == "payment-received"
    key = catch.definition.correlation_key
    assert key is not None and key.feel_source == "orderId"


def test_collaboration_with_two_executable_pools() -> None:
    definitions = parse_bpmn(fixture_bytes("collaboration.bpmn"), resource_name="collaboration.bpmn")
    assert definitions.id == "Definitions_1" and definitions.resource_name == "collaboration.bpmn"
    assert [p.id for p in definitions.processes] == ["shop", "warehouse"]
    shop, warehouse = definitions.processes
    assert set(shop.elements) == {"ShopStart", "ShopEnd"}  # lanes, annotations, associations are not nodes
    assert set(warehouse.elements) == {"WarehouseStart", "WarehouseEnd"}
    assert warehouse.none_start_event is None
    assert warehouse.start_events[0].event_type is EventType.MESSAGE
    with pytest.raises(KeyError):
        definitions.process("missing")
