"""The agent pattern blueprints in bpmn/: each deploys to the engine, and its diagram (BPMN DI) has a shape
for every element and an edge for every flow that starts on its source and ends on its target, so bpmn-js
renders it as drawn. The tool loop's wiring (multi-instance ad-hoc sub-process, results back to the agent) is
run on the engine with the agent's job completed as the agent runtime completes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from cadenza.bpmn import parse_bpmn
from cadenza.core.records import RecordType, ValueType
from cadenza.core.testing import EngineDriver

BLUEPRINTS = Path(__file__).parents[2] / "bpmn"
NAMES = [
    "agent-coordinator",
    "agent-hierarchical",
    "agent-fanout",
    "agent-reflection",
    "agent-human-checkpoint",
    "agent-tool-loop",
]
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
Box = tuple[float, float, float, float]


@pytest.mark.parametrize("name", NAMES)
def test_each_blueprint_deploys(name: str) -> None:
    engine = EngineDriver()
    response = engine.deploy(BLUEPRINTS / f"{name}.bpmn")
    assert response.record_type is RecordType.EVENT, response.rejection_reason
    [process] = response.value["processesMetadata"]
    assert process["bpmnProcessId"] == name


def _on_border(point: tuple[float, float], box: Box) -> bool:
    x, y = point
    left, top, width, height = box
    inside = left - 1 <= x <= left + width + 1 and top - 1 <= y <= top + height + 1
    edge = min(abs(x - left), abs(x - left - width), abs(y - top), abs(y - top - height))
    return inside and edge <= 1


@pytest.mark.parametrize("name", NAMES)
def test_each_blueprint_has_a_complete_diagram(name: str) -> None:
    data = (BLUEPRINTS / f"{name}.bpmn").read_bytes()
    process = parse_bpmn(data, resource_name=f"{name}.bpmn").process(name)
    root = etree.fromstring(data)
    boxes: dict[str, Box] = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        bounds = shape.find("dc:Bounds", NS)
        assert bounds is not None
        boxes[shape.get("bpmnElement", "")] = tuple(
            float(bounds.get(a, "")) for a in ("x", "y", "width", "height")
        )  # type: ignore[assignment]
    assert set(boxes) == set(process.elements)
    edges = {edge.get("bpmnElement"): edge for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    assert set(edges) == set(process.flows)
    for flow in process.flows.values():
        points = [
            (float(p.get("x", "")), float(p.get("y", ""))) for p in edges[flow.id].iterfind("di:waypoint", NS)
        ]
        assert len(points) >= 2
        assert _on_border(points[0], boxes[flow.source_id]), flow.id
        assert _on_border(points[-1], boxes[flow.target_id]), flow.id
    for element in process.elements.values():  # children are drawn inside their sub-process
        if element.scope_id in boxes:
            x, y, w, h = boxes[element.id]
            px, py, pw, ph = boxes[element.scope_id]
            assert px <= x and py <= y and x + w <= px + pw and y + h <= py + ph, element.id


def _agent_job(engine: EngineDriver) -> dict[str, object]:
    [job] = engine.activate("cadenza:agent")
    return job


def test_the_tool_loop_runs_each_tool_call_as_an_element_instance_and_feeds_the_results_back() -> None:
    engine = EngineDriver()
    engine.deploy(BLUEPRINTS / "agent-tool-loop.bpmn")
    instance = engine.create("agent-tool-loop", {"question": "Where is order 7?"}).value["processInstanceKey"]
    first = _agent_job(engine)
    agent = json.loads(str(first["variables"]))["agent"]
    assert agent["goal"] == "Where is order 7?" and agent["resume"] is None and agent["toolResults"] is None
    assert [tool["name"] for tool in agent["bpmnTools"]] == ["lookup_order", "ask_customer"]
    calls = [
        {"id": "c1", "name": "lookup_order", "arguments": {"orderId": "7"}},
        {"id": "c2", "name": "ask_customer", "arguments": {"question": "Which address?"}},
    ]
    result = {"status": "tool-calls", "runId": "run-1", "pendingCalls": calls, "output": None}
    engine.complete(int(str(first["key"])), {"support": result})
    [lookup] = engine.activate("demo:lookup-order")
    assert json.loads(lookup["variables"])["orderId"] == "7"
    engine.complete(lookup["key"], {"toolCallResult": {"status": "shipped"}})
    [task] = [r for r in engine.events(ValueType.USER_TASK, instance=instance) if r.intent == "CREATED"]
    assert task.value["elementId"] == "ask_customer"
    engine.submit(
        ValueType.USER_TASK, "COMPLETE", {"variables": json.dumps({"toolCallResult": "Home"})}, task.key
    )
    second = _agent_job(engine)
    resumed = json.loads(str(second["variables"]))["agent"]
    assert resumed["resume"] == "run-1"
    assert resumed["toolResults"] == {"c1": {"status": "shipped"}, "c2": "Home"}
    engine.complete(int(str(second["key"])), {"support": {"status": "completed", "output": "Shipped home."}})
    assert not engine.is_active(instance)
    tools = [(e, i) for e, i in engine.trace(instance) if e in {"lookup_order", "ask_customer"}]
    assert ("lookup_order", "ELEMENT_COMPLETED") in tools and ("ask_customer", "ELEMENT_COMPLETED") in tools
    engine.assert_replay_equal()
