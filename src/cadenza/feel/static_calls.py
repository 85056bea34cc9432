"""A static check of built-in invocations: ``string()`` or ``string("a", "b")`` can never succeed.

Such a call is an evaluation error whatever the inputs, so a strict loader may reject the model up front (the
DMN TCK lists models that do it under ``non-compliant``). A call is only judged when its name is certainly the
built-in: not bound by the caller's scope (``bound``), nor by the expression itself (function parameters,
iteration variables, context entries). Inside a filter condition every entry of the filtered contexts is in
scope, which cannot be known before evaluation, so calls there are not judged.

The walk uses an explicit stack: a long sum ``a + b + ... + z`` is a left-deep tree thousands of levels deep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Sequence

from cadenza.feel import nodes as n
from cadenza.feel.builtins import BUILTINS
from cadenza.feel.builtins.registry import BuiltinFunction, Signature

__all__ = ["builtin_call_problem"]

#: A node and the names the expression itself binds where it is evaluated (kept apart from ``bound``, which
#: may hold every name of a large model and is never copied).
_Item = tuple[n.Node, frozenset[str]]
_NONE: frozenset[str] = frozenset()


def builtin_call_problem(root: n.Node | n.UnaryTestsNode, bound: Collection[str]) -> str | None:
    """The first call of a built-in in ``root`` that no signature of it accepts, described; else None."""
    stack: list[_Item] = [(node, _NONE) for node in _nodes_in(root)]
    while stack:
        node, local = stack.pop()
        if isinstance(node, n.Call):
            problem = _call_problem(node, local, bound)
            if problem is not None:
                return problem
        stack.extend(reversed(list(_children(node, local))))
    return None


def _call_problem(call: n.Call, local: frozenset[str], bound: Collection[str]) -> str | None:
    if not isinstance(call.function, n.Name) or call.function.name in local or call.function.name in bound:
        return None
    name = call.function.name
    function = BUILTINS.get(name)
    if not isinstance(function, BuiltinFunction):
        return None
    signatures = function.signatures
    if call.named is not None:
        names = [key for key, _ in call.named]
        if any(s.accepts_names(names) for s in signatures):
            return None
        given = ", ".join(names) or "no parameters"
        return f"built-in function '{name}' has no signature with the named parameters {given}"
    if any(s.accepts_count(len(call.args)) for s in signatures):
        return None
    return f"built-in function '{name}' takes {_counts(signatures)}, not {len(call.args)}"


def _counts(signatures: Sequence[Signature]) -> str:
    """The accepted argument counts in words: ``1 argument``, ``1 or 3 arguments``, ``2 or more ...``."""
    limit = max(len(s.params) for s in signatures) + 1
    accepted = [k for k in range(limit + 1) if any(s.accepts_count(k) for s in signatures)]
    words = [str(k) for k in accepted]
    if any(s.params and s.params[-1].variadic for s in signatures):
        # Counts past the longest signature are all accepted: fold the run that reaches them into "n or more".
        first = limit
        while first - 1 in accepted:
            first -= 1
        words = [str(k) for k in accepted if k < first] + [f"{first} or more"]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return {"0": "no arguments", "1": "1 argument"}.get(text, text + " arguments")


def _children(node: n.Node, local: frozenset[str]) -> Iterator[_Item]:
    """The sub-expressions of ``node``, each with the names the expression binds where it is evaluated."""
    if isinstance(node, n.FunctionDef):
        if not node.external:  # an external body names host code; it is no FEEL to check
            yield node.body, local | {name for name, _ in node.params}
    elif isinstance(node, n.For | n.Quantified):
        inner = local
        for iteration in node.iterations:
            yield from ((part, inner) for part in (iteration.domain, iteration.end) if part is not None)
            inner = inner | {iteration.name}
        if isinstance(node, n.For):
            yield node.body, inner | {"partial"}
        else:
            yield node.condition, inner
    elif isinstance(node, n.ContextLit):
        # Every entry's key: a function defined in one entry may call another defined after it.
        inner = local | {key for key, _ in node.entries}
        yield from ((value, inner) for _, value in node.entries)
    elif isinstance(node, n.Filter):
        yield node.base, local
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            yield from ((child, local) for child in _nodes_in(getattr(node, field.name)))


def _nodes_in(value: object) -> Iterator[n.Node]:
    """The expression nodes held by a node's field: the node itself, or those in a (nested) tuple."""
    if isinstance(value, n.Node):
        yield value
    elif isinstance(value, n.UnaryTestsNode):
        yield from _nodes_in(value.tests)
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item)
