"""FEEL parser: tokens to the syntax tree of :mod:`cadenza.feel.nodes` (DMN 1.5, 10.3.1.2).

Recursive descent for the textual forms and precedence climbing with explicit stacks for binary operators, so
the Python stack grows by a few frames per level of *bracket* nesting only. That nesting is capped at
:data:`MAX_NESTING`, which turns pathological input (10,000 parentheses) into a clean syntax error.
"""

from __future__ import annotations

from collections.abc import Iterable

from cadenza.feel import nodes as n
from cadenza.feel.errors import FeelSyntaxError
from cadenza.feel.lexer import KEYWORDS, NameTable, tokenize
from cadenza.feel.names import builtin_name_table
from cadenza.feel.parse_base import TypeResolver
from cadenza.feel.parse_primary import PrimaryParser
from cadenza.feel.types import (
    ContextType,
    FeelType,
    FunctionType,
    ListType,
    RangeType,
    UnknownType,
    builtin_type,
)

__all__ = ["MAX_NESTING", "Parser", "parse_expression", "parse_type_text", "parse_unary_tests"]

#: Deepest allowed nesting of brackets and nested expressions; deeper input is a syntax error. Each level
#: costs about five Python frames, so this keeps parsing well inside CPython's default recursion limit.
MAX_NESTING = 100

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "between": 3,
    "in": 3,
    "instance": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "**": 6,
}
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_PRECEDENCE.update(dict.fromkeys(_COMPARISONS, 3))
_WORD_OPERATORS = frozenset({"and", "or", "between", "in", "instance"})
# After these, "[" cannot open a filter: it is the closing bracket of a range such as "]1..10[".
_NOT_EXPRESSION_START = frozenset({",", ")", "]", "}", "..", ":", "[", "."})


class Parser(PrimaryParser):
    def expression(self, min_prec: int = 1) -> n.Node:
        self.depth += 1
        if self.depth > MAX_NESTING:
            token = self.peek()
            raise FeelSyntaxError(f"nesting deeper than {MAX_NESTING}", token.line, token.column, [])
        try:
            return self.binary(min_prec)
        finally:
            self.depth -= 1

    def binary_operator(self) -> str | None:
        token = self.peek()
        if token.kind == "OP" and token.value in _PRECEDENCE:
            return token.value
        if token.kind == "NAME" and not token.known and token.value in _WORD_OPERATORS:
            return token.value
        return None

    def binary(self, min_prec: int) -> n.Node:
        operands = [self.operand()]
        ops: list[tuple[int, str]] = []
        while (op := self.binary_operator()) is not None and _PRECEDENCE[op] >= min_prec:
            prec = _PRECEDENCE[op]
            # "**" is left associative too (DMN 1.5 TCK 0075): reduce equal precedence before shifting.
            while ops and ops[-1][0] >= prec:
                _reduce(operands, ops.pop()[1])
            self.advance()
            if op in ("between", "in", "instance"):
                operands.append(self.comparison_tail(op, operands.pop()))
            else:
                ops.append((prec, op))
                operands.append(self.operand())
        while ops:
            _reduce(operands, ops.pop()[1])
        return operands[0]

    def comparison_tail(self, op: str, left: n.Node) -> n.Node:
        if op == "between":
            low = self.expression(4)
            self.expect_keyword("and")
            return n.Between(left, low, self.expression(4))
        if op == "instance":
            self.expect_keyword("of")
            return n.InstanceOf(left, self.type())
        if self.at_op("("):
            return n.In(left, self.parenthesised_tests())
        return n.In(left, (self.test(4),))

    def parenthesised_tests(self) -> tuple[n.Node, ...]:
        self.expect_op("(")
        first = self.expression()
        if self.at_op(".."):
            # "x in (a..b)" is an open interval, not a parenthesised test.
            return (self.range_tail(first, False),)
        tests = [first]
        while self.at_op(","):
            self.advance()
            tests.append(self.test(1))
        if not self.at_op(")"):
            raise self.error(["','", "')'"])
        self.advance()
        return tuple(tests)

    def test(self, min_prec: int) -> n.Node:
        node = self.expression(min_prec)
        if self.at_op(".."):
            return self.range_tail(node, True, bare=True)
        return node

    def test_list(self) -> tuple[n.Node, ...]:
        tests = [self.test(1)]
        while self.at_op(","):
            self.advance()
            tests.append(self.test(1))
        return tuple(tests)

    def operand(self) -> n.Node:
        negations = 0
        while self.at_op("-"):
            self.advance()
            negations += 1
        node = self.postfix(self.primary())
        return n.Negate(node, negations) if negations else node

    def postfix(self, node: n.Node) -> n.Node:
        while True:
            if self.at_op("."):
                self.advance()
                node = n.Path(node, self.name(allow_keyword=True))
            elif self.at_op("[") and not self.closes_range():
                self.advance()
                node = n.Filter(node, self.expression())
                self.expect_op("]")
            elif self.at_op("("):
                node = self.call(node)
            else:
                return node

    def closes_range(self) -> bool:
        after = self.peek(1)
        if after.kind == "EOF":
            return True
        if after.kind == "OP":
            return after.value in _NOT_EXPRESSION_START
        return (
            after.kind == "NAME" and not after.known and after.value in KEYWORDS - {"true", "false", "null"}
        )

    def call(self, function: n.Node) -> n.Node:
        self.expect_op("(")
        if not self.named_args_follow():
            return n.Call(function, self.comma_list(")", self.expression))
        named: list[tuple[str, n.Node]] = []
        while True:
            name = self.key()
            self.expect_op(":")
            named.append((name, self.expression()))
            if not self.at_op(","):
                break
            self.advance()
        self.expect_op(")")
        return n.Call(function, (), tuple(named))

    def type(self) -> FeelType:
        name = self.name(allow_keyword=True)
        while self.at_op(".") and self.peek(1).kind == "NAME":
            self.advance()
            name += "." + self.name(allow_keyword=True)
        if not self.at_op("<") or name not in ("list", "range", "context", "function"):
            resolved = builtin_type(name) or (self.resolve(name) if self.resolve else None)
            return resolved or UnknownType(name)
        self.advance()
        if name in ("list", "range"):
            element = self.type()
            self.expect_op(">")
            return ListType(element) if name == "list" else RangeType(element)
        if name == "context":
            return ContextType(self.type_fields())
        params: list[FeelType] = []
        while not self.at_op(">"):
            params.append(self.type())
            if not self.at_op(","):
                break
            self.advance()
        self.expect_op(">")
        self.expect_op("->")
        return FunctionType(params, self.type())

    def type_fields(self) -> dict[str, FeelType]:
        fields: dict[str, FeelType] = {}
        while not self.at_op(">"):
            key = self.key()
            self.expect_op(":")
            fields[key] = self.type()
            if not self.at_op(","):
                break
            self.advance()
        self.expect_op(">")
        return fields


