"""The DMN TCK: the runner on a small fixture suite, and the full suite against the recorded floor."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from lxml import etree

from cadenza.dmn.tck import run_tck
from cadenza.dmn.tck_values import ROUNDING, read_value, same_value
from cadenza.feel.temporal import parse_date

HERE = Path(__file__).parent
TCK = HERE.parents[1] / ".." / "shared" / "dmn-tck" / "TestCases"
NS = 'xmlns="http://www.omg.org/spec/DMN/20160719/testcase" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def test_runner_counts_one_result_per_result_node(tmp_path: Path) -> None:
    summary = run_tck(HERE / "fixtures" / "tck")
    outcomes = {(r.folder, r.case_id, r.node): r.outcome for r in summary.results}
    folder = "compliance/0001-double"
    assert outcomes[(folder, "001", "y")] == "SUCCESS"
    assert outcomes[(folder, "001", "next day")] == "SUCCESS"
    assert outcomes[(folder, "001", "info")] == "SUCCESS"
    assert outcomes[(folder, "002", "y")] == "FAILURE"
    assert outcomes[(folder, "003", "y")] == "SUCCESS"
    assert outcomes[(folder, "004", "y")] == "SUCCESS"
    assert outcomes[(folder, "005", "no such decision")] == "ERROR"
    assert outcomes[("non-compliant/0002-cycle", "001", "Alpha")] == "SUCCESS"
    assert (summary.passed, summary.failed, summary.errors, summary.total) == (7, 1, 1, 9)
    assert summary.line() == "TCK: 7 passed, 1 failed, 1 errors of 9 results"
    target = tmp_path / "out" / "tck.csv"
    summary.write_csv(target)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 9
    assert rows[0][:5] == ["compliance/0001-double", "0001-double-test-01", "001", "y", "SUCCESS"]
    failure = next(row for row in rows if row[4] == "FAILURE")
    assert "expected 3, got 2" in failure[5]


def _value(xml: str) -> object:
    return read_value(etree.fromstring(f"<expected {NS}>{xml}</expected>"))


def test_tck_values_are_read_as_feel_values() -> None:
    assert _value('<value xsi:type="xsd:decimal">1.50</value>') == Decimal("1.50")
    assert _value('<value xsi:type="xsd:boolean">false</value>') is False
    assert _value('<value xsi:nil="true"/>') is None
    assert _value("<list><item><value>a</value></item></list>") == ["a"]
    assert _value('<component name="a"><value>x</value></component>') == {"a": "x"}


def test_same_value_compares_like_feel() -> None:
    assert same_value(Decimal("1.0"), Decimal(1))
    assert not same_value("1", Decimal(1))
    assert same_value({"a": [Decimal(1)]}, {"a": [Decimal("1.00")]})
    assert not same_value({"a": 1}, {"a": 1, "b": 2})
    assert not same_value(None, [])


def test_same_value_wants_the_same_offset_for_any_year() -> None:
    same_instant = (
        _value('<value xsi:type="xsd:dateTime">-2021-01-01T10:00:00+01:00</value>'),
        _value('<value xsi:type="xsd:dateTime">-2021-01-01T09:00:00Z</value>'),
    )
    assert same_value(same_instant[0], same_instant[0])
    assert not same_value(*same_instant)
    assert same_value(_value('<value xsi:type="xsd:date">-2017-12-31</value>'), parse_date("-2017-12-31"))


def test_rounding_tolerance_is_opt_in() -> None:
    expected, actual = Decimal("2778.69354943277"), Decimal("2778.693549432766768088520383")
    assert not same_value(expected, actual)
    assert same_value(expected, actual, ROUNDING)
    assert not same_value(Decimal("2778.6935"), actual, ROUNDING)


def test_full_tck_does_not_fall_below_the_floor() -> None:
    assert TCK.is_dir(), f"the DMN TCK must be beside the repository at {TCK}"
    floor = int((HERE / "tck_floor.txt").read_text().strip())
    summary = run_tck(TCK)
    # 2,805 result nodes: a grep finds 2,827, but 22 of those sit inside XML comments.
    assert summary.total == 2805
    assert summary.passed >= floor, summary.line()
