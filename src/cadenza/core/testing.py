"""A driver for the engine in tests, examples and benchmarks: commands in, records out, no I/O.

It is part of the package (like httpx's ``MockTransport``) so that tests of other components can run a real
engine without a store or a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cadenza.core.engine import Engine
from cadenza.core.limits import Limits
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.state import EngineState

__all__ = ["EngineDriver"]

_COMMAND = RecordType.COMMAND


class EngineDriver:
    """Submits commands with a controllable clock and keeps the whole log."""

    def __init__(
        self, *, now: int = 1_700_000_000_000, tenant: str = "<default>", limits: Limits | None = None
    ) -> None:
        self.engine = Engine(limits=limits)
        self.log: list[Record] = []
        self.now = now
        self.tenant = tenant

    # ---------------------------------------------------------------------------------------------- commands

    def submit(self, value_type: ValueType, intent: str, value: dict[str, Any], key: int = -1) -> Record:
        """Processes one command; returns its response (the result event, or the rejection)."""
        command = Record(-1, key, _COMMAND, value_type, intent, value, tenant=self.tenant)
        result = self.engine.process(command, timestamp=self.now)
        self.engine.take_changes()  # as the adapter does after each commit; keeps the dirty sets small
        self.log.extend(result.records)
        assert result.response is not None, f"no response to {value_type} {intent}"
        return result.response

    def deploy(self, *paths: Path | str, resources: dict[str, str] | None = None) -> Record:
        items = [{"resourceName": Path(p).name, "resource": Path(p).read_text()} for p in paths]
        items += [{"resourceName": name, "resource": text} for name, text in (resources or {}).items()]
        return self.submit(ValueType.DEPLOYMENT, "CREATE", {"resources": items})

    def create(self, process_id: str, variables: dict[str, Any] | str | None = None) -> Record:
        text = variables if isinstance(variables, str) else json.dumps(variables or {})
        value = {"bpmnProcessId": process_id, "version": -1, "variables": text}
        return self.submit(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)

    def activate(self, job_type: str, *, max_jobs: int = 32, timeout: int = 60_000) -> list[dict[str, Any]]:
        value = {"type": job_type, "worker": "test", "timeout": timeout, "maxJobsToActivate": max_jobs}
        response = self.submit(ValueType.JOB_BATCH, "ACTIVATE", value)
        jobs: list[dict[str, Any]] = [
            {**job, "key": key}
            for key, job in zip(response.value["jobKeys"], response.value["jobs"], strict=True)
        ]
        return jobs

    def complete(self, job_key: int, variables: dict[str, Any] | None = None) -> Record:
        return self.submit(ValueType.JOB, "COMPLETE", {"variables": json.dumps(variables or {})}, job_key)

    def fail(self, job_key: int, retries: int, message: str = "", backoff: int = 0) -> Record:
        value = {"retries": retries, "errorMessage": message, "retryBackoff": backoff}
        return self.submit(ValueType.JOB, "FAIL", value, job_key)

    def complete_all(self, job_type: str, variables: dict[str, Any] | None = None) -> int:
        jobs = self.activate(job_type)
        for job in jobs:
            self.complete(job["key"], variables)
        return len(jobs)

    def throw_error(
        self, job_key: int, code: str, message: str = "", variables: dict[str, Any] | None = None
    ) -> Record:
        value = {"errorCode": code, "errorMessage": message, "variables": json.dumps(variables or {})}
        return self.submit(ValueType.JOB, "THROW_ERROR", value, job_key)

    def publish(
        self,
        name: str,
        correlation_key: str = "",
        variables: dict[str, Any] | None = None,
        *,
        ttl: int = 0,
        message_id: str = "",
    ) -> Record:
        value = {
            "name": name,
            "correlationKey": correlation_key,
            "timeToLive": ttl,
            "messageId": message_id,
            "variables": json.dumps(variables or {}),
        }
        return self.submit(ValueType.MESSAGE, "PUBLISH", value)

    def broadcast(self, name: str, variables: dict[str, Any] | None = None) -> Record:
        value = {"signalName": name, "variables": json.dumps(variables or {})}
        return self.submit(ValueType.SIGNAL, "BROADCAST", value)

    def set_variables(self, scope_key: int, variables: dict[str, Any], *, local: bool = False) -> Record:
        value = {
            "scopeKey": scope_key,
            "variables": json.dumps(variables),
            "updateSemantics": "LOCAL" if local else "PROPAGATE",
        }
        return self.submit(ValueType.VARIABLE_DOCUMENT, "UPDATE", value)

    def evaluate_conditions(self, variables: dict[str, Any], process_id: str = "") -> Record:
        """Evaluates the conditional start events of the latest process versions (a Cadenza addition)."""
        value = {"variables": json.dumps(variables), "bpmnProcessId": process_id}
        return self.submit(ValueType.CONDITIONAL_EVALUATION, "EVALUATE", value)

    def advance(self, millis: int) -> list[Record]:
        """Moves the clock as the adapter's scheduler would see it: each due timer fires at its due time,
        earliest first (a cycle re-armed within the window fires again), then messages whose time to live
        is over expire."""
        target = self.now + millis
        state = self.engine.state
        responses = []
        for _ in range(10_000):
            due = state.timers.due(target)
            if not due:
                break
            timer = state.timers.get(due[0])
            assert timer is not None
            self.now = max(self.now, timer["dueDate"])
            responses.append(self.submit(ValueType.TIMER, "TRIGGER", {}, due[0]))
        self.now = target
        expired = state.messages.expired(self.now)
        responses += [self.submit(ValueType.MESSAGE, "EXPIRE", {}, key) for key in expired]
        return responses

    # ----------------------------------------------------------------------------------------------- queries

    def events(self, value_type: ValueType | None = None, *, instance: int | None = None) -> list[Record]:
        return [
            r
            for r in self.log
            if r.record_type is RecordType.EVENT
            and (value_type is None or r.value_type is value_type)
            and (instance is None or r.value.get("processInstanceKey") == instance)
        ]

    def trace(self, instance: int) -> list[tuple[str, str]]:
        """``(elementId, intent)`` of every element event of one instance, in log order."""
        return [
            (r.value["elementId"], str(r.intent))
            for r in self.events(ValueType.PROCESS_INSTANCE, instance=instance)
        ]

    def variables(self, scope_key: int) -> dict[str, Any]:
        return {
            name: json.loads(text) for name, (_, text) in self.engine.state.variables.local(scope_key).items()
        }

    def is_active(self, instance: int) -> bool:
        return self.engine.state.elements.get(instance) is not None

    def replayed_state(self, records: Iterable[Record] | None = None) -> EngineState:
        engine = Engine(EngineState(self.engine.state.partition))
        engine.replay(self.log if records is None else records)
        return engine.state

    def assert_replay_equal(self) -> None:
        """The invariant every engine test ends with: replaying the log rebuilds the same state."""
        replayed = self.replayed_state().snapshot()
        live = self.engine.state.snapshot()
        assert replayed == live, f"replayed state differs:\n{replayed}\n!=\n{live}"
