"""FEEL lexer: source text to tokens (DMN 1.5, 10.3.1.2).

Names are the hard part. A FEEL name may contain spaces and, when the modeller declared it, characters such
as ``-``, ``/``, ``'``, ``+`` and ``.`` (e.g. ``Loan-to-value``). Such names cannot be found by character
classes alone, so the lexer takes a table of *known* names and, at each token start, prefers the longest
known name that matches there. Plain words are emitted one per token; the parser joins adjacent plain
words into one name.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cadenza.feel.errors import FeelSyntaxError

__all__ = ["KEYWORDS", "NameTable", "Token", "is_name_part", "is_name_start", "tokenize"]

#: Words that end a run of name words: joining across them would swallow FEEL syntax (``a and b``).
KEYWORDS = frozenset(
    {
        "and",
        "or",
        "in",
        "between",
        "instance",
        "for",
        "some",
        "every",
        "satisfies",
        "return",
        "if",
        "then",
        "else",
        "function",
        "external",
        "true",
        "false",
        "null",
    }
)

# Longest first, so that "**" wins over "*" and ".." over ".".
_OPERATORS = ("..", "**", "<=", ">=", "!=", "->", "=", "<", ">", "+", "-", "*", "/")
_PUNCTUATION = "()[]{},:."
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token. ``kind`` is NUMBER, STRING, TEMPORAL, NAME, OP or EOF; ``value`` the decoded text."""

    kind: str
    value: str
    line: int
    column: int
    #: True when the name came from the known-name table (it may contain spaces or symbols).
    known: bool = False
    #: Offsets of the token in the source (end exclusive).
    start: int = 0
    end: int = 0


def is_name_start(char: str) -> bool:
    return char.isalpha() or char == "_" or char == "?"


def is_name_part(char: str) -> bool:
    # Combining marks (U+0300..U+036F) and the middle dot are name part characters per the grammar.
    return char.isalnum() or char == "_" or char == "\u00b7" or "\u0300" <= char <= "\u036f"


def _is_simple_word(name: str) -> bool:
    return bool(name) and is_name_start(name[0]) and all(is_name_part(c) for c in name[1:])


class NameTable:
    """Known names that are not single plain words, indexed by first character for the longest-match scan."""

    __slots__ = ("_by_first",)

    def __init__(self, names: Iterable[str]) -> None:
        by_first: dict[str, list[str]] = {}
        for name in set(names):
            if name and not _is_simple_word(name):
                by_first.setdefault(name[0], []).append(name)
        for candidates in by_first.values():
            candidates.sort(key=len, reverse=True)
        self._by_first = by_first

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def merged(self, other: NameTable) -> NameTable:
        table = NameTable(())
        table._by_first = {k: list(v) for k, v in self._by_first.items()}
        for first, names in other._by_first.items():
            table._by_first[first] = sorted({*table._by_first.get(first, ()), *names}, key=len, reverse=True)
        return table

    def match(self, text: str, pos: int) -> tuple[str, int] | None:
        """The longest known name written at ``pos``, and the offset just past it as written."""
        for name in self._by_first.get(text[pos], ()):
            end = _written_end(name, text, pos)
            if end is None:
                continue
            # A known name must end at a word boundary: "ab" does not start with the name "a".
            if end < len(text) and is_name_part(name[-1]) and is_name_part(text[end]):
                continue
            return name, end
        return None


def _written_end(name: str, text: str, pos: int) -> int | None:
    """Where ``name`` ends if ``text`` spells it at ``pos``. Any run of white space, line breaks included, may
    stand for a space of the name (``date and``, a line break, ``time``): the grammar builds a name from name
    parts, and white space between them is not significant, as it already is for names of plain words (DMN
    1.5 10.3.1.2)."""
    if text.startswith(name, pos):
        return pos + len(name)
    space = name.find(" ")
    # Cheap refusal first: the first word must be there, followed by white space other than one space.
    if space < 0 or not text.startswith(name[:space], pos):
        return None
    found = _spaced(name).match(text, pos)
    return found.end() if found else None


@functools.lru_cache(maxsize=4096)
def _spaced(name: str) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(word) for word in name.split(" ")))


