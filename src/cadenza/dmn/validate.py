"""Static checks of a model at load time: unique ids, requirement references, an acyclic DRG."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cadenza.dmn.drg import DrgElement, find_cycle, literal_texts, requirement_edges
from cadenza.dmn.errors import DmnError, describe
from cadenza.dmn.model import BusinessKnowledgeModel, Decision, DecisionService, InputData

if TYPE_CHECKING:
    from cadenza.dmn.evaluate import DmnModel

__all__ = ["validate_model"]

_TAGS = {
    Decision: "decision",
    InputData: "inputData",
    BusinessKnowledgeModel: "businessKnowledgeModel",
    DecisionService: "decisionService",
}


def _name(element: DrgElement) -> str:
    return describe(_TAGS[type(element)], element.id, element.name)


def validate_model(model: DmnModel, *, lenient: bool = False) -> None:
    """Raises :class:`DmnError` naming the element and line of the first problem found.

    A cycle is always an error (the model cannot be evaluated); the other checks are skipped in lenient
    mode, where an unresolved reference simply evaluates to null."""
    defs = model.definitions
    elements: list[DrgElement] = [*defs.input_data, *defs.decisions, *defs.bkms, *defs.decision_services]
    if not lenient:
        _unique_ids(elements)
        for element in elements:
            _references(model, element)
        for bkm in defs.bkms:
            _not_self_invoking(bkm)
    _acyclic(model, elements)


def _unique_ids(elements: list[DrgElement]) -> None:
    seen: dict[str, DrgElement] = {}
    for element in elements:
        if element.id in seen:
            raise DmnError(f"duplicate id {element.id!r}", element=_name(element), line=element.line)
        seen[element.id] = element


def _expected(element: DrgElement) -> list[tuple[str, tuple[type, ...]]]:
    decision, knowledge = (Decision,), (BusinessKnowledgeModel, DecisionService)
    if isinstance(element, Decision):
        req = element.requirements
        return [
            *((href, decision) for href in req.decisions),
            *((href, (InputData,)) for href in req.inputs),
            *((href, knowledge) for href in req.knowledge),
        ]
    if isinstance(element, BusinessKnowledgeModel):
        return [(href, knowledge) for href in element.requirements.knowledge]
    if isinstance(element, DecisionService):
        return [
            *((href, decision) for href in (*element.output_decisions, *element.encapsulated_decisions)),
            *((href, decision) for href in element.input_decisions),
            *((href, (InputData,)) for href in element.input_data),
        ]
    return []


def _references(model: DmnModel, element: DrgElement) -> None:
    for href, kinds in _expected(element):
        found = model.resolve(href)
        if found is None:
            raise DmnError(
                f"requirement {href!r} refers to no element", element=_name(element), line=element.line
            )
        target = found[1]
        if not isinstance(target, kinds):
            raise DmnError(
                f"requirement {href!r} refers to {_name(target)}, which cannot be required here",
                element=_name(element),
                line=element.line,
            )


def _acyclic(model: DmnModel, elements: list[DrgElement]) -> None:
    graph: dict[str, list[str]] = {}
    for element in elements:
        if isinstance(element, DecisionService):
            continue  # a service is a function boundary, not a dependency on what its outputs require
        successors = []
        for href in requirement_edges(element):
            found = model.resolve(href)
            if found is not None and found[2] is None and not isinstance(found[1], DecisionService):
                successors.append(found[1].id)
        graph[element.id] = successors
    cycle = find_cycle(graph)
    if cycle:
        by_id = {element.id: element for element in elements}
        path = " -> ".join(by_id[node].name for node in cycle)
        first = by_id[cycle[0]]
        raise DmnError(f"cyclic requirements: {path}", element=_name(first), line=first.line)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _not_self_invoking(bkm: BusinessKnowledgeModel) -> None:
    """A BKM's own name is not in its scope (only its parameters and required BKMs are), so a body that
    calls it refers to an unknown name: DMN has no recursion between DRG elements."""
    if bkm.logic is None or any(p.name == bkm.name for p in bkm.logic.parameters):
        return
    call = re.compile(r"(?<![\w.])" + re.escape(bkm.name) + r"\s*\(")
    for text in literal_texts(bkm.logic.body):
        if call.search(_STRING.sub('""', text)):
            raise DmnError(
                "invokes itself, but its own name is not in its scope (DMN has no recursion)",
                element=_name(bkm),
                line=bkm.line,
            )
