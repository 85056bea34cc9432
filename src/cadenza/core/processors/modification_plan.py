"""Checks and plans a process instance modification before anything is written (Zeebe's
``ProcessInstanceModificationModifyProcessor`` and ``ElementActivationBehavior``).

Zeebe rolls a failed command back; Cadenza's writer applies each event as it is written, so every rule that
can reject the command is checked here first, against the state as it is and the scopes the earlier
instructions will create. The plan says which flow scope instance each activation reuses or creates, and
which element instance each termination ends: the instruction's element, or the outermost flow scope that
would be left with nothing active (Zeebe terminates such scopes, up to the process instance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cadenza.bpmn.model import Activity, AdHocSubProcess, ElementKind, FlowNode, Process
from cadenza.core.elements.subscriptions import after_event_gateway
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.processors.instances import Rejected, key_field, parse_document
from cadenza.core.state import EngineState

__all__ = [
    "SUPPORTED_TYPES",
    "Activation",
    "ModificationPlan",
    "instruction_list",
    "plan_modification",
    "scope_ids",
]

BODY = "MULTI_INSTANCE_BODY"
_ACTIVE = (str(ProcessInstanceIntent.ELEMENT_ACTIVATING), str(ProcessInstanceIntent.ELEMENT_ACTIVATED))
_UNSUPPORTED = frozenset({ElementKind.START_EVENT, ElementKind.BOUNDARY_EVENT})
#: Zeebe's ``BpmnElementType`` values that modification and start instructions can activate, in the enum's
#: order (Zeebe prints a hash set; a fixed order keeps the text stable).
SUPPORTED_TYPES = (
    "[PROCESS, SUB_PROCESS, EVENT_SUB_PROCESS, AD_HOC_SUB_PROCESS, AD_HOC_SUB_PROCESS_INNER_INSTANCE, "
    "INTERMEDIATE_CATCH_EVENT, INTERMEDIATE_THROW_EVENT, END_EVENT, SERVICE_TASK, RECEIVE_TASK, USER_TASK, "
    "MANUAL_TASK, TASK, EXCLUSIVE_GATEWAY, PARALLEL_GATEWAY, EVENT_BASED_GATEWAY, INCLUSIVE_GATEWAY, "
    "MULTI_INSTANCE_BODY, CALL_ACTIVITY, BUSINESS_RULE_TASK, SCRIPT_TASK, SEND_TASK]"
)
_ACTIVATE = "it contains one or more activate instructions"
#: Zeebe's rejection reasons, after "Expected to modify instance of process '<id>' but ".
_REASONS = {
    "no_element": _ACTIVATE + " with an element that could not be found: '{}'",
    "unsupported": _ACTIVATE + " for elements that are unsupported: '{}'. {}.",
    "gateway": "The activation of events belonging to an event-based gateway is not supported",
    "ad_hoc": "Elements of an ad-hoc sub-process are activated by the ad-hoc activities instruction "
    "(AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE)",
    "kind": "The activation of elements with type '{}' is not supported. Supported element types are: {}",
    "no_instance": "it contains one or more terminate instructions with an element instance that could not "
    "be found: '{}'",
    "no_scope": "it contains one or more variable instructions with a scope element id that could not be "
    "found: '{}'",
    "not_flow_scope": "it contains one or more variable instructions with a scope element that doesn't "
    "belong to the activating element's flow scope. These variables should be set before or after the "
    "modification.",
    "inactive": _ACTIVATE + " with an ancestor scope key that does not exist, or is not in an active state: "
    "'{}'",
    "foreign": _ACTIVATE + " with an ancestor scope key that does not belong to the modified process "
    "instance: '{}'",
    "not_ancestor": _ACTIVATE + " with an ancestor scope key that is not an ancestor of the element to "
    "activate:{}",
    "not_ancestor_item": "\n- instance '{}' of element '{}' is not an ancestor of element '{}'",
    "terminated_scope": _ACTIVATE + " for elements whose required flow scope instance is also being "
    "terminated: {}. Please provide a valid ancestor scope key for the activation or avoid terminating the "
    "required flow scope.",
    "terminated_scope_item": "element '{}' requires flow scope instance '{}' which is being terminated",
    "multi_instance": _ACTIVATE + " that would result in the activation of multi-instance element '{}', "
    "which is currently unsupported.",
    "ambiguous": _ACTIVATE + " for an element that has a flow scope with more than one active instance: "
    "'{}'. Can't decide in which instance of the flow scope the element should be activated. Please specify "
    "an ancestor element instance key for this activate instruction.",
    "child_instance": "the given instructions would terminate the instance. The instance was created by a "
    "call activity in the parent process. To terminate this instance please modify the parent process "
    "instead.",
}


@dataclass(slots=True)
class Activation:
    element: FlowNode
    #: Flow scope instances from the process instance inward: existing keys, or placeholders (< -1) for the
    #: scopes this modification creates.
    path: list[int]
    #: (scope element id, ``name -> JSON text``): "" is the process instance.
    variables: list[tuple[str, dict[str, str]]]
    instruction: dict[str, Any]


@dataclass(slots=True)
class ModificationPlan:
    state: EngineState
    instance: dict[str, Any]
    model: Process
    activations: list[Activation] = field(default_factory=list)
    #: placeholder -> (parent key or placeholder, scope element, multi-instance level)
    created: dict[int, tuple[int, FlowNode, str]] = field(default_factory=dict)
    #: Per terminate instruction, the element instances to end, inner first: its element, then each flow
    #: scope that would be left with nothing active (empty when an earlier instruction ends it already).
    terminations: list[list[int]] = field(default_factory=list)

    def reject(self, reason: str, *args: Any) -> Rejected:
        prefix = f"Expected to modify instance of process '{self.instance['bpmnProcessId']}' but "
        return Rejected("INVALID_ARGUMENT", prefix + _REASONS[reason].format(*args))

    def parent(self, key: int) -> int:
        if key < -1:
            return self.created[key][0]
        row = self.state.elements.get(key)
        return -1 if row is None else int(row["v"]["flowScopeKey"])

    def is_ancestor(self, ancestor: int, key: int) -> bool:
        parent = self.parent(key)
        while parent != -1:
            if parent == ancestor:
                return True
            parent = self.parent(parent)
        return False


def scope_ids(model: Process, element: FlowNode) -> list[str]:
    """The ids of the element's flow scopes, innermost first, ending with the process id."""
    ids = []
    scope_id = element.scope_id
    while scope_id != model.id:
        ids.append(scope_id)
        scope_id = model.elements[scope_id].scope_id
    return [*ids, model.id]


