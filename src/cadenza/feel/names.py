"""Names that FEEL knows before any variable is bound: built-in functions and type names.

Multi-word names such as ``date and time`` or ``string length`` contain keywords or must be read as one token,
so the lexer needs them in its known-name table (DMN 1.5 10.3.1.2: names are resolved against what is in
scope, and built-ins are always in scope).
"""

from __future__ import annotations

import functools

from cadenza.feel.lexer import NameTable

__all__ = ["SPEC_BUILTIN_NAMES", "builtin_name_table"]

#: Multi-word built-in function and type names from DMN 1.5 chapter 10 (used even if the registry lacks one).
SPEC_BUILTIN_NAMES = (
    "date and time",
    "days and time duration",
    "years and months duration",
    "string length",
    "substring before",
    "substring after",
    "upper case",
    "lower case",
    "starts with",
    "ends with",
    "string join",
    "list contains",
    "list replace",
    "insert before",
    "index of",
    "distinct values",
    "get value",
    "get entries",
    "context put",
    "context merge",
    "day of year",
    "day of week",
    "month of year",
    "week of year",
    "last day of month",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "met by",
    "overlaps before",
    "overlaps after",
    "finished by",
    "started by",
    "is defined",
)


@functools.lru_cache(maxsize=1)
def _registry_table() -> NameTable:
    from cadenza.feel.builtins import BUILTINS

    return NameTable((*SPEC_BUILTIN_NAMES, *BUILTINS.keys()))


def builtin_name_table() -> NameTable:
    """The known-name table for built-ins: the registry's names when it is importable, else the spec list."""
    try:
        return _registry_table()
    except ImportError:  # the built-ins package is optional for the front end (and may still be in progress)
        return NameTable(SPEC_BUILTIN_NAMES)
