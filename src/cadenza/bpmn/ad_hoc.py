"""Deploy-time checks of ad-hoc sub-processes (Camunda 8.8's constraints): at least one activity, no start
or end events, and intermediate catch events that lead somewhere, since nothing can activate them."""

from __future__ import annotations

from cadenza.bpmn.errors import Problems
from cadenza.bpmn.linker import Skeleton
from cadenza.bpmn.model import (
    Activity,
    AdHocSubProcess,
    EndEvent,
    EventSubProcess,
    IntermediateCatchEvent,
    StartEvent,
)

__all__ = ["check_ad_hoc"]


def check_ad_hoc(sk: Skeleton, problems: Problems) -> None:
    sources = {flow.source_id for flow in sk.flows}
    for scope in sk.nodes.values():
        if not isinstance(scope, AdHocSubProcess):
            continue
        children = [node for c in sk.children.get(scope.id, []) if (node := sk.nodes.get(c)) is not None]
        if any(isinstance(node, StartEvent) for node in children):
            problems.add(scope.id, scope.line, "ad-hoc sub-process cannot have start events")
        if any(isinstance(node, EndEvent) for node in children):
            problems.add(scope.id, scope.line, "ad-hoc sub-process cannot have end events")
        if not any(isinstance(node, Activity) and not isinstance(node, EventSubProcess) for node in children):
            problems.add(scope.id, scope.line, "ad-hoc sub-process needs at least one activity")
        for node in children:
            if isinstance(node, IntermediateCatchEvent) and node.id not in sources:
                problems.add(
                    node.id, node.line, "a catch event in an ad-hoc sub-process needs an outgoing flow"
                )