def plan_modification(
    state: EngineState, instance: dict[str, Any], value: dict[str, Any]
) -> ModificationPlan:
    """The plan of a MODIFY command; raises :class:`Rejected` with Zeebe's reason if it breaks a rule."""
    plan = ModificationPlan(state, instance, state.processes.model(instance["processDefinitionKey"]))
    activates = instruction_list(value, "activateInstructions", "ancestorElementInstanceKey")
    terminates = instruction_list(value, "terminateInstructions", "elementInstanceKey")
    elements = _check_elements(plan, activates)
    _check_terminations(plan, terminates)
    documents = [_variables(plan, e, i) for e, i in zip(elements, activates, strict=True)]
    selected = [int(instruction.get("ancestorElementInstanceKey", -1)) for instruction in activates]
    _check_ancestors(plan, elements, selected)
    _check_terminated_scopes(plan, elements, selected, terminates)
    for element, ancestor, variables, instruction in zip(
        elements, selected, documents, activates, strict=True
    ):
        path = _activation_path(plan, element, ancestor)
        plan.activations.append(Activation(element, path, variables, instruction))
    required = {key for activation in plan.activations for key in activation.path if key > 0}
    plan.terminations = _terminations(plan, terminates, required)
    return plan


def instruction_list(value: dict[str, Any], name: str, key: str = "") -> list[dict[str, Any]]:
    """The instructions of one kind; their ``key`` field, if named, must be an integer."""
    items = value.get(name) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Rejected("INVALID_ARGUMENT", f"Expected '{name}' to be a list of objects, but was {items!r}")
    for item in items:
        problem = key_field(item, key) if key else 0
        if isinstance(problem, str):
            raise Rejected("INVALID_ARGUMENT", problem)
    return items


