"""Multi-instance activities (ZEEBE-SEMANTICS §2): a body element instance and one inner instance per item.

The body evaluates its input collection once, on activation, and records it (``MULTI_INSTANCE
INPUT_COLLECTION_EVALUATED``, as Zeebe 8.8 does) so later iterations read the same items whatever happens to
the variable. Parallel bodies create every inner instance at once, sequential ones the next after each
completion. Inner instances carry the activity's own element type and run its behaviour and mappings; the
body has none of its own. The counters live on the element rows (see ``activity_appliers``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cadenza.bpmn.model import Activity, MultiInstance
from cadenza.core.elements.flow import (
    AFTER_TERMINATED,
    BODY,
    COMPLETION_HOOK_SCOPE_TYPES,
    COMPLETION_HOOK_TYPES,
    COMPLETION_HOOKS,
    complete,
    model_of,
    terminate,
)
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type
from cadenza.core.elements.variables import propagate, set_local, to_text
from cadenza.core.intents import MultiInstanceIntent, ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer
from cadenza.feel.json_values import loads

__all__ = ["activate_body"]

_PI = ValueType.PROCESS_INSTANCE
_ACTIVATED = str(ProcessInstanceIntent.ELEMENT_ACTIVATED)
_NAME = re.compile(r"[^\W\d]\w*")


def activate_body(writer: Writer, key: int, value: dict[str, Any], element: Activity) -> None:
    mi = element.multi_instance
    assert mi is not None
    collection = mi.input_collection.evaluate(writer.state.variables.view(key))
    if not isinstance(collection, list):
        message = expected_type(mi.input_collection, "ARRAY", collection)
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return
    items = [to_text(item) for item in collection]
    record = {
        "inputCollection": items,
        "elementInstanceKey": key,
        "processInstanceKey": value["processInstanceKey"],
        "tenantId": value["tenantId"],
    }
    tenant = value["tenantId"]
    writer.event(
        ValueType.MULTI_INSTANCE, MultiInstanceIntent.INPUT_COLLECTION_EVALUATED, key, record, tenant
    )
    if mi.output_collection:
        set_local(writer, key, mi.output_collection, "[" + ",".join(["null"] * len(items)) + "]", value)
    writer.event(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, tenant)
    if not items:
        complete(writer, key)
        return
    for index in range(1 if mi.sequential else len(items)):
        _create_inner(writer, key, value, element, index, items[index])


def _create_inner(
    writer: Writer, body_key: int, body: dict[str, Any], element: Activity, index: int, item: str
) -> None:
    """Sets the inner instance's loop variables, then activates it (its input mappings may read them)."""
    mi = element.multi_instance
    assert mi is not None
    inner = dict(body)
    inner["bpmnElementType"] = str(element.kind)
    inner["flowScopeKey"] = body_key
    inner_key = writer.next_key()
    if mi.input_element:
        set_local(writer, inner_key, mi.input_element, item, inner)
    set_local(writer, inner_key, "loopCounter", str(index + 1), inner)
    preset = _preset_output_element(mi)
    if preset:
        set_local(writer, inner_key, preset, "null", inner)
    writer.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, inner_key, inner)


def _preset_output_element(mi: MultiInstance) -> str | None:
    """A bare-variable ``outputElement`` starts as an inner local null, so results land in this iteration."""
    source = None if mi.output_element is None else mi.output_element.feel_source
    name = (source or "").strip()
    if _NAME.fullmatch(name) and name not in (mi.input_element, "loopCounter"):
        return name
    return None


def _on_completing(writer: Writer, key: int, value: dict[str, Any]) -> bool | Callable[[], None]:
    if value["bpmnElementType"] == BODY:
        _hand_up_output(writer, key, value)
        return False
    body = writer.state.elements.get(value["flowScopeKey"])
    if body is None or body["v"]["bpmnElementType"] != BODY:
        return False
    element = model_of(writer, value).elements[value["elementId"]]
    assert isinstance(element, Activity) and element.multi_instance is not None
    mi = element.multi_instance
    row = writer.state.elements.get(key) or {}
    loop = int(row.get("loop", 1))
    view = writer.state.variables.view(key)
    if mi.output_collection and mi.output_element is not None:
        _store_output(writer, body, mi.output_collection, loop, mi.output_element.evaluate(view))
    finished = False
    if mi.completion_condition is not None:
        verdict = mi.completion_condition.evaluate(view.with_overlay(_counters(body, mi)))
        if not isinstance(verdict, bool):
            message = expected_type(mi.completion_condition, "BOOLEAN", verdict)
            raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
            return True
        finished = verdict
    body_key = int(body["k"])
    return lambda: _after_inner(writer, body_key, element, loop, finished)


