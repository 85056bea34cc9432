"""Reading the model's final answer: text as it is, or, with an output schema, one JSON value that matches.

Models wrap JSON in prose or a Markdown fence more often than not, so the value is taken from a fenced block
if there is one, else from the first ``{``/``[`` to the matching last ``}``/``]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from cadenza.workers.agents.validation import schema_errors

__all__ = ["OutputError", "read_output"]

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class OutputError(ValueError):
    pass


def read_output(text: str, schema: Mapping[str, Any] | None) -> Any:
    if schema is None:
        return text
    value = _json(text)
    problems = schema_errors(schema, value)
    if problems:
        raise OutputError(problems)
    return value


def _json(text: str) -> Any:
    fenced = _FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    candidates.append(text)
    for opening, closing in (("{", "}"), ("[", "]")):
        start, end = text.find(opening), text.rfind(closing)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise OutputError("the answer holds no JSON value")
