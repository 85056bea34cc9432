"""FEEL built-in functions (DMN 1.5 10.3.4), keyed by their FEEL name ("date and time", "string length").

Each themed module declares its functions with :func:`registry.builtin`; importing them here fills the
registry, from which :data:`BUILTINS` is built once.
"""

from __future__ import annotations

from collections.abc import Mapping

from cadenza.feel.builtins import (
    contexts,
    conversion,
    lists,
    numeric,
    range_fn,
    ranges,
    strings,
    temporal_fns,
)
from cadenza.feel.builtins.registry import REGISTRY, BuiltinFunction
from cadenza.feel.values import FeelFunction

__all__ = ["BUILTINS", "BuiltinFunction"]

# The modules register on import; naming them keeps the imports deliberate.
_MODULES = (contexts, conversion, lists, numeric, range_fn, ranges, strings, temporal_fns)

BUILTINS: Mapping[str, FeelFunction] = {name: BuiltinFunction(name, sigs) for name, sigs in REGISTRY.items()}
