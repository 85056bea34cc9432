"""The two ways a connector call goes wrong, and what the runtime makes of each.

- :class:`ConnectorInputError`: the inputs (or the task's headers) are wrong. Retrying the same job cannot
  help, so the job fails with no retries left: an incident at once, naming the problem. Fix the data
  (SetVariables on the task) or the model, give the job retries again and resolve the incident.
- :class:`ConnectorError`: the call was made and failed (an HTTP 500, a timeout). The task's
  ``errorExpression`` may turn it into a BPMN error or a job error; otherwise the job fails with its retries
  decremented and the task's ``retryBackoff``.
- :class:`ConnectorBpmnError`: a failure the connector itself declares a business outcome (an agent's
  ``budget-exceeded``). ``errorExpression`` still sees it as ``error``; when it decides nothing, the job
  throws the BPMN error ``code`` with ``details`` as its variables, for an error boundary event to catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ConnectorBpmnError", "ConnectorError", "ConnectorInputError"]


class ConnectorInputError(ValueError):
    """Bad inputs or headers: the message says which and why (never a secret's value)."""


class ConnectorError(Exception):
    """A failed call. ``code`` and ``message`` are what ``errorExpression`` sees as ``error.code`` and
    ``error.message``; ``details`` are further fields of ``error`` (the HTTP connector puts the ``response``
    there)."""

    def __init__(self, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = details or {}


class ConnectorBpmnError(ConnectorError):
    """A failed call whose default outcome is the BPMN error ``code`` (variables: ``details``), no retry."""
