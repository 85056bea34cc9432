"""The garbage-collector policy of an engine process (`cadenza serve`), applied once its partitions load.

Why: the engine allocates a few container objects per record (records, their value dicts, state rows), almost
all freed at once by reference counting, yet each counts towards CPython's cyclic collector. With the default
thresholds (700, 10, 10) a young collection runs every 700 net allocations, and every so often a full one
walks every tracked object of the process: modules, parsed models, FEEL closures, the loaded engine state. In
the engine benchmark (docs/bench.md) full collections were about 15% of a round. So, once start-up is done:

* ``gc.freeze()`` moves everything alive then (imports, the web app, the partitions' state as loaded) into the
  permanent generation, which no collection walks again. What start-up made and later drops is still freed
  by reference counting; only a cycle among those objects would stay until exit, and start-up leaves none
  that grow.
* ``gc.set_threshold(GEN0_THRESHOLD, 10, 10)``: a young collection every 10,000 net container allocations
  (about two batches of a hundred commands) instead of every 700: the same cycles are found, a little later,
  with fewer passes. Memory held by uncollected cycles stays bounded by that count.

Not applied on import or by ``EmbeddedEngine`` itself: the policy is the process's, so the program that owns
the process (the server, a benchmark) applies it; library users and tests keep CPython's defaults.
"""

from __future__ import annotations

import gc

__all__ = ["GEN0_THRESHOLD", "apply_engine_gc_policy", "restore_default_gc"]

#: Net container allocations between two young collections (CPython's default is 700).
GEN0_THRESHOLD = 10_000
_DEFAULT_THRESHOLDS = (700, 10, 10)


def apply_engine_gc_policy() -> None:
    """Freezes what is alive now and raises the young-generation threshold; call after start-up."""
    gc.collect()  # start-up's own garbage goes first, so that none of it is frozen for good
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


def restore_default_gc() -> None:
    """Undoes ``apply_engine_gc_policy``: CPython's default thresholds, nothing frozen (benchmarks, tests)."""
    gc.unfreeze()
    gc.set_threshold(*_DEFAULT_THRESHOLDS)
