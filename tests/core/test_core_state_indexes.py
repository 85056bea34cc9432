"""The element state's in-memory indexes (children per scope, joins per scope) and the change tracking the
store commits: what the hot path reads instead of scanning every row."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES

from cadenza.core.engine import Engine
from cadenza.core.records import ValueType
from cadenza.core.state import EngineState
from cadenza.core.state.db import StateDb
from cadenza.core.testing import EngineDriver


def test_children_and_joins_are_rebuilt_after_a_restore(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "parallel.bpmn")
    instance = engine.create("parallel").value["processInstanceKey"]
    jobs = engine.activate("a")
    engine.complete(jobs[0]["key"])  # one token waits at the join
    rows = {
        name: {str(k): v for k, v in json.loads(json.dumps(col)).items()}
        for name, col in engine.engine.state.snapshot().items()
    }
    state = EngineState()
    state.restore(rows)
    live = engine.engine.state.elements
    assert [r["k"] for r in state.elements.children(instance)] == [r["k"] for r in live.children(instance)]
    assert [r["v"]["elementId"] for r in state.elements.children(instance)] == ["b"]
    assert state.elements.taken_flows(instance, "join") == {"ja": 1}

    restarted = EngineDriver(now=engine.now)
    restarted.engine = Engine(state)
    restarted.complete_all("b")
    assert not restarted.is_active(instance)
    assert state.elements.taken_flows(instance, "join") == {}


def test_cancelling_terminates_every_child_and_drops_the_waiting_join(engine: EngineDriver) -> None:
    engine.deploy(FIXTURES / "parallel.bpmn")
    instance = engine.create("parallel").value["processInstanceKey"]
    engine.complete_all("a")
    engine.submit(ValueType.PROCESS_INSTANCE, "CANCEL", {}, instance)
    assert not engine.is_active(instance)
    assert engine.engine.state.snapshot().get("joins") is None
    assert engine.engine.state.elements.children(instance) == []
    engine.assert_replay_equal()


def test_a_row_created_and_deleted_between_two_commits_writes_nothing() -> None:
    db = StateDb()
    column = db.column("rows")
    column.put(1, {"a": 1})
    assert [(c.key, c.value) for c in db.take_changes()] == [("1", {"a": 1})]
    column.put(2, {"b": 2})
    column.delete(2)  # never committed: no DELETE for the store
    column.delete(1)  # committed before: deleted
    assert [(c.key, c.value) for c in db.take_changes()] == [("1", None)]
    column.put(3, {"c": 3})
    column.delete(3)
    column.put(3, {"c": 4})  # re-created in the same window: written
    assert [(c.key, c.value) for c in db.take_changes()] == [("3", {"c": 4})]
