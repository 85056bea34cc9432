"""Hit policies over the matched rules' results, and the splitting of output values into priority order."""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from functools import cmp_to_key
from typing import Any

from cadenza.feel.semantics import add, compare, equal
from cadenza.feel.values import FeelEvalError

__all__ = ["apply_hit_policy", "split_unary_tests"]

Row = tuple[int, str | None, Any]  # rule index, rule id, the rule's result


def _names(rows: Sequence[Row]) -> str:
    return ", ".join(f"{index}" + (f" (id={rule_id})" if rule_id else "") for index, rule_id, _ in rows)


def apply_hit_policy(
    hit_policy: str,
    aggregation: str | None,
    rows: Sequence[Row],
    priorities: Sequence[tuple[int, ...]],
    where: str,
) -> Any:
    """The table's result from its matched rows (at least one), in rule order."""
    results = [row[2] for row in rows]
    if hit_policy == "UNIQUE":
        if len(rows) > 1:
            raise FeelEvalError(f"{where}: hit policy UNIQUE violated, rules {_names(rows)} all match")
        return results[0]
    if hit_policy == "ANY":
        first = results[0]
        if any(equal(first, other) is not True for other in results[1:]):
            raise FeelEvalError(
                f"{where}: hit policy ANY violated, rules {_names(rows)} match with different outputs"
            )
        return first
    if hit_policy == "FIRST":
        return results[0]
    ordered = [row[2] for _, row in sorted(zip(priorities, rows, strict=True), key=lambda pair: pair[0])]
    if hit_policy == "PRIORITY":
        return ordered[0]
    if hit_policy == "OUTPUT ORDER":
        return ordered
    if hit_policy == "RULE ORDER" or not aggregation:
        return results
    return _aggregate(aggregation.upper(), results, where)


def _aggregate(aggregation: str, results: list[Any], where: str) -> Any:
    # The aggregations are FEEL's count, sum, min and max (DMN 1.5 8.2.11): count counts every output,
    # the others are null over an empty list or one holding a null.
    if aggregation == "COUNT":
        return decimal.Decimal(len(results))
    values = results
    if not values or any(value is None for value in values):
        return None
    if aggregation == "SUM":
        total = values[0]
        for value in values[1:]:
            total = add(total, value)
        return total
    if aggregation in ("MIN", "MAX"):

        def order(a: Any, b: Any) -> int:
            result = compare(a, b)
            if result is None:
                raise FeelEvalError(f"{where}: {aggregation} over values that cannot be compared")
            return result

        ordered = sorted(values, key=cmp_to_key(order))
        return ordered[0] if aggregation == "MIN" else ordered[-1]
    raise FeelEvalError(f"{where}: unknown aggregation {aggregation}")


def split_unary_tests(text: str) -> list[str]:
    """Splits ``"a", "b", [1..2]`` at its top-level commas (not inside strings, brackets or parentheses)."""
    parts: list[str] = []
    depth = 0
    in_string = False
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if in_string:
            current.append(char)
            if char == "\\":
                current.append(next(chars, ""))
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]
