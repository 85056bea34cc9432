"""Episodic memory: a summary of each finished run, and the past runs closest to a new goal.

An episode is a memory record of kind ``episode`` in its process's namespace. Its embedded text is the run's
goal (a new goal is compared with past goals); the outcome, instance key and tags ride along. The record id
is derived from the instance key (and the element, when the run names one), so recording the same run twice
(a retried job) keeps one episode, while two agent tasks of one instance keep one each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cadenza.workers.memory.errors import MemoryInputError
from cadenza.workers.memory.scope import DEFAULT_TENANT, Namespace, check_id
from cadenza.workers.memory.store import MemoryRecord, MemoryStore

__all__ = ["MAX_OUTCOME_CHARS", "EpisodicMemory", "PastRun", "RunSummary", "episode_of"]

#: An outcome is a summary, not a transcript; it is kept in the record's metadata, which Milvus bounds.
MAX_OUTCOME_CHARS = 8_000


@dataclass(frozen=True, slots=True)
class RunSummary:
    instance_key: int
    process_id: str
    goal: str
    outcome: str
    tags: tuple[str, ...] = ()
    tenant: str = DEFAULT_TENANT
    #: Milliseconds since the epoch; now if None.
    ended_at: int | None = None
    #: The BPMN element that ran (an agent task): an instance keeps one episode per element.
    element_id: str | None = None


@dataclass(frozen=True, slots=True)
class PastRun:
    summary: RunSummary
    #: Cosine similarity of the run's goal to the new goal (higher is closer).
    score: float


def _episode_id(instance_key: int, element_id: str | None) -> str:
    if not element_id:
        return f"run-{instance_key}"
    try:
        return check_id(f"run-{instance_key}-{element_id}")
    except MemoryInputError:
        # an element id may hold characters a record id may not (an NCName allows any letter): hash it
        digest = hashlib.sha256(element_id.encode()).hexdigest()[:16]
        return f"run-{instance_key}-{digest}"


class EpisodicMemory:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def remember(self, run: RunSummary) -> MemoryRecord:
        """Records (or replaces) the episode of ``run.instance_key``."""
        if (
            not isinstance(run.instance_key, int)
            or isinstance(run.instance_key, bool)
            or run.instance_key < 0
        ):
            raise MemoryInputError(f"instance key must be a non-negative integer, not {run.instance_key!r}")
        if not isinstance(run.outcome, str) or not run.outcome.strip():
            raise MemoryInputError("outcome is empty")
        if len(run.outcome) > MAX_OUTCOME_CHARS:
            raise MemoryInputError(
                f"outcome has {len(run.outcome)} characters; the limit is {MAX_OUTCOME_CHARS}"
            )
        metadata: dict[str, object] = {"instanceKey": run.instance_key, "outcome": run.outcome}
        if run.element_id:
            metadata["elementId"] = run.element_id
        return self.store.add(
            Namespace(run.tenant, run.process_id),
            run.goal,
            kind="episode",
            tags=run.tags,
            metadata=metadata,
            record_id=_episode_id(run.instance_key, run.element_id),
            created_at=run.ended_at,
        )

    def recall(
        self,
        namespace: Namespace,
        goal: str,
        *,
        limit: int = 3,
        tags_any: Sequence[str] = (),
        across_processes: bool = False,
    ) -> list[PastRun]:
        """The past runs of the namespace (of all the tenant's processes if ``across_processes``) whose goals
        are closest to ``goal``, best first."""
        hits = self.store.search(
            namespace, goal, limit=limit, kind="episode", tags_any=tags_any, across_processes=across_processes
        )
        return [PastRun(episode_of(hit.record), hit.score) for hit in hits]


def episode_of(record: MemoryRecord) -> RunSummary:
    return RunSummary(
        instance_key=int(record.metadata["instanceKey"]),
        process_id=record.namespace.process_id,
        goal=record.text,
        outcome=str(record.metadata["outcome"]),
        tags=record.tags,
        tenant=record.namespace.tenant,
        ended_at=record.created_at,
        element_id=record.metadata.get("elementId"),
    )
