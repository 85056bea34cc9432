"""Agent memory in the agent runtime: ``memory.search`` and ``memory.remember`` as tools, and episodes of
finished runs.

The tools are :mod:`cadenza.workers.memory.tools`'s, registered once as Python tools; each call binds them to
the namespace of the job it serves (the job's tenant and BPMN process id) and writes the instance key with a
note. Nothing a model sends can name another namespace: the tools' schemas allow no such argument, and the
loop refuses arguments outside a schema before a tool runs.

An episode is recorded when a run completes and the task asked for it: the opening message (goal and inputs,
masked as the ledger masks prompts) becomes the episode's searchable text, the final answer its outcome.
Later runs of the process find it with ``memory.search``. This module loads pymilvus and the embedding model
(the ``memory`` extra): the runtime imports it only when memory is configured.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from cadenza.workers.agents.loop import AgentSpec, opening_text
from cadenza.workers.agents.masking import Masker
from cadenza.workers.agents.tools import Tool, ToolContext, ToolFailed, python_tool
from cadenza.workers.connector import JobInfo
from cadenza.workers.memory import (
    DEFAULT_TENANT,
    EpisodicMemory,
    MemoryConfig,
    MemoryInputError,
    MemoryStore,
    MiniLMEmbedder,
    Namespace,
    RunSummary,
    memory_tools,
)

__all__ = ["MEMORY_TOOLS", "AgentMemory"]

_log = logging.getLogger(__name__)
T = TypeVar("T")

#: The tools memory puts on an agent's allowlist.
MEMORY_TOOLS = ("memory.search", "memory.remember")
#: The embedded text is cut well below the store's limit; the model reads the first 256 tokens anyway.
_MAX_GOAL_CHARS = 4_000
#: The outcome rides in the record's metadata, whose JSON (ASCII-escaped) the store bounds to 16 KiB.
_MAX_OUTCOME_CHARS = 4_000
_MAX_OUTCOME_JSON = 12_000


def _outcome(text: str) -> str:
    """``text`` cut to fit: 4,000 characters, fewer where escaping non-ASCII text would pass the limit."""
    cut = text[:_MAX_OUTCOME_CHARS].strip()
    while len(json.dumps(cut)) > _MAX_OUTCOME_JSON:
        cut = cut[: len(cut) * 3 // 4]
    return cut or "(no answer text)"


class AgentMemory:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.episodes = EpisodicMemory(store)
        # one memory operation at a time: the embedder's BLAS thread limit is process-wide, and its forward
        # pass is CPU-bound, so concurrent jobs gain nothing from running two at once
        self._lock = threading.Lock()

    @classmethod
    def open(cls, config: MemoryConfig | None = None) -> AgentMemory:
        """Loads the embedding model (about half a second) and opens the store (Milvus Lite by default)."""
        return cls(MemoryStore.open(config or MemoryConfig.from_env(), MiniLMEmbedder.load()))

    def close(self) -> None:
        self.store.close()

    #: the tools ``agent.memory`` puts on an allowlist
    tool_names = MEMORY_TOOLS

    @staticmethod
    def namespace(job: JobInfo) -> Namespace:
        """The memory of the job's tenant and process; raises MemoryInputError when either cannot name one."""
        return Namespace(job.tenant_id or DEFAULT_TENANT, job.bpmn_process_id)

    def tools(self) -> tuple[Tool, ...]:
        """``memory.search`` and ``memory.remember`` for a tool registry, bound per call to the job's
        namespace."""
        # the tools' names, descriptions and schemas do not depend on the namespace they are bound to
        shapes = memory_tools(self.store, Namespace(DEFAULT_TENANT, "shape"))
        return tuple(python_tool(t.name, t.description, t.input_schema, self._run(t.name)) for t in shapes)

    def _run(self, name: str) -> Any:
        async def run(arguments: Mapping[str, Any], context: ToolContext) -> dict[str, Any]:
            job = context.job
            try:
                bound = memory_tools(self.store, self.namespace(job), instance_key=job.process_instance_key)
                tool = next(t for t in bound if t.name == name)
                # embedding and Milvus block: keep the event loop (and the other jobs) running meanwhile
                return await asyncio.to_thread(self._locked, tool.call, arguments)
            except MemoryInputError as error:
                raise ToolFailed(str(error)) from None

        return run

    def _locked(self, function: Callable[[Any], T], argument: Any) -> T:
        with self._lock:
            return function(argument)

    async def record_episode(self, job: JobInfo, spec: AgentSpec, output: Any, masker: Masker) -> str | None:
        """Stores the completed run as an episode of its instance and element; returns the record id, or None
        when it could not be stored (logged: the run's answer stands, and a retry would run it again)."""
        text = output if isinstance(output, str) else json.dumps(output, sort_keys=True, ensure_ascii=False)
        try:
            summary = RunSummary(
                instance_key=job.process_instance_key,
                process_id=job.bpmn_process_id,
                goal=masker.text(opening_text(spec))[:_MAX_GOAL_CHARS],
                outcome=_outcome(masker.text(text)),
                tenant=job.tenant_id or DEFAULT_TENANT,
                element_id=job.element_id,
            )
            record = await asyncio.to_thread(self._locked, self.episodes.remember, summary)
        except Exception as error:  # noqa: BLE001 - the store may fail in any way; the job must still complete
            _log.warning("episode of instance %s not stored: %s", job.process_instance_key, error)
            return None
        return record.record_id
