"""List built-ins (DMN 1.5 10.3.4.4). Positions are 1-based; negative positions count from the end."""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from typing import Any

from cadenza.feel.builtins.registry import builtin
from cadenza.feel.semantics import compare, equal
from cadenza.feel.values import DECIMAL_CONTEXT, FeelEvalError, FeelFunction

__all__: list[str] = []

Number = decimal.Decimal


def _list_or_varargs(name: str, *, nulls: bool = False) -> Callable[[Callable[[list[Any]], Any]], None]:
    """Registers ``name(list)`` and ``name(c1, c2, ...)`` with one implementation over a Python list."""

    def register(impl: Callable[[list[Any]], Any]) -> None:
        builtin(name, "list: list", nulls=nulls)(impl)
        builtin(name, "c...: Any", nulls=nulls)(impl)

    return register


def _index(position: Number, length: int) -> int:
    """A 0-based index from a 1-based FEEL position; a fractional position is truncated."""
    whole = int(position)
    if whole == 0 or abs(whole) > length:
        raise FeelEvalError(f"position {whole} is outside a list of {length} items")
    return whole - 1 if whole > 0 else length + whole


def _numbers(items: list[Any], name: str) -> list[Number]:
    if not all(isinstance(item, Number) for item in items):
        raise FeelEvalError(f"{name}: every item must be a number")
    return items


def _extreme(items: list[Any], sign: int) -> Any:
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = compare(item, best)
        if order is None:
            raise FeelEvalError("min/max: items are not comparable")
        if order == sign:
            best = item
    return best


@builtin("list contains", "list: list", "element: Any", nulls=True)
def list_contains(items: list[Any] | None, element: Any) -> bool | None:
    if items is None:
        return None
    return any(equal(item, element) is True for item in items)


@builtin("count", "list: list")
def count(items: list[Any]) -> Number:
    return Number(len(items))


@_list_or_varargs("min")
def feel_min(items: list[Any]) -> Any:
    return _extreme(items, -1)


@_list_or_varargs("max")
def feel_max(items: list[Any]) -> Any:
    return _extreme(items, 1)


@_list_or_varargs("sum")
def feel_sum(items: list[Any]) -> Number | None:
    if not items:
        return None
    return functools.reduce(DECIMAL_CONTEXT.add, _numbers(items, "sum"), Number(0))


@_list_or_varargs("mean")
def mean(items: list[Any]) -> Number | None:
    if not items:
        return None
    total = functools.reduce(DECIMAL_CONTEXT.add, _numbers(items, "mean"), Number(0))
    return DECIMAL_CONTEXT.divide(total, Number(len(items)))


@_list_or_varargs("product")
def product(items: list[Any]) -> Number | None:
    if not items:
        return None
    return functools.reduce(DECIMAL_CONTEXT.multiply, _numbers(items, "product"), Number(1))


@_list_or_varargs("median")
def median(items: list[Any]) -> Number | None:
    if not items:
        return None
    ordered = sorted(_numbers(items, "median"))
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return DECIMAL_CONTEXT.divide(DECIMAL_CONTEXT.add(ordered[middle - 1], ordered[middle]), Number(2))


@_list_or_varargs("stddev")
def stddev(items: list[Any]) -> Number | None:
    """The sample standard deviation (n - 1); null for fewer than two items."""
    numbers = _numbers(items, "stddev")
    if len(numbers) < 2:
        return None
    average = DECIMAL_CONTEXT.divide(sum(numbers, Number(0)), Number(len(numbers)))
    squares = sum((DECIMAL_CONTEXT.power(n - average, 2) for n in numbers), Number(0))
    return DECIMAL_CONTEXT.sqrt(DECIMAL_CONTEXT.divide(squares, Number(len(numbers) - 1)))


@_list_or_varargs("mode")
def mode(items: list[Any]) -> list[Number]:
    """The most frequent numbers, ascending; ``mode([])`` is ``[]``."""
    counts: dict[Number, int] = {}
    for number in _numbers(items, "mode"):
        counts[number] = counts.get(number, 0) + 1
    top = max(counts.values(), default=0)
    return sorted(number for number, seen in counts.items() if seen == top)


def _truth(items: list[Any], wanted: bool) -> bool | None:
    """``all`` (wanted False), ``any`` (wanted True): a deciding value wins, else null for a non-boolean."""
    if any(item is wanted for item in items):
        return wanted
    if all(isinstance(item, bool) for item in items):
        return not wanted
    return None


