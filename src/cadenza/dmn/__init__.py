"""DMN 1.5: reading and writing models, evaluating decisions, and the DMN TCK runner.

>>> model = load_dmn("dmn/approval-routing.dmn")          # doctest: +SKIP
>>> model.evaluate("Approval Route", {"Amount": 25000, ...}).value   # doctest: +SKIP
"""

from __future__ import annotations

from cadenza.dmn.audit import DecisionAudit, DecisionResult, RuleMatch
from cadenza.dmn.errors import DmnError
from cadenza.dmn.evaluate import DmnModel
from cadenza.dmn.loader import load_dmn
from cadenza.dmn.writer import write_dmn
from cadenza.xmlsafe import DEFAULT_MAX_BYTES

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DecisionAudit",
    "DecisionResult",
    "DmnError",
    "DmnModel",
    "RuleMatch",
    "load_dmn",
    "write_dmn",
]
