"""Range built-ins (DMN 1.5 10.3.4.9): before, after, meets, met by, overlaps, overlaps before,
overlaps after, finishes, finished by, includes, during, starts, started by, coincides.

Each takes points or ranges in the combinations the spec lists. An unbounded end (``< 10`` has no start) is
treated as minus or plus infinity; endpoints that cannot be compared make the call an error (null).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadenza.feel.builtins.registry import builtin
from cadenza.feel.semantics import compare
from cadenza.feel.values import FeelEvalError, Range

__all__: list[str] = []

_LOW, _HIGH = object(), object()


def _cmp(a: Any, b: Any) -> int:
    """Orders endpoints, with _LOW/_HIGH standing for an unbounded start/end."""
    if a is b and a in (_LOW, _HIGH):
        return 0
    if a is _LOW or b is _HIGH:
        return -1
    if a is _HIGH or b is _LOW:
        return 1
    order = compare(a, b)
    if order is None:
        raise FeelEvalError("range function: values are not comparable")
    return order


def _lo(r: Range) -> Any:
    return _LOW if r.start is None else r.start


def _hi(r: Range) -> Any:
    return _HIGH if r.end is None else r.end


def _lt(a: Any, b: Any) -> bool:
    return _cmp(a, b) < 0


def _eq(a: Any, b: Any) -> bool:
    return _cmp(a, b) == 0


def _before_pp(p: Any, q: Any) -> bool:
    return _lt(p, q)


def _before_pr(p: Any, r: Range) -> bool:
    return _lt(p, _lo(r)) or (_eq(p, _lo(r)) and not r.start_included)


def _before_rp(r: Range, p: Any) -> bool:
    return _lt(_hi(r), p) or (_eq(_hi(r), p) and not r.end_included)


def _before_rr(r: Range, s: Range) -> bool:
    touching = _eq(_hi(r), _lo(s)) and (not r.end_included or not s.start_included)
    return _lt(_hi(r), _lo(s)) or touching


def _meets(r: Range, s: Range) -> bool:
    return r.end_included and s.start_included and _eq(_hi(r), _lo(s))


def _overlaps(r: Range, s: Range) -> bool:
    end_after_start = _lt(_lo(s), _hi(r)) or (_eq(_hi(r), _lo(s)) and r.end_included and s.start_included)
    start_before_end = _lt(_lo(r), _hi(s)) or (_eq(_lo(r), _hi(s)) and r.start_included and s.end_included)
    return end_after_start and start_before_end


def _overlaps_before(r: Range, s: Range) -> bool:
    starts_first = _lt(_lo(r), _lo(s)) or (_eq(_lo(r), _lo(s)) and r.start_included and not s.start_included)
    reaches = _lt(_lo(s), _hi(r)) or (_eq(_hi(r), _lo(s)) and r.end_included and s.start_included)
    ends_first = _lt(_hi(r), _hi(s)) or (_eq(_hi(r), _hi(s)) and (not r.end_included or s.end_included))
    return starts_first and reaches and ends_first


def _finishes_pr(p: Any, r: Range) -> bool:
    return r.end_included and _eq(_hi(r), p)


def _finishes_rr(r: Range, s: Range) -> bool:
    later_start = _lt(_lo(s), _lo(r)) or (_eq(_lo(r), _lo(s)) and (not r.start_included or s.start_included))
    return r.end_included == s.end_included and _eq(_hi(r), _hi(s)) and later_start


def _includes_rp(r: Range, p: Any) -> bool:
    inside = _lt(_lo(r), p) and _lt(p, _hi(r))
    return inside or (_eq(_lo(r), p) and r.start_included) or (_eq(_hi(r), p) and r.end_included)


def _includes_rr(r: Range, s: Range) -> bool:
    from_start = _lt(_lo(r), _lo(s)) or (_eq(_lo(r), _lo(s)) and (r.start_included or not s.start_included))
    to_end = _lt(_hi(s), _hi(r)) or (_eq(_hi(r), _hi(s)) and (r.end_included or not s.end_included))
    return from_start and to_end


def _starts_pr(p: Any, r: Range) -> bool:
    return r.start_included and _eq(_lo(r), p)


def _starts_rr(r: Range, s: Range) -> bool:
    earlier_end = _lt(_hi(r), _hi(s)) or (_eq(_hi(r), _hi(s)) and (not r.end_included or s.end_included))
    return _eq(_lo(r), _lo(s)) and r.start_included == s.start_included and earlier_end


def _coincides_rr(r: Range, s: Range) -> bool:
    same_flags = r.start_included == s.start_included and r.end_included == s.end_included
    return same_flags and _eq(_lo(r), _lo(s)) and _eq(_hi(r), _hi(s))


def _swap(relation: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: relation(b, a)


Relation = Callable[[Any, Any], bool]


def _declare(name: str, rr: Relation, rp: Relation | None, pr: Relation | None, pp: Relation | None) -> None:
    """Registers the range/point combinations of one function, most specific first (dispatch order)."""
    builtin(name, "range1: range", "range2: range")(rr)
    if rp is not None:
        builtin(name, "range: range", "point: Any")(rp)
    if pr is not None:
        builtin(name, "point: Any", "range: range")(pr)
    if pp is not None:
        builtin(name, "point1: Any", "point2: Any")(pp)


_declare("before", _before_rr, _before_rp, _before_pr, _before_pp)
_declare("after", _swap(_before_rr), _swap(_before_pr), _swap(_before_rp), _swap(_before_pp))
_declare("meets", _meets, None, None, None)
_declare("met by", _swap(_meets), None, None, None)
_declare("overlaps", _overlaps, None, None, None)
_declare("overlaps before", _overlaps_before, None, None, None)
_declare("overlaps after", _swap(_overlaps_before), None, None, None)
_declare("finishes", _finishes_rr, None, _finishes_pr, None)
_declare("finished by", _swap(_finishes_rr), _swap(_finishes_pr), None, None)
_declare("includes", _includes_rr, _includes_rp, None, None)
_declare("during", _swap(_includes_rr), None, _swap(_includes_rp), None)
_declare("starts", _starts_rr, None, _starts_pr, None)
_declare("started by", _swap(_starts_rr), _swap(_starts_pr), None, None)
_declare("coincides", _coincides_rr, None, None, lambda p, q: _eq(p, q))