@_list_or_varargs("all", nulls=True)
def feel_all(items: list[Any] | None) -> bool | None:
    return None if items is None else _truth(items, False)


@_list_or_varargs("any", nulls=True)
def feel_any(items: list[Any] | None) -> bool | None:
    return None if items is None else _truth(items, True)


@builtin("sublist", "list: list", "start position: number", "length?: number")
def sublist(items: list[Any], start: Number, length: Number | None) -> list[Any]:
    begin = _index(start, len(items))
    if length is None:
        return items[begin:]
    if int(length) < 0 or begin + int(length) > len(items):
        raise FeelEvalError("sublist: length runs past the end of the list")
    return items[begin : begin + int(length)]


@builtin("append", "list: list", "item...: Any", nulls=True)
def append(items: list[Any] | None, extra: list[Any]) -> list[Any] | None:
    return None if items is None else [*items, *extra]


@builtin("concatenate", "lists...: list")
def concatenate(lists: list[Any]) -> list[Any]:
    if not all(isinstance(part, list) for part in lists):
        raise FeelEvalError("concatenate: every argument must be a list")
    return [item for part in lists for item in part]


@builtin("insert before", "list: list", "position: number", "newItem: Any", nulls=True)
def insert_before(items: list[Any] | None, position: Number | None, new_item: Any) -> list[Any] | None:
    if items is None or position is None:
        return None
    index = _index(position, len(items))
    return [*items[:index], new_item, *items[index:]]


@builtin("remove", "list: list", "position: number")
def remove(items: list[Any], position: Number) -> list[Any]:
    index = _index(position, len(items))
    return [*items[:index], *items[index + 1 :]]


@builtin("reverse", "list: list")
def reverse(items: list[Any]) -> list[Any]:
    return items[::-1]


@builtin("index of", "list: list", "match: Any", nulls=True)
def index_of(items: list[Any] | None, match: Any) -> list[Number] | None:
    if items is None:
        return None
    return [Number(i + 1) for i, item in enumerate(items) if equal(item, match) is True]


def _distinct(items: list[Any]) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        if not any(equal(item, seen) is True for seen in kept):
            kept.append(item)
    return kept


@builtin("union", "lists...: list")
def union(lists: list[Any]) -> list[Any]:
    return _distinct(concatenate(lists))


@builtin("distinct values", "list: list")
def distinct_values(items: list[Any]) -> list[Any]:
    return _distinct(items)


def _flatten(items: list[Any], out: list[Any], depth: int) -> None:
    if depth > 1000:
        raise FeelEvalError("flatten: nesting too deep")
    for item in items:
        if isinstance(item, list):
            _flatten(item, out, depth + 1)
        else:
            out.append(item)


@builtin("flatten", "list: list")
def flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    _flatten(items, out, 0)
    return out


@builtin("list replace", "list: list", "position: number", "newItem: Any", nulls=True)
def list_replace_at(items: list[Any] | None, position: Number | None, new_item: Any) -> list[Any] | None:
    if items is None or position is None:
        return None
    index = _index(position, len(items))
    return [*items[:index], new_item, *items[index + 1 :]]


@builtin("list replace", "list: list", "match: function", "newItem: Any", nulls=True)
def list_replace_matching(
    items: list[Any] | None, match: FeelFunction | None, new_item: Any
) -> list[Any] | None:
    if items is None or match is None:
        return None
    result = []
    for item in items:
        verdict = match.call([item, new_item])
        if not isinstance(verdict, bool):
            raise FeelEvalError("list replace: the match function must return true or false")
        result.append(new_item if verdict else item)
    return result


def _precedes_key(precedes: FeelFunction | None) -> Callable[[Any, Any], int]:
    def ordered(a: Any, b: Any) -> int:
        if precedes is None:
            order = compare(a, b)
            if order is None:
                raise FeelEvalError("sort: items are not comparable")
            return order
        if precedes.call([a, b]) is True:
            return -1
        return 1 if precedes.call([b, a]) is True else 0

    return ordered


@builtin("sort", "list: list", "precedes?: function")
def sort(items: list[Any], precedes: FeelFunction | None) -> list[Any]:
    return sorted(items, key=functools.cmp_to_key(_precedes_key(precedes)))
