"""ARCHITECTURE §5: processors never write state directly; appliers alone change it.

The state classes hold their read and write methods side by side, so an import contract cannot tell them
apart (``pyproject.toml``'s import-linter contracts keep processors from importing the appliers). This test
reads the processors and element behaviours and fails on any call of a state mutator on something reached
from ``state``: ``writer.state.jobs.put(...)``, or ``row = writer.state.jobs.get(k); row["v"].update(...)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cadenza.core

CORE = Path(cadenza.core.__file__).parent
#: The write methods of ``cadenza.core.state`` (and of the dicts and lists its rows are).
MUTATORS = frozenset(
    [
        "clear_joins",
        "create",
        "delete",
        "drop_scope",
        "flow_taken",
        "instance_left",
        "mark_correlated",
        "put",
        "put_decision",
        "put_drg",
        "put_form",
        "put_message",
        "put_process",
        "put_start_subscription",
        "put_started_with",
        "put_subscription",
        "rebuild",
        "rebuild_indexes",
        "remove",
        "remove_decision",
        "remove_drg",
        "remove_form",
        "remove_message",
        "remove_process",
        "remove_start_subscription",
        "remove_subscription",
        "restore",
        "set",
        "set_last_key",
        "set_last_position",
        "set_state",
        "update",
        "take_changes",
        "append",
        "extend",
        "pop",
        "clear",
        "setdefault",
    ]
)


def _reaches_state(node: ast.expr, tainted: set[str]) -> bool:
    """The chain passes through a ``.state`` attribute or starts at a name bound to state."""
    current = node
    while True:
        if isinstance(current, ast.Attribute) and current.attr == "state":
            return True
        if isinstance(current, ast.Attribute | ast.Subscript):
            current = current.value
        elif isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            current = current.func.value
        else:
            return isinstance(current, ast.Name) and current.id in tainted | {"state"}


def _violations(path: Path, base: Path = CORE) -> list[str]:
    found = []
    for function in ast.walk(ast.parse(path.read_text())):
        if not isinstance(function, ast.FunctionDef):
            continue
        tainted: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if _reaches_state(node.value, tainted):
                    tainted.update(t.id for t in targets if isinstance(t, ast.Name))
            if isinstance(node, ast.For) and _reaches_state(node.iter, tainted):
                tainted.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
                and _reaches_state(node.func.value, tainted)
            ):
                found.append(f"{path.relative_to(base)}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_processors_and_element_behaviours_never_call_a_state_mutator() -> None:
    files = sorted((CORE / "processors").glob("*.py")) + sorted((CORE / "elements").glob("*.py"))
    assert len(files) > 20
    violations = [v for path in files for v in _violations(path)]
    assert violations == []


def test_the_scan_catches_a_direct_write_and_an_in_place_change_of_a_row(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f(writer, key):\n"
        "    writer.state.jobs.put(key, {})\n"
        "    row = writer.state.elements.get(key)\n"
        "    row['v'].update(x=1)\n"
        "    copy = {**row['v']}\n"
        "    copy.update(y=2)\n"
    )
    found = [v.split(" ", 1)[1] for v in _violations(probe, tmp_path)]
    assert found == ["writer.state.jobs.put", "row['v'].update"]