def _reduce(operands: list[n.Node], op: str) -> None:
    right = operands.pop()
    left = operands.pop()
    node: n.Node
    # and/or are associative in three-valued logic, so chains become one n-ary node (no deep trees).
    if op == "and":
        node = n.And((*left.operands, right) if isinstance(left, n.And) else (left, right))
    elif op == "or":
        node = n.Or((*left.operands, right) if isinstance(left, n.Or) else (left, right))
    elif op in _COMPARISONS:
        node = n.Compare(op, left, right)
    else:
        node = n.Arith(op, left, right)
    operands.append(node)


def _parser(text: str, names: Iterable[str], resolve: TypeResolver | None = None) -> Parser:
    table = builtin_name_table()
    extra = NameTable(names)
    return Parser(tokenize(text, table.merged(extra) if extra else table), resolve, text)


def parse_expression(text: str, names: Iterable[str] = ()) -> n.Node:
    """Parses a FEEL expression. Raises :class:`FeelSyntaxError`."""
    parser = _parser(text, names)
    node = parser.expression()
    parser.expect_end()
    return node


def parse_unary_tests(text: str, names: Iterable[str] = ()) -> n.UnaryTestsNode:
    """Parses DMN unary tests: ``-``, ``not(t1, t2)`` or ``t1, t2, ...``. Raises :class:`FeelSyntaxError`."""
    parser = _parser(text, names)
    if parser.at_op("-") and parser.peek(1).kind == "EOF":
        return n.UnaryTestsNode((), any=True)
    if parser.at_keyword("not") and parser.at_op("(", 1):
        parser.i = 2
        try:
            tests = parser.test_list()
            parser.expect_op(")")
            parser.expect_end()
            return n.UnaryTestsNode(tests, negated=True)
        except FeelSyntaxError:
            parser.i = 0  # e.g. "not(x) = y": an ordinary test that starts with a call of not()
    tests = parser.test_list()
    parser.expect_end()
    return n.UnaryTestsNode(tests)


def parse_type_text(text: str, resolve: TypeResolver | None = None) -> FeelType:
    """Parses a type expression such as ``list<number>`` or a DMN typeRef such as ``feel:dateTime``."""
    stripped = text.strip()
    if stripped.startswith("feel:"):
        stripped = stripped[5:]
    parser = _parser(stripped, (), resolve)
    parsed = parser.type()
    parser.expect_end()
    return parsed
