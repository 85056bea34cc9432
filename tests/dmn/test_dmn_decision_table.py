"""Decision tables: each hit policy, multiple outputs, defaults, and the audit of matched rules."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cadenza.dmn import DmnError, DmnModel, load_dmn
from cadenza.dmn.table_policy import split_unary_tests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hits() -> DmnModel:
    return load_dmn(Path(__file__).parent / "fixtures" / "hit-policies.dmn")


@pytest.mark.parametrize(
    ("decision", "x", "expected"),
    [
        ("First", 7, "a"),
        ("First", 2, "a"),
        ("First", -1, None),
        ("Priority", 7, "high"),
        ("Priority", 4, "medium"),
        ("Priority", 1, "low"),
        ("Any Same", 7, "same"),
        ("Collect", 7, [Decimal(1), Decimal(2), Decimal(3)]),
        ("Collect", -1, []),
        ("Collect Sum", 7, Decimal(6)),
        ("Collect Sum", -1, None),
        ("Collect Min", 7, Decimal(2)),
        ("Collect Max", 7, Decimal(5)),
        ("Collect Count", 7, Decimal(3)),
        ("Collect Count", -1, Decimal(0)),
        ("Rule Order", 7, ["a", "b"]),
        ("Output Order", 7, ["b", "a"]),
        ("Two Outputs", 7, {"size": "big", "rank": Decimal(2)}),
        ("Two Outputs", 1, {"size": "small", "rank": Decimal(0)}),
    ],
)
def test_hit_policy(hits: DmnModel, decision: str, x: int, expected: Any) -> None:
    result = hits.evaluate(decision, {"x": Decimal(x)})
    assert result.value == expected
    assert result.warnings == []


def test_any_with_conflicting_outputs_is_an_error(hits: DmnModel) -> None:
    result = hits.evaluate("Any Conflict", {"x": Decimal(7)})
    assert result.value is None
    assert "ANY" in result.warnings[0].message


def test_unique_violation_is_null_with_a_warning_naming_the_rules(fixtures: Path) -> None:
    model = load_dmn(fixtures / "unique.dmn")
    assert model.evaluate("Band", {"Score": Decimal(20)}).value == "low"
    result = model.evaluate("Band", {"Score": Decimal(50)})
    assert result.value is None
    [warning] = result.warnings
    assert "UNIQUE" in warning.message
    assert "1 (id=low)" in warning.message and "2 (id=mid)" in warning.message
    assert result.audit[-1].matched_rule_ids == ["low", "mid"]


def test_audit_records_matched_rules_and_outputs(hits: DmnModel) -> None:
    result = hits.evaluate("Rule Order", {"x": Decimal(7)})
    [audit] = result.audit
    assert audit.decision_name == "Rule Order"
    assert audit.inputs == {"x": Decimal(7)}
    assert audit.matched_rule_indices == [1, 2]
    assert audit.matched_rule_ids == ["Rule-Order-r1", "Rule-Order-r2"]
    assert [dict(m.outputs) for m in audit.matched_rules] == [{"out": "a"}, {"out": "b"}]
    assert audit.output == ["a", "b"]


def test_sample_model_evaluates_required_decisions_first() -> None:
    model = load_dmn(ROOT / "dmn" / "approval-routing.dmn")
    inputs = {"Amount": Decimal(25000), "Credit Score": Decimal(640), "Customer Years": Decimal(3)}
    result = model.evaluate("Approval Route", inputs)
    assert result.value == {"approver": "team-lead", "approvals": Decimal(1)}
    assert [a.decision_name for a in result.audit] == ["Risk Category", "Approval Route"]
    assert result.audit[0].output == "medium"
    assert result.audit[0].matched_rule_ids == ["risk-r3"]
    assert result.audit[1].inputs == {"Risk Category": "medium", "Amount": Decimal(25000)}


def test_host_numbers_are_accepted_as_feel_numbers() -> None:
    model = load_dmn(ROOT / "dmn" / "approval-routing.dmn")
    result = model.evaluate("Approval Route", {"Amount": 25000, "Credit Score": 640.0, "Customer Years": 3})
    assert result.value == {"approver": "team-lead", "approvals": Decimal(1)}
    assert result.warnings == []


def test_output_outside_output_values_is_an_error() -> None:
    text = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="o" namespace="urn:o">
      <decision id="d" name="D"><decisionTable hitPolicy="FIRST">
        <input><inputExpression><text>1</text></inputExpression></input>
        <output name="o"><outputValues><text>"a","b"</text></outputValues></output>
        <rule id="r"><inputEntry><text>-</text></inputEntry><outputEntry><text>"c"</text></outputEntry></rule>
      </decisionTable></decision></definitions>"""
    result = load_dmn(text).evaluate("D", {})
    assert result.value is None
    assert "output values" in result.warnings[0].message


def test_split_unary_tests_respects_strings_and_brackets() -> None:
    assert split_unary_tests('"a,b", [1..2), "c\\"d"') == ['"a,b"', "[1..2)", '"c\\"d"']
    assert split_unary_tests("") == []


def test_priority_without_output_values_is_invalid() -> None:
    text = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="p" namespace="urn:p">
      <decision id="d" name="D"><decisionTable id="t" hitPolicy="PRIORITY">
        <input><inputExpression><text>1</text></inputExpression></input>
        <output name="o"/>
        <rule id="r"><inputEntry><text>-</text></inputEntry><outputEntry><text>"c"</text></outputEntry></rule>
      </decisionTable></decision></definitions>"""
    with pytest.raises(DmnError, match="PRIORITY needs output values"):
        load_dmn(text)


def test_a_dmn_13_model_with_tool_type_names_evaluates() -> None:
    text = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="c" name="c" namespace="urn:c">
      <decision id="bonus" name="Bonus">
        <decisionTable id="t" hitPolicy="COLLECT" aggregation="SUM">
          <input id="i"><inputExpression typeRef="integer"><text>years</text></inputExpression></input>
          <output id="o" name="points" typeRef="long"/>
          <rule id="r1"><inputEntry><text>&gt; 1</text></inputEntry><outputEntry><text>10</text></outputEntry></rule>
          <rule id="r2"><inputEntry><text>&gt; 5</text></inputEntry><outputEntry><text>20</text></outputEntry></rule>
        </decisionTable>
      </decision>
    </definitions>"""
    model = load_dmn(text)
    assert model.definitions.dmn_version == "1.3"
    assert model.evaluate("Bonus", {"years": 7}).value == Decimal(30)
