"""Configurable bounds on what one command may carry (ARCHITECTURE §4: sizes are bounded and configurable).

Checked by the engine before a command is processed, so an oversized document is rejected with nothing
changed, whichever command carries it: process instance creation, job complete / fail / throw error,
SetVariables, message publish, signal broadcast, user task completion, conditional evaluation, decision
evaluation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_MAX_VARIABLES_BYTES", "Limits", "oversized_variables"]

#: Zeebe's default maximum message size is 4 MB; one variable document may use all of it.
DEFAULT_MAX_VARIABLES_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_variables_bytes: int = DEFAULT_MAX_VARIABLES_BYTES


def oversized_variables(value: dict[str, Any], limits: Limits) -> str | None:
    """Why the command's ``variables`` document is too large (its UTF-8 size), or None."""
    document = value.get("variables")
    if document is None:
        return None
    text = document if isinstance(document, str) else json.dumps(document)
    limit = limits.max_variables_bytes
    if len(text) * 4 <= limit:  # no character takes more than 4 bytes: skip encoding small documents
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= limit:
        return None
    return (
        f"Expected variables document to be at most {limit} bytes, but it is {size} bytes "
        "(the limit is Limits.max_variables_bytes)"
    )