def _check_elements(plan: ModificationPlan, activates: list[dict[str, Any]]) -> list[FlowNode]:
    ids = [str(instruction.get("elementId") or "") for instruction in activates]
    unknown = list(dict.fromkeys(i for i in ids if i not in plan.model.elements))
    if unknown:
        raise plan.reject("no_element", "', '".join(unknown))
    elements = [plan.model.elements[i] for i in ids]
    after_gateway = list(dict.fromkeys(e.id for e in elements if after_event_gateway(plan.model, e)))
    if after_gateway:
        raise plan.reject("unsupported", "', '".join(after_gateway), _REASONS["gateway"])
    # Inside an ad-hoc sub-process an element needs an inner instance of its own: the instruction makes it.
    in_ad_hoc = list(
        dict.fromkeys(
            e.id for e in elements if isinstance(plan.model.elements.get(e.scope_id), AdHocSubProcess)
        )
    )
    if in_ad_hoc:
        raise plan.reject("unsupported", "', '".join(in_ad_hoc), _REASONS["ad_hoc"])
    wrong = list(dict.fromkeys(e.id for e in elements if e.kind in _UNSUPPORTED))
    if wrong:
        kinds = "', '".join(dict.fromkeys(str(plan.model.elements[i].kind) for i in wrong))
        why = _REASONS["kind"].format(kinds, SUPPORTED_TYPES)
        raise plan.reject("unsupported", "', '".join(wrong), why)
    return elements


def _check_terminations(plan: ModificationPlan, terminates: list[dict[str, Any]]) -> None:
    instance_key = plan.instance["processInstanceKey"]
    missing: list[str] = []
    for instruction in terminates:
        key = int(instruction.get("elementInstanceKey", -1))
        row = plan.state.elements.get(key)
        if (row is None or row["v"]["processInstanceKey"] != instance_key) and str(key) not in missing:
            missing.append(str(key))
    if missing:
        raise plan.reject("no_instance", "', '".join(missing))


def _variables(
    plan: ModificationPlan, element: FlowNode, instruction: dict[str, Any]
) -> list[tuple[str, dict[str, str]]]:
    out = []
    for entry in instruction_list(instruction, "variableInstructions"):
        scope_id = str(entry.get("scopeId") or "")
        if scope_id and scope_id not in plan.model.elements and scope_id != plan.model.id:
            raise plan.reject("no_scope", scope_id)
        if scope_id and scope_id != element.id and scope_id not in scope_ids(plan.model, element):
            raise plan.reject("not_flow_scope")
        document = parse_document(entry.get("variables"))
        if isinstance(document, str):
            reason = f"Expected the variables for scope '{scope_id}' to be a JSON object: {document}"
            raise Rejected("INVALID_ARGUMENT", reason)
        out.append((scope_id if scope_id != plan.model.id else "", document))
    return out


def _check_ancestors(plan: ModificationPlan, elements: list[FlowNode], selected: list[int]) -> None:
    rows = {key: plan.state.elements.get(key) for key in selected if key > 0}
    inactive = [str(key) for key, row in rows.items() if row is None or row["s"] not in _ACTIVE]
    if inactive:
        raise plan.reject("inactive", "', '".join(inactive))
    instance_key = plan.instance["processInstanceKey"]
    foreign = [str(k) for k, row in rows.items() if row and row["v"]["processInstanceKey"] != instance_key]
    if foreign:
        raise plan.reject("foreign", "', '".join(foreign))
    problems = ""
    for key, element in zip(selected, elements, strict=True):
        row = rows.get(key)
        if row is not None and row["v"]["elementId"] not in scope_ids(plan.model, element):
            problems += _REASONS["not_ancestor_item"].format(key, row["v"]["elementId"], element.id)
    if problems:
        raise plan.reject("not_ancestor", problems)


def _check_terminated_scopes(
    plan: ModificationPlan, elements: list[FlowNode], selected: list[int], terminates: list[dict[str, Any]]
) -> None:
    conflicts = []
    for key in dict.fromkeys(int(i.get("elementInstanceKey", -1)) for i in terminates):
        row = plan.state.elements.get(key)
        assert row is not None, "checked by _check_terminations"
        for element, ancestor in zip(elements, selected, strict=True):
            scopes = scope_ids(plan.model, element)
            if (ancestor == key) if ancestor > 0 else row["v"]["elementId"] in scopes:
                conflicts.append(_REASONS["terminated_scope_item"].format(element.id, key))
    if conflicts:
        raise plan.reject("terminated_scope", ", ".join(conflicts))


