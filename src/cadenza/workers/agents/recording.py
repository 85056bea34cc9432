"""Writing a run to the ledger as it happens, and reading a recorded run back for resume, replay and fork.

:class:`RunLog` appends each entry as soon as it exists (a crash loses at most the call in flight). Entries
taken from a recording are written again only when the run is a new one (a fork copies its prefix, with no
tokens or cost, since no model was called); a resumed run already holds them.

:class:`Recorded` answers "what happened at this point last time": the model's response at step N, a tool's
result for call id C, the person's decision on a call. The loop asks it first and goes live only where it has
no answer, so a resume, a replay and a fork are the same loop over different recordings.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cadenza.workers.agents.codec import response_from_json
from cadenza.workers.agents.ledger import EntryKind, Ledger, LedgerEntry
from cadenza.workers.agents.model import ModelResponse

__all__ = ["Recorded", "RunLog", "RunScope"]


@dataclass(frozen=True, slots=True)
class RunScope:
    """Where a run belongs: what every ledger entry of it carries."""

    run_id: str
    tenant: str
    process_instance_key: int | None
    element_id: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recorded run (or its prefix up to a fork step), by step and call id."""

    responses: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    #: by (step, call id): some servers number calls afresh each turn, so an id alone may repeat
    tools: Mapping[tuple[int, str], Mapping[str, Any]] = field(default_factory=dict)
    decisions: Mapping[tuple[int, str], Mapping[str, Any]] = field(default_factory=dict)
    pending: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, entries: Sequence[LedgerEntry], before_step: int | None = None) -> Recorded:
        responses: dict[int, Mapping[str, Any]] = {}
        tools: dict[tuple[int, str], Mapping[str, Any]] = {}
        decisions: dict[tuple[int, str], Mapping[str, Any]] = {}
        pending: Mapping[str, Any] | None = None
        for entry in entries:
            if before_step is not None and entry.step >= before_step:
                continue
            if entry.kind is EntryKind.MODEL:
                responses[entry.step] = entry.payload
            elif entry.kind in (EntryKind.TOOL, EntryKind.REFUSED):
                tools[entry.step, entry.payload["call"]["id"]] = entry.payload
            elif entry.kind is EntryKind.DECISION:
                decisions[entry.step, entry.payload["callId"]] = entry.payload
            elif entry.kind is EntryKind.PENDING:
                pending = entry.payload
        return cls(responses, tools, decisions, pending)

    def response(self, step: int) -> tuple[ModelResponse, Mapping[str, Any]] | None:
        found = self.responses.get(step)
        if found is None:
            return None
        return response_from_json(found["response"]), found


class RunLog:
    """Appends a run's entries to the ledger, numbering them."""

    def __init__(
        self,
        ledger: Ledger,
        scope: RunScope,
        *,
        next_seq: int = 0,
        copy_recorded: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.scope = scope
        self._seq = next_seq
        self._copy_recorded = copy_recorded
        self._clock = clock

    async def add(
        self,
        kind: EntryKind,
        step: int,
        payload: Mapping[str, Any],
        *,
        tokens: int = 0,
        cost_micros: int = 0,
        recorded: bool = False,
    ) -> None:
        if recorded and not self._copy_recorded:
            return
        entry = LedgerEntry(
            run_id=self.scope.run_id,
            seq=self._seq,
            kind=kind,
            step=step,
            payload=payload,
            tenant=self.scope.tenant,
            process_instance_key=self.scope.process_instance_key,
            element_id=self.scope.element_id,
            tokens=0 if recorded else tokens,
            cost_micros=0 if recorded else cost_micros,
            created_ms=int(self._clock() * 1000),
        )
        self._seq += 1
        # the SQL ledger blocks on its database: keep the event loop (and the other jobs) running meanwhile
        await asyncio.to_thread(self.ledger.append, [entry])
