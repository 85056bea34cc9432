"""The connector shape: one declaration says what a connector is, and everything else is derived from it.

A :class:`Connector` names its job type, its inputs (what the job's variables must hold, as the element's
``zeebe:input`` mappings set them) and its outputs (the fields of its result), plus the handler that does the
work. From that declaration the runtime registers a pyzeebe task that reads and validates the inputs before
the handler runs (:mod:`cadenza.workers.inputs`), applies the result and error rules every connector shares
(:mod:`cadenza.workers.outcome`), and :mod:`cadenza.workers.templates` writes the element template the modeler
offers for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from cadenza.workers.secrets import Redactor

__all__ = [
    "Choice",
    "Condition",
    "Connector",
    "ConnectorCall",
    "Group",
    "Handler",
    "Input",
    "InputType",
    "JobInfo",
    "Output",
    "DEFAULT_TENANT",
]

#: Zeebe's tenant id for jobs of a cluster without multi-tenancy.
DEFAULT_TENANT = "<default>"


class InputType(StrEnum):
    """What an input accepts, and which field the element template shows for it."""

    STRING = "string"  # one line of text (template: String, FEEL optional)
    TEXT = "text"  # several lines of text (template: Text, FEEL optional)
    NUMBER = "number"  # template: Number; a numeric string such as "20" is accepted too
    BOOLEAN = "boolean"  # template: Boolean; "true"/"false" are accepted too
    CHOICE = "choice"  # one of ``choices`` (template: Dropdown); matched ignoring case
    CONTEXT = "context"  # a JSON object / FEEL context (template: String, FEEL required)
    ANY = "any"  # any JSON value (template: Text, FEEL optional)


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Condition:
    """The input applies only while another (earlier) input has one of ``equals``; otherwise it is ignored,
    and the modeler hides it."""

    input: str
    equals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Input:
    """One value the connector reads from the job's variables.

    ``name`` is the variable the element's input mapping writes; a dotted name (``authentication.type``) is a
    field of a context variable, as Zeebe's nested mapping targets make it."""

    name: str
    label: str
    type: InputType = InputType.STRING
    required: bool = False
    default: Any = None
    description: str = ""
    #: May hold ``{{secrets.NAME}}`` references, replaced from the credential store just before the call.
    secret: bool = False
    choices: tuple[Choice, ...] = ()
    group: str | None = None
    condition: Condition | None = None
    #: Smallest value a NUMBER input accepts.
    minimum: float | None = None

    @property
    def root(self) -> str:
        """The process variable that holds the input (the first part of a dotted name)."""
        return self.name.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class Output:
    """A field of the connector's result; ``resultVariable``/``resultExpression`` map it to variables."""

    name: str
    label: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class JobInfo:
    """What a connector may know about its job: the job, decoupled from any client library."""

    key: int
    type: str
    variables: Mapping[str, Any]
    custom_headers: Mapping[str, str]
    retries: int
    bpmn_process_id: str
    process_instance_key: int
    element_id: str
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class ConnectorCall:
    """A handler's argument: the validated inputs (secrets resolved) by input name, the job, and the redactor
    that keeps the secrets used out of everything the job reports back."""

    inputs: Mapping[str, Any]
    job: JobInfo
    redactor: Redactor


#: Returns the result (a JSON object: the declared outputs); raises ``ConnectorError`` or
#: ``ConnectorInputError`` (:mod:`cadenza.workers.errors`) when it cannot give one.
Handler = Callable[[ConnectorCall], Awaitable[Mapping[str, Any]]]


class Closeable(Protocol):
    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Connector:
    """A connector's declaration. ``name`` is its short name (``cadenza worker --connector NAME``), ``title``
    what the modeler shows; ``aliases`` are further job types the same handler serves."""

    name: str
    title: str
    job_type: str
    template_id: str
    handler: Handler
    inputs: tuple[Input, ...] = ()
    outputs: tuple[Output, ...] = ()
    description: str = ""
    version: int = 1
    groups: tuple[Group, ...] = ()
    aliases: tuple[str, ...] = ()
    #: How long a job stays locked to this worker once activated (Zeebe's job timeout).
    timeout_ms: int = 60_000
    documentation_url: str | None = None
    #: Released when the runtime stops (an HTTP connection pool, say).
    resources: tuple[Closeable, ...] = field(default=(), compare=False)

    @property
    def job_types(self) -> tuple[str, ...]:
        return (self.job_type, *self.aliases)

    @property
    def variables_to_fetch(self) -> list[str]:
        """The variables activation needs to fetch: the inputs' root variables, nothing else."""
        return sorted({spec.root for spec in self.inputs})
