"""Event state survives a restart: rows restore and the in-memory indexes (due timers, buffered messages,
subscriptions by name, interrupted scopes) are rebuilt from them."""

from __future__ import annotations

import json

from core_fixtures import FIXTURES

from cadenza.core.engine import Engine
from cadenza.core.records import ValueType
from cadenza.core.state import EngineState
from cadenza.core.testing import EngineDriver


def _restarted(engine: EngineDriver) -> EngineDriver:
    rows = {
        name: {str(k): v for k, v in json.loads(json.dumps(col)).items()}
        for name, col in engine.engine.state.snapshot().items()
    }
    state = EngineState()
    state.restore(rows)
    restarted = EngineDriver(now=engine.now)
    restarted.engine = Engine(state)
    return restarted


def test_timers_messages_and_signal_subscriptions_work_after_a_restore(engine: EngineDriver) -> None:
    engine.deploy(
        FIXTURES / "timer-boundary.bpmn", FIXTURES / "message-catch.bpmn", FIXTURES / "signals.bpmn"
    )
    timed = engine.create("timer-boundary").value["processInstanceKey"]
    engine.publish("paid", "o-9", {"early": 1}, ttl=120_000)
    waiting = engine.create("signal-catch").value["processInstanceKey"]
    restarted = _restarted(engine)
    state = restarted.engine.state
    assert state.timers.next_due() == engine.engine.state.timers.next_due()
    assert state.messages.expired(engine.now + 120_000) == engine.engine.state.messages.expired(
        engine.now + 120_000
    )
    restarted.advance(60_000)
    assert not restarted.is_active(timed)
    buyer = restarted.create("message-catch", {"orderId": "o-9"}).value["processInstanceKey"]
    assert ("receive", "ELEMENT_ACTIVATED") in restarted.trace(buyer)
    restarted.broadcast("go")
    assert ("waitGo", "ELEMENT_COMPLETED") in restarted.trace(waiting)
    assert restarted.events(ValueType.MESSAGE) == []
    restarted.advance(60_000)
    assert [str(r.intent) for r in restarted.events(ValueType.MESSAGE)] == ["EXPIRED"]
