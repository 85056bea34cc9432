"""Checks and plans a process instance migration before anything is written (Zeebe's
``ProcessInstanceMigrationPreconditions``).

Zeebe rolls a failed migration back; Cadenza's writer applies each event as it is written, so every active
element instance is checked first, breadth-first from the process instance: it needs a mapping to an element
of the same type (and user task implementation) in the same flow scope, its boundary events and event
sub-processes must be of kinds that migrate, mapped catch events must stay attached to it and keep their
event type, new ones must be able to subscribe, and no token may be on its way. The plan lists each instance
with its target element.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from cadenza.bpmn.model import Activity, EventType, FlowNode, IntermediateCatchEvent, Process, UserTask
from cadenza.core.elements.subscriptions import (
    CatchElement,
    after_event_gateway,
    catch_elements,
    check_catch_events,
)
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.processors.instances import Rejected, key_field
from cadenza.core.state import EngineState

__all__ = ["MigrationPlan", "MigrationStep", "plan_migration"]

#: The element types whose active instances Cadenza migrates (Zeebe migrates these and a few more).
_SUPPORTED = frozenset(
    {
        "PROCESS",
        "SUB_PROCESS",
        "SERVICE_TASK",
        "SEND_TASK",
        "SCRIPT_TASK",
        "BUSINESS_RULE_TASK",
        "USER_TASK",
        "RECEIVE_TASK",
        "CALL_ACTIVITY",
        "INTERMEDIATE_CATCH_EVENT",
    }
)
_CATCH_EVENT_TYPES = frozenset({EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL})
#: Catch events with subscriptions Zeebe has no counterpart of, so none that could be migrated.
_UNMIGRATABLE = frozenset({EventType.CONDITIONAL})
_ACTIVATED = str(ProcessInstanceIntent.ELEMENT_ACTIVATED)
_ELEMENT = "active element with id '{}'"
#: Zeebe's rejection reasons, after "Expected to migrate process instance '<key>' but ".
_REASONS = {
    "duplicates": "the mapping instructions contain duplicate source element ids '[{}]'.",
    "no_element": "mapping instructions contain a non-existing {0} element id '{1}'. Elements provided in "
    "mapping instructions must exist in the {0} process definition.",
    "type": _ELEMENT + " has an unsupported type. The migration of a {} is not supported.",
    "catch_type": _ELEMENT + " is intermediate catch event of type '{}'. Migrating active intermediate "
    "catch event of this type is not possible yet.",
    "gateway": _ELEMENT + " is an intermediate catch event attached to an event-based gateway. Migrating "
    "active events attached to an event-based gateway is not possible yet.",
    "unmapped": "no mapping instruction defined for active element with id '{}'. Elements cannot be "
    "migrated without a mapping.",
    "changed_type": _ELEMENT + " and type '{}' is mapped to an element with id '{}' and different type "
    "'{}'. Elements must be mapped to elements of the same type.",
    "implementation": "active user task with id '{}' and implementation '{}' is mapped to an user task with "
    "id '{}' and different implementation '{}'. Elements must be mapped to elements of the same "
    "implementation.",
    "flow_scope": "the flow scope of active element with id '{}' is changed. The flow scope of the active "
    "element is expected to be '{}' but was '{}'. The flow scope of an element cannot be changed during "
    "migration yet.",
    "concurrent": "a concurrent command was executed on the process instance. Please retry the migration.",
    "boundary": "{} element with id '{}' has one or more boundary events of types '{}'. Migrating {} "
    "elements with boundary events of these types is not possible yet.",
    "event_subprocess": "{} process with id '{}' has one or more event subprocesses with start events of "
    "types '{}'. Migrating event subprocesses with start events of these types is not possible yet.",
    "detached": _ELEMENT + " is mapped to an element with id '{}' and has a catch event with id '{}' that is "
    "mapped to a catch event with id '{}'. These mappings detach the catch event from the element in the "
    "target process. Catch events must stay attached to the same element instance.",
    "merged": _ELEMENT + " has a catch event attached that is mapped to a catch event with id '{}'. There "
    "are multiple mapping instructions that target this catch event: '{}'. Catch events cannot be merged by "
    "process instance migration. Please ensure the mapping instructions target a catch event only once.",
    "event_type": _ELEMENT + " has a catch event with id '{}' that is mapped to a catch event with id '{}'. "
    "These catch events have different event types: '{}' and '{}'. The event type of a catch event cannot "
    "be changed by process instance migration. Please ensure the event type of the catch event remains the "
    "same or remove the mapping instruction for these catch events.",
    "subscribe": _ELEMENT + " is mapped to an element with id '{}' that cannot subscribe to its catch "
    "events: {}",
}


@dataclass(frozen=True, slots=True)
class MigrationStep:
    key: int
    row: dict[str, Any]
    target_id: str
    #: Catch events the instance subscribes to in the target (opened or migrated); none when ACTIVATING.
    target_catches: tuple[CatchElement, ...]


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    target: dict[str, Any]
    mapping: dict[str, str]
    steps: list[MigrationStep]


def plan_migration(state: EngineState, root: dict[str, Any], value: dict[str, Any]) -> MigrationPlan:
    """The plan of a MIGRATE command for the process instance ``root`` (its row); raises :class:`Rejected`
    with Zeebe's reason if it breaks a rule."""
    instance_key = int(root["k"])
    items = value.get("mappingInstructions") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        reason = f"Expected 'mappingInstructions' to be a list of objects, but was {items!r}"
        raise Rejected("INVALID_ARGUMENT", reason)
    pairs = [(str(i.get("sourceElementId") or ""), str(i.get("targetElementId") or "")) for i in items]
    sources = [source for source, _ in pairs]
    duplicates = list(dict.fromkeys(s for s in sources if sources.count(s) > 1))
    if duplicates:
        raise _rejection("INVALID_ARGUMENT", instance_key, "duplicates", ", ".join(duplicates))
    target_key = key_field(value, "targetProcessDefinitionKey")
    if isinstance(target_key, str):
        raise Rejected("INVALID_ARGUMENT", target_key)
    target = state.processes.process(target_key)
    if target is None or target["tenantId"] != root["v"]["tenantId"]:
        reason = (
            "Expected to migrate process instance to process definition but no process definition found "
            f"with key '{target_key}'"
        )
        raise Rejected("NOT_FOUND", reason)
    source_model = state.processes.model(root["v"]["processDefinitionKey"])
    target_model = state.processes.model(target_key)
    for source_id, target_id in pairs:
        for model, element_id, which in (
            (source_model, source_id, "source"),
            (target_model, target_id, "target"),
        ):
            if element_id not in model.elements:
                raise _rejection("INVALID_ARGUMENT", instance_key, "no_element", which, element_id)
    mapping = {**dict(pairs), source_model.id: target_model.id}
    planner = _Planner(state, instance_key, source_model, target_model, mapping)
    return MigrationPlan(target, mapping, planner.steps(root))


