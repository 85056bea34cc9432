"""The batch writer: what a processor uses to emit records.

Writing an event applies it to state at once (as Zeebe's event writer does), so the rest of the processing
sees the new state; follow-up commands for the same partition queue up and run in the same batch.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from cadenza.core.appliers import APPLIERS
from cadenza.core.intents import ConditionalSubscriptionIntent, ProcessMessageSubscriptionIntent
from cadenza.core.keys import encode_key
from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.core.state import EngineState

__all__ = ["Writer"]

_EVENT = RecordType.EVENT
_COMMAND = RecordType.COMMAND
_NO_REJECTION = RejectionType.NULL_VAL
# Builds a Record from all of its fields without the NamedTuple constructor's extra Python frame: the writer
# makes every record of the engine, so this is its hottest line.
_new_record = tuple.__new__
_get_applier = APPLIERS.get
#: Follow-up commands that wait for the rest of their batch's work (each queues itself again while other work
#: is queued): a new subscription's first look at its condition or at a buffered message. Zeebe opens a
#: message subscription after the batch that asked for it, so the scope's tokens have reached the elements
#: where they wait before such an event can interrupt them.
_SETTLING = frozenset(
    {
        (ValueType.CONDITIONAL_SUBSCRIPTION, str(ConditionalSubscriptionIntent.EVALUATE)),
        (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, str(ProcessMessageSubscriptionIntent.CORRELATE)),
    }
)


class Writer:
    __slots__ = (
        "state",
        "records",
        "follow_ups",
        "response",
        "timestamp",
        "source_position",
        "_position",
        "_counter",
        "_partition",
        "_key_base",
        "_first_position",
        "_first_counter",
    )

    def __init__(self, state: EngineState, timestamp: int) -> None:
        self.state = state
        self.records: list[Record] = []
        self.follow_ups: deque[Record] = deque()
        self.response: Record | None = None
        self.timestamp = timestamp
        self.source_position = -1
        self._position = self._first_position = state.last_position
        self._counter = self._first_counter = state.last_key
        self._partition = state.partition
        self._key_base = encode_key(state.partition, 0)

    def next_key(self) -> int:
        self._counter += 1
        return self._key_base + self._counter  # encode_key(partition, counter), without its call

    def _append(self, record: Record) -> Record:
        self.records.append(record)
        return record

    def log_command(self, command: Record) -> Record:
        """Gives an external command its log position; it becomes the source of what follows."""
        self._position += 1
        # command._replace(position=..., partition=..., timestamp=...), without its generic machinery.
        (_, key, record_type, value_type, intent, value, _, tenant, _, source, rejection, reason) = command
        logged: Record = _new_record(
            Record,
            (
                self._position,
                key,
                record_type,
                value_type,
                intent,
                value,
                self._partition,
                tenant,
                self.timestamp,
                source,
                rejection,
                reason,
            ),
        )
        self.source_position = self._position
        return self._append(logged)

    def event(
        self, value_type: ValueType, intent: str, key: int, value: dict[str, Any], tenant: str = "<default>"
    ) -> Record:
        self._position += 1
        record: Record = _new_record(
            Record,
            (
                self._position,
                key,
                _EVENT,
                value_type,
                intent,
                value,
                self._partition,
                tenant,
                self.timestamp,
                self.source_position,
                _NO_REJECTION,
                "",
            ),
        )
        applier = _get_applier((value_type, intent))
        if applier is not None:
            applier(self.state, key, value)
        self.records.append(record)
        return record

    def follow_up(self, value_type: ValueType, intent: str, key: int, value: dict[str, Any]) -> None:
        """Queues an internal command; it is processed later in this batch, not written to the log."""
        fields = (
            -1,
            key,
            _COMMAND,
            value_type,
            intent,
            value,
            self._partition,
            "<default>",
            0,
            -1,
            _NO_REJECTION,
            "",
        )
        self.follow_ups.append(_new_record(Record, fields))

    def unsettled(self) -> bool:
        """Work other than settling commands is still queued: a settling command waits behind it."""
        return any((c.value_type, str(c.intent)) not in _SETTLING for c in self.follow_ups)

    def reject(self, command: Record, rejection: RejectionType, reason: str) -> Record:
        self._position += 1
        record = command._replace(
            position=self._position,
            record_type=RecordType.COMMAND_REJECTION,
            partition=self._partition,
            timestamp=self.timestamp,
            source_position=command.position,
            rejection_type=rejection,
            rejection_reason=reason,
        )
        self.response = record
        return self._append(record)

    def respond(self, record: Record) -> None:
        self.response = record

    def finish(self) -> None:
        """Carries the position and key counters into state, so they are committed with the batch."""
        # Only this writer moves the counters while it lives, so comparing with where they began suffices.
        if self._position != self._first_position:
            self.state.set_last_position(self._position)
        if self._counter != self._first_counter:
            self.state.set_last_key(self._counter)
