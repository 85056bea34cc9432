"""The decision requirements graph: href resolution, cycle detection, and the names FEEL must know."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from cadenza.dmn.model import (
    BusinessKnowledgeModel,
    Conditional,
    Context,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    Expression,
    Filter,
    FunctionDefinition,
    InputData,
    Invocation,
    ItemDefinition,
    ListExpression,
    LiteralExpression,
    Relation,
)
from cadenza.dmn.model import (
    Iterator as IteratorExpr,
)

__all__ = ["DrgElement", "collect_names", "find_cycle", "literal_texts", "requirement_edges", "split_href"]

DrgElement = Decision | InputData | BusinessKnowledgeModel | DecisionService


def split_href(href: str) -> tuple[str, str]:
    """``namespace#id`` → (namespace, id); ``#id`` → ("", id). A bare id (no ``#``) is tolerated."""
    namespace, sep, element_id = href.partition("#")
    if not sep:
        return "", href
    return namespace, element_id


def requirement_edges(element: DrgElement) -> list[str]:
    """The hrefs an element depends on for evaluation (input data have none)."""
    if isinstance(element, Decision):
        req = element.requirements
        return [*req.decisions, *req.inputs, *req.knowledge]
    if isinstance(element, BusinessKnowledgeModel):
        return list(element.requirements.knowledge)
    if isinstance(element, DecisionService):
        return [*element.output_decisions, *element.input_decisions, *element.input_data]
    return []


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle in ``graph`` (node → successors) as a list of nodes, first node repeated at the end."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for successor in graph.get(node, ()):
            if successor not in graph:
                continue
            if state.get(successor) == 1:
                return [*path[path.index(successor) :], successor]
            if state.get(successor) is None:
                found = visit(successor)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def collect_names(definitions: Definitions, import_names: Mapping[str, Iterable[str]]) -> set[str]:
    """Every name a FEEL text in the model may use: DRG element names, item components, context entries,
    parameters, relation columns, iterator variables, and imported names qualified by their import."""
    elements: list[DrgElement] = [
        *definitions.input_data,
        *definitions.decisions,
        *definitions.bkms,
        *definitions.decision_services,
    ]
    names = {element.name for element in elements}
    for item in definitions.item_definitions:
        names.update(_component_names(item))
    for decision in definitions.decisions:
        names.update(_expression_names(decision.expression))
    for bkm in definitions.bkms:
        names.update(_expression_names(bkm.logic))
    # A dotted name whose head is itself a name (``Person.Gender`` as a parameter, beside ``Person``) stays
    # out of the table: FEEL reads it as a path, and functions bind such parameters as nested contexts too
    # (see ``boxed.make_function``). Other dotted names (``decision A 2.1``) must be known to parse.
    names = {name for name in names if name.partition(".")[0] not in names or "." not in name}
    for prefix, imported in import_names.items():
        for name in imported:
            names.add(name)
            names.add(f"{prefix}.{name}")
    return {name for name in names if name}


def _component_names(item: ItemDefinition) -> Iterator[str]:
    for component in item.components:
        yield component.name
        yield from _component_names(component)
    if item.function_item:
        yield from (p.name for p in item.function_item.parameters)


def _expression_names(expr: Expression | None) -> Iterator[str]:
    if expr is None:
        return
    if isinstance(expr, Context):
        for entry in expr.entries:
            if entry.variable:
                yield entry.variable.name
            yield from _expression_names(entry.value)
    elif isinstance(expr, FunctionDefinition):
        yield from (p.name for p in expr.parameters)
        yield from _expression_names(expr.body)
    elif isinstance(expr, Invocation):
        for binding in expr.bindings:
            yield binding.parameter.name
            yield from _expression_names(binding.value)
    elif isinstance(expr, Relation):
        yield from (c.name for c in expr.columns)
    elif isinstance(expr, DecisionTable):
        yield from (o.name for o in expr.outputs if o.name)
    else:
        yield from _nested_names(expr)


def _nested_names(expr: Expression) -> Iterator[str]:
    if isinstance(expr, IteratorExpr):
        yield expr.variable
        children: tuple[Expression | None, ...] = (expr.source, expr.body)
    elif isinstance(expr, Conditional):
        children = (expr.condition, expr.then, expr.otherwise)
    elif isinstance(expr, Filter):
        children = (expr.source, expr.match)
    elif isinstance(expr, ListExpression):
        children = expr.items
    else:
        children = ()
    for child in children:
        yield from _expression_names(child)


def literal_texts(expr: Expression | None) -> Iterator[str]:
    """Every FEEL text inside a boxed expression (decision table cells included)."""
    if expr is None:
        return
    if isinstance(expr, LiteralExpression):
        yield expr.text
    elif isinstance(expr, DecisionTable):
        yield from (clause.expression.text for clause in expr.inputs)
        for rule in expr.rules:
            yield from (cell.text for cell in rule.input_entries)
            yield from (cell.text for cell in rule.output_entries)
    else:
        for child in _children(expr):
            yield from literal_texts(child)


def _children(expr: Expression) -> tuple[Expression | None, ...]:
    if isinstance(expr, Context):
        return tuple(entry.value for entry in expr.entries)
    if isinstance(expr, FunctionDefinition):
        return (expr.body,)
    if isinstance(expr, Invocation):
        return (expr.callee, *(binding.value for binding in expr.bindings))
    if isinstance(expr, Relation):
        return tuple(cell for row in expr.rows for cell in row)
    if isinstance(expr, IteratorExpr):
        return (expr.source, expr.body)
    if isinstance(expr, Conditional):
        return (expr.condition, expr.then, expr.otherwise)
    if isinstance(expr, Filter):
        return (expr.source, expr.match)
    if isinstance(expr, ListExpression):
        return expr.items
    return ()
