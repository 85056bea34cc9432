"""XPath/XML Schema regular expressions (used by matches, replace, split) translated to Python's ``re``.

The translation is conservative: syntax that XPath lacks (``(?...)`` groups, ``\\A``, ``\\Z``) is rejected
rather than silently given Python's meaning, and ``\\p{..}`` categories are expanded from :mod:`unicodedata`.
Backtracking cannot be bounded in ``re``, so patterns are length-limited and nested unbounded quantifiers
such as ``(a+)+`` (the classic catastrophic shape) are refused.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Callable

from cadenza.feel.values import FeelEvalError

__all__ = ["MAX_INPUT", "MAX_PATTERN", "compile_xpath", "replacer"]

MAX_PATTERN = 1000
MAX_INPUT = 1_000_000

_FLAGS = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE, "x": 0, "q": 0}
_PYTHON_ONLY_ESCAPES = set("AZbBgG")
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\})")


@functools.lru_cache(maxsize=64)
def _category_class(name: str) -> str:
    """The character-class body for a Unicode general category such as ``L`` or ``Nd``."""
    if not re.fullmatch(r"[A-Z][a-z]?", name):
        raise FeelEvalError(f"unsupported regex category \\p{{{name}}}")
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)).startswith(name):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    if not ranges:
        raise FeelEvalError(f"unknown regex category \\p{{{name}}}")
    return "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in ranges)


def _strip_whitespace(pattern: str) -> str:
    """The ``x`` flag: whitespace outside character classes is removed (XPath 3.1 rule)."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char in " \t\n\r" and not in_class:
            continue
        out.append(char)
    return "".join(out)


def _escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    """The Python text for the escape at ``index`` and how many pattern characters it used."""
    if index + 1 >= len(pattern):
        raise FeelEvalError("invalid regex: trailing backslash")
    escape = pattern[index + 1]
    if escape in "pP":
        found = re.match(r"\{([^}]*)\}", pattern[index + 2 :])
        if found is None:
            raise FeelEvalError("invalid regex: \\p needs {name}")
        if in_class and escape == "P":
            raise FeelEvalError("unsupported regex: \\P inside a character class")
        body = _category_class(found[1])
        text = body if in_class else f"[{'^' if escape == 'P' else ''}{body}]"
        return text, 4 + len(found[1])  # backslash, p, the braces and the name
    if escape in _PYTHON_ONLY_ESCAPES or escape in "ic":
        raise FeelEvalError(f"unsupported regex escape \\{escape}")
    return pattern[index : index + 2], 2


def _class_char(char: str, previous: str) -> str:
    """A literal inside a character class, escaped where Python would read set operations (and warn)."""
    if char == "[":
        if previous == "-":
            raise FeelEvalError("unsupported regex: character class subtraction")
        return "\\["
    if char == "-" and previous == "-":
        raise FeelEvalError("invalid regex: '--' in a character class")
    return "\\" + char if char in "&~|" else char


def _translate(pattern: str, dot_all: bool, multiline: bool) -> str:
    out: list[str] = []
    index, in_class, previous = 0, False, ""
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            text, used = _escape(pattern, index, in_class)
        elif in_class:
            text, used = ("]", 1) if char == "]" else (_class_char(char, previous), 1)
            in_class = char != "]"
        elif char == "[":
            text, used, in_class = "[", 1, True
        elif char == "(" and pattern.startswith("(?", index):
            raise FeelEvalError("invalid regex: (? groups are not XPath syntax")
        elif char == "." and not dot_all:
            text, used = "[^\\n\\r]", 1  # XPath's dot excludes both line ends
        elif char == "$" and not multiline:
            text, used = "\\Z", 1  # XPath's $ is the very end, not also before a final newline
        else:
            text, used = char, 1
        out.append(text)
        previous = char
        index += used
    return "".join(out)


@functools.lru_cache(maxsize=256)
def compile_xpath(pattern: str, flags: str = "") -> re.Pattern[str]:
    """Compiles an XPath regex with XPath flags (s, m, i, x, q); FeelEvalError if invalid or unsafe."""
    if len(pattern) > MAX_PATTERN:
        raise FeelEvalError(f"regex longer than {MAX_PATTERN} characters")
    unknown = set(flags) - set(_FLAGS)
    if unknown:
        raise FeelEvalError(f"invalid regex flags {''.join(sorted(unknown))!r}")
    python_flags = 0
    for flag in flags:
        python_flags |= _FLAGS[flag]
    if "q" in flags:
        source = re.escape(pattern)
    else:
        stripped = _strip_whitespace(pattern) if "x" in flags else pattern
        # Checked before translation, on at most MAX_PATTERN characters (\\p classes expand a lot).
        if _NESTED_QUANTIFIER.search(stripped):
            raise FeelEvalError("regex refused: nested unbounded quantifiers may backtrack catastrophically")
        source = _translate(stripped, "s" in flags, "m" in flags)
    try:
        return re.compile(source, python_flags)
    except (re.error, OverflowError, RecursionError) as error:
        raise FeelEvalError(f"invalid regex: {error}") from None


def replacer(replacement: str, groups: int, quoted: bool) -> Callable[[re.Match[str]], str]:
    """XPath's replacement text (``$1``, ``\\$``, ``\\\\``) as a function for ``re.sub``.

    ``$n`` takes as many digits as still name an existing group (XPath 3.1 fn:replace), and an unmatched group
    gives the empty string.
    """
    parts: list[str | int] = []
    index = 0
    while index < len(replacement) and not quoted:
        char = replacement[index]
        if char == "\\":
            if index + 1 >= len(replacement) or replacement[index + 1] not in "\\$":
                raise FeelEvalError("invalid replacement: a backslash must escape \\ or $")
            parts.append(replacement[index + 1])
            index += 2
        elif char == "$":
            digits = re.match(r"\d+", replacement[index + 1 :])
            if digits is None:
                raise FeelEvalError("invalid replacement: $ must be followed by a group number")
            length = 1
            while length < len(digits[0]) and int(digits[0][: length + 1]) <= groups:
                length += 1
            parts.append(int(digits[0][:length]))
            index += 1 + length
        else:
            parts.append(char)
            index += 1
    if quoted:
        parts.append(replacement)

    def expand(match: re.Match[str]) -> str:
        return "".join(
            part if isinstance(part, str) else (match.group(part) or "") if part <= groups else ""
            for part in parts
        )

    return expand
