"""Compiles FEEL syntax trees to closures: literals, names, operators, logic, lists, contexts and paths."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any, TypeVar

from cadenza.feel import nodes as n
from cadenza.feel import semantics
from cadenza.feel.compile_base import EVAL_ERRORS, MISSING, Env, Fn, builtin
from cadenza.feel.host import SCALAR_TYPES
from cadenza.feel.temporal import parse_temporal_literal, property_of
from cadenza.feel.values import FeelEvalError, Range

__all__ = ["compile_node", "handles"]

_DISPATCH: dict[type[n.Node], Callable[[Any], Fn]] = {}
N = TypeVar("N", bound=n.Node)

_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": semantics.add,
    "-": semantics.subtract,
    "*": semantics.multiply,
    "/": semantics.divide,
    "**": semantics.power,
}
_ORDER: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}


def handles(kind: type[N]) -> Callable[[Callable[[N], Fn]], Callable[[N], Fn]]:
    """Registers the compiler of one node type (the flow and test modules add theirs)."""

    def register(compiler: Callable[[N], Fn]) -> Callable[[N], Fn]:
        _DISPATCH[kind] = compiler
        return compiler

    return register


def compile_node(node: n.Node) -> Fn:
    return _DISPATCH[type(node)](node)


def constant(value: Any) -> Fn:
    return lambda env: value  # noqa: ARG005


def failing(message: str) -> Fn:
    def run(env: Env) -> Any:
        env.warn(message)
        return None

    return run


@handles(n.Literal)
def _literal(node: n.Literal) -> Fn:
    return constant(node.value)


@handles(n.Invalid)
def _invalid(node: n.Invalid) -> Fn:
    return failing(node.message)


@handles(n.TemporalLiteral)
def _temporal(node: n.TemporalLiteral) -> Fn:
    try:
        return constant(parse_temporal_literal(node.text))
    except EVAL_ERRORS as exc:
        return failing(f'@"{node.text}": {exc}')


def lookup_name(name: str) -> Fn:
    # Env.lookup inlined: this is the hottest closure of all.
    def run(env: Env) -> Any:
        e: Env | None = env
        while e is not None:
            scope = e.vars
            if name in scope:
                value = scope[name]
                if e.trusted or type(value) in SCALAR_TYPES:
                    return value
                return e.feel_value(name, value)
            e = e.parent
        function = builtin(name)
        if function is None:
            return _dotted(name, env)
        return function

    return run


def _dotted(name: str, env: Env) -> Any:
    """A known name such as ``Person.Gender`` that is not bound: read it as the path it spells."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        value = env.lookup(".".join(parts[:cut]))
        if value is not MISSING:
            for part in parts[cut:]:
                value = (
                    [_property(v, part, env) for v in value]
                    if isinstance(value, list)
                    else _property(value, part, env)
                )
            return value
    env.warn(f"no variable named {name!r}")
    return None


@handles(n.Name)
def _name(node: n.Name) -> Fn:
    return lookup_name(node.name)


@handles(n.Negate)
def _negate(node: n.Negate) -> Fn:
    operand, count = compile_node(node.operand), node.count

    def run(env: Env) -> Any:
        value = operand(env)
        try:
            for _ in range(count):
                value = semantics.negate(value)
        except EVAL_ERRORS as exc:
            env.warn(str(exc))
            return None
        return value

    return run


@handles(n.Arith)
def _arith(node: n.Arith) -> Fn:
    # Flatten the left spine ("a + b - c + ...") into a loop: long sums must not become deep recursion.
    steps: list[tuple[Callable[[Any, Any], Any], Fn]] = []
    left: n.Node = node
    while isinstance(left, n.Arith):
        steps.append((_ARITH[left.op], compile_node(left.right)))
        left = left.left
    steps.reverse()
    first = compile_node(left)

    def run(env: Env) -> Any:
        value = first(env)
        for operation, right in steps:
            try:
                value = operation(value, right(env))
            except EVAL_ERRORS as exc:
                env.warn(str(exc) or type(exc).__name__)
                value = None
        return value

    return run


def _ordering(op: str, left: Any, right: Any, env: Env) -> bool | None:
    if op in ("=", "!="):
        same = semantics.equal(left, right)
        return same if same is None or op == "=" else not same
    order = semantics.compare(left, right)
    if order is None:
        if left is not None and right is not None:
            env.warn(f"cannot compare {semantics.type_name(left)} with {semantics.type_name(right)}")
        return None
    return _ORDER[op](order)


def compare_values(op: str, left: Any, right: Any, env: Env) -> bool | None:
    try:
        return _ordering(op, left, right, env)
    except EVAL_ERRORS as exc:
        env.warn(str(exc))
        return None


@handles(n.Compare)
def _compare(node: n.Compare) -> Fn:
    left, right, op = compile_node(node.left), compile_node(node.right), node.op
    return lambda env: compare_values(op, left(env), right(env), env)


@handles(n.And)
def _and(node: n.And) -> Fn:
    operands = [compile_node(o) for o in node.operands]

    def run(env: Env) -> bool | None:
        result: bool | None = True
        for operand in operands:
            value = operand(env)
            if value is False:
                return False
            if value is not True:
                result = None  # three-valued: unknown unless some other operand is false
        return result

    return run


