"""The callers of CreateProcessInstanceWithResult waiting for their instances, and what they get back.

A caller's future is registered once its instance's creation is processed; the root's variables are kept when
the root completes (the engine calls ``root_completed`` from inside the batch, while they still exist); after
the batch's commit ``settle`` answers the callers whose instance completed (with those variables) or was
terminated (InstanceTerminated).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.engine_adapters.port import InstanceTerminated

__all__ = ["InstanceResults"]

_ENDS = ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")


class InstanceResults:
    def __init__(self) -> None:
        self._waiting: dict[int, list[asyncio.Future[Record]]] = {}
        self._final: dict[int, dict[str, Any]] = {}
        # True while a batch that creates an instance with a result runs: that instance may complete within
        # its creation batch, before its key is known here, so every root completion is kept then.
        self._keep_all = False

    def begin_batch(self, creates_with_result: bool) -> None:
        self._keep_all = creates_with_result

    def wait_for(self, response: Record | None, result: asyncio.Future[Record] | None) -> None:
        """Registers ``result`` for the instance a creation ``response`` made (a rejection registers none)."""
        if result is not None and response is not None and response.record_type is RecordType.EVENT:
            self._waiting.setdefault(response.value["processInstanceKey"], []).append(result)

    def forget(self, key: int) -> None:
        self._waiting.pop(key, None)

    def root_completed(self, key: int, texts: dict[str, str]) -> None:
        if self._keep_all or key in self._waiting:
            self._final[key] = {name: json.loads(text) for name, text in texts.items()}

    def take_final(self) -> dict[int, dict[str, Any]]:
        """The root variables kept during the batch (taken before its commit, handed to ``settle`` after)."""
        final, self._final = self._final, {}
        return final

    def settle(self, records: list[Record], final: dict[int, dict[str, Any]]) -> None:
        for record in records:
            if (
                record.value_type is ValueType.PROCESS_INSTANCE
                and record.intent in _ENDS
                and record.value.get("bpmnElementType") == "PROCESS"
            ):
                self._answer(record, final)

    def _answer(self, record: Record, final: dict[int, dict[str, Any]]) -> None:
        for future in self._waiting.pop(record.key, []):
            if future.done():
                continue
            if record.intent == "ELEMENT_COMPLETED":
                future.set_result(
                    record._replace(value={**record.value, "variables": final.get(record.key, {})})
                )
            else:
                future.set_exception(InstanceTerminated(f"process instance {record.key} was terminated"))
