"""The primary forms of FEEL: literals, names, brackets, contexts, ranges and the keyword-led expressions."""

from __future__ import annotations

import decimal

from cadenza.feel import nodes as n
from cadenza.feel.parse_base import ParserBase
from cadenza.feel.types import FeelType
from cadenza.feel.values import DECIMAL_CONTEXT

__all__ = ["PrimaryParser", "number_node"]

_UNARY_COMPARISONS = frozenset({"<", "<=", ">", ">=", "=", "!="})
_LITERALS = {"true": True, "false": False, "null": None}


def number_node(text: str) -> n.Node:
    try:
        return n.Literal(DECIMAL_CONTEXT.create_decimal(text))
    except decimal.DecimalException:
        # Far beyond Decimal128's exponent range: not a syntax error, but it has no value.
        return n.Invalid(f"number literal {text[:16]}... is out of range")


class PrimaryParser(ParserBase):
    def primary(self) -> n.Node:
        token = self.peek()
        if token.kind == "NUMBER":
            self.advance()
            return number_node(token.value)
        if token.kind == "STRING":
            self.advance()
            return n.Literal(token.value)
        if token.kind == "TEMPORAL":
            self.advance()
            return n.TemporalLiteral(token.value)
        if token.kind == "NAME":
            return self.word_form()
        if token.kind == "OP":
            if token.value in _UNARY_COMPARISONS:
                self.advance()
                return n.UnaryCompare(token.value, self.expression(4))
            if token.value == "(":
                return self.parenthesised()
            if token.value == "[":
                return self.list_or_range()
            if token.value == "]":
                self.advance()
                return self.range_tail(self.expression(), False)
            if token.value == "{":
                return self.context()
        raise self.error(["an expression"])

    def word_form(self) -> n.Node:
        token = self.peek()
        if not token.known:
            if token.value in _LITERALS:
                self.advance()
                return n.Literal(_LITERALS[token.value])
            if token.value == "if":
                return self.if_expression()
            if token.value == "for":
                return self.for_expression()
            if token.value in ("some", "every") and self.peek(1).kind == "NAME":
                return self.quantified()
            if token.value == "function" and self.at_op("(", 1):
                return self.function_definition()
        return n.Name(self.name())

    def parenthesised(self) -> n.Node:
        self.expect_op("(")
        inner = self.expression()
        if self.at_op(".."):
            return self.range_tail(inner, False)
        self.expect_op(")")
        return inner

    def list_or_range(self) -> n.Node:
        self.expect_op("[")
        if self.at_op("]"):
            self.advance()
            return n.ListLit(())
        first = self.expression()
        if self.at_op(".."):
            return self.range_tail(first, True)
        items = [first]
        while self.at_op(","):
            self.advance()
            items.append(self.expression())
        if not self.at_op("]"):
            raise self.error(["','", "']'"])
        self.advance()
        return n.ListLit(tuple(items))

    def range_tail(self, start: n.Node, start_included: bool, bare: bool = False) -> n.Node:
        """After the start endpoint: ``..`` end and the closing bracket (none for a bare ``a..b`` test)."""
        self.expect_op("..")
        end = self.expression()
        if bare:
            return n.RangeLit(start, end, True, True)
        if self.at_op("]"):
            self.advance()
            return n.RangeLit(start, end, start_included, True)
        if self.at_op(")") or self.at_op("["):
            self.advance()
            return n.RangeLit(start, end, start_included, False)
        raise self.error(["']'", "')'", "'['"])

    def context(self) -> n.Node:
        self.expect_op("{")
        entries: list[tuple[str, n.Node]] = []
        if self.at_op("}"):
            self.advance()
            return n.ContextLit(())
        while True:
            key = self.key()
            self.expect_op(":")
            entries.append((key, self.expression()))
            if self.at_op("}"):
                self.advance()
                return n.ContextLit(tuple(entries))
            if not self.at_op(","):
                raise self.error(["','", "'}'"])
            self.advance()

    def if_expression(self) -> n.Node:
        self.expect_keyword("if")
        condition = self.expression()
        self.expect_keyword("then")
        then = self.expression()
        self.expect_keyword("else")
        return n.If(condition, then, self.expression())

    def iterations(self) -> tuple[n.Iteration, ...]:
        result = [self.iteration()]
        while self.at_op(","):
            self.advance()
            result.append(self.iteration())
        return tuple(result)

    def iteration(self) -> n.Iteration:
        name = self.name()
        self.expect_keyword("in")
        domain = self.expression()
        if self.at_op(".."):
            self.advance()
            return n.Iteration(name, domain, self.expression())
        return n.Iteration(name, domain)

    def for_expression(self) -> n.Node:
        self.expect_keyword("for")
        iterations = self.iterations()
        self.expect_keyword("return")
        return n.For(iterations, self.expression())

    def quantified(self) -> n.Node:
        every = self.advance().value == "every"
        iterations = self.iterations()
        self.expect_keyword("satisfies")
        return n.Quantified(every, iterations, self.expression())

    def function_definition(self) -> n.Node:
        self.expect_keyword("function")
        self.expect_op("(")
        params: list[tuple[str, FeelType | None]] = []
        while not self.at_op(")"):
            name = self.name()
            declared = None
            if self.at_op(":"):
                self.advance()
                declared = self.type()
            params.append((name, declared))
            if not self.at_op(","):
                break
            self.advance()
        self.expect_op(")")
        if self.at_keyword("external"):
            self.advance()
            return n.FunctionDef(tuple(params), self.expression(), external=True)
        return n.FunctionDef(tuple(params), self.expression())
