"""Business keys (a Cadenza addition): a process's ``cadenza:businessKey`` property is a FEEL expression
evaluated over the creation variables, or the creation command names the key itself. The key is carried on
the PROCESS element's records and in the creation response, so an instance can be found by what the
business calls it (an order number, a claim id)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cadenza.bpmn.model import Process
from cadenza.core.elements.results import type_name
from cadenza.feel.json_values import loads

__all__ = ["business_key"]


def business_key(model: Process, command: dict[str, Any], variables: dict[str, str]) -> str:
    """The instance's business key, "" for none; ValueError says why a value cannot be one."""
    explicit = command.get("businessKey")
    if explicit not in (None, ""):
        if not isinstance(explicit, str):
            raise ValueError(f"Expected the business key to be a string, but was '{type_name(explicit)}'")
        return explicit
    if model.business_key is None:
        return ""
    result = model.business_key.evaluate({name: loads(text) for name, text in variables.items()})
    if result is None or isinstance(result, str):
        return result or ""
    if isinstance(result, Decimal) and result == result.to_integral_value():
        return str(int(result))
    source = (model.business_key.feel_source or model.business_key.source).strip()
    raise ValueError(
        f"Expected the business key expression '{source}' to be a string or an integer, "
        f"but was '{type_name(result)}'"
    )
