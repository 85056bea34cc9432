"""Store commit throughput: records/s for batches of 1, 10 and 100 records, each with a few state changes.

Each figure is the median of ROUNDS rounds; a round commits batches for about ``--seconds`` on a fresh store.
A record carries a process-instance value about the size the engine writes (~350 bytes of JSON); each batch
upserts three state rows and deletes one, as an element's activation does. SQLite runs once with the default
``synchronous=NORMAL`` and once with ``FULL``; PostgreSQL runs when a URL is given (``--postgres`` or
CADENZA_TEST_POSTGRES_URL, which scripts/test sets). Run:

    scripts/services/postgres start
    .venv/bin/python bench/store.py --postgres postgresql://postgres@127.0.0.1:54329/cadenza_test
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from cadenza.core.records import Record, RecordType, ValueType
from cadenza.store import MemoryStore, SqlStore, StateChange, Store
from cadenza.store.sql import SqliteSynchronous

# The tests' helpers, shared with the benchmarks (bench/api_latency.py does the same).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from pg_support import reset_postgres  # noqa: E402

ROUNDS = 7
BATCH_SIZES = (1, 10, 100)


def make_batch(first: int, size: int) -> tuple[list[Record], list[StateChange]]:
    records = [
        Record(
            position=position,
            key=2251799813685248 + position,
            record_type=RecordType.EVENT,
            value_type=ValueType.PROCESS_INSTANCE,
            intent="ELEMENT_ACTIVATED",
            value={
                "bpmnProcessId": "order-fulfilment",
                "version": 3,
                "processDefinitionKey": 2251799813685249,
                "processInstanceKey": 2251799813685250 + first // 100,
                "elementId": f"Activity_{position % 17}",
                "flowScopeKey": 2251799813685250,
                "bpmnElementType": "SERVICE_TASK",
                "bpmnEventType": "UNSPECIFIED",
                "parentProcessInstanceKey": -1,
                "parentElementInstanceKey": -1,
                "tenantId": "<default>",
            },
            timestamp=1_764_000_000_000 + position,
            source_position=first - 1,
        )
        for position in range(first, first + size)
    ]
    changes = [
        StateChange("element_instances", str(first), {"state": "ACTIVATED", "elementId": "Activity_1"}),
        StateChange("jobs", str(first), {"type": "ship", "retries": 3, "deadline": 1_764_000_300_000}),
        StateChange("variables", f"{first}:order", '{"id":"A-1","total":"12.50"}'),
        StateChange("element_instances", str(first - size), None),
    ]
    return records, changes


def one_round(store: Store, size: int, seconds: float, start: int) -> tuple[float, int]:
    """Commits batches for about ``seconds``; returns records per second and the next free position."""
    position, committed = start, 0
    began = time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds:
        records, changes = make_batch(position, size)
        store.commit(1, records, changes)
        position += size
        committed += size
    return committed / elapsed, position


@contextmanager
def fresh_sqlite(synchronous: SqliteSynchronous) -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore(f"sqlite:///{Path(folder) / 'bench.db'}", sqlite_synchronous=synchronous)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def fresh_postgres(url: str) -> Iterator[Store]:
    reset_postgres(url)  # every table any migration made, not only the log and the state
    store = SqlStore(url)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def fresh_memory() -> Iterator[Store]:
    yield MemoryStore()


def measure(name: str, fresh: Callable[[], AbstractContextManager[Store]], seconds: float) -> None:
    for size in BATCH_SIZES:
        rates = []
        with fresh() as store:
            position = 1
            one_round(store, size, seconds / 4, position)  # warm-up: caches, prepared statements, file growth
            position = store.load_partition(1).last_position + 1
            for _ in range(ROUNDS):
                rate, position = one_round(store, size, seconds, position)
                rates.append(rate)
        median = statistics.median(rates)
        print(f"| {name} | {size} | {median:,.0f} | {median / size:,.0f} | {1000 * size / median:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("CADENZA_TEST_POSTGRES_URL"))
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one timed round")
    args = parser.parse_args()
    print("| store | records/batch | records/s | commits/s | ms/commit |")
    print("|---|---:|---:|---:|---:|")
    measure("memory (fake)", fresh_memory, args.seconds)
    measure("SQLite, synchronous=NORMAL", lambda: fresh_sqlite("NORMAL"), args.seconds)
    measure("SQLite, synchronous=FULL", lambda: fresh_sqlite("FULL"), args.seconds)
    if args.postgres:
        measure("PostgreSQL", lambda: fresh_postgres(args.postgres), args.seconds)
    else:
        print("(PostgreSQL left out: give --postgres URL or set CADENZA_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
