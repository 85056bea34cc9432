"""String built-ins (DMN 1.5 10.3.4.3). Positions count Unicode code points, which is what a Python ``str``
indexes, and are 1-based with negative positions counting from the end."""

from __future__ import annotations

import decimal
from typing import Any

from cadenza.feel.builtins.registry import builtin
from cadenza.feel.builtins.xpath_regex import MAX_INPUT, compile_xpath, replacer
from cadenza.feel.values import FeelEvalError

__all__: list[str] = []

Number = decimal.Decimal


def _start_index(start: Number, length: int) -> int:
    """A 0-based index from a FEEL start position (1 is the first character, -1 the last)."""
    position = int(start)
    if position == 0 or abs(position) > length:
        raise FeelEvalError(f"start position {position} is outside a string of {length} characters")
    return position - 1 if position > 0 else length + position


@builtin("substring", "string: string", "start position: number", "length?: number")
def substring(string: str, start: Number, length: Number | None) -> str:
    begin = _start_index(start, len(string))
    if length is None:
        return string[begin:]
    count = int(length)  # a fractional length is truncated (substring("foobar", 3, 3.8) = "oba")
    if count < 0:
        raise FeelEvalError("substring: negative length")
    return string[begin : begin + count]


@builtin("string length", "string: string")
def string_length(string: str) -> Number:
    return Number(len(string))


@builtin("upper case", "string: string")
def upper_case(string: str) -> str:
    return string.upper()


@builtin("lower case", "string: string")
def lower_case(string: str) -> str:
    return string.lower()


@builtin("substring before", "string: string", "match: string")
def substring_before(string: str, match: str) -> str:
    if not match:
        return ""
    before, found, _ = string.partition(match)
    return before if found else ""


@builtin("substring after", "string: string", "match: string")
def substring_after(string: str, match: str) -> str:
    if not match:
        return string
    _, found, after = string.partition(match)
    return after if found else ""


@builtin("contains", "string: string", "match: string")
def contains(string: str, match: str) -> bool:
    return match in string


@builtin("starts with", "string: string", "match: string")
def starts_with(string: str, match: str) -> bool:
    return string.startswith(match)


@builtin("ends with", "string: string", "match: string")
def ends_with(string: str, match: str) -> bool:
    return string.endswith(match)


def _checked_input(text: str) -> str:
    if len(text) > MAX_INPUT:
        raise FeelEvalError(f"regex input longer than {MAX_INPUT} characters")
    return text


@builtin("matches", "input: string", "pattern: string", "flags?: string")
def matches(text: str, pattern: str, flags: str | None) -> bool:
    return compile_xpath(pattern, flags or "").search(_checked_input(text)) is not None


@builtin("replace", "input: string", "pattern: string", "replacement: string", "flags?: string")
def replace(text: str, pattern: str, replacement: str, flags: str | None) -> str:
    compiled = compile_xpath(pattern, flags or "")
    if compiled.match(""):
        # XPath fn:replace raises FORX0003 for a pattern that matches the empty string.
        raise FeelEvalError("replace: the pattern matches the empty string")
    expand = replacer(replacement, compiled.groups, "q" in (flags or ""))
    return compiled.sub(expand, _checked_input(text))


@builtin("split", "string: string", "delimiter: string", "flags?: string")
def split(string: str, delimiter: str, flags: str | None) -> list[str]:
    compiled = compile_xpath(delimiter, flags or "")
    if compiled.match(""):
        raise FeelEvalError("split: the delimiter matches the empty string")
    # Python's split also returns captured groups; XPath's tokenize does not.
    pieces, start = [], 0
    for found in compiled.finditer(_checked_input(string)):
        pieces.append(string[start : found.start()])
        start = found.end()
    pieces.append(string[start:])
    return pieces


@builtin("string join", "list: list", "delimiter?: string")
def string_join(items: list[Any], delimiter: str | None) -> str:
    if not all(item is None or isinstance(item, str) for item in items):
        raise FeelEvalError("string join: every item must be a string")
    return (delimiter or "").join(item for item in items if item is not None)
