"""Evaluating deployed decisions (ZEEBE-SEMANTICS §8.5): business rule tasks with ``zeebe:calledDecision``
and the standalone DECISION_EVALUATION EVALUATE command share :func:`evaluate_decision`.

On activation, after the input mappings, a business rule task evaluates the decision of the latest (or the
same deployment's) version over the variables visible from the task; a ``DECISION_EVALUATION`` record keeps
the output and the audit (matched rules, inputs), and the output becomes ``resultVariable`` in the element
result (§1.7). A failed evaluation is a ``DECISION_EVALUATION FAILED`` record (and, for the task, an
incident); Zeebe's DMN engine fails where Cadenza's FEEL answers null with a warning, so a null result that
came with a warning fails too.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from cadenza.bpmn.model import BusinessRuleTask, FlowNode, Process
from cadenza.core.elements.flow import complete
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type, set_result
from cadenza.core.elements.variables import to_text
from cadenza.core.intents import DecisionEvaluationIntent, ProcessInstanceIntent
from cadenza.core.records import Record, ValueType
from cadenza.core.writer import Writer
from cadenza.dmn import DecisionAudit, DecisionResult, DmnError, DmnModel, load_dmn

__all__ = ["activate_decision", "dmn_model", "evaluate_decision"]

#: Parsed DRGs by the checksum of their text: content-addressed, so one cache serves every engine in the
#: process and a restart (or replay) only costs a re-parse. Bounded, least recently used out first.
_MODELS: OrderedDict[str, DmnModel] = OrderedDict()
_MAX_MODELS = 128
#: Zeebe's ``DecisionType`` per boxed expression class of ``cadenza.dmn.model``.
_DECISION_TYPES = {
    "DecisionTable": "DECISION_TABLE",
    "LiteralExpression": "LITERAL_EXPRESSION",
    "Context": "CONTEXT",
    "Invocation": "INVOCATION",
    "Relation": "RELATION",
    "ListExpression": "LIST",
}


def dmn_model(drg: dict[str, Any]) -> DmnModel:
    checksum = str(drg["checksum"])
    model = _MODELS.get(checksum)
    if model is None:
        model = _MODELS[checksum] = load_dmn(str(drg["resource"]).encode())
        if len(_MODELS) > _MAX_MODELS:
            _MODELS.popitem(last=False)
    else:
        _MODELS.move_to_end(checksum)
    return model


def evaluate_decision(
    writer: Writer, decision: dict[str, Any], variables: Mapping[str, Any], origin: dict[str, Any]
) -> tuple[Record, Any]:
    """Evaluates a deployed decision (its ``DECISION`` row) and writes the ``DECISION_EVALUATION`` event.

    ``origin`` holds the record's process fields (the calling element, or none for the standalone command).
    Returns the event and the decision's output; a failed evaluation is intent FAILED, with
    ``failedDecisionId`` and ``evaluationFailureMessage`` set.
    """
    drg = writer.state.processes.drg(decision["decisionRequirementsKey"])
    assert drg is not None, "a decision's DRG is deleted with it"
    model = dmn_model(drg)
    decision_id = decision["decisionId"]
    failure, failed_id, result = "", "", None
    try:
        result = model.evaluate(decision_id, dict(variables))
    except DmnError as error:
        failure, failed_id = str(error), decision_id
    if result is not None and result.value is None and result.warnings:
        failed = next(entry for entry in result.audit if entry.warnings)
        warning = failed.warnings[0]
        failure = f"failed to evaluate expression '{warning.source}': {warning.message}"
        failed_id = failed.decision_id
    record = {
        **_decision_fields(decision),
        "decisionOutput": "null" if result is None or failure else to_text(result.value),
        "evaluatedDecisions": _evaluated(writer, model, drg, result),
        "evaluationFailureMessage": f"Expected to evaluate decision '{decision_id}', but {failure}"
        if failure
        else "",
        "failedDecisionId": failed_id,
        **origin,
        "tenantId": decision["tenantId"],
    }
    intent = DecisionEvaluationIntent.FAILED if failure else DecisionEvaluationIntent.EVALUATED
    event = writer.event(
        ValueType.DECISION_EVALUATION, intent, writer.next_key(), record, decision["tenantId"]
    )
    return event, None if result is None else result.value


def _decision_fields(decision: dict[str, Any]) -> dict[str, Any]:
    return {
        "decisionKey": decision["decisionKey"],
        "decisionId": decision["decisionId"],
        "decisionName": decision["decisionName"],
        "decisionVersion": decision["version"],
        "decisionRequirementsKey": decision["decisionRequirementsKey"],
        "decisionRequirementsId": decision["decisionRequirementsId"],
    }


def _evaluated(
    writer: Writer, model: DmnModel, drg: dict[str, Any], result: DecisionResult | None
) -> list[dict[str, Any]]:
    if result is None:
        return []
    processes = writer.state.processes
    rows = {row["decisionId"]: row for row in processes.decisions_of_drg(drg["decisionRequirementsKey"])}
    return [_audit(entry, rows.get(entry.decision_id), model) for entry in result.audit]


def _audit(entry: DecisionAudit, decision: dict[str, Any] | None, model: DmnModel) -> dict[str, Any]:
    element = model.decisions.get(entry.decision_id)
    kind = type(element.expression).__name__ if element is not None else ""
    return {
        "decisionKey": -1 if decision is None else decision["decisionKey"],
        "decisionId": entry.decision_id,
        "decisionName": entry.decision_name,
        "decisionVersion": -1 if decision is None else decision["version"],
        "decisionType": _DECISION_TYPES.get(kind, "UNKNOWN"),
        "decisionOutput": to_text(entry.output),
        "evaluatedInputs": [
            {"inputId": item.input_id or "", "inputName": item.name, "inputValue": to_text(item.value)}
            for item in entry.evaluated_inputs
        ],
        "matchedRules": [
            {
                "ruleId": match.rule_id or "",
                "ruleIndex": match.index,
                "evaluatedOutputs": [
                    {"outputId": output_id or "", "outputName": name, "outputValue": to_text(value)}
                    for output_id, (name, value) in zip(match.output_ids, match.outputs.items(), strict=True)
                ],
            }
            for match in entry.matched_rules
        ],
        "tenantId": "" if decision is None else decision["tenantId"],
    }


def activate_decision(
    writer: Writer, key: int, value: dict[str, Any], element: FlowNode, _m: Process
) -> None:
    assert isinstance(element, BusinessRuleTask) and element.decision is not None
    called = element.decision
    view = writer.state.variables.view(key)
    decision_id = called.decision_id.evaluate(view)
    if not isinstance(decision_id, str) or not decision_id:
        message = expected_type(called.decision_id, "STRING", decision_id)
        raise_incident(writer, key, value, ErrorType.EXTRACT_VALUE_ERROR, message)
        return
    decision = _find_decision(writer, value, decision_id, called.binding_type)
    if decision is None:
        message = (
            f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}'"
        )
        raise_incident(writer, key, value, ErrorType.CALLED_DECISION_ERROR, message)
        return
    origin = {
        "bpmnProcessId": value["bpmnProcessId"],
        "processDefinitionKey": value["processDefinitionKey"],
        "processInstanceKey": value["processInstanceKey"],
        "elementId": value["elementId"],
        "elementInstanceKey": key,
    }
    event, output = evaluate_decision(writer, decision, view, origin)
    message = event.value["evaluationFailureMessage"]
    if message:
        raise_incident(writer, key, value, ErrorType.DECISION_EVALUATION_ERROR, message)
        return
    tenant = value["tenantId"]
    writer.event(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, tenant)
    set_result(writer, key, bool(element.io.outputs), {called.result_variable: to_text(output)})
    complete(writer, key)


def _find_decision(
    writer: Writer, caller: dict[str, Any], decision_id: str, binding: str
) -> dict[str, Any] | None:
    """The decision to evaluate: its latest version, or (binding ``deployment``) the version deployed with
    the calling process. Binding by version tag is refused at deployment (``limits``)."""
    processes = writer.state.processes
    if binding != "deployment":
        return processes.latest_decision_row(caller["tenantId"], decision_id)
    own = processes.process(caller["processDefinitionKey"]) or {}
    return next(
        (
            row
            for drg in processes.all_drgs()
            if drg["deploymentKey"] == own.get("deploymentKey") and decision_id in drg["decisionIds"]
            for row in processes.decisions_of_drg(drg["decisionRequirementsKey"])
            if row["decisionId"] == decision_id
        ),
        None,
    )
