"""Token-level helpers shared by the parser modules: peeking, expecting, error messages and names."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cadenza.feel import nodes as n
from cadenza.feel.errors import FeelSyntaxError
from cadenza.feel.lexer import KEYWORDS, Token
from cadenza.feel.types import FeelType

__all__ = ["ParserBase", "TypeResolver", "describe"]

TypeResolver = Callable[[str], FeelType | None]
# Symbols that may occur inside a context key or argument name (DMN 1.5 additional name symbols).
_KEY_SYMBOLS = frozenset({".", "/", "-", "+", "*", "'"})


def describe(token: Token) -> str:
    """How a token reads in an error message."""
    if token.kind == "EOF":
        return "end of input"
    if token.kind == "STRING":
        return f'"{token.value}"'
    if token.kind == "TEMPORAL":
        return f'@"{token.value}"'
    return f"'{token.value}'"


class ParserBase:
    def __init__(
        self, tokens: list[Token], resolve: TypeResolver | None = None, text: str | None = None
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.resolve = resolve

    # The grammar is mutually recursive across modules; these are defined by the concrete parser.
    def expression(self, min_prec: int = 1) -> n.Node:
        raise NotImplementedError

    def type(self) -> FeelType:
        raise NotImplementedError

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "EOF":
            self.i += 1
        return token

    def at_op(self, value: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "OP" and token.value == value

    def at_keyword(self, value: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "NAME" and not token.known and token.value == value

    def error(self, expected: Iterable[str], token: Token | None = None) -> FeelSyntaxError:
        token = token or self.peek()
        wanted = list(expected)
        message = f"expected {' or '.join(wanted)} but found {describe(token)}"
        return FeelSyntaxError(message, token.line, token.column, wanted)

    def expect_op(self, value: str) -> Token:
        if not self.at_op(value):
            raise self.error([f"'{value}'"])
        return self.advance()

    def expect_keyword(self, value: str) -> None:
        if not self.at_keyword(value):
            raise self.error([f"'{value}'"])
        self.advance()

    def expect_end(self) -> None:
        if self.peek().kind != "EOF":
            raise self.error(["end of input"])

    def is_plain_word(self, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "NAME" and (token.known or token.value not in KEYWORDS)

    def name(self, allow_keyword: bool = False) -> str:
        """A name: adjacent plain words joined by single spaces (``Monthly Salary``), stopping at keywords."""
        if not (self.is_plain_word() or (allow_keyword and self.peek().kind == "NAME")):
            raise self.error(["a name"])
        words = [self.advance().value]
        while self.is_plain_word() and words[-1] != "?" and self.peek().value != "?":
            words.append(self.advance().value)
        return " ".join(words)

    def key(self) -> str:
        """A context key or named argument: a string, or every word up to the ':' (keywords included)."""
        if self.peek().kind == "STRING":
            return self.advance().value
        if self.peek().kind != "NAME":
            raise self.error(["a name", "a string"])
        first = self.peek()
        last = first
        while self.peek().kind == "NAME" or (self.peek().kind == "OP" and self.peek().value in _KEY_SYMBOLS):
            last = self.advance()
        if self.text is None:
            return first.value
        # The key as written, with runs of spaces made single: "foo+bar", "Applicant's age", "start date".
        return " ".join(self.text[first.start : last.end].split())

    def named_args_follow(self) -> bool:
        ahead = 0
        while self.peek(ahead).kind == "NAME" or (
            ahead > 0 and self.peek(ahead).kind == "OP" and self.peek(ahead).value in _KEY_SYMBOLS
        ):
            ahead += 1
        return ahead > 0 and self.at_op(":", ahead)

    def comma_list(self, close: str, item: Callable[[], n.Node]) -> tuple[n.Node, ...]:
        """Comma-separated items up to and including ``close`` (the opening bracket is already consumed)."""
        items: list[n.Node] = []
        if self.at_op(close):
            self.advance()
            return ()
        while True:
            items.append(item())
            if self.at_op(close):
                self.advance()
                return tuple(items)
            if not self.at_op(","):
                raise self.error(["','", f"'{close}'"])
            self.advance()
