"""Reading variables back from the log: a completed scope's state is gone, its records are not."""

from __future__ import annotations

import json
from typing import Any

from cadenza.core.records import ValueType
from cadenza.core.testing import EngineDriver


def scope_variables(engine: EngineDriver, scope: int) -> dict[str, Any]:
    """The last value of each variable of one scope, in the order the variables were created."""
    return {
        r.value["name"]: json.loads(r.value["value"])
        for r in engine.events(ValueType.VARIABLE)
        if r.value["scopeKey"] == scope
    }
