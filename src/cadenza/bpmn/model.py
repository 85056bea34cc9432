"""The executable process model: immutable, indexed, with every reference resolved at deploy time.

Downward and sideways references are objects (an element's flows, an activity's boundary events, a scope's
start events and event sub-processes); upward references are ids looked up in ``Process.elements`` (an
element's scope, a flow's source and target, a boundary's activity), because frozen objects cannot form
cycles. Every lookup the engine needs is one dict access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from cadenza.bpmn.expressions import BpmnExpression
from cadenza.bpmn.timers import TimerDefinition
from cadenza.bpmn.zeebe_ext import (
    NO_MAPPINGS,
    Assignment,
    CalledDecision,
    CalledElement,
    FormDefinition,
    IoMapping,
    JobDefinition,
    Script,
    TaskSchedule,
    empty_mapping,
)

__all__ = [
    "Activity",
    "AdHocSubProcess",
    "BoundaryEvent",
    "BusinessRuleTask",
    "CallActivity",
    "ConditionalDefinition",
    "Definitions",
    "ElementKind",
    "EndEvent",
    "ErrorDefinition",
    "EscalationDefinition",
    "Event",
    "EventDefinition",
    "EventSubProcess",
    "EventType",
    "FlowNode",
    "Gateway",
    "IntermediateCatchEvent",
    "IntermediateThrowEvent",
    "JobTask",
    "LinkDefinition",
    "MessageDefinition",
    "MultiInstance",
    "Process",
    "ProcessDefinition",
    "ReceiveTask",
    "ScriptTask",
    "SequenceFlow",
    "SignalDefinition",
    "StartEvent",
    "SubProcess",
    "Task",
    "UserTask",
]


class ElementKind(StrEnum):
    """Zeebe's ``BpmnElementType`` names, so records carry the values Zeebe clients expect."""

    START_EVENT = "START_EVENT"
    END_EVENT = "END_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    TASK = "TASK"
    MANUAL_TASK = "MANUAL_TASK"
    SERVICE_TASK = "SERVICE_TASK"
    SEND_TASK = "SEND_TASK"
    USER_TASK = "USER_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    AD_HOC_SUB_PROCESS = "AD_HOC_SUB_PROCESS"
    CALL_ACTIVITY = "CALL_ACTIVITY"


class EventType(StrEnum):
    """Zeebe's ``BpmnEventType`` names."""

    NONE = "NONE"
    MESSAGE = "MESSAGE"
    TIMER = "TIMER"
    ERROR = "ERROR"
    ESCALATION = "ESCALATION"
    SIGNAL = "SIGNAL"
    LINK = "LINK"
    TERMINATE = "TERMINATE"
    CONDITIONAL = "CONDITIONAL"


# ------------------------------------------------------------------------------------------ event definitions


@dataclass(frozen=True, slots=True)
class MessageDefinition:
    """``bpmn:message`` resolved: name (static or FEEL) and, for catch events, the correlation key."""

    message_id: str
    name: BpmnExpression
    correlation_key: BpmnExpression | None = None


@dataclass(frozen=True, slots=True)
class ErrorDefinition:
    """A catch with ``code`` None catches every error; a throw always has a code (static or FEEL)."""

    error_id: str | None
    code: BpmnExpression | None


@dataclass(frozen=True, slots=True)
class EscalationDefinition:
    escalation_id: str | None
    code: BpmnExpression | None


@dataclass(frozen=True, slots=True)
class SignalDefinition:
    signal_id: str
    name: BpmnExpression


@dataclass(frozen=True, slots=True)
class LinkDefinition:
    name: str


@dataclass(frozen=True, slots=True)
class ConditionalDefinition:
    """Cadenza addition: fires when ``condition`` becomes true; ``variable_names``/``variable_events`` narrow
    which variable changes re-evaluate it (``zeebe:conditionalFilter``)."""

    condition: BpmnExpression
    variable_names: tuple[str, ...] = ()
    variable_events: tuple[str, ...] = ()


EventDefinition = (
    MessageDefinition
    | TimerDefinition
    | ErrorDefinition
    | EscalationDefinition
    | SignalDefinition
    | LinkDefinition
    | ConditionalDefinition
)