def _counters(body: dict[str, Any], mi: MultiInstance) -> dict[str, Any]:
    """The completion condition's counters, seen from the completing inner instance (still a child)."""
    created = int(body.get("created", 0))
    # Zeebe activates every parallel inner instance before any completes; here a pass-through one may
    # complete inside its own activation, so the count of a parallel body is the collection's size.
    instances = created if mi.sequential else len(body.get("collection", []))
    completed = created - int(body["n"]) + 1
    # Inner instances end early only when a completion condition ends the body, so none has been
    # terminated while a condition can still be evaluated.
    terminated = 0
    return {
        "numberOfInstances": Decimal(instances),
        "numberOfActiveInstances": Decimal(instances - completed - terminated),
        "numberOfCompletedInstances": Decimal(completed),
        "numberOfTerminatedInstances": Decimal(terminated),
    }


def _store_output(writer: Writer, body: dict[str, Any], name: str, loop: int, result: Any) -> None:
    entry = writer.state.variables.local(int(body["k"])).get(name)
    current = loads(entry[1]) if entry is not None else None
    items = list(current) if isinstance(current, list) else []
    items.extend([None] * (loop - len(items)))
    items[loop - 1] = result
    set_local(writer, int(body["k"]), name, to_text(items), body["v"])


def _after_inner(writer: Writer, body_key: int, element: Activity, loop: int, finished: bool) -> None:
    body = writer.state.elements.get(body_key)
    mi = element.multi_instance
    if body is None or body["s"] != _ACTIVATED or mi is None:
        return
    collection: list[str] = body.get("collection", [])
    all_created = mi.sequential or int(body.get("created", 0)) >= len(collection)
    if finished:
        for child in writer.state.elements.children(body_key):
            terminate(writer, int(child["k"]))
    elif mi.sequential and loop < len(collection):
        _create_inner(writer, body_key, body["v"], element, loop, collection[loop])
        return
    body = writer.state.elements.get(body_key)
    if body is not None and body["s"] == _ACTIVATED and body["n"] == 0 and all_created:
        _complete_body(writer, body_key, body["v"])


def _complete_body(writer: Writer, body_key: int, value: dict[str, Any]) -> None:
    writer.follow_up(_PI, ProcessInstanceIntent.COMPLETE_ELEMENT, body_key, value)


def _hand_up_output(writer: Writer, key: int, value: dict[str, Any]) -> None:
    """The body's output collection propagates from its flow scope, as the element's result."""
    element = model_of(writer, value).elements[value["elementId"]]
    mi = getattr(element, "multi_instance", None)
    if mi is None or not mi.output_collection:
        return
    entry = writer.state.variables.local(key).get(mi.output_collection)
    if entry is not None:
        propagate(writer, value["flowScopeKey"], {mi.output_collection: entry[1]}, value)


def _inner_terminated(writer: Writer, _key: int, value: dict[str, Any]) -> None:
    """The last inner instance terminated by a satisfied completion condition lets the body complete."""
    body = writer.state.elements.get(value["flowScopeKey"])
    if body is None or body["v"]["bpmnElementType"] != BODY or body["s"] != _ACTIVATED or body["n"] != 0:
        return
    if int(body.get("created", 0)) >= len(body.get("collection", [])):
        _complete_body(writer, int(body["k"]), body["v"])


COMPLETION_HOOKS.append(_on_completing)
COMPLETION_HOOK_TYPES.add(BODY)
COMPLETION_HOOK_SCOPE_TYPES.add(BODY)  # an inner instance
AFTER_TERMINATED.append(_inner_terminated)
