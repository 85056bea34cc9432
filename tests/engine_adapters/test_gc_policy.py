"""The engine process's GC policy: what start-up made is frozen, young collections run less often, and the
defaults come back."""

from __future__ import annotations

import gc
import weakref

from cadenza.engine_adapters.gc_policy import GEN0_THRESHOLD, apply_engine_gc_policy, restore_default_gc

__all__: list[str] = []


class _Node:
    peer: object


def test_policy_freezes_start_up_and_raises_the_young_threshold_then_restores_the_defaults() -> None:
    alive_at_start_up = [{"state": i} for i in range(100)]
    try:
        apply_engine_gc_policy()
        assert gc.get_threshold()[0] == GEN0_THRESHOLD
        assert gc.get_freeze_count() >= len(alive_at_start_up)
        # A frozen object is in no generation a collection walks.
        assert not any(obj is alive_at_start_up for obj in gc.get_objects(generation=2))
    finally:
        restore_default_gc()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_cycles_made_after_start_up_are_still_collected() -> None:
    try:
        apply_engine_gc_policy()
        node = _Node()
        node.peer = node  # a cycle: reference counting alone never frees it
        ref = weakref.ref(node)
        del node
        assert ref() is not None
        gc.collect()
        assert ref() is None
    finally:
        restore_default_gc()
