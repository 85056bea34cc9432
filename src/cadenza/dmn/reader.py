"""Reads a DMN document (DMN 1.1 to 1.5) into :mod:`cadenza.dmn.model` values."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from cadenza.dmn.errors import DmnError, describe
from cadenza.dmn.model import (
    BusinessKnowledgeModel,
    Decision,
    DecisionService,
    Definitions,
    FunctionDefinition,
    FunctionItem,
    Import,
    InformationItem,
    InputData,
    ItemDefinition,
    Requirements,
)
from cadenza.dmn.reader_expr import ExpressionReader, line_of, local_name
from cadenza.xmlsafe import DEFAULT_MAX_BYTES, XmlError, parse_xml, read_source

__all__ = ["DMN_NAMESPACES", "FEEL_NAMESPACES", "load_tree", "read_definitions"]

#: The model namespace of each DMN version this reader understands.
DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}

FEEL_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/FEEL/20140401",
        "http://www.omg.org/spec/DMN/20180521/FEEL/",
        "https://www.omg.org/spec/DMN/20191111/FEEL/",
        "https://www.omg.org/spec/DMN/20211108/FEEL/",
        "https://www.omg.org/spec/DMN/20230324/FEEL/",
    }
)


def load_tree(
    source: bytes | str | Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[etree._ElementTree, str | None]:
    """The document's lxml tree (comments kept, for writing back) and its path when read from a file.
    Parsed by :mod:`cadenza.xmlsafe`; a refused or malformed document is a :class:`DmnError` with its line."""
    try:
        data, origin = read_source(source, max_bytes)
        root = parse_xml(data, max_bytes=max_bytes, keep_comments=True)
    except XmlError as exc:
        raise DmnError(exc.message, line=exc.line) from exc
    return root.getroottree(), origin


def _type_ref(element: etree._Element, value: str | None) -> str | None:
    """Normalises a typeRef. DMN 1.1 wrote QNames (``feel:number``, ``tns:tLoan``): a prefix that the
    document declares is dropped, so every version yields the plain name that FEEL and itemDefinitions use."""
    if value is None:
        return None
    value = value.strip()
    prefix, sep, rest = value.partition(":")
    if sep and prefix in element.nsmap and " " not in prefix:
        return rest
    return value


def read_definitions(tree: etree._ElementTree) -> Definitions:
    """Builds the model from a parsed document; raises :class:`DmnError` naming the faulty element."""
    root = tree.getroot()
    namespace = etree.QName(root).namespace or ""
    if local_name(root) != "definitions" or namespace not in DMN_NAMESPACES:
        raise DmnError(f"not a DMN document: root element is {root.tag}", line=line_of(root))
    return _DrgReader(namespace).definitions(root)


class _DrgReader:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.x = ExpressionReader(namespace, _type_ref)

    def definitions(self, root: etree._Element) -> Definitions:
        x = self.x
        return Definitions(
            id=root.get("id"),
            name=root.get("name") or "",
            namespace=root.get("namespace") or "",
            dmn_version=DMN_NAMESPACES[self.namespace],
            imports=tuple(self._import(e) for e in x.children(root, "import")),
            item_definitions=tuple(self._item_definition(e) for e in x.children(root, "itemDefinition")),
            input_data=tuple(self._input_data(e) for e in x.children(root, "inputData")),
            decisions=tuple(self._decision(e) for e in x.children(root, "decision")),
            bkms=tuple(self._bkm(e) for e in x.children(root, "businessKnowledgeModel")),
            decision_services=tuple(self._service(e) for e in x.children(root, "decisionService")),
        )

    def _named(self, element: etree._Element) -> tuple[str, str]:
        tag = local_name(element)
        element_id, name = element.get("id"), element.get("name")
        if not name:
            raise DmnError(
                f"<{tag}> has no name", element=describe(tag, element_id, None), line=line_of(element)
            )
        if not element_id:
            # An id is optional in the schema for some elements, but requirements refer to ids: use the name.
            element_id = name
        return element_id, name

    def _variable(self, element: etree._Element, name: str) -> InformationItem:
        variable = self.x.child(element, "variable")
        if variable is None:
            return InformationItem(name)
        return InformationItem(name, _type_ref(variable, variable.get("typeRef")), variable.get("id"))

    def _import(self, element: etree._Element) -> Import:
        namespace = element.get("namespace")
        if not namespace:
            raise DmnError("<import> has no namespace", line=line_of(element))
        return Import(
            namespace,
            element.get("name") or "",
            element.get("locationURI"),
            element.get("importType"),
            line_of(element),
        )

    def _item_definition(self, element: etree._Element) -> ItemDefinition:
        x = self.x
        name = element.get("name")
        if not name:
            raise DmnError("<itemDefinition> has no name", element=element.get("id"), line=line_of(element))
        type_ref_el = x.child(element, "typeRef")
        type_ref = _type_ref(type_ref_el, type_ref_el.text) if type_ref_el is not None else None
        function_el = x.child(element, "functionItem")
        function_item = None
        if function_el is not None:
            params = tuple(x.information_item(p) for p in x.children(function_el, "parameters"))
            function_item = FunctionItem(_type_ref(function_el, function_el.get("outputTypeRef")), params)
        return ItemDefinition(
            name=name,
            id=element.get("id"),
            type_ref=type_ref,
            type_language=element.get("typeLanguage"),
            is_collection=element.get("isCollection") == "true",
            allowed_values=x.unary(x.child(element, "allowedValues")),
            type_constraint=x.unary(x.child(element, "typeConstraint")),
            components=tuple(self._item_definition(c) for c in x.children(element, "itemComponent")),
            function_item=function_item,
            line=line_of(element),
        )

    def _requirements(self, element: etree._Element) -> Requirements:
        x = self.x
        decisions: list[str] = []
        inputs: list[str] = []
        knowledge: list[str] = []
        for req in x.children(element, "informationRequirement"):
            for ref in x.children(req, "requiredDecision"):
                decisions.append(self._href(ref))
            for ref in x.children(req, "requiredInput"):
                inputs.append(self._href(ref))
        for req in x.children(element, "knowledgeRequirement"):
            knowledge.extend(self._href(ref) for ref in x.children(req, "requiredKnowledge"))
        return Requirements(tuple(decisions), tuple(inputs), tuple(knowledge))

    def _href(self, element: etree._Element) -> str:
        href = element.get("href")
        if not href:
            raise DmnError(f"<{local_name(element)}> has no href", line=line_of(element))
        return href.strip()

    def _input_data(self, element: etree._Element) -> InputData:
        element_id, name = self._named(element)
        return InputData(element_id, name, self._variable(element, name), line_of(element))

    def _decision(self, element: etree._Element) -> Decision:
        element_id, name = self._named(element)
        return Decision(
            element_id,
            name,
            self._variable(element, name),
            self._requirements(element),
            self.x.expression_in(element),
            line_of(element),
        )

    def _bkm(self, element: etree._Element) -> BusinessKnowledgeModel:
        element_id, name = self._named(element)
        logic_el = self.x.child(element, "encapsulatedLogic")
        logic: FunctionDefinition | None = None
        if logic_el is not None:
            logic = self.x.function_definition(logic_el)
        return BusinessKnowledgeModel(
            element_id,
            name,
            self._variable(element, name),
            self._requirements(element),
            logic,
            line_of(element),
        )

    def _service(self, element: etree._Element) -> DecisionService:
        element_id, name = self._named(element)

        def refs(tag: str) -> tuple[str, ...]:
            return tuple(self._href(e) for e in self.x.children(element, tag))

        return DecisionService(
            element_id,
            name,
            self._variable(element, name),
            refs("outputDecision"),
            refs("encapsulatedDecision"),
            refs("inputDecision"),
            refs("inputData"),
            line_of(element),
        )
