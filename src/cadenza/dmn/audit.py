"""What one evaluation records: a :class:`DecisionAudit` per decision evaluated, and the result.

The audit trail exists so a user can see *why* a decision came out as it did: what inputs it saw, which rules
of its tables matched and what they produced, and what went wrong (evaluation errors are nulls with warnings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cadenza.feel import FeelWarning
from cadenza.feel.values import FeelFunction

__all__ = [
    "DecisionAudit",
    "DecisionResult",
    "EvaluatedInput",
    "RuleMatch",
    "Scope",
    "Session",
    "visible_inputs",
]


@dataclass(frozen=True)
class RuleMatch:
    """A rule that matched in a decision table: its 1-based index, its id and the outputs it produced
    (``output_ids``: the output clauses' ids, in the order of ``outputs``)."""

    table_id: str | None
    index: int
    rule_id: str | None
    outputs: Mapping[str, Any]
    output_ids: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class EvaluatedInput:
    """The value of one input clause of a decision table: its id, its label (or expression), the value."""

    input_id: str | None
    name: str
    value: Any


@dataclass
class DecisionAudit:
    decision_id: str
    decision_name: str
    inputs: dict[str, Any] = field(default_factory=dict)
    #: A decision table's input clauses with the values they evaluated to (empty for other expressions).
    evaluated_inputs: list[EvaluatedInput] = field(default_factory=list)
    matched_rules: list[RuleMatch] = field(default_factory=list)
    output: Any = None
    warnings: list[FeelWarning] = field(default_factory=list)

    @property
    def matched_rule_indices(self) -> list[int]:
        return [match.index for match in self.matched_rules]

    @property
    def matched_rule_ids(self) -> list[str | None]:
        return [match.rule_id for match in self.matched_rules]


@dataclass(frozen=True)
class DecisionResult:
    """The value of the requested decision, with the audit of every decision evaluated for it."""

    decision_id: str
    decision_name: str
    value: Any
    audit: list[DecisionAudit]

    @property
    def warnings(self) -> list[FeelWarning]:
        return [warning for entry in self.audit for warning in entry.warnings]


class Session:
    """The state of one ``evaluate`` call: memoised decision values and the audit frames being filled."""

    #: Bounds nested BKM/function invocations, so runaway recursion is an evaluation error, not a crash.
    MAX_DEPTH = 200

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.audit: list[DecisionAudit] = []
        self._frames: list[DecisionAudit] = [DecisionAudit("", "")]
        self.depth = 0

    @property
    def frame(self) -> DecisionAudit:
        return self._frames[-1]

    @property
    def warnings(self) -> list[FeelWarning]:
        return self._frames[-1].warnings

    def push(self, frame: DecisionAudit) -> None:
        self._frames.append(frame)

    def pop(self) -> DecisionAudit:
        frame = self._frames.pop()
        self.audit.append(frame)
        return frame

    def warn(self, message: str, source: str) -> None:
        self.warnings.append(FeelWarning(message, source))


class Scope:
    """The names in scope while evaluating a boxed expression, and the session it belongs to."""

    __slots__ = ("variables", "session")

    def __init__(self, variables: dict[str, Any], session: Session) -> None:
        self.variables = variables
        self.session = session

    def with_vars(self, extra: Mapping[str, Any]) -> Scope:
        return Scope({**self.variables, **extra}, self.session)


def visible_inputs(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The values a decision saw, for its audit (functions such as BKMs are left out)."""
    return {name: value for name, value in variables.items() if not isinstance(value, FeelFunction)}