@handles(n.Or)
def _or(node: n.Or) -> Fn:
    operands = [compile_node(o) for o in node.operands]

    def run(env: Env) -> bool | None:
        result: bool | None = False
        for operand in operands:
            value = operand(env)
            if value is True:
                return True
            if value is not False:
                result = None
        return result

    return run


@handles(n.If)
def _if(node: n.If) -> Fn:
    condition, then, otherwise = (compile_node(x) for x in (node.condition, node.then, node.otherwise))
    # A null or non-boolean condition takes the else branch (DMN 1.5 10.3.2.4).
    return lambda env: then(env) if condition(env) is True else otherwise(env)


@handles(n.Between)
def _between(node: n.Between) -> Fn:
    value, low, high = (compile_node(x) for x in (node.value, node.low, node.high))

    def run(env: Env) -> bool | None:
        subject = value(env)
        above = compare_values(">=", subject, low(env), env)
        below = compare_values("<=", subject, high(env), env)
        if above is False or below is False:
            return False
        return None if above is None or below is None else True

    return run


@handles(n.InstanceOf)
def _instance_of(node: n.InstanceOf) -> Fn:
    value, wanted = compile_node(node.value), node.type

    def run(env: Env) -> bool | None:
        try:
            return wanted.is_instance(value(env))
        except FeelEvalError as exc:
            env.warn(str(exc))
            return None

    return run


@handles(n.ListLit)
def _list(node: n.ListLit) -> Fn:
    items = [compile_node(item) for item in node.items]
    return lambda env: [item(env) for item in items]


@handles(n.ContextLit)
def _context(node: n.ContextLit) -> Fn:
    keys = [key for key, _ in node.entries]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        return failing(f"duplicate context entry {duplicates[0]!r}")
    entries = [(key, compile_node(value)) for key, value in node.entries]

    def run(env: Env) -> dict[str, Any]:
        result: dict[str, Any] = {}
        scope = env.child(result)  # later entries (and functions defined here) see earlier ones
        for key, value in entries:
            result[key] = value(scope)
        return result

    return run


@handles(n.RangeLit)
def _range(node: n.RangeLit) -> Fn:
    start = compile_node(node.start) if node.start is not None else constant(None)
    end = compile_node(node.end) if node.end is not None else constant(None)
    start_included, end_included = node.start_included, node.end_included

    def run(env: Env) -> Range | None:
        low, high = start(env), end(env)
        if low is None or high is None:
            # Only "< x" style ranges are unbounded; a null endpoint written out is an error (TCK 0072).
            env.warn("a range endpoint is null")
            return None
        order = semantics.compare(low, high)
        if order is None or order > 0:
            env.warn(
                "range endpoints are not comparable" if order is None else "range start is after its end"
            )
            return None
        return Range(low, high, start_included, end_included)

    return run


def _point(value: Any) -> Range:
    return Range(value, value, True, True)


@handles(n.UnaryCompare)
def _unary_compare(node: n.UnaryCompare) -> Fn:
    # As a value, "< 10" is the range (null..10) (DMN 1.5 10.3.2.7); "=" and "!=" have no range form.
    operand, op = compile_node(node.operand), node.op
    if op == "=":
        return lambda env: _point(operand(env))
    if op == "!=":
        return failing("'!=' without a left operand is only allowed in unary tests")
    low_side = op in (">", ">=")

    def run(env: Env) -> Range:
        value = operand(env)
        if low_side:
            return Range(value, None, op == ">=", False)
        return Range(None, value, False, op == "<=")

    return run


def _property(value: Any, name: str, env: Env) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    if value is None:
        return None
    try:
        result = property_of(value, name)
    except EVAL_ERRORS as exc:
        env.warn(str(exc))
        return None
    if result is None:
        env.warn(f"a {semantics.type_name(value)} has no property {name!r}")
    return result


@handles(n.Path)
def _path(node: n.Path) -> Fn:
    base, name = compile_node(node.base), node.name

    def run(env: Env) -> Any:
        value = base(env)
        if isinstance(value, list):
            return [_property(item, name, env) for item in value]
        return _property(value, name, env)

    return run


def index(items: list[Any], position: Any) -> Any:
    """``L[n]``: 1-based, negative from the end; out of range (or not an integer) is null."""
    if not isinstance(position, decimal.Decimal) or not position.is_finite() or position != int(position):
        return None
    at = int(position)
    if at > 0 and at <= len(items):
        return items[at - 1]
    if at < 0 and -at <= len(items):
        return items[at]
    return None


@handles(n.Filter)
def _filter(node: n.Filter) -> Fn:
    base, condition = compile_node(node.base), compile_node(node.condition)

    def run(env: Env) -> Any:
        value = base(env)
        items = value if isinstance(value, list) else [value]
        if not items:
            probe = condition(env.child({}))
            return None if isinstance(probe, decimal.Decimal) else []
        selected = []
        for position, item in enumerate(items):
            scope = {"item": item, **item} if isinstance(item, dict) else {"item": item}
            verdict = condition(env.child(scope))
            if position == 0 and isinstance(verdict, decimal.Decimal):
                return index(items, verdict)  # a numeric filter is an index (DMN 1.5 10.3.2.5)
            if verdict is True:
                selected.append(item)
        return selected

    return run
