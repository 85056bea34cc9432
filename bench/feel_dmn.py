"""FEEL and decision-table throughput, Cadenza side by side with SpiffWorkflow in the same run.

SpiffWorkflow evaluates model expressions as Python, so each FEEL expression is paired with the Python
expression that means the same; only what both can express is compared. Each figure is the median of ROUNDS
timed rounds. Run: ``.venv/bin/python bench/feel_dmn.py`` (needs the ``bench`` extra: SpiffWorkflow).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser

from cadenza.dmn import load_dmn
from cadenza.feel import compile_expression, evaluate

ROUNDS = 7

#: (name, FEEL, the same in Python for SpiffWorkflow, variables)
EXPRESSIONS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("comparison", "amount > 1000", "amount > 1000", {"amount": 2500}),
    (
        "boolean",
        'amount > 1000 and risk = "high" or vip',
        'amount > 1000 and risk == "high" or vip',
        {"amount": 2500, "risk": "high", "vip": False},
    ),
    (
        "if-then-else",
        'if score >= 700 then "low" else if score >= 550 then "medium" else "high"',
        '"low" if score >= 700 else ("medium" if score >= 550 else "high")',
        {"score": 640},
    ),
    (
        "arithmetic",
        "(price * qty) * (1 - discount) + shipping",
        "(price * qty) * (1 - discount) + shipping",
        {"price": 19.99, "qty": 3, "discount": 0.1, "shipping": 4.5},
    ),
    (
        "list-sum",
        "sum(for i in items return i.price * i.qty)",
        'sum(i["price"] * i["qty"] for i in items)',
        {"items": [{"price": 10, "qty": 2}, {"price": 5, "qty": 4}, {"price": 1, "qty": 10}]},
    ),
    (
        "filter-count",
        "count(items[price > 4])",
        'len([i for i in items if i["price"] > 4])',
        {"items": [{"price": 10, "qty": 2}, {"price": 5, "qty": 4}, {"price": 1, "qty": 10}]},
    ),
    (
        "string",
        'upper case(name) + "-" + string(id)',
        'name.upper() + "-" + str(id)',
        {"name": "ada", "id": 42},
    ),
]


def _rate(fn: Callable[[], object], batch: int) -> float:
    """Median operations per second over ROUNDS rounds of `batch` calls."""
    rates = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        rates.append(batch / (time.perf_counter() - start))
    return statistics.median(rates)


def _feel_vars(variables: dict[str, Any]) -> dict[str, Any]:
    from cadenza.feel.json_values import from_json

    return dict(from_json(variables))


def bench_expressions(batch: int) -> list[dict[str, Any]]:
    spiff = PythonScriptEngine()
    rows = []
    for name, feel, python, variables in EXPRESSIONS:
        compiled = compile_expression(feel)
        scope = _feel_vars(variables)
        task = SimpleNamespace(data=dict(variables))
        ours = _rate(lambda c=compiled, s=scope: c.evaluate(s), batch)  # type: ignore[misc]
        ours_uncompiled = _rate(lambda f=feel, s=scope: evaluate(f, s), batch)  # type: ignore[misc]
        theirs = _rate(lambda p=python, t=task: spiff.evaluate(t, p), batch)  # type: ignore[misc]
        rows.append(
            {
                "case": f"feel:{name}",
                "cadenza_per_s": round(ours),
                "cadenza_cached_text_per_s": round(ours_uncompiled),
                "spiff_per_s": round(theirs),
                "ratio": round(ours / theirs, 2),
            }
        )
    return rows


def _table_xml(namespace: str, rules: int, dialect: str) -> str:
    rows = []
    for i in range(rules):
        low, high = i * 100, (i + 1) * 100
        if dialect == "feel":
            amount, category = f"[{low}..{high})", f'"c{i % 3}"'
        else:
            amount, category = f"{low} <= ? < {high}", f'"c{i % 3}"'
        rows.append(
            f'<rule id="r{i}"><inputEntry id="r{i}a"><text>{_xml(amount)}</text></inputEntry>'
            f'<inputEntry id="r{i}c"><text>{_xml(category)}</text></inputEntry>'
            f'<outputEntry id="r{i}o"><text>"tier-{i}"</text></outputEntry></rule>'
        )
    return (
        f'<definitions xmlns="{namespace}" id="bench" name="bench" namespace="https://cadenza.dev/bench">'
        '<decision id="tier" name="Tier"><decisionTable id="t" hitPolicy="UNIQUE">'
        '<input id="in-amount" label="amount"><inputExpression id="ie-amount" typeRef="number">'
        "<text>amount</text></inputExpression></input>"
        '<input id="in-cat" label="category"><inputExpression id="ie-cat" typeRef="string">'
        "<text>category</text></inputExpression></input>"
        '<output id="out" name="tier" typeRef="string"/>'
        + "".join(rows)
        + "</decisionTable></decision></definitions>"
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bench_tables(batch: int, sizes: tuple[int, ...] = (10, 100)) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        model = load_dmn(_table_xml("https://www.omg.org/spec/DMN/20191111/MODEL/", size, "feel").encode())
        # The input matches the last rule: both engines walk the whole table.
        amount = (size - 1) * 100 + 50
        inputs = {"amount": Decimal(amount), "category": f"c{(size - 1) % 3}"}
        parser = BpmnDmnParser()
        parser.add_dmn_str(_table_xml("https://www.omg.org/spec/DMN/20191111/MODEL/", size, "python"))
        engine = parser.get_engine("tier", None)
        task = SimpleNamespace(
            data={"amount": amount, "category": inputs["category"]},
            workflow=SimpleNamespace(script_engine=PythonScriptEngine()),
        )
        expected = model.evaluate("tier", inputs).value
        theirs_value = engine.result(task)
        assert expected == f"tier-{size - 1}", expected
        assert theirs_value == {"tier": f"tier-{size - 1}"}, theirs_value
        ours = _rate(lambda m=model, i=inputs: m.evaluate("tier", i), max(1, batch // size))  # type: ignore[misc]
        theirs = _rate(lambda e=engine, t=task: e.result(t), max(1, batch // size))  # type: ignore[misc]
        rows.append(
            {
                "case": f"table:{size}-rules",
                "cadenza_per_s": round(ours),
                "spiff_per_s": round(theirs),
                "ratio": round(ours / theirs, 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=2000, help="calls per timed round")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    rows = bench_expressions(args.batch) + bench_tables(args.batch * 10)
    print(f"{'case':24} {'cadenza/s':>12} {'spiff/s':>12} {'ratio':>7}")
    for row in rows:
        print(f"{row['case']:24} {row['cadenza_per_s']:>12,} {row['spiff_per_s']:>12,} {row['ratio']:>7}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
