"""The model port: one request shape in, one response shape out, whatever the provider.

A request carries the system prompt, the conversation (messages of content blocks), the tools the model may
call, the token ceiling, the temperature and the output schema the final answer must match. A response carries
content blocks (text and tool calls), the tokens used, why the model stopped and which model answered. The
adapters (:mod:`.anthropic_model`, :mod:`.openai_model`, :mod:`.scripted`) translate to and from their wire
formats; everything else in the agent runtime sees only these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

__all__ = [
    "Block",
    "ErrorKind",
    "Message",
    "Model",
    "ModelError",
    "ModelRequest",
    "ModelResponse",
    "TextBlock",
    "ToolResultBlock",
    "ToolSpec",
    "ToolUseBlock",
    "Usage",
]


@dataclass(frozen=True, slots=True)
class TextBlock:
    text: str


@dataclass(frozen=True, slots=True)
class ToolUseBlock:
    """The model asks to call tool ``name`` with ``input``; ``id`` pairs the call with its result."""

    id: str
    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolResultBlock:
    """A tool's answer, sent back as data in a user turn. ``content`` is JSON text (or plain text)."""

    tool_use_id: str
    content: str
    is_error: bool = False


Block = TextBlock | ToolUseBlock | ToolResultBlock


@dataclass(frozen=True, slots=True)
class Message:
    role: Literal["user", "assistant"]
    content: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What the model is told about a tool: its name, what it does and the JSON schema of its arguments."""

    name: str
    description: str
    input_schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ModelRequest:
    system: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    max_tokens: int = 1024
    temperature: float = 0.0
    #: JSON schema of the final answer; the agent loop validates it, adapters may pass it on.
    output_schema: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class ModelResponse:
    content: tuple[Block, ...]
    usage: Usage = field(default_factory=Usage)
    #: ``end_turn``, ``tool_use``, ``max_tokens`` or ``stop_sequence`` (Anthropic's words)
    stop_reason: str = "end_turn"
    model: str = ""

    @property
    def tool_uses(self) -> tuple[ToolUseBlock, ...]:
        return tuple(block for block in self.content if isinstance(block, ToolUseBlock))

    @property
    def text(self) -> str:
        return "".join(block.text for block in self.content if isinstance(block, TextBlock))


class ErrorKind(StrEnum):
    RATE_LIMITED = "rate_limited"  # 429
    OVERLOADED = "overloaded"  # Anthropic's 529
    SERVER = "server"  # other 5xx
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    REQUEST = "request"  # 4xx other than 429: the request itself is wrong (or the key)
    RESPONSE = "response"  # an answer the adapter cannot read


#: Errors another model or provider may not have: the router falls back on these.
_TRANSIENT = frozenset(
    {ErrorKind.RATE_LIMITED, ErrorKind.OVERLOADED, ErrorKind.SERVER, ErrorKind.TIMEOUT, ErrorKind.CONNECTION}
)


class ModelError(Exception):
    """A model call that gave no response. ``status`` is the HTTP status when there was one."""

    def __init__(self, model: str, kind: ErrorKind, message: str, status: int | None = None) -> None:
        super().__init__(f"{model}: {kind.value}{f' ({status})' if status else ''}: {message}")
        self.model = model
        self.kind = kind
        self.status = status

    @property
    def transient(self) -> bool:
        return self.kind in _TRANSIENT


class Model(Protocol):
    """A model behind the port. ``name`` is how routing, prices and the ledger know it."""

    @property
    def name(self) -> str: ...

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """The model's response; raises :class:`ModelError` when there is none."""
        ...
