"""The DMN TCK runner: every ``*-test-*.xml`` under a folder, one result per ``resultNode``.

Results are written as the official TCK result tables are (a CSV of quoted fields, no header): folder, test
file, test case id, result node, SUCCESS/FAILURE/ERROR, detail. Models under a ``non-compliant`` folder are
loaded strictly and each result node there passes when the model or the test case's inputs are rejected.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from cadenza.dmn.errors import DmnError
from cadenza.dmn.evaluate import DmnModel
from cadenza.dmn.itemdef import conform
from cadenza.dmn.loader import load_dmn
from cadenza.dmn.reader import load_tree
from cadenza.dmn.tck_values import ROUNDING, TCK_NAMESPACE, read_value, same_value
from cadenza.feel import FeelWarning
from cadenza.feel.semantics import to_feel_string

__all__ = ["TckResult", "TckSummary", "run_tck"]

SUCCESS, FAILURE, ERROR = "SUCCESS", "FAILURE", "ERROR"
#: The detail of a success that needed the rounding tolerance (numbers equal to 12 significant digits).
ROUNDED = "equal after rounding"


@dataclass(frozen=True)
class TckResult:
    folder: str
    test_file: str
    case_id: str
    node: str
    outcome: str
    detail: str = ""


@dataclass
class TckSummary:
    results: list[TckResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def passed(self) -> int:
        return self.count(SUCCESS)

    @property
    def failed(self) -> int:
        return self.count(FAILURE)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def rounded(self) -> int:
        """Successes that needed the rounding tolerance for numbers."""
        return sum(1 for r in self.results if r.outcome == SUCCESS and r.detail.startswith(ROUNDED))

    def line(self) -> str:
        return (
            f"TCK: {self.passed} passed, {self.failed} failed, {self.errors} errors of {self.total} results"
        )

    def write_csv(self, path: str | Path) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
            for r in self.results:
                writer.writerow([r.folder, r.test_file, r.case_id, r.node, r.outcome, r.detail])


def _tag(name: str) -> str:
    return f"{{{TCK_NAMESPACE}}}{name}"


def run_tck(path: str | Path, *, on_result: Callable[[TckResult], None] | None = None) -> TckSummary:
    """Runs every test file under ``path`` (recursively) and returns one result per result node."""
    root = Path(path)
    summary = TckSummary()
    models: dict[Path, DmnModel | DmnError] = {}
    for test_file in sorted(root.rglob("*-test-*.xml")):
        for result in _run_file(root, test_file, models):
            summary.results.append(result)
            if on_result is not None:
                on_result(result)
    return summary


def _model(path: Path, strict: bool, models: dict[Path, DmnModel | DmnError]) -> DmnModel | DmnError:
    if path not in models:
        try:
            models[path] = load_dmn(path, lenient=not strict)
        except DmnError as exc:
            models[path] = exc
    return models[path]


def _run_file(root: Path, test_file: Path, models: dict[Path, DmnModel | DmnError]) -> Iterator[TckResult]:
    folder = test_file.parent.relative_to(root).as_posix() if test_file.parent != root else "."
    stem = test_file.stem
    strict = "non-compliant" in test_file.relative_to(root).parts
    try:
        tests = load_tree(test_file)[0].getroot()
    except DmnError as exc:
        yield TckResult(folder, stem, "", "", ERROR, f"unreadable test file: {exc}")
        return
    model_name = (tests.findtext(_tag("modelName")) or "").strip()
    model = _model(test_file.parent / model_name, strict, models) if model_name else DmnError("no modelName")
    for case in tests.iter(_tag("testCase")):
        yield from _run_case(case, model, strict, folder, stem)


def _run_case(
    case: etree._Element, model: DmnModel | DmnError, strict: bool, folder: str, stem: str
) -> Iterator[TckResult]:
    case_id = case.get("id") or ""
    nodes = case.findall(_tag("resultNode"))

    def results(outcome: str, detail: str) -> Iterator[TckResult]:
        for node in nodes:
            yield TckResult(folder, stem, case_id, node.get("name") or "", outcome, detail)

    if isinstance(model, DmnError):
        outcome = SUCCESS if strict else ERROR
        yield from results(outcome, f"model rejected: {model}")
        return
    try:
        inputs = {n.get("name") or "": read_value(n) for n in case.findall(_tag("inputNode"))}
    except Exception as exc:  # a malformed value in the test file: every node of the case is an error
        yield from results(ERROR, f"cannot read inputs: {exc}")
        return
    if strict:
        problem = _input_problem(model, inputs)
        yield from (
            results(SUCCESS, f"test rejected: {problem}")
            if problem
            else results(FAILURE, "non-compliant model accepted")
        )
        return
    yield from _evaluate_case(case, model, inputs, nodes, results, folder, stem)


def _evaluate_case(
    case: etree._Element,
    model: DmnModel,
    inputs: dict[str, Any],
    nodes: list[etree._Element],
    results: Callable[[str, str], Iterator[TckResult]],
    folder: str,
    stem: str,
) -> Iterator[TckResult]:
    case_id = case.get("id") or ""
    service_value: Any = None
    service_warnings: list[FeelWarning] = []
    kind = case.get("type") or "decision"
    service = case.get("invocableName") if kind in ("decisionService", "bkm") else None
    if service:
        try:
            invoke = model.evaluate_service if kind == "decisionService" else model.invoke_bkm
            result = invoke(service, inputs)
        except Exception as exc:
            yield from results(ERROR, f"{type(exc).__name__}: {exc}")
            return
        service_value, service_warnings = result.value, result.warnings
    for node in nodes:
        name = node.get("name") or ""
        try:
            if service:
                actual, warnings = _service_part(service_value, name, service), service_warnings
            else:
                evaluated = model.evaluate(name, inputs)
                actual, warnings = evaluated.value, evaluated.warnings
            outcome, detail = _judge(node, actual, warnings)
        except Exception as exc:
            outcome, detail = ERROR, f"{type(exc).__name__}: {exc}"
        yield TckResult(folder, stem, case_id, name, outcome, detail)


def _service_part(value: Any, node: str, service: str) -> Any:
    if node != service and isinstance(value, dict) and node in value:
        return value[node]
    return value


def _judge(node: etree._Element, actual: Any, warnings: list[FeelWarning]) -> tuple[str, str]:
    if node.get("errorResult") == "true":
        if actual is None:
            return SUCCESS, ""
        return FAILURE, f"expected an error, got {_show(actual)}"
    expected_el = node.find(_tag("expected"))
    try:
        expected = read_value(expected_el) if expected_el is not None else None
    except Exception as exc:  # e.g. a date in year -2017: no FEEL value here can equal it
        return FAILURE, f"expected value is outside Cadenza's value range ({exc}); got {_show(actual)}"
    if same_value(expected, actual):
        return SUCCESS, ""
    if same_value(expected, actual, ROUNDING):
        return SUCCESS, f"{ROUNDED}: expected {_show(expected)}, got {_show(actual)}"
    detail = f"expected {_show(expected)}, got {_show(actual)}"
    if warnings:
        detail += "; " + " | ".join(w.message for w in warnings[:3])
    return FAILURE, detail[:600]


def _show(value: Any) -> str:
    try:
        return to_feel_string(value)
    except Exception:
        return repr(value)


def _input_problem(model: DmnModel, inputs: Mapping[str, Any]) -> str | None:
    """Strict checking of a test case: every input must conform to its input data's declared type."""
    for data in model.definitions.input_data:
        if data.name not in inputs:
            continue
        warnings: list[FeelWarning] = []
        if conform(
            model.types.resolve(data.variable.type_ref), inputs[data.name], warnings, data.name
        ) is None and (warnings or inputs[data.name] is not None):
            return f"input '{data.name}': " + (warnings[0].message if warnings else "does not conform")
    return None
