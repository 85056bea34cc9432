"""A loaded DMN model: its DRG compiled once, and the evaluation of decisions and decision services.

Within one ``evaluate`` call each decision is evaluated at most once (its value is memoised in the session),
whatever the number of decisions requiring it. A decision sees only what it requires: the names (not ids) of
its required input data, decisions and BKMs/decision services; imported elements appear as ``import.name``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from cadenza.dmn.audit import DecisionAudit, DecisionResult, Scope, Session, visible_inputs
from cadenza.dmn.boxed import Compiler, Evaluator, make_function
from cadenza.dmn.drg import DrgElement, collect_names, split_href
from cadenza.dmn.errors import DmnError, describe
from cadenza.dmn.feelc import FeelCompiler, Where
from cadenza.dmn.itemdef import DmnType, TypeResolver, conform, conform_argument
from cadenza.dmn.model import (
    BusinessKnowledgeModel,
    Decision,
    DecisionService,
    Definitions,
    InputData,
    Requirements,
)
from cadenza.dmn.validate import validate_model
from cadenza.feel.host import to_feel_scope
from cadenza.feel.values import FeelEvalError, NativeFunction, Param

__all__ = ["DmnModel"]

_BkmLogic = tuple[list[tuple[str, DmnType]], Evaluator]


class DmnModel:
    """A DMN model ready to evaluate. Build it with :func:`cadenza.dmn.load_dmn`."""

    def __init__(
        self,
        definitions: Definitions,
        tree: etree._ElementTree,
        *,
        imports: Mapping[str, DmnModel] | None = None,
        origin: str | None = None,
        lenient: bool = False,
    ) -> None:
        self.definitions = definitions
        self.origin = origin
        self.imports: dict[str, DmnModel] = dict(imports or {})
        self._tree = tree
        self._by_id: dict[str, DrgElement] = {}
        elements: list[DrgElement] = [
            *definitions.input_data,
            *definitions.decisions,
            *definitions.bkms,
            *definitions.decision_services,
        ]
        for element in elements:
            self._by_id.setdefault(element.id, element)
        validate_model(self, lenient=lenient)
        imported_names = {prefix: model.element_names() for prefix, model in self.imports.items()}
        self._feel = FeelCompiler(collect_names(definitions, imported_names), lenient=lenient)
        self.types: TypeResolver = TypeResolver(
            definitions.item_definitions, self._feel, {p: m.types for p, m in self.imports.items()}
        )
        for item in definitions.item_definitions:
            self.types.resolve(item.name)  # a faulty item definition fails the load, not an evaluation
        compiler = Compiler(self._feel, self.types)
        self._decision_logic = {
            d.id: compiler.compile(d.expression, Where(describe("decision", d.id, d.name), line=d.line))
            for d in definitions.decisions
        }
        self._bkm_logic = {b.id: self._compile_bkm(b, compiler) for b in definitions.bkms}
        self._var_types = {e.id: self.types.resolve(e.variable.type_ref) for e in self._by_id.values()}
        self._element_names = {e.name for e in self._by_id.values()} | set(self.imports)

    # -- the public face ---------------------------------------------------------------------------------
    @property
    def namespace(self) -> str:
        return self.definitions.namespace

    @property
    def decisions(self) -> Mapping[str, Decision]:
        return {d.id: d for d in self.definitions.decisions}

    def decision_by_id(self, decision_id: str) -> Decision:
        element = self._by_id.get(decision_id)
        if not isinstance(element, Decision):
            raise DmnError(f"no decision with id {decision_id!r} in model {self.definitions.name!r}")
        return element

    def decision_by_name(self, name: str) -> Decision:
        for decision in self.definitions.decisions:
            if decision.name == name:
                return decision
        raise DmnError(f"no decision named {name!r} in model {self.definitions.name!r}")

    def find_decision(self, key: str) -> Decision:
        element = self._by_id.get(key)
        return element if isinstance(element, Decision) else self.decision_by_name(key)

    def element_names(self) -> list[str]:
        return [element.name for element in self._by_id.values()]

    def element(self, element_id: str) -> DrgElement | None:
        return self._by_id.get(element_id)

    def evaluate(self, decision: str, inputs: Mapping[str, Any] | None = None) -> DecisionResult:
        """Evaluates the decision (by id or name) and everything it requires, once each."""
        target = self.find_decision(decision)
        session = Session()
        value = self._decision_value(target, session, dict(to_feel_scope(inputs or {})))
        return DecisionResult(target.id, target.name, value, session.audit)

    def evaluate_service(self, service: str, inputs: Mapping[str, Any] | None = None) -> DecisionResult:
        """Invokes a decision service (by id or name) with its parameters given by name."""
        found = self._by_id.get(service)
        if not isinstance(found, DecisionService):
            found = next((s for s in self.definitions.decision_services if s.name == service), None)
        if found is None:
            raise DmnError(f"no decision service {service!r} in model {self.definitions.name!r}")
        session = Session()
        value = self._run_service(found, dict(to_feel_scope(inputs or {})), session)
        return DecisionResult(found.id, found.name, value, session.audit)

    def invoke_bkm(self, bkm: str, arguments: Mapping[str, Any] | None = None) -> DecisionResult:
        """Invokes a business knowledge model (by id or name) with its parameters given by name."""
        found = self._by_id.get(bkm)
        if not isinstance(found, BusinessKnowledgeModel):
            found = next((b for b in self.definitions.bkms if b.name == bkm), None)
        if found is None:
            raise DmnError(f"no business knowledge model {bkm!r} in model {self.definitions.name!r}")
        session = Session()
        frame = DecisionAudit(found.id, found.name, inputs=dict(to_feel_scope(arguments or {})))
        session.push(frame)
        try:
            function = self._bkm_function(found, session, {})
            frame.output = _run(
                lambda _scope: function.call_named(frame.inputs), Scope({}, session), found.name
            )
        finally:
            session.pop()
        return DecisionResult(found.id, found.name, frame.output, session.audit)

    def to_xml(self) -> bytes:
        """The document as read (DMNDI, extensions and unknown attributes included)."""
        return etree.tostring(self._tree, xml_declaration=True, encoding="UTF-8")

    # -- resolution ------------------------------------------------------------------------------------
    def resolve(self, href: str) -> tuple[DmnModel, DrgElement, str | None] | None:
        """The model holding the element an href names, the element, and its import prefix (None: local)."""
        namespace, element_id = split_href(href)
        if not namespace or namespace == self.namespace:
            element = self._by_id.get(element_id)
            return (self, element, None) if element is not None else None
        for prefix, model in self.imports.items():
            if model.namespace == namespace:
                element = model.element(element_id)
                return (model, element, prefix) if element is not None else None
        return None

    def _key(self, element_id: str) -> str:
        return f"{self.namespace}#{element_id}"

    # -- evaluation ------------------------------------------------------------------------------------
    def _decision_value(self, decision: Decision, session: Session, inputs: Mapping[str, Any]) -> Any:
        key = self._key(decision.id)
        if key in session.values:
            return session.values[key]
        frame = DecisionAudit(decision.id, decision.name)
        session.push(frame)
        try:
            if decision.expression is None:
                # A decision without logic (DMN 1.5 allows it) takes its value from the caller, if given.
                value = inputs.get(decision.name)
            else:
                variables = {
                    **self._free_inputs(inputs),
                    **self._requirement_scope(decision.requirements, session, inputs),
                }
                frame.inputs = visible_inputs(variables)
                value = _run(self._decision_logic[decision.id], Scope(variables, session), decision.name)
            value = conform(
                self._var_types[decision.id], value, session.warnings, f"decision '{decision.name}'"
            )
            frame.output = value
        finally:
            session.pop()
        session.values[key] = value
        return value

    def _free_inputs(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs that name no element of the DRG are visible to every decision.

        Models written for Camunda/Zeebe often declare no input data and read process variables straight
        from their tables; names of DRG elements still follow the DRG's scoping rules."""
        return {name: value for name, value in inputs.items() if name not in self._element_names}

    def _requirement_scope(
        self, req: Requirements, session: Session, inputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        variables: dict[str, Any] = {}
        for href in (*req.inputs, *req.decisions, *req.knowledge):
            found = self.resolve(href)
            if found is None:
                continue  # reported at load time; lenient models evaluate the reference as null
            model, element, prefix = found
            value = model._value_of(element, session, _inputs_for(inputs, prefix))
            if prefix is None:
                variables[element.name] = value
            else:
                # Both spellings, so ``lib.Tax Rate`` resolves whether FEEL reads it as a path or as one name.
                variables[prefix] = {**variables.get(prefix, {}), element.name: value}
                variables[f"{prefix}.{element.name}"] = value
        return variables

    def _value_of(self, element: DrgElement, session: Session, inputs: Mapping[str, Any]) -> Any:
        if isinstance(element, Decision):
            return self._decision_value(element, session, inputs)
        if isinstance(element, InputData):
            return self._input_value(element, session, inputs)
        if isinstance(element, BusinessKnowledgeModel):
            return self._bkm_function(element, session, inputs)
        return self._service_function(element, session)

    def _input_value(self, element: InputData, session: Session, inputs: Mapping[str, Any]) -> Any:
        key = self._key(element.id)
        if key not in session.values:
            what = f"input data '{element.name}'"
            session.values[key] = conform(
                self._var_types[element.id], inputs.get(element.name), session.warnings, what
            )
        return session.values[key]

    def _compile_bkm(self, bkm: BusinessKnowledgeModel, compiler: Compiler) -> _BkmLogic:
        logic = bkm.logic
        if logic is None:
            return [], lambda _scope: None
        where = Where(describe("business knowledge model", bkm.id, bkm.name), line=bkm.line)
        params = [(p.name, self.types.resolve(p.type_ref)) for p in logic.parameters]
        body = compiler.compile(logic.body, where)
        result_type = self.types.resolve(logic.type_ref)

        def typed_body(scope: Scope) -> Any:
            return conform(result_type, body(scope), scope.session.warnings, f"result of '{bkm.name}'")

        return params, typed_body

    def _bkm_function(self, bkm: BusinessKnowledgeModel, session: Session, inputs: Mapping[str, Any]) -> Any:
        key = self._key(bkm.id)
        if key not in session.values:
            variables = self._requirement_scope(bkm.requirements, session, inputs)
            params, body = self._bkm_logic[bkm.id]
            session.values[key] = make_function(bkm.name, params, body, Scope(variables, session))
        return session.values[key]

    def _service_function(self, service: DecisionService, session: Session) -> NativeFunction:
        names = [self._ref_name(href) for href in (*service.input_data, *service.input_decisions)]

        def impl(*args: Any) -> Any:
            return self._run_service(service, dict(zip(names, args, strict=True)), session)

        return NativeFunction(service.name, [Param(name) for name in names], impl)

    def _ref_name(self, href: str) -> str:
        found = self.resolve(href)
        return found[1].name if found else href

    def _run_service(self, service: DecisionService, args: Mapping[str, Any], session: Session) -> Any:
        inner = Session()
        inner.depth = session.depth + 1
        if inner.depth > Session.MAX_DEPTH:
            raise FeelEvalError(f"{service.name}: invocations nested too deeply")
        for href in service.input_decisions:
            found = self.resolve(href)
            if found is not None:
                model, element, _ = found
                what = f"decision service '{service.name}': parameter '{element.name}'"
                value = conform_argument(model._var_types[element.id], args.get(element.name), what)
                inner.values[model._key(element.id)] = value
        results = self._service_outputs(service, inner, args)
        session.audit.extend(inner.audit)
        value = results[0][1] if len(results) == 1 else dict(results)
        return conform(
            self._var_types[service.id], value, session.warnings, f"decision service '{service.name}'"
        )

    def _service_outputs(
        self, service: DecisionService, session: Session, args: Mapping[str, Any]
    ) -> list[tuple[str, Any]]:
        results = []
        for href in service.output_decisions:
            found = self.resolve(href)
            if found is not None:
                model, decision, _ = found
                if isinstance(decision, Decision):
                    results.append((decision.name, model._decision_value(decision, session, args)))
        return results


def _inputs_for(inputs: Mapping[str, Any], prefix: str | None) -> Mapping[str, Any]:
    """An imported model's input data are given as a context under the import's name."""
    if prefix is None:
        return inputs
    nested = inputs.get(prefix)
    return nested if isinstance(nested, Mapping) else {}


def _run(evaluate: Callable[[Scope], Any], scope: Scope, name: str) -> Any:
    try:
        return evaluate(scope)
    except FeelEvalError as exc:
        scope.session.warn(str(exc), name)
    except RecursionError:
        scope.session.warn(f"{name}: evaluation nested too deeply", name)
    return None