def _levels(model: Process, element: FlowNode) -> list[tuple[FlowNode, str]]:
    """The flow scopes an instance of ``element`` lives in, outermost first, below the process instance: a
    multi-instance sub-process is two levels, its body and an inner instance."""
    levels: list[tuple[FlowNode, str]] = []
    for scope_id in reversed(scope_ids(model, element)[:-1]):
        scope = model.elements[scope_id]
        multi = isinstance(scope, Activity) and scope.multi_instance is not None
        levels += [(scope, "body"), (scope, "inner")] if multi else [(scope, "")]
    return levels


def _candidates(plan: ModificationPlan, parent: int, scope: FlowNode, level: str) -> list[int]:
    """The instances of a flow scope inside ``parent``: existing ones, then those planned so far."""
    children = [] if parent < -1 else plan.state.elements.children(parent)
    existing = [
        int(child["k"])
        for child in children
        if child["v"]["elementId"] == scope.id
        and (child["v"]["bpmnElementType"] == BODY) == (level == "body")
    ]
    planned = [
        k for k, (p, node, lvl) in plan.created.items() if (p, node.id, lvl) == (parent, scope.id, level)
    ]
    return existing + planned


def _activation_path(plan: ModificationPlan, element: FlowNode, selected: int) -> list[int]:
    """Zeebe's ancestor selection: reuse the one instance of each flow scope, or the selected one (or the
    one holding it); create a scope that has none, or whose instances all lie inside the selected one."""
    path = [int(plan.instance["processInstanceKey"])]
    for scope, level in _levels(plan.model, element):
        chosen = _choose(plan, _candidates(plan, path[-1], scope, level), selected, scope)
        if chosen is None:
            if level:
                raise plan.reject("multi_instance", scope.id)
            chosen = -2 - len(plan.created)
            plan.created[chosen] = (path[-1], scope, level)
        path.append(chosen)
    return path


def _choose(plan: ModificationPlan, candidates: list[int], selected: int, scope: FlowNode) -> int | None:
    """The flow scope instance to reuse, or None to create one."""
    if not candidates:
        return None
    if len(candidates) == 1:
        inside = selected > 0 and plan.is_ancestor(selected, candidates[0])
        return None if inside else candidates[0]
    if selected <= 0:
        raise plan.reject("ambiguous", scope.id)
    if selected in candidates:
        return selected
    if any(plan.is_ancestor(selected, c) for c in candidates):
        return None
    holders = [c for c in candidates if plan.is_ancestor(c, selected)]
    if not holders:
        raise plan.reject("ambiguous", scope.id)
    return holders[0]


def _terminations(
    plan: ModificationPlan, terminates: list[dict[str, Any]], required: set[int]
) -> list[list[int]]:
    """What each terminate instruction ends: its element instance, and each flow scope around it that would
    be left with nothing active (no child, no token on its way, not needed by an activation)."""
    ended: set[int] = set()

    def gone(key: int) -> bool:
        while key != -1:
            if key in ended:
                return True
            key = plan.parent(key)
        return False

    chains = []
    for instruction in terminates:
        key = int(instruction.get("elementInstanceKey", -1))
        chain = [] if gone(key) else [key]
        while chain and (scope_key := plan.parent(chain[-1])) != -1 and scope_key not in required:
            scope = plan.state.elements.get(scope_key)
            children = plan.state.elements.children(scope_key)
            others = [c for c in children if c["k"] != chain[-1] and not gone(c["k"])]
            if scope is None or scope["n"] > len(children) or others:
                break
            chain.append(scope_key)
        top = plan.state.elements.get(chain[-1]) if len(chain) > 1 else None
        if top is not None and top["v"].get("parentProcessInstanceKey", -1) > 0:
            raise plan.reject("child_instance")
        ended.update(chain)
        chains.append(chain)
    return chains
