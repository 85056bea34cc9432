"""Budgets: ceilings on tokens, cost and wall time, per task (one agent run) and per process instance.

Cost is counted in micro-dollars (integers, so sums are exact) from a price table of dollars per million input
and output tokens per model. A model missing from the table costs nothing but its tokens still count, so a
token ceiling always holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cadenza.workers.agents.model import Usage

__all__ = ["Budget", "BudgetExceeded", "Meter", "Price", "PriceTable", "Spent"]


@dataclass(frozen=True, slots=True)
class Price:
    """Dollars per million tokens."""

    input: float
    output: float


@dataclass(frozen=True, slots=True)
class PriceTable:
    prices: Mapping[str, Price] = field(default_factory=dict)

    def cost_micros(self, model: str, usage: Usage) -> int:
        price = self.prices.get(model)
        if price is None:
            return 0
        # dollars per million tokens = micro-dollars per token
        return round(usage.input_tokens * price.input + usage.output_tokens * price.output)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceTable:
        return cls({name: Price(float(p["input"]), float(p["output"])) for name, p in data.items()})


@dataclass(frozen=True, slots=True)
class Budget:
    """Ceilings; None is no ceiling. ``instance_*`` count every agent run of the process instance."""

    max_tokens: int | None = None
    max_cost_micros: int | None = None
    max_seconds: float | None = None
    instance_max_tokens: int | None = None
    instance_max_cost_micros: int | None = None

    def tightened(self, other: Budget) -> Budget:
        """The stricter of two budgets, ceiling by ceiling (a policy can only lower a task's budget)."""

        def low(a: Any, b: Any) -> Any:
            return b if a is None else a if b is None else min(a, b)

        return Budget(
            low(self.max_tokens, other.max_tokens),
            low(self.max_cost_micros, other.max_cost_micros),
            low(self.max_seconds, other.max_seconds),
            low(self.instance_max_tokens, other.instance_max_tokens),
            low(self.instance_max_cost_micros, other.instance_max_cost_micros),
        )


@dataclass(frozen=True, slots=True)
class Spent:
    tokens: int = 0
    cost_micros: int = 0

    def plus(self, tokens: int, cost_micros: int) -> Spent:
        return Spent(self.tokens + tokens, self.cost_micros + cost_micros)


class BudgetExceeded(Exception):
    """A ceiling was passed: the agent stops and the job throws the BPMN error ``budget-exceeded``."""

    def __init__(self, limit: str, ceiling: float, used: float) -> None:
        super().__init__(f"agent budget exceeded: {limit} {used} > {ceiling}")
        self.limit = limit
        self.ceiling = ceiling
        self.used = used


class Meter:
    """What a run has spent, checked against its budget after every model call and before the next one."""

    def __init__(self, budget: Budget, prices: PriceTable, instance_before: Spent) -> None:
        self.budget = budget
        self.prices = prices
        self.run = Spent()
        #: what this job spent on live calls (a resumed run's earlier steps count for the run, not again here)
        self.live = Spent()
        self.instance_before = instance_before
        self.seconds = 0.0

    @property
    def instance(self) -> Spent:
        return self.instance_before.plus(self.live.tokens, self.live.cost_micros)

    def add(self, model: str, usage: Usage, *, live: bool) -> int:
        """Counts a response (``live``: a call made now, not one taken from the recording); returns its cost
        in micro-dollars."""
        cost = self.prices.cost_micros(model, usage)
        self.run = self.run.plus(usage.total, cost)
        if live:
            self.live = self.live.plus(usage.total, cost)
        return cost

    def check(self) -> None:
        """Raises BudgetExceeded naming the first ceiling passed."""
        b = self.budget
        for limit, ceiling, used in (
            ("tokens", b.max_tokens, self.run.tokens),
            ("costMicros", b.max_cost_micros, self.run.cost_micros),
            ("seconds", b.max_seconds, self.seconds),
            ("instanceTokens", b.instance_max_tokens, self.instance.tokens),
            ("instanceCostMicros", b.instance_max_cost_micros, self.instance.cost_micros),
        ):
            if ceiling is not None and used > ceiling:
                raise BudgetExceeded(limit, ceiling, used)
