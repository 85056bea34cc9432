"""BPMN XML -> :class:`Definitions`: the scope walk and the deploy-time pipeline (load the XML through
:mod:`cadenza.xmlsafe`, read every element, validate the structure, link). Problems are collected throughout
and raised together.
"""

from __future__ import annotations

from lxml import etree

from cadenza.bpmn.activities import ACTIVITY_TAGS, GATEWAY_TAGS, build_activity, build_gateway
from cadenza.bpmn.context import BPMN_NS, BuildContext, RootRefs, XmlElement, bpmn_tag, line_of, local_name
from cadenza.bpmn.errors import BpmnError, Problem, Problems
from cadenza.bpmn.events import EVENT_TAGS, Role, build_event
from cadenza.bpmn.expressions import ExpressionCompiler, FeelCompiler, default_feel_compiler
from cadenza.bpmn.linker import RawFlow, Skeleton, link
from cadenza.bpmn.model import Definitions, FlowNode
from cadenza.bpmn.validate import check_duplicate_ids, check_process
from cadenza.bpmn.zeebe_ext import ZeebeReader
from cadenza.xmlsafe import DEFAULT_MAX_BYTES, XmlError, parse_xml

__all__ = ["BUSINESS_KEY_PROPERTY", "DEFAULT_MAX_BYTES", "parse_bpmn"]
#: The ``zeebe:property`` name that holds a process's business-key expression (see ARCHITECTURE.md).
BUSINESS_KEY_PROPERTY = "cadenza:businessKey"

# Children of a scope that carry no execution semantics: diagram-only artefacts and lane bookkeeping.
_IGNORED = frozenset(
    {
        "extensionElements",
        "documentation",
        "laneSet",
        "textAnnotation",
        "association",
        "group",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "incoming",
        "outgoing",
        "completionCondition",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
        "property",
        "dataInputAssociation",
        "dataOutputAssociation",
    }
)
_SCOPE_TAGS = frozenset({"subProcess", "adHocSubProcess"})


def _root_refs(root: XmlElement) -> RootRefs:
    refs = RootRefs()
    for name, table in (
        ("message", refs.messages),
        ("error", refs.errors),
        ("escalation", refs.escalations),
        ("signal", refs.signals),
    ):
        for node in root.findall(bpmn_tag(name)):
            if node.get("id"):
                table[node.get("id", "")] = node
    return refs


def _flow(node: XmlElement, ctx: BuildContext, scope_id: str) -> RawFlow:
    condition_node = node.find(bpmn_tag("conditionExpression"))
    text = None if condition_node is None else (condition_node.text or "").strip()
    condition = ctx.expr.feel(text or None, "conditionExpression", ctx.report(node))
    return RawFlow(
        id=node.get("id", ""),
        source_id=node.get("sourceRef", ""),
        target_id=node.get("targetRef", ""),
        scope_id=scope_id,
        name=node.get("name"),
        condition=condition,
        line=line_of(node),
    )


def _build(child: XmlElement, tag: str, ctx: BuildContext, scope_id: str, role: Role) -> FlowNode | None:
    if tag in EVENT_TAGS:
        return build_event(child, tag, ctx, scope_id, role)
    if tag in ACTIVITY_TAGS:
        return build_activity(child, tag, ctx, scope_id)
    if tag in GATEWAY_TAGS:
        return build_gateway(child, tag, ctx, scope_id)
    if tag not in _IGNORED:
        ctx.report(child)(f"unsupported element: bpmn:{tag}")
    return None


def _walk(scope: XmlElement, scope_id: str, role: Role, ctx: BuildContext, sk: Skeleton) -> None:
    """Reads one scope's children in document order, descending into sub-processes (pre-order)."""
    for child in scope:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
            continue
        tag = local_name(child)
        if tag == "sequenceFlow":
            if child.get("id"):
                sk.flows.append(_flow(child, ctx, scope_id))
            else:
                ctx.report(child)("bpmn:sequenceFlow has no id")
            continue
        node = _build(child, tag, ctx, scope_id, role)
        if node is None:
            continue
        if not node.id:
            ctx.report(child)(f"bpmn:{tag} has no id")
            continue
        if node.id in sk.nodes:
            continue  # reported by check_duplicate_ids
        sk.nodes[node.id] = node
        sk.children[scope_id].append(node.id)
        if child.get("default") and tag in GATEWAY_TAGS:
            sk.defaults[node.id] = child.get("default", "")
        if tag in _SCOPE_TAGS:
            by_event = (child.get("triggeredByEvent") or "").strip() == "true"
            _walk(child, node.id, Role.EVENT_SUBPROCESS_START if by_event else Role.SUBPROCESS_START, ctx, sk)


def _read_process(node: XmlElement, ctx: BuildContext) -> Skeleton:
    process_id = node.get("id", "")
    report = ctx.report(node)
    ext = ctx.extensions(node)
    properties = dict(ctx.zeebe.properties(ext))
    version_tag = ctx.zeebe.find(ext, "versionTag")
    sk = Skeleton(
        process_id=process_id,
        name=node.get("name"),
        line=line_of(node),
        version_tag=None if version_tag is None else version_tag.get("value"),
        business_key=ctx.expr.value(properties.get(BUSINESS_KEY_PROPERTY), BUSINESS_KEY_PROPERTY, report),
        properties=properties,
        embedded_forms={
            form.get("id", ""): form.text or ""
            for form in ctx.zeebe.find_all(ext, "userTaskForm")
            if form.get("id")
        },
    )
    if not process_id:
        report("process has no id")
    _walk(node, process_id, Role.PROCESS_START, ctx, sk)
    return sk


def parse_bpmn(
    data: bytes,
    *,
    resource_name: str = "model.bpmn",
    max_bytes: int = DEFAULT_MAX_BYTES,
    feel_compiler: FeelCompiler | None = None,
) -> Definitions:
    """Read a BPMN file made for Zeebe into an executable model; raises :class:`BpmnError` listing every
    problem. Only processes with ``isExecutable="true"`` are kept, as Zeebe does."""
    if not isinstance(data, bytes):
        # Text would bypass the document's own encoding declaration and the byte-level DOCTYPE scan.
        raise TypeError(f"parse_bpmn expects the file's bytes, not {type(data).__name__}")
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except XmlError as error:
        raise BpmnError([Problem(None, error.line, error.message)], resource_name) from error
    problems = Problems()
    if root.tag != bpmn_tag("definitions"):
        problems.add(
            None, line_of(root), "the root element is not bpmn:definitions (BPMN 2.0 model namespace)"
        )
        problems.raise_if_any(resource_name)
    compiler = ExpressionCompiler(feel_compiler or default_feel_compiler())
    ctx = BuildContext(compiler, ZeebeReader(compiler), problems, _root_refs(root))
    check_duplicate_ids(root, problems)
    executable = [
        n for n in root.findall(bpmn_tag("process")) if (n.get("isExecutable") or "").strip() == "true"
    ]
    if not executable:
        problems.add(None, line_of(root), 'the file has no executable process (isExecutable="true")')
    skeletons = [_read_process(node, ctx) for node in executable]
    for sk in skeletons:
        check_process(sk, problems)
    problems.raise_if_any(resource_name)
    processes = tuple(link(sk) for sk in skeletons)
    return Definitions(id=root.get("id"), resource_name=resource_name, processes=processes)
