"""Appliers of deployed resources beyond processes and DRGs: decisions, forms, and deleted resources.

Imported by :mod:`cadenza.core.appliers` (which owns the registry), so registering needs no other wiring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cadenza.core.appliers import applies
from cadenza.core.intents import DecisionIntent, DecisionRequirementsIntent, FormIntent, ProcessIntent
from cadenza.core.records import ValueType

if TYPE_CHECKING:
    from cadenza.core.state import EngineState

__all__: list[str] = []


@applies(ValueType.DECISION, DecisionIntent.CREATED)
def decision_created(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.put_decision(value)


@applies(ValueType.FORM, FormIntent.CREATED)
def form_created(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.put_form(value)


@applies(ValueType.PROCESS, ProcessIntent.DELETED)
def process_deleted(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.remove_process(int(value["processDefinitionKey"]))


@applies(ValueType.DECISION, DecisionIntent.DELETED)
def decision_deleted(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.remove_decision(int(value["decisionKey"]))


@applies(ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.DELETED)
def drg_deleted(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.remove_drg(int(value["decisionRequirementsKey"]))


@applies(ValueType.FORM, FormIntent.DELETED)
def form_deleted(state: EngineState, _key: int, value: dict[str, Any]) -> None:
    state.processes.remove_form(int(value["formKey"]))
