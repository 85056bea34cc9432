"""The DMN model as immutable values: what the reader builds and the evaluator compiles.

Line numbers are carried for error messages only and take no part in equality, so a model written out and
read back compares equal to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BusinessKnowledgeModel",
    "Binding",
    "Conditional",
    "Context",
    "ContextEntry",
    "Decision",
    "DecisionService",
    "DecisionTable",
    "Definitions",
    "Expression",
    "Filter",
    "FunctionDefinition",
    "FunctionItem",
    "Import",
    "InformationItem",
    "InputClause",
    "InputData",
    "Invocation",
    "ItemDefinition",
    "Iterator",
    "ListExpression",
    "LiteralExpression",
    "OutputClause",
    "Relation",
    "Requirements",
    "Rule",
    "UnaryCell",
]


@dataclass(frozen=True)
class InformationItem:
    """A named, typed variable: a decision's variable, a parameter, a context entry's name, a column."""

    name: str
    type_ref: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Expression:
    """Base of every boxed expression."""

    id: str | None = field(default=None, kw_only=True)
    type_ref: str | None = field(default=None, kw_only=True)
    line: int | None = field(default=None, kw_only=True, compare=False)


@dataclass(frozen=True)
class LiteralExpression(Expression):
    text: str = ""
    language: str | None = None


@dataclass(frozen=True)
class UnaryCell:
    """A decision table cell holding unary tests (an input entry or an input's allowed values)."""

    text: str
    id: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class InputClause:
    id: str | None
    label: str | None
    expression: LiteralExpression
    input_values: UnaryCell | None = None


@dataclass(frozen=True)
class OutputClause:
    id: str | None
    name: str | None
    label: str | None
    type_ref: str | None
    output_values: UnaryCell | None = None
    default_output: LiteralExpression | None = None


@dataclass(frozen=True)
class Rule:
    id: str | None
    index: int  # 1-based, as the spec and the TCK number rules
    input_entries: tuple[UnaryCell, ...]
    output_entries: tuple[LiteralExpression, ...]
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DecisionTable(Expression):
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    inputs: tuple[InputClause, ...] = ()
    outputs: tuple[OutputClause, ...] = ()
    rules: tuple[Rule, ...] = ()
    output_label: str | None = None


@dataclass(frozen=True)
class ContextEntry:
    variable: InformationItem | None  # None: the context's final result
    value: Expression | None


@dataclass(frozen=True)
class Context(Expression):
    entries: tuple[ContextEntry, ...] = ()


@dataclass(frozen=True)
class Binding:
    parameter: InformationItem
    value: Expression | None


@dataclass(frozen=True)
class Invocation(Expression):
    callee: Expression | None = None
    bindings: tuple[Binding, ...] = ()


@dataclass(frozen=True)
class Relation(Expression):
    columns: tuple[InformationItem, ...] = ()
    rows: tuple[tuple[Expression | None, ...], ...] = ()


@dataclass(frozen=True)
class ListExpression(Expression):
    items: tuple[Expression | None, ...] = ()


@dataclass(frozen=True)
class Conditional(Expression):
    condition: Expression | None = None
    then: Expression | None = None
    otherwise: Expression | None = None


@dataclass(frozen=True)
class Iterator(Expression):
    """``for``/``some``/``every`` as boxed expressions (DMN 1.5 section 8.3.x)."""

    kind: str = "for"  # for | some | every
    variable: str = ""
    source: Expression | None = None
    body: Expression | None = None  # return (for) or satisfies (some/every)


@dataclass(frozen=True)
class Filter(Expression):
    source: Expression | None = None
    match: Expression | None = None


@dataclass(frozen=True)
class FunctionDefinition(Expression):
    kind: str = "FEEL"  # FEEL | Java | PMML
    parameters: tuple[InformationItem, ...] = ()
    body: Expression | None = None


@dataclass(frozen=True)
class FunctionItem:
    output_type_ref: str | None
    parameters: tuple[InformationItem, ...]


@dataclass(frozen=True)
class ItemDefinition:
    name: str
    id: str | None = None
    type_ref: str | None = None
    type_language: str | None = None
    is_collection: bool = False
    allowed_values: UnaryCell | None = None
    type_constraint: UnaryCell | None = None
    components: tuple[ItemDefinition, ...] = ()
    function_item: FunctionItem | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Requirements:
    """Hrefs as written (``#id`` or ``namespace#id``) of what an element requires."""

    decisions: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    knowledge: tuple[str, ...] = ()


@dataclass(frozen=True)
class InputData:
    id: str
    name: str
    variable: InformationItem
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    variable: InformationItem
    requirements: Requirements
    expression: Expression | None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BusinessKnowledgeModel:
    id: str
    name: str
    variable: InformationItem
    requirements: Requirements
    logic: FunctionDefinition | None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DecisionService:
    id: str
    name: str
    variable: InformationItem
    output_decisions: tuple[str, ...]
    encapsulated_decisions: tuple[str, ...]
    input_decisions: tuple[str, ...]
    input_data: tuple[str, ...]
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Import:
    namespace: str
    name: str
    location: str | None
    import_type: str | None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Definitions:
    id: str | None
    name: str
    namespace: str
    dmn_version: str
    imports: tuple[Import, ...] = ()
    item_definitions: tuple[ItemDefinition, ...] = ()
    input_data: tuple[InputData, ...] = ()
    decisions: tuple[Decision, ...] = ()
    bkms: tuple[BusinessKnowledgeModel, ...] = ()
    decision_services: tuple[DecisionService, ...] = ()
