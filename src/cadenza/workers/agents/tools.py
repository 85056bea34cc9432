"""Tools an agent may call: a Python function the deployer registers, a connector (the HTTP connector with
deployer-fixed inputs), or a BPMN activity (an element of the ad-hoc sub-process the agent runs in).

A tool declares a JSON schema for its arguments; the agent loop validates the model's arguments against it
before anything runs. Secrets reach a tool only from the deployer's side: a connector tool's fixed inputs may
hold ``{{secrets.NAME}}`` (resolved from the scoped credential store for the job's tenant and process), while
arguments the model wrote may not contain a secret reference at all, or a model could ask a tool to send a
secret wherever it likes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cadenza.workers.connector import Connector, ConnectorCall, JobInfo
from cadenza.workers.errors import ConnectorError, ConnectorInputError
from cadenza.workers.inputs import SecretResolver, read_inputs
from cadenza.workers.secrets import SECRET_REFERENCE, CredentialStore, Redactor

__all__ = [
    "Tool",
    "ToolContext",
    "ToolFailed",
    "ToolFunction",
    "ToolKind",
    "ToolRegistry",
    "bpmn_tool",
    "connector_tool",
    "python_tool",
]


class ToolKind(StrEnum):
    PYTHON = "python"
    CONNECTOR = "connector"
    #: Run by the process: the agent completes its job with the calls, the ad-hoc sub-process runs them.
    BPMN = "bpmn"


@dataclass(frozen=True, slots=True)
class ToolContext:
    job: JobInfo
    credentials: CredentialStore
    redactor: Redactor


ToolFunction = Callable[[Mapping[str, Any], ToolContext], Awaitable[Any]]


class ToolFailed(Exception):
    """A tool call that failed; the model gets the message as an error result and may try otherwise."""


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    input_schema: Mapping[str, Any]
    kind: ToolKind
    function: ToolFunction | None = field(default=None, compare=False)

    async def call(self, arguments: Mapping[str, Any], context: ToolContext) -> Any:
        if self.function is None:
            raise ToolFailed(f"tool {self.name} is run by the process, not by the agent worker")
        return await self.function(arguments, context)


def python_tool(name: str, description: str, input_schema: Mapping[str, Any], function: ToolFunction) -> Tool:
    return Tool(name, description, input_schema, ToolKind.PYTHON, function)


def bpmn_tool(name: str, description: str, input_schema: Mapping[str, Any]) -> Tool:
    return Tool(name, description, input_schema, ToolKind.BPMN)


def connector_tool(
    name: str,
    description: str,
    input_schema: Mapping[str, Any],
    connector: Connector,
    fixed: Mapping[str, Any] | None = None,
) -> Tool:
    """A tool made of a connector: the model's arguments are the connector's inputs (by input name, dotted
    names allowed) over ``fixed``, the inputs the deployer sets (a URL, an authentication with secrets)."""
    fixed_inputs = dict(fixed or {})

    async def run(arguments: Mapping[str, Any], context: ToolContext) -> Any:
        if _mentions_secret(arguments):
            raise ToolFailed("arguments may not reference secrets")
        variables: dict[str, Any] = {}
        for key, value in {**fixed_inputs, **arguments}.items():
            _nest(variables, key, value)
        job = context.job
        resolver = SecretResolver(
            context.credentials,
            tenant_id=job.tenant_id,
            process_id=job.bpmn_process_id,
            redactor=context.redactor,
        )
        try:
            inputs = read_inputs(connector.inputs, variables, resolver)
            result = await connector.handler(ConnectorCall(inputs, job, context.redactor))
        except (ConnectorError, ConnectorInputError) as error:
            raise ToolFailed(context.redactor.text(str(error))) from None
        return context.redactor.scrub(dict(result))

    return Tool(name, description, input_schema, ToolKind.CONNECTOR, run)


def _mentions_secret(value: Any) -> bool:
    if isinstance(value, str):
        return SECRET_REFERENCE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_mentions_secret(k) or _mentions_secret(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_mentions_secret(item) for item in value)
    return False


def _nest(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[leaf] = value


class ToolRegistry:
    """The tools the deployer registered, by name. An agent's allowlist picks among them."""

    def __init__(self, tools: Sequence[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is registered already")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._tools)
