"""The rules every connector shares, read from the task's headers (``zeebe:taskHeader``), as Camunda's
connector runtime reads them:

- ``resultVariable``: the whole result goes into this one variable.
- ``resultExpression``: a FEEL context over the result's fields (``={orderId: body.id}``); its entries become
  variables. With neither header the job completes with no variables: an unmapped result would land beside the
  task's own input locals (``body``, ``headers``...) and die with them (ZEEBE-SEMANTICS §1.3).
- ``errorExpression``: FEEL over the result's fields and, when the call failed, ``error`` (``code``,
  ``message`` and the connector's details, e.g. ``error.response.body``). It gives ``bpmnError(code, message[,
  variables])`` (the job throws a BPMN error), ``jobError(message[, variables[, retries[, retryBackoff]]])``
  (the job fails so), or null (no error: a success completes, a failure fails with retries - 1).
- ``retryBackoff``: an ISO 8601 duration (``PT30S``) before a failed job is retried; default none.

A header that is not valid FEEL or a bad duration is a model error: the job fails with no retries.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cadenza.feel import Expression, FeelSyntaxError, compile_expression
from cadenza.feel.json_values import to_json
from cadenza.feel.temporal import parse_duration
from cadenza.feel.values import FeelEvalError, NativeFunction, Param
from cadenza.workers.errors import ConnectorBpmnError, ConnectorError, ConnectorInputError

__all__ = ["Complete", "Fail", "Outcome", "TaskRules", "Throw"]

_ERROR_TYPE = "cadenza:errorType"  # marks the contexts bpmnError()/jobError() return


@dataclass(frozen=True, slots=True)
class Complete:
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fail:
    message: str
    retries: int
    backoff_ms: int = 0
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Throw:
    code: str
    message: str
    variables: dict[str, Any] = field(default_factory=dict)


Outcome = Complete | Fail | Throw


def _bpmn_error(code: Any, message: Any, variables: Any = None) -> dict[str, Any]:
    return {_ERROR_TYPE: "bpmnError", "code": code, "message": message, "variables": variables}


def _job_error(
    message: Any, variables: Any = None, retries: Any = None, backoff: Any = None
) -> dict[str, Any]:
    return {
        _ERROR_TYPE: "jobError",
        "message": message,
        "variables": variables,
        "retries": retries,
        "backoff": backoff,
    }


_FUNCTIONS = {
    "bpmnError": NativeFunction(
        "bpmnError", [Param("code"), Param("message"), Param("variables", optional=True)], _bpmn_error
    ),
    "jobError": NativeFunction(
        "jobError",
        [
            Param("message"),
            Param("variables", optional=True),
            Param("retries", optional=True),
            Param("retryBackoff", optional=True),
        ],
        _job_error,
    ),
}


class TaskRules:
    """The rules of one job's task, compiled from its custom headers; raises ConnectorInputError when a header
    is unusable."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.result_variable = headers.get("resultVariable") or None
        self.result_expression = _compile(headers, "resultExpression")
        self.error_expression = _compile(headers, "errorExpression")
        self.backoff_ms = _backoff(headers.get("retryBackoff") or "")

    def outcome(
        self, result: Mapping[str, Any] | None, error: ConnectorError | None, retries: int
    ) -> Outcome:
        """What the job does, given the handler's result or its error and the job's retries."""
        decided = self._error_expression(result, error, retries)
        if decided is not None:
            return decided
        if isinstance(error, ConnectorBpmnError):
            return Throw(error.code, error.message, dict(error.details))
        if error is not None:
            return Fail(error.message, retries - 1, self.backoff_ms)
        return Complete(self._variables(result or {}))

    def _variables(self, result: Mapping[str, Any]) -> dict[str, Any]:
        variables: dict[str, Any] = {}
        if self.result_variable:
            variables[self.result_variable] = dict(result)
        if self.result_expression is not None:
            mapped = self.result_expression.evaluate(result)
            if mapped is not None and not isinstance(mapped, dict):
                raise ConnectorInputError(
                    f"resultExpression must give a context, not {type(mapped).__name__}"
                )
            variables.update(to_json(mapped or {}))
        return variables

    def _error_expression(
        self, result: Mapping[str, Any] | None, error: ConnectorError | None, retries: int
    ) -> Outcome | None:
        if self.error_expression is None:
            return None
        scope: dict[str, Any] = {**(result or {}), **_FUNCTIONS}
        if error is not None:
            scope["error"] = {**error.details, "code": error.code, "message": error.message}
        decided = self.error_expression.evaluate(scope)
        if decided is None:
            return None
        if not isinstance(decided, dict) or _ERROR_TYPE not in decided:
            raise ConnectorInputError("errorExpression must give bpmnError(...), jobError(...) or null")
        if decided[_ERROR_TYPE] == "bpmnError":
            code = decided["code"]
            if not isinstance(code, str) or not code:
                raise ConnectorInputError("errorExpression: bpmnError needs a non-empty text code")
            return Throw(code, _message(decided), _error_variables(decided))
        backoff = _job_backoff(decided, self.backoff_ms)
        return Fail(_message(decided), _retries(decided, retries), backoff, _error_variables(decided))


def _compile(headers: Mapping[str, str], name: str) -> Expression | None:
    text = (headers.get(name) or "").strip()
    if not text:
        return None
    try:
        return _compiled(text[1:] if text.startswith("=") else text)
    except FeelSyntaxError as error:
        raise ConnectorInputError(f"{name}: not a valid FEEL expression ({error})") from None


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> Expression:
    # all jobs of a task carry the same headers: compile each text once (compiled expressions are immutable)
    return compile_expression(source)


def _backoff(text: str) -> int:
    if not text:
        return 0
    try:
        duration = parse_duration(text)
    except FeelEvalError:
        duration = None
    if not isinstance(duration, dt.timedelta) or duration < dt.timedelta(0):
        raise ConnectorInputError(f"retryBackoff: expected an ISO 8601 duration such as PT30S, not {text!r}")
    return duration // dt.timedelta(milliseconds=1)


def _message(decided: Mapping[str, Any]) -> str:
    message = decided["message"]
    return "" if message is None else str(message)


def _error_variables(decided: Mapping[str, Any]) -> dict[str, Any]:
    variables = decided["variables"]
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise ConnectorInputError("errorExpression: the variables of bpmnError/jobError must be a context")
    converted: dict[str, Any] = to_json(variables)
    return converted


def _retries(decided: Mapping[str, Any], retries: int) -> int:
    value = decided["retries"]
    if value is None:
        return retries - 1
    if not isinstance(value, Decimal) or value != value.to_integral_value():
        raise ConnectorInputError("errorExpression: the retries of jobError must be a whole number")
    return int(value)


def _job_backoff(decided: Mapping[str, Any], default_ms: int) -> int:
    value = decided["backoff"]
    if value is None:
        return default_ms
    if not isinstance(value, dt.timedelta) or value < dt.timedelta(0):
        raise ConnectorInputError(
            "errorExpression: the retryBackoff of jobError must be a days-time duration"
        )
    return value // dt.timedelta(milliseconds=1)
