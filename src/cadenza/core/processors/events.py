"""The event commands' processors, registered by the engine."""

from __future__ import annotations

from collections.abc import Callable

from cadenza.core.intents import (
    ConditionalEvaluationIntent,
    ConditionalSubscriptionIntent,
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    ProcessMessageSubscriptionIntent,
    SignalIntent,
    TimerIntent,
)
from cadenza.core.processors.conditions import evaluate_start_conditions, evaluate_subscriptions
from cadenza.core.processors.messages import (
    correlate_buffered,
    expire_message,
    publish_message,
    start_buffered,
)
from cadenza.core.processors.signals import broadcast_signal
from cadenza.core.processors.timers import trigger_timer
from cadenza.core.records import Record, ValueType
from cadenza.core.writer import Writer

__all__ = ["EVENT_PROCESSORS"]

EVENT_PROCESSORS: dict[tuple[ValueType, str], Callable[[Writer, Record], None]] = {
    (ValueType.TIMER, TimerIntent.TRIGGER): trigger_timer,
    (ValueType.MESSAGE, MessageIntent.PUBLISH): publish_message,
    (ValueType.MESSAGE, MessageIntent.EXPIRE): expire_message,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, ProcessMessageSubscriptionIntent.CORRELATE): correlate_buffered,
    (ValueType.SIGNAL, SignalIntent.BROADCAST): broadcast_signal,
    (
        ValueType.MESSAGE_START_EVENT_SUBSCRIPTION,
        MessageStartEventSubscriptionIntent.CORRELATE,
    ): start_buffered,
    (ValueType.CONDITIONAL_SUBSCRIPTION, ConditionalSubscriptionIntent.EVALUATE): evaluate_subscriptions,
    (ValueType.CONDITIONAL_EVALUATION, ConditionalEvaluationIntent.EVALUATE): evaluate_start_conditions,
}
