"""``cadenza check FILE...``: every problem with element id and line; exit code 1 when any file is invalid."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cadenza.cli import app

ROOT = Path(__file__).resolve().parents[1]
BPMN_FIXTURES = ROOT / "tests" / "bpmn" / "fixtures"
DMN_FIXTURES = ROOT / "tests" / "dmn" / "fixtures"
runner = CliRunner()


def test_valid_files_pass_with_exit_code_0() -> None:
    files = [ROOT / "bpmn" / "order-process.bpmn", ROOT / "dmn" / "approval-routing.dmn"]
    result = runner.invoke(app, ["check", *map(str, files)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{files[0]}: ok (order-process)"
    assert lines[1] == f"{files[1]}: ok (risk-category, approval-route)"
    assert lines[-1] == "2 file(s) checked, 0 invalid"


def test_bpmn_problems_name_element_and_line() -> None:
    path = BPMN_FIXTURES / "feel-syntax-error.bpmn"
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:7: element 'Flow_Bad': FEEL syntax error in conditionExpression at line 1, column 13: "
        "expected ')' but found end of input" in result.output.splitlines()
    )
    assert f"{path}:10: element 'Task': FEEL syntax error in zeebe:input source" in result.output


def test_dmn_problem_names_element_and_line() -> None:
    path = DMN_FIXTURES / "cyclic.dmn"
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: element 'a': cyclic requirements: Alpha -> Beta -> Gamma -> Alpha" in result.output


def test_one_invalid_file_fails_the_run_but_every_file_is_checked(tmp_path: Path) -> None:
    good = ROOT / "bpmn" / "order-process.bpmn"
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    missing = tmp_path / "missing.dmn"
    result = runner.invoke(app, ["check", str(text), str(missing), str(good)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{text}: not a .bpmn or .dmn file"
    assert lines[1].startswith(f"{missing}: cannot read") and "No such file" in lines[1]
    assert lines[2] == f"{good}: ok (order-process)"
    assert lines[3] == "3 file(s) checked, 2 invalid"


def test_json_output() -> None:
    good = ROOT / "dmn" / "approval-routing.dmn"
    bad = BPMN_FIXTURES / "malformed.bpmn"
    result = runner.invoke(app, ["check", "--json", str(good), str(bad)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    ok, broken = report["files"]
    assert ok == {
        "file": str(good),
        "kind": "dmn",
        "valid": True,
        "contents": ["risk-category", "approval-route"],
        "problems": [],
    }
    assert broken["kind"] == "bpmn" and broken["valid"] is False
    [problem] = broken["problems"]
    assert problem["element"] is None and problem["line"] == 5
    assert problem["message"].startswith("malformed XML: Opening and ending tag mismatch")


def test_json_output_of_valid_files_exits_0() -> None:
    result = runner.invoke(app, ["check", "--json", str(ROOT / "bpmn" / "order-process.bpmn")])
    assert result.exit_code == 0
    assert json.loads(result.output)["valid"] is True


def test_hostile_xml_is_reported_not_resolved() -> None:
    result = runner.invoke(
        app, ["check", str(DMN_FIXTURES / "xxe.dmn"), str(BPMN_FIXTURES / "doctype-entity.bpmn")]
    )
    assert result.exit_code == 1
    assert result.output.count("DOCTYPE and entity declarations are not allowed") == 2
    assert "root:" not in result.output


def test_no_file_is_a_usage_error() -> None:
    assert runner.invoke(app, ["check"]).exit_code == 2
