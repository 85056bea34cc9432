"""The engine state of one partition: column families plus the indexes rebuilt from them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.core.changes import StateChange
from cadenza.core.state.conditions import ConditionState
from cadenza.core.state.db import StateDb
from cadenza.core.state.elements import ElementState
from cadenza.core.state.events import SignalState, TimerState, TriggerState
from cadenza.core.state.jobs import IncidentState, JobState
from cadenza.core.state.messages import MessageState
from cadenza.core.state.processes import ProcessState
from cadenza.core.state.user_tasks import UserTaskState
from cadenza.core.state.variables import ScopeView, VariableState

__all__ = ["EngineState", "ScopeView"]


class EngineState:
    """Everything a partition knows. Processors read it; appliers (``cadenza.core.appliers``) write it."""

    __slots__ = (
        "partition",
        "db",
        "processes",
        "elements",
        "variables",
        "jobs",
        "incidents",
        "timers",
        "messages",
        "signals",
        "triggers",
        "on_root_completed",
        "user_tasks",
        "conditions",
        "_meta",
        "_meta_data",
        "_subscription_owners",
    )

    def __init__(self, partition: int = 1) -> None:
        self.partition = partition
        self.db = StateDb()
        self._meta = self.db.column("meta", int_keys=False)
        self._meta_data = self._meta.data  # read twice per command (the writer's counters)
        self.processes = ProcessState(self.db)
        self.elements = ElementState(self.db)
        self.variables = VariableState(self.db, self.elements)
        self.jobs = JobState(self.db)
        self.incidents = IncidentState(self.db)
        self.timers = TimerState(self.db)
        self.messages = MessageState(self.db)
        self.signals = SignalState(self.db)
        self.triggers = TriggerState(self.db)
        #: Called with an instance key and its root variables (JSON text) just before a completed process
        #: instance's state is dropped; the adapter uses it to answer CreateProcessInstanceWithResult. Not
        #: state: replay leaves it unset.
        self.on_root_completed: Callable[[int, dict[str, str]], None] | None = None
        self.user_tasks = UserTaskState(self.db)
        self.conditions = ConditionState(self.db)
        # The owner indexes of every kind of subscription, live (a restore rebuilds them in place).
        self._subscription_owners = (
            self.timers.owners(),
            self.messages.owners(),
            self.conditions.owners(),
            self.signals.owners(),
        )

    def has_subscriptions(self, element_key: int) -> bool:
        """Whether the element instance has any timer, message, conditional or signal subscription open:
        one call for the question every element's completion asks, almost always answered no."""
        # A loop, not any(generator): this runs for every element instance that leaves.
        for owners in self._subscription_owners:  # noqa: SIM110
            if owners.get(element_key):
                return True
        return False

    @property
    def last_key(self) -> int:
        value: int = self._meta_data.get("key") or 0
        return value

    def set_last_key(self, counter: int) -> None:
        self._meta.put("key", counter)

    @property
    def last_position(self) -> int:
        value: int = self._meta_data.get("position") or 0
        return value

    def set_last_position(self, position: int) -> None:
        self._meta.put("position", position)

    def take_changes(self) -> list[StateChange]:
        return self.db.take_changes()

    def restore(self, columns: dict[str, dict[str, Any]]) -> None:
        self.db.restore(columns)
        self.processes.rebuild_indexes()
        self.elements.rebuild_indexes()
        self.jobs.rebuild_indexes()
        self.timers.rebuild_indexes()
        self.messages.rebuild_indexes()
        self.signals.rebuild_indexes()
        self.triggers.rebuild_indexes()
        self.conditions.rebuild_indexes()

    def snapshot(self) -> dict[str, dict[Any, Any]]:
        return self.db.snapshot()
