"""Reads DMN boxed expressions (literal, decision table, context, invocation, relation, list, conditional,
iterators, filter, function definition) from their XML elements."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from lxml import etree

from cadenza.dmn.errors import DmnError
from cadenza.dmn.model import (
    Binding,
    Conditional,
    Context,
    ContextEntry,
    DecisionTable,
    Expression,
    Filter,
    FunctionDefinition,
    InformationItem,
    InputClause,
    Invocation,
    Iterator,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Relation,
    Rule,
    UnaryCell,
)

__all__ = ["EXPRESSION_TAGS", "ExpressionReader", "line_of", "local_name"]

EXPRESSION_TAGS = frozenset(
    {
        "literalExpression",
        "decisionTable",
        "context",
        "invocation",
        "relation",
        "list",
        "functionDefinition",
        "conditional",
        "for",
        "some",
        "every",
        "filter",
    }
)

_HIT_POLICIES = {
    "UNIQUE",
    "FIRST",
    "PRIORITY",
    "ANY",
    "COLLECT",
    "RULE ORDER",
    "OUTPUT ORDER",
}


class _Common(TypedDict):
    id: str | None
    type_ref: str | None
    line: int | None


def line_of(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


class ExpressionReader:
    """Turns expression elements into model values. ``namespace`` is the document's DMN namespace."""

    def __init__(self, namespace: str, type_ref: Callable[[etree._Element, str | None], str | None]) -> None:
        self.namespace = namespace
        self._type_ref = type_ref
        self._readers: dict[str, Callable[[etree._Element], Expression]] = {
            "literalExpression": self.literal,
            "decisionTable": self._decision_table,
            "context": self._context,
            "invocation": self._invocation,
            "relation": self._relation,
            "list": self._list,
            "functionDefinition": self.function_definition,
            "conditional": self._conditional,
            "for": self._iterator,
            "some": self._iterator,
            "every": self._iterator,
            "filter": self._filter,
        }

    # -- helpers shared with the DRG reader -------------------------------------------------------------
    def children(self, element: etree._Element, name: str) -> list[etree._Element]:
        return [c for c in element if local_name(c) == name and etree.QName(c).namespace == self.namespace]

    def child(self, element: etree._Element, name: str) -> etree._Element | None:
        found = self.children(element, name)
        return found[0] if found else None

    def text_of(self, element: etree._Element | None) -> str | None:
        """The ``<text>`` child's content (what literal expressions and unary tests hold)."""
        if element is None:
            return None
        text = self.child(element, "text")
        return (text.text or "") if text is not None else None

    def type_ref(self, element: etree._Element, attribute: str | None) -> str | None:
        return self._type_ref(element, attribute)

    def information_item(self, element: etree._Element) -> InformationItem:
        name = element.get("name")
        if name is None:
            raise DmnError(f"<{local_name(element)}> has no name", line=line_of(element))
        return InformationItem(name, self.type_ref(element, element.get("typeRef")), element.get("id"))

    def unary(self, element: etree._Element | None) -> UnaryCell | None:
        text = self.text_of(element)
        if element is None or text is None:
            return None
        return UnaryCell(text.strip(), element.get("id"), self.text_line(element))

    # -- expressions -----------------------------------------------------------------------------------
    def expression_in(self, element: etree._Element | None) -> Expression | None:
        """The first boxed expression directly inside ``element`` (None if there is none)."""
        if element is None:
            return None
        for child in element:
            if local_name(child) in EXPRESSION_TAGS and etree.QName(child).namespace == self.namespace:
                return self.expression(child)
        return None

    def expression(self, element: etree._Element) -> Expression:
        return self._readers[local_name(element)](element)

    def _common(self, element: etree._Element) -> _Common:
        return {
            "id": element.get("id"),
            "type_ref": self.type_ref(element, element.get("typeRef")),
            "line": line_of(element),
        }

    def text_line(self, element: etree._Element) -> int | None:
        """The line where the FEEL text itself starts (after any leading blank lines), for error positions."""
        text = self.child(element, "text")
        if text is None:
            return line_of(element)
        line = line_of(text)
        content = text.text or ""
        leading = content[: len(content) - len(content.lstrip())]
        return line + leading.count("\n") if line is not None else None

    def literal(self, element: etree._Element) -> LiteralExpression:
        text = self.text_of(element) or ""
        common = self._common(element)
        common["line"] = self.text_line(element)
        return LiteralExpression(text.strip(), element.get("expressionLanguage"), **common)

    def _decision_table(self, element: etree._Element) -> DecisionTable:
        hit_policy = (element.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
        if hit_policy not in _HIT_POLICIES:
            raise DmnError(
                f"unknown hit policy {hit_policy!r}", element=element.get("id"), line=line_of(element)
            )
        inputs = tuple(self._input_clause(e) for e in self.children(element, "input"))
        outputs = tuple(self._output_clause(e) for e in self.children(element, "output"))
        rules = tuple(self._rule(e, i + 1) for i, e in enumerate(self.children(element, "rule")))
        for rule in rules:
            if len(rule.input_entries) != len(inputs) or len(rule.output_entries) != len(outputs):
                where = f"rule {rule.index}" + (f" (id={rule.id})" if rule.id else "")
                raise DmnError(f"{where} does not have one entry per input and output column", line=rule.line)
        return DecisionTable(
            hit_policy=hit_policy,
            aggregation=element.get("aggregation"),
            inputs=inputs,
            outputs=outputs,
            rules=rules,
            output_label=element.get("outputLabel"),
            **self._common(element),
        )

    def _input_clause(self, element: etree._Element) -> InputClause:
        expr_el = self.child(element, "inputExpression")
        if expr_el is None:
            raise DmnError("decision table input has no inputExpression", line=line_of(element))
        return InputClause(
            element.get("id"),
            element.get("label"),
            self.literal(expr_el),
            self.unary(self.child(element, "inputValues")),
        )

    def _output_clause(self, element: etree._Element) -> OutputClause:
        default = self.child(element, "defaultOutputEntry")
        return OutputClause(
            element.get("id"),
            element.get("name"),
            element.get("label"),
            self.type_ref(element, element.get("typeRef")),
            self.unary(self.child(element, "outputValues")),
            self.literal(default) if default is not None else None,
        )

    def _rule(self, element: etree._Element, index: int) -> Rule:
        inputs = tuple(
            self.unary(e) or UnaryCell("-", None, line_of(e)) for e in self.children(element, "inputEntry")
        )
        outputs = tuple(self.literal(e) for e in self.children(element, "outputEntry"))
        return Rule(element.get("id"), index, inputs, outputs, line_of(element))

    def _context(self, element: etree._Element) -> Context:
        entries = []
        for entry in self.children(element, "contextEntry"):
            variable = self.child(entry, "variable")
            item = self.information_item(variable) if variable is not None else None
            entries.append(ContextEntry(item, self.expression_in(entry)))
        return Context(entries=tuple(entries), **self._common(element))

    def _invocation(self, element: etree._Element) -> Invocation:
        bindings = []
        for binding in self.children(element, "binding"):
            parameter = self.child(binding, "parameter")
            if parameter is None:
                raise DmnError("invocation binding has no parameter", line=line_of(binding))
            bindings.append(Binding(self.information_item(parameter), self.expression_in(binding)))
        return Invocation(
            callee=self.expression_in(element), bindings=tuple(bindings), **self._common(element)
        )

    def _relation(self, element: etree._Element) -> Relation:
        columns = tuple(self.information_item(c) for c in self.children(element, "column"))
        rows = []
        for row in self.children(element, "row"):
            cells = tuple(self.expression(c) for c in row if local_name(c) in EXPRESSION_TAGS)
            if len(cells) != len(columns):
                raise DmnError("relation row does not have one cell per column", line=line_of(row))
            rows.append(cells)
        return Relation(columns=columns, rows=tuple(rows), **self._common(element))

    def _list(self, element: etree._Element) -> ListExpression:
        items = tuple(self.expression(c) for c in element if local_name(c) in EXPRESSION_TAGS)
        return ListExpression(items=items, **self._common(element))

    def _conditional(self, element: etree._Element) -> Conditional:
        return Conditional(
            condition=self.expression_in(self.child(element, "if")),
            then=self.expression_in(self.child(element, "then")),
            otherwise=self.expression_in(self.child(element, "else")),
            **self._common(element),
        )

    def _iterator(self, element: etree._Element) -> Iterator:
        kind = local_name(element)
        body_tag = "return" if kind == "for" else "satisfies"
        variable = element.get("iteratorVariable")
        if not variable:
            raise DmnError(f"<{kind}> has no iteratorVariable", line=line_of(element))
        return Iterator(
            kind=kind,
            variable=variable,
            source=self.expression_in(self.child(element, "in")),
            body=self.expression_in(self.child(element, body_tag)),
            **self._common(element),
        )

    def _filter(self, element: etree._Element) -> Filter:
        return Filter(
            source=self.expression_in(self.child(element, "in")),
            match=self.expression_in(self.child(element, "match")),
            **self._common(element),
        )

    def function_definition(self, element: etree._Element) -> FunctionDefinition:
        params = tuple(self.information_item(p) for p in self.children(element, "formalParameter"))
        return FunctionDefinition(
            kind=element.get("kind") or "FEEL",
            parameters=params,
            body=self.expression_in(element),
            **self._common(element),
        )
