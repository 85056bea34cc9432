"""The FEEL abstract syntax tree: plain immutable records that the parser builds and the compiler consumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cadenza.feel.types import FeelType

__all__ = [
    "And",
    "Arith",
    "Between",
    "Call",
    "Compare",
    "ContextLit",
    "Filter",
    "For",
    "FunctionDef",
    "If",
    "In",
    "InstanceOf",
    "Invalid",
    "Iteration",
    "ListLit",
    "Literal",
    "Name",
    "Negate",
    "Node",
    "Or",
    "Path",
    "Quantified",
    "RangeLit",
    "TemporalLiteral",
    "UnaryCompare",
    "UnaryTestsNode",
]


class Node:
    """Base of all expression nodes."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Invalid(Node):
    """A literal that parsed but has no value (e.g. a number too large): evaluates to null with a warning."""

    message: str


@dataclass(frozen=True, slots=True)
class TemporalLiteral(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node
    #: How many minus signs: "--x" is one node, so long chains do not nest.
    count: int = 1


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    value: Node
    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    value: Node
    type: FeelType


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Iteration:
    """``name in domain`` or ``name in start..end``."""

    name: str
    domain: Node
    end: Node | None = None


@dataclass(frozen=True, slots=True)
class For(Node):
    iterations: tuple[Iteration, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    every: bool
    iterations: tuple[Iteration, ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextLit(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class RangeLit(Node):
    start: Node | None
    end: Node | None
    start_included: bool
    end_included: bool


@dataclass(frozen=True, slots=True)
class UnaryCompare(Node):
    """``< e``, ``>= e``, ``= e``, ``!= e``: a unary test, or (for the orderings) a range value."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Filter(Node):
    base: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Path(Node):
    base: Node
    name: str


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: Node
    args: tuple[Node, ...] = ()
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class FunctionDef(Node):
    params: tuple[tuple[str, FeelType | None], ...]
    body: Node
    external: bool = False


@dataclass(frozen=True, slots=True)
class UnaryTestsNode:
    """A whole unary tests text: ``-``, ``not(...)`` or a list of positive unary tests."""

    tests: tuple[Node, ...]
    negated: bool = False
    any: bool = False
