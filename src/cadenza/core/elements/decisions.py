"""Business rule tasks with ``zeebe:calledDecision`` (ZEEBE-SEMANTICS §8.5): evaluate a deployed decision.

On activation, after the input mappings, the decision of the latest (or the same deployment's) DRG is
evaluated over the variables visible from the task; a ``DECISION_EVALUATION`` record keeps the output and the
audit (matched rules, inputs), and the output becomes ``resultVariable`` in the element result (§1.7).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from cadenza.bpmn.model import BusinessRuleTask, FlowNode, Process
from cadenza.core.elements.flow import complete
from cadenza.core.elements.incidents import ErrorType, raise_incident
from cadenza.core.elements.results import expected_type, set_result
from cadenza.core.elements.variables import to_text
from cadenza.core.intents import DecisionEvaluationIntent, ProcessInstanceIntent
from cadenza.core.records import ValueType
from cadenza.core.writer import Writer
from cadenza.dmn import DecisionAudit, DecisionResult, DmnError, DmnModel, load_dmn

__all__ = ["activate_decision", "dmn_model"]

#: Parsed DRGs by the checksum of their text: content-addressed, so one cache serves every engine in the
#: process and a restart (or replay) only costs a re-parse. Bounded, least recently used out first.
_MODELS: OrderedDict[str, DmnModel] = OrderedDict()
_MAX_MODELS = 128


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
    drg = _find_drg(writer, value, decision_id, called.binding_type)
    if drg is None:
        message = (
            f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}'"
        )
        raise_incident(writer, key, value, ErrorType.CALLED_DECISION_ERROR, message)
        return
    failure = ""
    try:
        result = dmn_model(drg).evaluate(decision_id, dict(view))
    except DmnError as error:
        failure, result = str(error), None
    if result is not None and result.value is None and result.warnings:
        # Cadenza's FEEL turns errors into null plus a warning; Zeebe's DMN engine fails the evaluation.
        first = result.warnings[0]
        failure = f"failed to evaluate expression '{first.source}': {first.message}"
    record = _evaluation(value, key, drg, decision_id, result, failure)
    intent = DecisionEvaluationIntent.FAILED if failure else DecisionEvaluationIntent.EVALUATED
    writer.event(ValueType.DECISION_EVALUATION, intent, writer.next_key(), record, value["tenantId"])
    if failure or result is None:
        message = f"Expected to evaluate decision '{decision_id}', but {failure}"
        raise_incident(writer, key, value, ErrorType.DECISION_EVALUATION_ERROR, message)
        return
    tenant = value["tenantId"]
    writer.event(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_ACTIVATED, key, value, tenant)
    set_result(writer, key, bool(element.io.outputs), {called.result_variable: to_text(result.value)})
    complete(writer, key)


def _find_drg(
    writer: Writer, caller: dict[str, Any], decision_id: str, binding: str
) -> dict[str, Any] | None:
    """The DRG holding the decision: the latest version, or (binding ``deployment``) the one deployed with
    the calling process. Binding by version tag is refused at deployment (``limits``)."""
    processes = writer.state.processes
    if binding != "deployment":
        return processes.latest_decision(caller["tenantId"], decision_id)
    own = processes.process(caller["processDefinitionKey"]) or {}
    return next(
        (
            drg
            for drg in processes.all_drgs()
            if drg["deploymentKey"] == own.get("deploymentKey") and decision_id in drg["decisionIds"]
        ),
        None,
    )


def _evaluation(
    instance: dict[str, Any],
    key: int,
    drg: dict[str, Any],
    decision_id: str,
    result: DecisionResult | None,
    failure: str,
) -> dict[str, Any]:
    """The ``DECISION_EVALUATION`` record value, shaped as Zeebe's (decision keys are not assigned yet)."""
    return {
        "decisionKey": -1,
        "decisionId": decision_id,
        "decisionName": "" if result is None else result.decision_name,
        "decisionVersion": drg["version"],
        "decisionRequirementsKey": drg["decisionRequirementsKey"],
        "decisionRequirementsId": drg["decisionRequirementsId"],
        "decisionOutput": "null" if result is None or failure else to_text(result.value),
        "evaluatedDecisions": [] if result is None else [_audit(entry, drg) for entry in result.audit],
        "evaluationFailureMessage": failure,
        "failedDecisionId": decision_id if failure else "",
        "bpmnProcessId": instance["bpmnProcessId"],
        "processDefinitionKey": instance["processDefinitionKey"],
        "processInstanceKey": instance["processInstanceKey"],
        "elementId": instance["elementId"],
        "elementInstanceKey": key,
        "tenantId": instance["tenantId"],
    }


def _audit(entry: DecisionAudit, drg: dict[str, Any]) -> dict[str, Any]:
    return {
        "decisionId": entry.decision_id,
        "decisionName": entry.decision_name,
        "decisionVersion": drg["version"],
        "decisionOutput": to_text(entry.output),
        "evaluatedInputs": [
            {"inputName": name, "inputValue": to_text(value)} for name, value in entry.inputs.items()
        ],
        "matchedRules": [
            {
                "ruleId": match.rule_id or "",
                "ruleIndex": match.index,
                "evaluatedOutputs": [
                    {"outputName": name, "outputValue": to_text(value)}
                    for name, value in match.outputs.items()
                ],
            }
            for match in entry.matched_rules
        ],
    }
