"""Script tasks with ``zeebe:script``: the engine evaluates the FEEL expression on activation (after the input
mappings) and the value becomes ``resultVariable`` in the element result (§1.7). Job-based script tasks are
ordinary job tasks (see ``behaviors``)."""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import FlowNode, Process, ScriptTask
from cadenza.core.elements.flow import complete
from cadenza.core.elements.results import set_result
from cadenza.core.elements.variables import to_text
from cadenza.core.intents import ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer

__all__ = ["activate_script"]


def activate_script(writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _m: Process) -> None:
    assert isinstance(element, ScriptTask) and element.script is not None
    script = element.script
    # FEEL reports a failed evaluation as null with warnings, and Zeebe stores a null result as well.
    result = script.expression.evaluate(writer.state.variables.view(key))
    writer.event(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, value["tenantId"]
    )
    set_result(writer, key, bool(element.io.outputs), {script.result_variable: to_text(result)})
    complete(writer, key)
