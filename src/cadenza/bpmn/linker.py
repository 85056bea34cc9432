"""Assembles a process's frozen elements into the final model: flows resolved to objects on both ends,
default flows, link targets, boundary events on their activities, and scopes with their start events and
event sub-processes. Runs after validation and skips whatever validation already reported as broken."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from cadenza.bpmn.expressions import BpmnExpression
from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    ElementKind,
    EventSubProcess,
    FlowNode,
    Gateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkDefinition,
    Process,
    SequenceFlow,
    StartEvent,
    SubProcess,
)

__all__ = ["RawFlow", "Skeleton", "link", "link_catches"]


@dataclass(frozen=True, slots=True)
class RawFlow:
    id: str
    source_id: str
    target_id: str
    scope_id: str
    name: str | None
    condition: BpmnExpression | None
    line: int | None


@dataclass
class Skeleton:
    """One process as read, before linking: nodes in document order, flows by reference."""

    process_id: str
    name: str | None = None
    line: int | None = None
    version_tag: str | None = None
    business_key: BpmnExpression | None = None
    properties: dict[str, str] = field(default_factory=dict)
    embedded_forms: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, FlowNode] = field(default_factory=dict)
    flows: list[RawFlow] = field(default_factory=list)
    #: gateway id -> its ``default`` attribute (a flow id), checked by validation
    defaults: dict[str, str] = field(default_factory=dict)
    #: scope id (the process id included) -> direct children ids, document order
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def usable_flows(self) -> list[RawFlow]:
        return [f for f in self.flows if f.source_id in self.nodes and f.target_id in self.nodes]


def link_catches(sk: Skeleton) -> dict[tuple[str, str], str]:
    """(scope id, link name) -> the link catch event's id."""
    catches: dict[tuple[str, str], str] = {}
    for node in sk.nodes.values():
        if isinstance(node, IntermediateCatchEvent) and isinstance(node.definition, LinkDefinition):
            catches.setdefault((node.scope_id, node.definition.name), node.id)
    return catches


def _with_flows(sk: Skeleton, nodes: dict[str, FlowNode]) -> dict[str, SequenceFlow]:
    flows: dict[str, SequenceFlow] = {}
    outgoing: dict[str, list[SequenceFlow]] = defaultdict(list)
    incoming: dict[str, list[SequenceFlow]] = defaultdict(list)
    for raw in sk.usable_flows():
        flow = SequenceFlow(raw.id, raw.source_id, raw.target_id, raw.name, raw.condition, raw.line)
        flows[flow.id] = flow
        outgoing[flow.source_id].append(flow)
        incoming[flow.target_id].append(flow)
    for node_id, node in nodes.items():
        if node_id in outgoing or node_id in incoming:
            nodes[node_id] = replace(
                node, outgoing=tuple(outgoing.get(node_id, ())), incoming=tuple(incoming.get(node_id, ()))
            )
    return flows


def _with_references(sk: Skeleton, nodes: dict[str, FlowNode], flows: dict[str, SequenceFlow]) -> None:
    catches = link_catches(sk)
    for node_id, node in list(nodes.items()):
        if isinstance(node, Gateway) and node_id in sk.defaults:
            default = flows.get(sk.defaults[node_id])
            if default is not None and default in node.outgoing:
                nodes[node_id] = replace(node, default_flow=default)
        elif isinstance(node, IntermediateThrowEvent) and isinstance(node.definition, LinkDefinition):
            target = catches.get((node.scope_id, node.definition.name))
            nodes[node_id] = replace(node, link_target_id=target)
    attached: dict[str, list[BoundaryEvent]] = defaultdict(list)
    for node in nodes.values():
        if isinstance(node, BoundaryEvent) and isinstance(nodes.get(node.attached_to_id), Activity):
            attached[node.attached_to_id].append(node)
    for activity_id, boundaries in attached.items():
        activity = nodes[activity_id]
        assert isinstance(activity, Activity)
        nodes[activity_id] = replace(activity, boundary_events=tuple(boundaries))


def _scope_parts(
    children: list[str], nodes: dict[str, FlowNode]
) -> tuple[tuple[str, ...], tuple[StartEvent, ...], tuple[EventSubProcess, ...]]:
    starts = tuple(n for c in children if isinstance(n := nodes[c], StartEvent))
    subs = tuple(n for c in children if isinstance(n := nodes[c], EventSubProcess))
    return tuple(children), starts, subs


def link(sk: Skeleton) -> Process:
    nodes = dict(sk.nodes)
    flows = _with_flows(sk, nodes)
    _with_references(sk, nodes, flows)
    # Document order is pre-order, so walking scopes backwards finishes every inner scope before the scope
    # that holds it: the event sub-process objects a scope keeps are already final.
    for scope in reversed([n for n in nodes.values() if isinstance(n, SubProcess)]):
        child_ids, starts, subs = _scope_parts(sk.children.get(scope.id, []), nodes)
        nodes[scope.id] = replace(scope, child_ids=child_ids, start_events=starts, event_subprocesses=subs)
    child_ids, starts, subs = _scope_parts(sk.children.get(sk.process_id, []), nodes)
    return Process(
        id=sk.process_id,
        name=sk.name,
        line=sk.line,
        version_tag=sk.version_tag,
        business_key=sk.business_key,
        elements=MappingProxyType(nodes),
        flows=MappingProxyType(flows),
        child_ids=child_ids,
        start_events=starts,
        event_subprocesses=subs,
        properties=MappingProxyType(dict(sk.properties)),
        embedded_forms=MappingProxyType(dict(sk.embedded_forms)),
        has_inclusive_joins=any(
            n.kind is ElementKind.INCLUSIVE_GATEWAY and len(n.incoming) > 1 for n in nodes.values()
        ),
    )
