"""Counters of the embedded writer: how many batches and commands, and the CPU time spent processing them (the
engine, on the event loop's thread) and committing them (the store, on its thread). Cheap enough to keep on:
two clock reads per batch. bench/grpc_e2e.py reads them to say where a server's time goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["WriterStats"]


@dataclass(slots=True)
class WriterStats:
    batches: int = 0
    commands: int = 0
    records: int = 0
    #: CPU seconds of the event loop's thread inside the engine (processing commands, taking state changes).
    process_cpu: float = 0.0
    #: CPU seconds of the store's thread inside ``Store.commit`` (encoding rows, the database calls).
    commit_cpu: float = 0.0
    #: Wall-clock seconds from a batch's commit being handed to the store's thread to its end.
    commit_wall: float = 0.0

    def processed(self, commands: int, records: int, cpu: float) -> None:
        self.batches += 1
        self.commands += commands
        self.records += records
        self.process_cpu += cpu

    def timed_commit(self, commit: Callable[..., None]) -> Callable[..., None]:
        """``commit`` counting its CPU time on the thread it runs on."""

        def run(*args: Any) -> None:
            began = time.thread_time()
            try:
                commit(*args)
            finally:
                self.commit_cpu += time.thread_time() - began

        return run
