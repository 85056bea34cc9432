"""Deploy-time structural checks over a read process, before linking: every problem is collected, each with
its element id and line. Element-level checks (task types, FEEL syntax, timers) happen while reading."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TypeVar

from cadenza.bpmn.ad_hoc import check_ad_hoc
from cadenza.bpmn.context import BPMN_NS, XmlElement, line_of
from cadenza.bpmn.errors import Problems
from cadenza.bpmn.linker import RawFlow, Skeleton, link_catches
from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    ElementKind,
    EndEvent,
    ErrorDefinition,
    EscalationDefinition,
    Event,
    EventSubProcess,
    EventType,
    FlowNode,
    Gateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkDefinition,
    MessageDefinition,
    StartEvent,
    SubProcess,
)

__all__ = ["check_duplicate_ids", "check_process"]

_N = TypeVar("_N", bound=FlowNode)
_DEFAULT_GATEWAYS = {ElementKind.EXCLUSIVE_GATEWAY, ElementKind.INCLUSIVE_GATEWAY}
#: Conditional catch events too, a Cadenza addition (Camunda 7 allows them after an event-based gateway).
_EVENT_GATEWAY_TARGETS = {EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL, EventType.CONDITIONAL}


def check_duplicate_ids(root: XmlElement, problems: Problems) -> None:
    """Ids are XML IDs and the engine's keys into the model, so they must be unique across the file."""
    first_line: dict[str, int | None] = {}
    for node in root.iter(f"{{{BPMN_NS}}}*"):
        node_id = node.get("id")
        if node_id is None:
            continue
        if node_id in first_line:
            problems.add(node_id, line_of(node), f"duplicate id (first used on line {first_line[node_id]})")
        else:
            first_line[node_id] = line_of(node)


def check_process(sk: Skeleton, problems: Problems) -> None:
    # Indexed once so that every check stays linear in the model's size (files may hold thousands of flows).
    leaving: dict[str, list[RawFlow]] = defaultdict(list)
    for flow in sk.flows:
        leaving[flow.source_id].append(flow)
    touched = {flow.source_id for flow in sk.flows} | {flow.target_id for flow in sk.flows}
    _check_start_events(sk, problems)
    _check_flows(sk, problems)
    _check_conditions(sk, leaving, problems)
    _check_defaults(sk, leaving, problems)
    _check_boundaries(sk, problems)
    _check_links(sk, problems)
    _check_scopes(sk, touched, problems)
    _check_event_gateways(sk, leaving, problems)
    _check_catch_codes(sk, problems)
    _check_message_names(sk, leaving, problems)
    check_ad_hoc(sk, problems)


def _check_start_events(sk: Skeleton, problems: Problems) -> None:
    starts = [n for c in sk.children.get(sk.process_id, []) if isinstance(n := sk.nodes.get(c), StartEvent)]
    if not starts:
        problems.add(
            sk.process_id,
            sk.line,
            "process has no start event at the top level (none, message, timer, signal or conditional)",
        )
    # CreateProcessInstance starts "the" none start event, so there may be only one.
    for extra in [s for s in starts if s.event_type is EventType.NONE][1:]:
        problems.add(extra.id, extra.line, "a process may have only one none start event")


def _check_flows(sk: Skeleton, problems: Problems) -> None:
    for flow in sk.flows:
        for end, ref in (("source", flow.source_id), ("target", flow.target_id)):
            node = sk.nodes.get(ref)
            if node is None:
                problems.add(flow.id, flow.line, f"sequence flow {end} '{ref}' does not exist")
            elif node.scope_id != flow.scope_id:
                problems.add(flow.id, flow.line, f"sequence flow {end} '{ref}' is in another scope")
        target = sk.nodes.get(flow.target_id)
        if isinstance(target, StartEvent | BoundaryEvent):
            problems.add(
                flow.id,
                flow.line,
                f"sequence flow targets the {target.kind.value.lower().replace('_', ' ')} '{target.id}'",
            )


