"""Masking personal data in recorded prompts, where the deployer configures it.

Only what the ledger keeps of a request is masked: the model saw the real text, and the responses and tool
results stay as they were, since a replay must reproduce them exactly. Patterns are named (``email``,
``phone``, ``card``, ``iban``) or given as regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["BUILTIN_PATTERNS", "Masker"]

BUILTIN_PATTERNS = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "phone": r"\+?\d[\d ()/-]{7,}\d",
    "card": r"\b(?:\d[ -]?){13,19}\b",
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
}


class Masker:
    def __init__(self, patterns: Iterable[str] = ()) -> None:
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(re.compile(BUILTIN_PATTERNS.get(pattern, pattern)))
            except re.error as error:
                raise ValueError(f"PII pattern {pattern!r} is not a regular expression: {error}") from None
        self._patterns = tuple(compiled)

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def text(self, text: str) -> str:
        for pattern in self._patterns:
            text = pattern.sub("[masked]", text)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        """The recorded form of a request (its JSON): system and messages masked, tools as they are."""
        if not self._patterns:
            return request
        return {
            **request,
            "system": self.text(request["system"]),
            "messages": self.value(request["messages"]),
        }
