"""Request bodies of the HTTP API (pydantic, at the edge only), and the variables-document check."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.problems import Problem
from cadenza.textsafe import lone_surrogate, surrogate_reason

__all__ = [
    "ActivateAdHocActivities",
    "ActivateJobs",
    "CompleteJob",
    "Deployment",
    "FailJob",
    "PublishMessage",
    "Resource",
    "variables_text",
]


#: Numbers the engine stores as 64-bit integers (Zeebe's int64 fields); larger ones are refused at the edge.
INT64_MAX = 2**63 - 1


class _Body(BaseModel):
    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class Resource(_Body):
    name: str = Field(min_length=1)
    content: str


class Deployment(_Body):
    resources: list[Resource] = Field(min_length=1)
    tenantId: str | None = None


class ActivateJobs(_Body):
    type: str = Field(min_length=1)
    worker: str = "cadenza-http"
    timeout: int = Field(default=60_000, ge=1, le=INT64_MAX)
    maxJobs: int = Field(default=10, ge=1, le=10_000)
    requestTimeoutMs: int = Field(default=0, ge=0, le=600_000)
    fetchVariables: list[str] | None = None


class CompleteJob(_Body):
    variables: Any = None


class FailJob(_Body):
    retries: int = Field(ge=-(2**31), le=2**31 - 1)
    errorMessage: str = ""
    retryBackoff: int = Field(default=0, ge=0, le=INT64_MAX)
    variables: Any = None


class PublishMessage(_Body):
    name: str = Field(min_length=1)
    correlationKey: str = ""
    timeToLive: int = Field(default=0, ge=0, le=INT64_MAX)
    messageId: str = ""
    variables: Any = None


class AdHocActivity(_Body):
    elementId: str = Field(min_length=1)
    variables: dict[str, Any] | None = None


class ActivateAdHocActivities(_Body):
    """Camunda 8.8's body of ``POST /element-instances/ad-hoc-activities/{key}/activation``."""

    elements: list[AdHocActivity] = Field(min_length=1)


def variables_text(variables: Any, limit: int) -> str:
    """The document as the JSON text the engine takes; 400 unless an object, 413 when over ``limit`` bytes."""
    if variables is None:
        return "{}"
    if not isinstance(variables, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean"}.get(type(variables), "a number")
        raise Problem(400, f"variables must be a JSON object, but was {kind}", kind="invalid-variables")
    text = json.dumps(variables, ensure_ascii=False, separators=(",", ":"))
    try:
        size = len(text.encode())
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape: say where, not a 500
        where = lone_surrogate(variables, "variables") or "variables"
        raise Problem(400, surrogate_reason(where), kind="invalid-variables") from None
    if size > limit:
        detail = (
            f"the variables document is {size:,} bytes, over the limit of {limit:,} bytes "
            "(CADENZA_MAX_VARIABLES_BYTES); nothing was changed"
        )
        raise Problem(413, detail, kind="variables-too-large", limit=limit, size=size)
    return text
