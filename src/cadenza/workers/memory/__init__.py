"""Agent memory: sentence embeddings (all-MiniLM-L6-v2 in numpy), a Milvus store scoped by tenant and process,
episodic memory of past runs, and the ``memory.search`` / ``memory.remember`` tools. See docs/memory.md."""

from __future__ import annotations

from cadenza.workers.memory.embeddings import Embedder, MiniLMEmbedder, find_model_dir
from cadenza.workers.memory.episodic import EpisodicMemory, PastRun, RunSummary
from cadenza.workers.memory.errors import MemoryInputError
from cadenza.workers.memory.scope import DEFAULT_TENANT, Namespace
from cadenza.workers.memory.store import MemoryConfig, MemoryHit, MemoryRecord, MemoryStore
from cadenza.workers.memory.tools import MemoryTool, memory_tools

__all__ = [
    "DEFAULT_TENANT",
    "Embedder",
    "EpisodicMemory",
    "MemoryConfig",
    "MemoryHit",
    "MemoryInputError",
    "MemoryRecord",
    "MemoryStore",
    "MemoryTool",
    "MiniLMEmbedder",
    "Namespace",
    "PastRun",
    "RunSummary",
    "find_model_dir",
    "memory_tools",
]