def _check_conditions(sk: Skeleton, leaving: dict[str, list[RawFlow]], problems: Problems) -> None:
    """Conditions only mean something on flows leaving exclusive or inclusive gateways; there, when a
    gateway has a choice, every flow but the default needs one (Zeebe's deployment rule)."""
    for flow in sk.flows:
        source = sk.nodes.get(flow.source_id)
        if flow.condition is not None and source is not None and source.kind not in _DEFAULT_GATEWAYS:
            problems.add(
                flow.id,
                flow.line,
                "a condition is only allowed on a flow leaving an exclusive or inclusive gateway",
            )
    for node in sk.nodes.values():
        flows = leaving.get(node.id, [])
        if isinstance(node, EndEvent) and flows:
            problems.add(node.id, node.line, "an end event cannot have outgoing sequence flows")
        if node.kind not in _DEFAULT_GATEWAYS or len(flows) < 2:
            continue
        for flow in flows:
            if flow.condition is None and flow.id != sk.defaults.get(node.id):
                problems.add(
                    flow.id,
                    flow.line,
                    "a flow leaving a gateway with a choice needs a condition or must be the default",
                )


def _check_defaults(sk: Skeleton, leaving: dict[str, list[RawFlow]], problems: Problems) -> None:
    for gateway_id, default_id in sk.defaults.items():
        gateway = sk.nodes[gateway_id]
        if gateway.kind not in _DEFAULT_GATEWAYS:
            continue
        if default_id not in {f.id for f in leaving.get(gateway_id, ())}:
            problems.add(
                gateway_id,
                gateway.line,
                f"default flow '{default_id}' is not an outgoing flow of the gateway",
            )


def _check_boundaries(sk: Skeleton, problems: Problems) -> None:
    for node in _of_type(sk, BoundaryEvent):
        host = sk.nodes.get(node.attached_to_id)
        if not node.attached_to_id or host is None:
            problems.add(
                node.id, node.line, f"boundary event is attached to nothing ('{node.attached_to_id}')"
            )
        elif not isinstance(host, Activity) or isinstance(host, EventSubProcess):
            problems.add(
                node.id, node.line, f"boundary event is attached to '{host.id}', which is not an activity"
            )
        elif host.scope_id != node.scope_id:
            problems.add(node.id, node.line, f"boundary event is not in the scope of '{host.id}'")


def _check_links(sk: Skeleton, problems: Problems) -> None:
    catches = link_catches(sk)
    names = Counter(
        (n.scope_id, n.definition.name)
        for n in _of_type(sk, IntermediateCatchEvent)
        if isinstance(n.definition, LinkDefinition)
    )
    for node in _of_type(sk, IntermediateCatchEvent):
        if isinstance(node.definition, LinkDefinition) and names[(node.scope_id, node.definition.name)] > 1:
            problems.add(
                node.id, node.line, f"link catch name '{node.definition.name}' is used twice in its scope"
            )
    for throw in _of_type(sk, IntermediateThrowEvent):
        if (
            isinstance(throw.definition, LinkDefinition)
            and (throw.scope_id, throw.definition.name) not in catches
        ):
            problems.add(
                throw.id,
                throw.line,
                f"link throw '{throw.definition.name}' has no matching link catch in its scope",
            )


def _check_scopes(sk: Skeleton, touched: set[str], problems: Problems) -> None:
    for scope in _of_type(sk, SubProcess):
        starts = [s for c in sk.children.get(scope.id, []) if isinstance(s := sk.nodes.get(c), StartEvent)]
        if isinstance(scope, EventSubProcess):
            if len(starts) != 1 or starts[0].event_type is EventType.NONE:
                problems.add(
                    scope.id, scope.line, "event sub-process needs exactly one start event with a trigger"
                )
            if scope.id in touched:
                problems.add(scope.id, scope.line, "event sub-process cannot have sequence flows")
        elif scope.kind is ElementKind.SUB_PROCESS and len(starts) != 1:
            problems.add(scope.id, scope.line, "embedded sub-process needs exactly one none start event")