def _rejection(kind: str, instance_key: int, reason: str, *args: Any) -> Rejected:
    message = f"Expected to migrate process instance '{instance_key}' but " + _REASONS[reason].format(*args)
    return Rejected(kind, message)


class _Planner:
    def __init__(
        self, state: EngineState, instance_key: int, source: Process, target: Process, mapping: dict[str, str]
    ) -> None:
        self.state = state
        self.instance_key = instance_key
        self.source = source
        self.target = target
        self.mapping = mapping

    def reject(self, reason: str, *args: Any) -> Rejected:
        return _rejection("INVALID_STATE", self.instance_key, reason, *args)

    def steps(self, root: dict[str, Any]) -> list[MigrationStep]:
        steps: list[MigrationStep] = []
        targets: dict[int, str] = {}
        queue = deque([root])
        while queue:
            row = queue.popleft()
            step = self._step(row, targets)
            targets[step.key] = step.target_id
            steps.append(step)
            queue.extend(self.state.elements.children(step.key))
        return steps

    def _step(self, row: dict[str, Any], targets: dict[int, str]) -> MigrationStep:
        value = row["v"]
        element_id, kind = value["elementId"], value["bpmnElementType"]
        source = self.source.elements.get(element_id)
        self._check_supported(element_id, kind, source)
        target_id = self.mapping.get(element_id)
        if target_id is None:
            raise self.reject("unmapped", element_id)
        target = self.target.elements.get(target_id)
        target_kind = "PROCESS" if target is None else str(target.kind)
        if target_kind != kind:
            raise self.reject("changed_type", element_id, kind, target_id, target_kind)
        if isinstance(source, UserTask) and isinstance(target, UserTask) and source.native != target.native:
            impls = ["zeebe user task" if task.native else "job worker" for task in (source, target)]
            raise self.reject("implementation", element_id, impls[0], target_id, impls[1])
        if target is not None and targets[value["flowScopeKey"]] != target.scope_id:
            expected = targets[value["flowScopeKey"]]
            raise self.reject("flow_scope", element_id, expected, target.scope_id)
        if row["n"] > len(self.state.elements.children(row["k"])):
            raise self.reject("concurrent")
        catches: tuple[CatchElement, ...] = ()
        if row["s"] == _ACTIVATED:
            catches = self._catch_events(row, source, target_id, target)
        return MigrationStep(int(row["k"]), row, target_id, catches)

    def _check_supported(self, element_id: str, kind: str, node: FlowNode | None) -> None:
        if kind not in _SUPPORTED:
            raise self.reject("type", element_id, kind)
        if isinstance(node, IntermediateCatchEvent):
            if node.event_type not in _CATCH_EVENT_TYPES:
                raise self.reject("catch_type", element_id, node.event_type)
            if after_event_gateway(self.source, node):
                raise self.reject("gateway", element_id)

    def _catch_events(
        self, row: dict[str, Any], source: FlowNode | None, target_id: str, target: FlowNode | None
    ) -> tuple[CatchElement, ...]:
        """The rules for the instance's catch events (boundary events, event sub-process starts, its own
        catch): kinds that migrate, mapped ones stay attached and keep their type, new ones can subscribe."""
        kind, element_id = row["v"]["bpmnElementType"], row["v"]["elementId"]
        sources = catch_elements(self.source, source, kind)
        targets = catch_elements(self.target, target, kind)
        self._check_kinds(element_id, sources, "active")
        self._check_kinds(target_id, targets, "target")
        by_id = {catch.id: catch for catch in targets}
        merged: dict[str, list[str]] = {}
        for catch in sources:
            mapped = self.mapping.get(catch.id)
            if mapped is None:
                continue
            merged.setdefault(mapped, []).append(catch.id)
            if mapped not in by_id:
                raise self.reject("detached", element_id, target_id, catch.id, mapped)
            if _type(catch) != _type(by_id[mapped]):
                raise self.reject(
                    "event_type", element_id, catch.id, mapped, _type(catch), _type(by_id[mapped])
                )
        for mapped, catch_ids in merged.items():
            if len(catch_ids) > 1:
                raise self.reject("merged", element_id, mapped, "', '".join(sorted(catch_ids)))
        new = [catch for catch in targets if catch.id not in merged]
        problem = check_catch_events(new, self.state.variables.view(row["k"]), 0)
        if problem:
            raise self.reject("subscribe", element_id, target_id, problem)
        return tuple(targets)

    def _check_kinds(self, element_id: str, catches: list[CatchElement], which: str) -> None:
        # The element's own catch (a catch event) is checked by its mapping: its type may not change.
        rejected = [c for c in catches if c.id != element_id and _type(c) in _UNMIGRATABLE]
        if not rejected:
            return
        types = ",".join(dict.fromkeys(str(_type(c)) for c in rejected))
        if any(getattr(c, "attached_to_id", None) for c in rejected):
            raise self.reject("boundary", which, element_id, types, which)
        raise self.reject("event_subprocess", which, element_id, types)


def _type(catch: CatchElement) -> EventType:
    return EventType.MESSAGE if isinstance(catch, Activity) else catch.event_type
