"""Fixtures of the memory tests: the real model (loaded once) and a Milvus Lite store in a fresh file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Belt and braces: nothing here talks to a model hub, and this makes any library that tries fail fast.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from cadenza.workers.memory import MemoryConfig, MemoryStore, MiniLMEmbedder  # noqa: E402


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.load()


@pytest.fixture
def store(tmp_path: Path, embedder: MiniLMEmbedder) -> Iterator[MemoryStore]:
    opened = MemoryStore.open(MemoryConfig(uri=str(tmp_path / "memory.db")), embedder)
    yield opened
    opened.close()
