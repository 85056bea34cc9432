"""Appliers of conditional subscription events; registered into :data:`cadenza.core.appliers.APPLIERS` when
that module is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cadenza.core.appliers import applies
from cadenza.core.intents import ConditionalSubscriptionIntent as Intent
from cadenza.core.records import ValueType

if TYPE_CHECKING:
    from cadenza.core.state import EngineState

__all__: list[str] = []

_SUB = ValueType.CONDITIONAL_SUBSCRIPTION


# TRIGGERED and RESET carry the whole row with its new ``satisfied`` flag, so one applier serves all three.
@applies(_SUB, Intent.CREATED)
@applies(_SUB, Intent.TRIGGERED)
@applies(_SUB, Intent.RESET)
def subscription_written(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.conditions.put(key, value)


@applies(_SUB, Intent.DELETED)
def subscription_deleted(state: EngineState, key: int, _value: dict[str, Any]) -> None:
    state.conditions.remove(key)