class _Lexer:
    def __init__(self, text: str, names: NameTable) -> None:
        self.text = text
        self.names = names
        self.pos = 0
        self.tokens: list[Token] = []
        # Offsets of line starts, for turning an offset into line and column with a binary search.
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def position(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, pos)
        return line, pos - self.line_starts[line - 1] + 1

    def error(self, message: str, pos: int, expected: Iterable[str] = ()) -> FeelSyntaxError:
        line, column = self.position(pos)
        return FeelSyntaxError(message, line, column, list(expected))

    def emit(self, kind: str, value: str, start: int, known: bool = False) -> None:
        line, column = self.position(start)
        self.tokens.append(Token(kind, value, line, column, known, start, self.pos))

    def run(self) -> list[Token]:
        text = self.text
        while True:
            self.skip_space_and_comments()
            if self.pos >= len(text):
                self.emit("EOF", "", self.pos)
                return self.tokens
            self.next_token()

    def skip_space_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char.isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated comment", self.pos, ["*/"])
                self.pos = end + 2
            else:
                return

    def next_token(self) -> None:
        text, start = self.text, self.pos
        known = self.names.match(text, start)
        if known is not None:
            self.pos = known[1]
            self.emit("NAME", known[0], start, known=True)
            return
        char = text[start]
        if char.isdigit() or (char == "." and start + 1 < len(text) and text[start + 1].isdigit()):
            self.number()
        elif char == '"':
            self.emit("STRING", self.string(), start)
        elif char == "@":
            self.pos += 1
            if self.pos >= len(text) or text[self.pos] != '"':
                raise self.error("expected a string after '@'", self.pos, ['"'])
            self.emit("TEMPORAL", self.string(), start)
        elif is_name_start(char):
            self.pos += 1
            if char != "?":
                while self.pos < len(text) and is_name_part(text[self.pos]):
                    self.pos += 1
            self.emit("NAME", text[start : self.pos], start)
        else:
            self.operator()

    def number(self) -> None:
        text, start = self.text, self.pos
        while self.pos < len(text) and text[self.pos].isdigit():
            self.pos += 1
        # "1..2" is a range, so a dot only belongs to the number when a digit follows it.
        if self.pos + 1 < len(text) and text[self.pos] == "." and text[self.pos + 1].isdigit():
            self.pos += 1
            while self.pos < len(text) and text[self.pos].isdigit():
                self.pos += 1
        self.exponent()
        self.emit("NUMBER", text[start : self.pos], start)

    def exponent(self) -> None:
        # "1.2e3", "1E-4" (the DMN 1.5 TCK uses them); only when digits follow, so "2 else" stays intact.
        text, at = self.text, self.pos
        if at < len(text) and text[at] in "eE":
            digits = at + 1
            if digits < len(text) and text[digits] in "+-":
                digits += 1
            if digits < len(text) and text[digits].isdigit():
                self.pos = digits
                while self.pos < len(text) and text[self.pos].isdigit():
                    self.pos += 1

    def operator(self) -> None:
        start = self.pos
        for op in _OPERATORS:
            if self.text.startswith(op, start):
                self.pos += len(op)
                self.emit("OP", op, start)
                return
        char = self.text[start]
        if char in _PUNCTUATION:
            self.pos += 1
            self.emit("OP", char, start)
            return
        raise self.error(f"unexpected character {char!r}", start)

    def string(self) -> str:
        text, start = self.text, self.pos
        self.pos += 1  # the opening quote
        parts: list[str] = []
        while True:
            if self.pos >= len(text):
                raise self.error("unterminated string", start, ['"'])
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(parts)
            if char == "\\":
                parts.append(self.escape())
            else:
                parts.append(char)
                self.pos += 1

    def escape(self) -> str:
        text, start = self.text, self.pos
        kind = text[start + 1 : start + 2]
        if kind in _ESCAPES:
            self.pos += 2
            return _ESCAPES[kind]
        if kind in ("u", "U"):
            width = 4 if kind == "u" else 6
            digits = text[start + 2 : start + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error(f"invalid escape \\{kind}: expected {width} hex digits", start)
            self.pos = start + 2 + width
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", self.pos):
                # A UTF-16 surrogate pair written as two \u escapes is one character.
                low = text[self.pos + 2 : self.pos + 6]
                if len(low) == 4 and all(c in "0123456789abcdefABCDEF" for c in low):
                    low_code = int(low, 16)
                    if 0xDC00 <= low_code <= 0xDFFF:
                        self.pos += 6
                        return chr(0x10000 + ((code - 0xD800) << 10) + (low_code - 0xDC00))
            if code > 0x10FFFF:
                raise self.error("invalid escape: code point out of range", start)
            if 0xD800 <= code <= 0xDFFF:  # no character: no store could write a value holding it
                reason = f"invalid escape \\{kind}{digits}: a lone surrogate is not a character"
                raise self.error(reason, start)
            return chr(code)
        # Other backslashes stay as written: strings often carry regular expressions such as "\\d{3}".
        self.pos += 1
        return "\\"


def tokenize(text: str, names: NameTable | None = None) -> list[Token]:
    """Splits ``text`` into tokens, ending with an EOF token. Raises :class:`FeelSyntaxError`."""
    return _Lexer(text, names or NameTable(())).run()
