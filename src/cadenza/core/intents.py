"""Intents per value type: what a command asks for, or what an event says happened (Zeebe's names)."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdHocSubProcessInstructionIntent",
    "DeploymentIntent",
    "IncidentIntent",
    "JobBatchIntent",
    "JobIntent",
    "MessageIntent",
    "MessageStartEventSubscriptionIntent",
    "MessageSubscriptionIntent",
    "MultiInstanceIntent",
    "ProcessInstanceCreationIntent",
    "ProcessEventIntent",
    "ProcessInstanceIntent",
    "ProcessMessageSubscriptionIntent",
    "ProcessIntent",
    "SignalIntent",
    "SignalSubscriptionIntent",
    "TimerIntent",
    "UserTaskIntent",
    "VariableDocumentIntent",
    "VariableIntent",
    "ConditionalEvaluationIntent",
    "ConditionalSubscriptionIntent",
    "DecisionEvaluationIntent",
    "DecisionIntent",
    "DecisionRequirementsIntent",
    "EscalationIntent",
    "ErrorIntent",
    "FormIntent",
    "ProcessInstanceMigrationIntent",
    "ProcessInstanceModificationIntent",
    "ResourceDeletionIntent",
]


class DeploymentIntent(StrEnum):
    CREATE = "CREATE"
    CREATED = "CREATED"


class ProcessIntent(StrEnum):
    CREATED = "CREATED"
    DELETING = "DELETING"
    DELETED = "DELETED"


class DecisionRequirementsIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class DecisionIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class FormIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class ResourceDeletionIntent(StrEnum):
    DELETE = "DELETE"
    DELETING = "DELETING"
    DELETED = "DELETED"


class ProcessInstanceModificationIntent(StrEnum):
    MODIFY = "MODIFY"
    MODIFIED = "MODIFIED"


class AdHocSubProcessInstructionIntent(StrEnum):
    """Activates more elements of an active ad-hoc sub-process (Zeebe 8.8's ad-hoc activities API)."""

    ACTIVATE = "ACTIVATE"
    ACTIVATED = "ACTIVATED"


class ProcessInstanceMigrationIntent(StrEnum):
    MIGRATE = "MIGRATE"
    MIGRATED = "MIGRATED"


class ProcessInstanceCreationIntent(StrEnum):
    CREATE = "CREATE"
    CREATED = "CREATED"


class ProcessInstanceIntent(StrEnum):
    # commands
    CANCEL = "CANCEL"
    ACTIVATE_ELEMENT = "ACTIVATE_ELEMENT"
    COMPLETE_ELEMENT = "COMPLETE_ELEMENT"
    TERMINATE_ELEMENT = "TERMINATE_ELEMENT"
    # events
    ELEMENT_ACTIVATING = "ELEMENT_ACTIVATING"
    ELEMENT_ACTIVATED = "ELEMENT_ACTIVATED"
    ELEMENT_COMPLETING = "ELEMENT_COMPLETING"
    ELEMENT_COMPLETED = "ELEMENT_COMPLETED"
    ELEMENT_TERMINATING = "ELEMENT_TERMINATING"
    ELEMENT_TERMINATED = "ELEMENT_TERMINATED"
    SEQUENCE_FLOW_TAKEN = "SEQUENCE_FLOW_TAKEN"
    #: The instance now follows another process definition (or element of it): process instance migration.
    ELEMENT_MIGRATED = "ELEMENT_MIGRATED"


class JobIntent(StrEnum):
    COMPLETE = "COMPLETE"
    FAIL = "FAIL"
    THROW_ERROR = "THROW_ERROR"
    UPDATE_RETRIES = "UPDATE_RETRIES"
    UPDATE_TIMEOUT = "UPDATE_TIMEOUT"
    TIME_OUT = "TIME_OUT"
    RECUR_AFTER_BACKOFF = "RECUR_AFTER_BACKOFF"
    CANCEL = "CANCEL"
    CREATED = "CREATED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    ERROR_THROWN = "ERROR_THROWN"
    RETRIES_UPDATED = "RETRIES_UPDATED"
    TIMEOUT_UPDATED = "TIMEOUT_UPDATED"
    TIMED_OUT = "TIMED_OUT"
    RECURRED_AFTER_BACKOFF = "RECURRED_AFTER_BACKOFF"
    CANCELED = "CANCELED"
    MIGRATED = "MIGRATED"


class JobBatchIntent(StrEnum):
    ACTIVATE = "ACTIVATE"
    ACTIVATED = "ACTIVATED"


class IncidentIntent(StrEnum):
    RESOLVE = "RESOLVE"
    CREATED = "CREATED"
    RESOLVED = "RESOLVED"
    MIGRATED = "MIGRATED"


class VariableIntent(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    MIGRATED = "MIGRATED"


class VariableDocumentIntent(StrEnum):
    UPDATE = "UPDATE"
    UPDATED = "UPDATED"


class TimerIntent(StrEnum):
    TRIGGER = "TRIGGER"
    CREATED = "CREATED"
    TRIGGERED = "TRIGGERED"
    CANCELED = "CANCELED"
    MIGRATED = "MIGRATED"


class MessageIntent(StrEnum):
    PUBLISH = "PUBLISH"
    EXPIRE = "EXPIRE"
    PUBLISHED = "PUBLISHED"
    EXPIRED = "EXPIRED"


class MessageSubscriptionIntent(StrEnum):
    CREATED = "CREATED"
    CORRELATED = "CORRELATED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class MessageStartEventSubscriptionIntent(StrEnum):
    #: Internal: an instance started with a correlation key ended; a buffered message may start the next.
    CORRELATE = "CORRELATE"
    CREATED = "CREATED"
    CORRELATED = "CORRELATED"
    DELETED = "DELETED"


class SignalIntent(StrEnum):
    BROADCAST = "BROADCAST"
    BROADCASTED = "BROADCASTED"


class SignalSubscriptionIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class UserTaskIntent(StrEnum):
    ASSIGN = "ASSIGN"
    CLAIM = "CLAIM"
    COMPLETE = "COMPLETE"
    UPDATE = "UPDATE"
    CREATED = "CREATED"
    ASSIGNED = "ASSIGNED"
    CLAIMED = "CLAIMED"
    UPDATED = "UPDATED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"
    MIGRATED = "MIGRATED"


class DecisionEvaluationIntent(StrEnum):
    EVALUATE = "EVALUATE"
    EVALUATED = "EVALUATED"
    FAILED = "FAILED"


class EscalationIntent(StrEnum):
    ESCALATED = "ESCALATED"
    NOT_ESCALATED = "NOT_ESCALATED"


class ErrorIntent(StrEnum):
    CREATED = "CREATED"


class ProcessMessageSubscriptionIntent(StrEnum):
    """The process side of a message subscription; CORRELATE is internal (a buffered message found)."""

    CORRELATE = "CORRELATE"
    CREATED = "CREATED"
    CORRELATED = "CORRELATED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class ProcessEventIntent(StrEnum):
    """An event triggered that waits for its scope to terminate first (interrupting boundary, event
    sub-process) or for its gateway to complete (event-based gateway)."""

    TRIGGERING = "TRIGGERING"
    TRIGGERED = "TRIGGERED"


class MultiInstanceIntent(StrEnum):
    #: The body's input collection, evaluated once on activation (Zeebe 8.8, after bug #31837).
    INPUT_COLLECTION_EVALUATED = "INPUT_COLLECTION_EVALUATED"


class ConditionalSubscriptionIntent(StrEnum):
    """A conditional event's subscription (Cadenza addition). EVALUATE is internal: a variable changed, or
    the subscription just opened. ``satisfied`` in the value remembers the last result, so a
    non-interrupting event fires on each false -> true transition only (TRIGGERED sets it, RESET clears
    it)."""

    EVALUATE = "EVALUATE"
    CREATED = "CREATED"
    TRIGGERED = "TRIGGERED"
    RESET = "RESET"
    DELETED = "DELETED"


class ConditionalEvaluationIntent(StrEnum):
    """Evaluates the conditional start events of the latest process versions over a variables document."""

    EVALUATE = "EVALUATE"
    EVALUATED = "EVALUATED"