def _check_event_gateways(sk: Skeleton, leaving: dict[str, list[RawFlow]], problems: Problems) -> None:
    for gateway in _of_type(sk, Gateway):
        if gateway.kind is not ElementKind.EVENT_BASED_GATEWAY:
            continue
        targets = [sk.nodes.get(f.target_id) for f in leaving.get(gateway.id, ())]
        if len(targets) < 2:
            problems.add(gateway.id, gateway.line, "event-based gateway needs at least two outgoing flows")
        for target in targets:
            ok = isinstance(target, IntermediateCatchEvent) and target.event_type in _EVENT_GATEWAY_TARGETS
            if target is not None and not ok:
                problems.add(
                    gateway.id,
                    gateway.line,
                    f"event-based gateway leads to '{target.id}', not a message, timer, signal or "
                    "conditional catch event",
                )


def _catch_group(sk: Skeleton, node: FlowNode) -> str | None:
    """Error and escalation catches compete per activity (boundaries) or per scope (event sub-processes)."""
    if isinstance(node, BoundaryEvent):
        return f"boundary:{node.attached_to_id}"
    holder = sk.nodes.get(node.scope_id)
    if isinstance(node, StartEvent) and isinstance(holder, EventSubProcess):
        return f"scope:{holder.scope_id}"
    return None


def _check_catch_codes(sk: Skeleton, problems: Problems) -> None:
    """Zeebe rejects two catches for the same code, or two catch-alls, where one throw could reach both."""
    seen: set[tuple[str, EventType, str | None]] = set()
    for node in _of_type(sk, Event):
        group = _catch_group(sk, node)
        if group is None or not isinstance(node.definition, ErrorDefinition | EscalationDefinition):
            continue
        code = None if node.definition.code is None else node.definition.code.source
        key = (group, node.event_type, code)
        if key in seen:
            what = node.event_type.value.lower()
            caught = f"code '{code}'" if code is not None else f"every {what}"
            problems.add(
                node.id, node.line, f"another {what} catch event in the same scope already catches {caught}"
            )
        seen.add(key)


def _message_group(sk: Skeleton, node: FlowNode, gateway_of: dict[str, str]) -> str | None:
    """Message catches that are open at the same time and would compete for one published message."""
    if isinstance(node, BoundaryEvent):
        return f"boundary:{node.attached_to_id}"
    if isinstance(node, StartEvent):
        holder = sk.nodes.get(node.scope_id)
        return f"scope:{holder.scope_id}" if isinstance(holder, EventSubProcess) else f"start:{node.scope_id}"
    return f"gateway:{gateway_of[node.id]}" if node.id in gateway_of else None


def _check_message_names(sk: Skeleton, leaving: dict[str, list[RawFlow]], problems: Problems) -> None:
    """Zeebe rejects two catches for the same (static) message name where both can be waiting at once."""
    gateway_of = {
        flow.target_id: gateway.id
        for gateway in _of_type(sk, Gateway)
        if gateway.kind is ElementKind.EVENT_BASED_GATEWAY
        for flow in leaving.get(gateway.id, ())
    }
    seen: set[tuple[str, str]] = set()
    for node in _of_type(sk, Event):
        name = node.definition.name.static_value if isinstance(node.definition, MessageDefinition) else None
        group = None if name is None else _message_group(sk, node, gateway_of)
        if name is None or group is None:
            continue
        if (group, name) in seen:
            problems.add(node.id, node.line, f"another message catch event here already waits for '{name}'")
        seen.add((group, name))


def _of_type(sk: Skeleton, cls: type[_N]) -> Iterator[_N]:
    return (node for node in sk.nodes.values() if isinstance(node, cls))
