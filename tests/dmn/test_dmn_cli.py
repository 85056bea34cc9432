"""``cadenza dmn eval`` and ``cadenza dmn tck``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cadenza.dmn.cli import dmn_app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_eval_prints_the_result_and_matched_rules() -> None:
    inputs = json.dumps({"Amount": 25000, "Credit Score": 640, "Customer Years": 3})
    args = [
        "eval",
        str(ROOT / "dmn" / "approval-routing.dmn"),
        "--decision",
        "Approval Route",
        "--input",
        inputs,
    ]
    result = runner.invoke(dmn_app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert json.loads(lines[0]) == {"approver": "team-lead", "approvals": 1}
    assert 'Risk Category: "medium"  [rules 3 (risk-r3)]' in lines


def test_eval_json_has_value_and_audit() -> None:
    inputs = json.dumps({"x": 7})
    args = ["eval", str(FIXTURES / "hit-policies.dmn"), "-d", "Rule Order", "-i", inputs, "--json"]
    result = runner.invoke(dmn_app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["value"] == ["a", "b"]
    assert [m["index"] for m in report["audit"][0]["matchedRules"]] == [1, 2]


def test_eval_converts_iso_strings_for_temporal_inputs() -> None:
    model = FIXTURES / "tck" / "compliance" / "0001-double" / "0001-double.dmn"
    args = ["eval", str(model), "-d", "next day", "-i", '{"day": "2024-12-31"}', "--json"]
    result = runner.invoke(dmn_app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["value"] == "2025-01-01"


def test_eval_of_an_invalid_model_names_the_element() -> None:
    result = runner.invoke(dmn_app, ["eval", str(FIXTURES / "cyclic.dmn"), "-d", "Alpha"])
    assert result.exit_code != 0
    assert "decision 'Alpha' (id=a)" in result.output


def test_eval_of_an_unknown_decision_or_bad_json_fails() -> None:
    model = str(FIXTURES / "unique.dmn")
    result = runner.invoke(dmn_app, ["eval", model, "-d", "Nope"])
    assert result.exit_code == 2
    assert "no decision named 'Nope'" in result.output
    result = runner.invoke(dmn_app, ["eval", model, "-d", "Band", "-i", "{not json"])
    assert result.exit_code != 0
    assert "not JSON" in result.output


def test_tck_command_ends_with_the_summary(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    result = runner.invoke(dmn_app, ["tck", str(FIXTURES / "tck"), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "TCK: 7 passed, 1 failed, 1 errors of 9 results"
    assert target.read_text().count("\n") == 9
