"""Request bodies of the HTTP API (pydantic, at the edge only), and the variables-document check."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.problems import Problem

__all__ = [
    "ActivateJobs",
    "CompleteJob",
    "CreateInstance",
    "Deployment",
    "FailJob",
    "PublishMessage",
    "Resource",
    "variables_text",
]


class _Body(BaseModel):
    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class Resource(_Body):
    name: str = Field(min_length=1)
    content: str


class Deployment(_Body):
    resources: list[Resource] = Field(min_length=1)
    tenantId: str | None = None


class CreateInstance(_Body):
    bpmnProcessId: str = Field(min_length=1)
    version: int = -1
    variables: Any = None
    withResult: bool = False
    requestTimeoutMs: int = Field(default=10_000, ge=0)


class ActivateJobs(_Body):
    type: str = Field(min_length=1)
    worker: str = "cadenza-http"
    timeout: int = Field(default=60_000, ge=1)
    maxJobs: int = Field(default=10, ge=1)
    requestTimeoutMs: int = Field(default=0, ge=0)
    fetchVariables: list[str] | None = None


class CompleteJob(_Body):
    variables: Any = None


class FailJob(_Body):
    retries: int
    errorMessage: str = ""
    retryBackoff: int = Field(default=0, ge=0)
    variables: Any = None


class PublishMessage(_Body):
    name: str = Field(min_length=1)
    correlationKey: str = ""
    timeToLive: int = Field(default=0, ge=0)
    messageId: str = ""
    variables: Any = None


def variables_text(variables: Any, limit: int) -> str:
    """The document as the JSON text the engine takes; 400 unless an object, 413 when over ``limit`` bytes."""
    if variables is None:
        return "{}"
    if not isinstance(variables, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean"}.get(type(variables), "a number")
        raise Problem(400, f"variables must be a JSON object, but was {kind}", kind="invalid-variables")
    text = json.dumps(variables, ensure_ascii=False, separators=(",", ":"))
    size = len(text.encode())
    if size > limit:
        detail = (
            f"the variables document is {size:,} bytes, over the limit of {limit:,} bytes "
            "(CADENZA_MAX_VARIABLES_BYTES); nothing was changed"
        )
        raise Problem(413, detail, kind="variables-too-large", limit=limit, size=size)
    return text