# ------------------------------------------------------------------------------------------------ elements


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    id: str
    source_id: str
    target_id: str
    name: str | None = None
    #: FEEL; None for an unconditional flow.
    condition: BpmnExpression | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowNode:
    id: str
    kind: ElementKind
    name: str | None = None
    #: The id of the enclosing process, sub-process or event sub-process.
    scope_id: str
    line: int | None = None
    incoming: tuple[SequenceFlow, ...] = ()
    #: In document order: the order Zeebe evaluates gateway conditions in.
    outgoing: tuple[SequenceFlow, ...] = ()
    io: IoMapping = NO_MAPPINGS
    properties: Mapping[str, str] = field(default_factory=empty_mapping)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(FlowNode):
    event_type: EventType = EventType.NONE
    definition: EventDefinition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartEvent(Event):
    #: Only meaningful in an event sub-process; process and sub-process starts are always "interrupting".
    interrupting: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class EndEvent(Event):
    #: Message end events are job-based in Zeebe.
    job: JobDefinition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IntermediateCatchEvent(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class IntermediateThrowEvent(Event):
    job: JobDefinition | None = None
    #: For a link throw: the id of the same-named link catch event in the same scope.
    link_target_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundaryEvent(Event):
    attached_to_id: str
    #: ``cancelActivity``; error boundaries are always interrupting.
    interrupting: bool = True


@dataclass(frozen=True, slots=True)
class MultiInstance:
    sequential: bool
    input_collection: BpmnExpression
    input_element: str | None = None
    output_collection: str | None = None
    output_element: BpmnExpression | None = None
    completion_condition: BpmnExpression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity(FlowNode):
    boundary_events: tuple[BoundaryEvent, ...] = ()
    multi_instance: MultiInstance | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Task(Activity):
    """An undefined or manual task: passes straight through."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobTask(Activity):
    """Service and send tasks: always job-based."""

    job: JobDefinition


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptTask(Activity):
    """Either ``script`` (FEEL evaluated by the engine) or ``job`` (a worker runs it)."""

    script: Script | None = None
    job: JobDefinition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessRuleTask(Activity):
    """Either ``decision`` (evaluated by the engine's DMN) or ``job``."""

    decision: CalledDecision | None = None
    job: JobDefinition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserTask(Activity):
    #: ``zeebe:userTask`` present: a Camunda user task; otherwise a job of type ``io.camunda.zeebe:userTask``.
    native: bool = False
    assignment: Assignment = Assignment()
    schedule: TaskSchedule = TaskSchedule()
    form: FormDefinition | None = None
    priority: BpmnExpression | None = None
    headers: Mapping[str, str] = field(default_factory=empty_mapping)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiveTask(Activity):
    message: MessageDefinition


@dataclass(frozen=True, slots=True, kw_only=True)
class CallActivity(Activity):
    called: CalledElement


@dataclass(frozen=True, slots=True, kw_only=True)
class SubProcess(Activity):
    """An embedded scope; also the base of event and ad-hoc sub-processes."""

    #: Direct children (flow nodes, not flows), in document order.
    child_ids: tuple[str, ...] = ()
    start_events: tuple[StartEvent, ...] = ()
    event_subprocesses: tuple[EventSubProcess, ...] = ()

    @property
    def none_start_event(self) -> StartEvent | None:
        return next((s for s in self.start_events if s.event_type is EventType.NONE), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSubProcess(SubProcess):
    @property
    def start_event(self) -> StartEvent:
        return self.start_events[0]

    @property
    def interrupting(self) -> bool:
        return self.start_events[0].interrupting


@dataclass(frozen=True, slots=True, kw_only=True)
class AdHocSubProcess(SubProcess):
    """Camunda 8.8's ad-hoc sub-process, BPMN implementation: ``activeElementsCollection`` picks which of
    the activatable children (no incoming flow) run; each runs in an inner instance of its own."""

    active_elements_collection: BpmnExpression | None = None
    completion_condition: BpmnExpression | None = None
    cancel_remaining_instances: bool = True
    #: ``zeebe:adHoc outputCollection``/``outputElement``: one entry per completed inner instance.
    output_collection: str | None = None
    output_element: BpmnExpression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway(FlowNode):
    #: Exclusive and inclusive gateways: taken only when no condition is true.
    default_flow: SequenceFlow | None = None


# ------------------------------------------------------------------------------------------ process, file


@dataclass(frozen=True, slots=True, kw_only=True)
class Process:
    """An executable process: the unit Zeebe versions and deploys (``bpmnProcessId``)."""

    id: str
    name: str | None = None
    line: int | None = None
    version_tag: str | None = None
    #: Cadenza addition: FEEL computing an instance's business key (see ARCHITECTURE.md).
    business_key: BpmnExpression | None = None
    #: Every flow node at any depth, by id.
    elements: Mapping[str, FlowNode] = field(default_factory=lambda: MappingProxyType({}))
    flows: Mapping[str, SequenceFlow] = field(default_factory=lambda: MappingProxyType({}))
    child_ids: tuple[str, ...] = ()
    start_events: tuple[StartEvent, ...] = ()
    event_subprocesses: tuple[EventSubProcess, ...] = ()
    properties: Mapping[str, str] = field(default_factory=empty_mapping)
    #: ``zeebe:userTaskForm`` bodies by id: forms embedded in the file, referenced by a job-based user task's
    #: form key ``camunda-forms:bpmn:<id>``.
    embedded_forms: Mapping[str, str] = field(default_factory=empty_mapping)
    #: Whether any inclusive gateway joins (more than one incoming flow): only then must the engine check
    #: waiting joins again as tokens move, a cost other processes do not pay.
    has_inclusive_joins: bool = False

    @property
    def none_start_event(self) -> StartEvent | None:
        return next((s for s in self.start_events if s.event_type is EventType.NONE), None)

    def scope_of(self, element_id: str) -> SubProcess | None:
        """The enclosing sub-process, or None at the process level."""
        scope = self.elements[self.elements[element_id].scope_id] if element_id in self.elements else None
        return scope if isinstance(scope, SubProcess) else None


ProcessDefinition = Process


@dataclass(frozen=True, slots=True, kw_only=True)
class Definitions:
    """One parsed BPMN file."""

    id: str | None
    resource_name: str
    processes: tuple[Process, ...]

    def process(self, process_id: str) -> Process:
        for candidate in self.processes:
            if candidate.id == process_id:
                return candidate
        raise KeyError(process_id)
