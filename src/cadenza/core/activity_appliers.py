"""Appliers for activities: multi-instance bodies, call activities' children and user tasks.

Imported by :mod:`cadenza.core.appliers` (which owns the registry), so registering needs no other wiring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cadenza.core.appliers import applies
from cadenza.core.intents import MultiInstanceIntent, UserTaskIntent
from cadenza.core.records import ValueType

if TYPE_CHECKING:
    from cadenza.core.state import EngineState

__all__ = ["element_activating"]

#: ``cadenza.core.elements.flow.BODY``; spelled out because that module imports this one (via the writer).
_BODY = "MULTI_INSTANCE_BODY"


def element_activating(state: EngineState, key: int, value: dict[str, Any]) -> None:
    """Links a called child to its call activity, and numbers a body's inner instances, as Zeebe's
    activating applier does: the counters live on the element rows, so replay rebuilds them."""
    scope_key = value["flowScopeKey"]
    if scope_key < 0:
        parent = value.get("parentElementInstanceKey", -1)
        if parent > 0 and state.elements.get(parent) is not None:
            state.elements.update(parent, calledChild=key)
        return
    body = state.elements.get(scope_key)
    if body is not None and body["v"]["bpmnElementType"] == _BODY:
        created = int(body.get("created", 0)) + 1
        state.elements.update(scope_key, created=created)
        state.elements.update(key, loop=created)


@applies(ValueType.MULTI_INSTANCE, MultiInstanceIntent.INPUT_COLLECTION_EVALUATED)
def input_collection_evaluated(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.elements.update(key, collection=value["inputCollection"])


# -------------------------------------------------------------------------------------------- user tasks

_UT = ValueType.USER_TASK


@applies(_UT, UserTaskIntent.CREATED)
def user_task_created(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.user_tasks.put(key, value)
    state.elements.update(value["elementInstanceKey"], userTask=key)


def _user_task_changed(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.user_tasks.put(key, value)


def _user_task_gone(state: EngineState, key: int, value: dict[str, Any]) -> None:
    state.user_tasks.remove(key)
    if state.elements.get(value["elementInstanceKey"]) is not None:
        state.elements.update(value["elementInstanceKey"], userTask=None)


for _intent, _applier in (
    (UserTaskIntent.ASSIGNED, _user_task_changed),
    (UserTaskIntent.UPDATED, _user_task_changed),
    (UserTaskIntent.MIGRATED, _user_task_changed),
    (UserTaskIntent.COMPLETED, _user_task_gone),
    (UserTaskIntent.CANCELED, _user_task_gone),
):
    applies(_UT, _intent)(_applier)
