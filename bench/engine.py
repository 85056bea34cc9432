"""Engine throughput, Cadenza side by side with SpiffWorkflow in the same run.

Cases, each the median of ``--rounds`` timed rounds on a fresh engine (and fresh store); the engines take
turns round by round, and the ratio to SpiffWorkflow is the median of the per-round ratios (the machine is
shared):

* ``sequence``: start -> 3 service tasks -> end (``bench/models/sequence.bpmn``).
* ``fan-out``: start -> parallel fork -> 10 service tasks -> parallel join -> end (``fan-out.bpmn``).

Cadenza runs as the embedded adapter drives it (``cadenza.engine_adapters.embedded``), minus asyncio: commands
are processed in batches, and after each batch the state changes are taken (deduplicated) and, for the
durable cases, committed with the batch's records in one store transaction. Up to ``--in-flight`` instances
run at once; a batch is either up to ``--batch`` instance creations, one job activation (``--batch`` jobs at
most, as a worker asks), or the completions of the jobs the last activation handed out. Completing a job
carries no variables. Stores: none (core alone, state changes taken and dropped), SQLite (WAL,
``synchronous=NORMAL``, the default), PostgreSQL (``--postgres`` or CADENZA_BENCH_POSTGRES_URL).

SpiffWorkflow 3.x runs the same diagrams in memory with plain ``bpmn:task`` in place of the service tasks
(``*-spiff.bpmn``): a ``bpmn:task`` is a manual task in SpiffWorkflow, so the host completes it (``run()``) as
a worker completes a job; a ``bpmn:serviceTask`` would run the script engine's ``call_service`` inline
instead. Instances run one after another (SpiffWorkflow has no batching; each workflow is its own object).

``commits`` (``--only commits``): the batches of one sequence round committed again, into a fresh store per
round: the store's share alone.

``loop``: one instance loops through an exclusive gateway and one service task ``n`` times (``loop.bpmn``);
each job completion sets ``count`` and the gateway tests ``count < n``. Reported: time per iteration and the
peak memory (tracemalloc, a separate untimed run) of the one instance, for both engines.

GC: each Cadenza round runs as ``cadenza serve`` runs the engine, under the process's GC policy
(``cadenza.engine_adapters.gc_policy``: ``gc.freeze()`` once start-up is done, here after the deployment,
and a young-generation threshold of 10,000), and CPython's defaults come back before SpiffWorkflow's turn,
which runs as it ships. ``--gc-defaults`` runs both under CPython's defaults.

Run: ``.venv/bin/python bench/engine.py`` (needs the ``bench`` extra: SpiffWorkflow).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from cadenza.core.engine import Engine
from cadenza.core.records import Record, RecordType, ValueType
from cadenza.core.state import EngineState
from cadenza.engine_adapters.gc_policy import apply_engine_gc_policy, restore_default_gc
from cadenza.store import StateChange
from store import fresh_postgres, fresh_sqlite  # bench/store.py, beside this script

MODELS = Path(__file__).parent / "models"
NOW = 1_764_000_000_000
#: Case name -> (BPMN process id, jobs per instance)
CASES = {"sequence": ("bench-sequence", 3), "fan-out": ("bench-fan-out", 10)}
LOOP_SIZES = (10, 100, 1_000, 10_000)
Commit = Callable[[int, Sequence[Record], Sequence[StateChange]], None]


# ------------------------------------------------------------------------------------------------ Cadenza


class Partition:
    """One partition's engine driven batch by batch, as ``EmbeddedEngine._process_batch`` drives it."""

    def __init__(self, commit: Commit | None) -> None:
        self.engine = Engine(EngineState(1))
        self.commit = commit
        self.records = 0
        self.batches = 0

    def run(self, commands: list[Record]) -> tuple[list[Record | None], list[Record]]:
        """Processes a batch; returns its responses and records (committed, when there is a store)."""
        records: list[Record] = []
        responses: list[Record | None] = []
        for command in commands:
            result = self.engine.process(command, timestamp=NOW)
            records.extend(result.records)
            responses.append(result.response)
        changes = self.engine.take_changes()
        if self.commit is not None:
            self.commit(1, records, changes)
        assert not self.engine.take_pending()
        self.records += len(records)
        self.batches += 1
        return responses, records

    def deploy(self, *names: str) -> None:
        resources = [{"resourceName": name, "resource": (MODELS / name).read_text()} for name in names]
        (response,), _ = self.run([_command(ValueType.DEPLOYMENT, "CREATE", {"resources": resources})])
        assert response is not None and response.record_type is RecordType.EVENT, response

    def activate(self, max_jobs: int) -> list[int]:
        value = {"type": "work", "worker": "bench", "timeout": 60_000, "maxJobsToActivate": max_jobs}
        (response,), _ = self.run([_command(ValueType.JOB_BATCH, "ACTIVATE", value)])
        assert response is not None
        keys: list[int] = response.value["jobKeys"]
        return keys


def _command(value_type: ValueType, intent: str, value: dict[str, Any], key: int = -1) -> Record:
    return Record(-1, key, RecordType.COMMAND, value_type, intent, value)


def _create(process_id: str, variables: str = "{}") -> Record:
    value = {"bpmnProcessId": process_id, "version": -1, "variables": variables}
    return _command(ValueType.PROCESS_INSTANCE_CREATION, "CREATE", value)


def _complete(job_key: int, variables: str = "{}") -> Record:
    return _command(ValueType.JOB, "COMPLETE", {"variables": variables}, job_key)


@contextmanager
def deployed_gc(enabled: bool) -> Iterator[None]:
    """Cadenza as ``cadenza serve`` runs it: the engine process's GC policy applied once start-up is done
    (``cadenza.engine_adapters.gc_policy``), CPython's defaults again afterwards for SpiffWorkflow's turn."""
    if not enabled:
        yield
        return
    apply_engine_gc_policy()
    try:
        yield
    finally:
        restore_default_gc()


def cadenza_round(
    case: str, instances: int, batch: int, in_flight: int, commit: Commit | None, gc_policy: bool = False
) -> tuple[float, float, int]:
    """Runs ``instances`` instances to completion; returns (seconds, CPU seconds of this process, records)."""
    process_id, jobs_per_instance = CASES[case]
    partition = Partition(commit)
    partition.deploy(f"{case}.bpmn")
    partition.records = 0
    with deployed_gc(gc_policy):
        return _drive(partition, process_id, jobs_per_instance, instances, batch, in_flight)


def _drive(
    partition: Partition, process_id: str, jobs_per_instance: int, instances: int, batch: int, in_flight: int
) -> tuple[float, float, int]:
    created = completed_jobs = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    while True:
        # Instances finish with their last job, so this is how many have finished (an upper bound).
        running = created - completed_jobs // jobs_per_instance
        room = min(batch, instances - created, in_flight - running)
        if room > 0:
            partition.run([_create(process_id) for _ in range(room)])
            created += room
        jobs = partition.activate(batch)
        if not jobs and created == instances:
            break
        partition.run([_complete(key) for key in jobs])
        completed_jobs += len(jobs)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    assert completed_jobs == instances * jobs_per_instance, completed_jobs
    assert not partition.engine.state.elements._rows.data, "instances left behind"
    return elapsed, cpu, partition.records


# ------------------------------------------------------------------------------------------ SpiffWorkflow


def spiff_spec(name: str, process_id: str) -> BpmnProcessSpec:
    parser = BpmnParser()
    parser.add_bpmn_file(str(MODELS / name))
    spec: BpmnProcessSpec = parser.get_spec(process_id)
    return spec


def spiff_instance(spec: BpmnProcessSpec, data: dict[str, Any] | None = None) -> BpmnWorkflow:
    workflow = BpmnWorkflow(spec)
    if data:
        workflow.get_next_task(state=TaskState.READY).data.update(data)
    workflow.do_engine_steps()
    return workflow


def spiff_round(case: str, instances: int) -> tuple[float, float]:
    """Runs ``instances`` instances one after another; returns (seconds, CPU seconds)."""
    process_id, jobs = CASES[case]
    spec = spiff_spec(f"{case}-spiff.bpmn", process_id)
    began, cpu_began = time.perf_counter(), time.process_time()
    for _ in range(instances):
        workflow = spiff_instance(spec)
        ran = 0
        while not workflow.is_completed():
            for task in workflow.get_tasks(state=TaskState.READY, manual=True):
                task.run()
                ran += 1
            workflow.do_engine_steps()
        assert ran == jobs, ran
    return time.perf_counter() - began, time.process_time() - cpu_began


# ---------------------------------------------------------------------------------------------------- loop


def loop_partition() -> Partition:
    partition = Partition(None)
    partition.deploy("loop.bpmn")
    return partition


def cadenza_loop(partition: Partition, n: int) -> int:
    """Runs one instance through ``n`` iterations; returns the iterations done."""
    partition.run([_create("bench-loop", json.dumps({"n": n, "count": 0}))])
    count = 0
    while jobs := partition.activate(1):
        count += 1
        partition.run([_complete(jobs[0], json.dumps({"count": count}))])
    assert not partition.engine.state.elements._rows.data
    return count


def spiff_loop(spec: BpmnProcessSpec, n: int) -> int:
    workflow = spiff_instance(spec, {"n": n, "count": 0})
    count = 0
    while not workflow.is_completed():
        tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not tasks:
            break
        for task in tasks:
            count += 1
            task.data["count"] = count
            task.run()
        workflow.do_engine_steps()
    return count


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def peak_memory(fn: Callable[[], int]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


# ------------------------------------------------------------------------------------------------- main


def throughput(args: argparse.Namespace) -> None:
    print(
        "| case | engine | instances/s | records/s | vs SpiffWorkflow | vs SpiffWorkflow, CPU time |"
        f"  (median of {args.rounds}; Cadenza's GC: {'defaults' if args.gc_defaults else 'serve policy'})"
    )
    print("|---|---|---:|---:|---:|---:|")
    for case in CASES:
        instances = args.instances if case == "sequence" else args.instances // 2
        rows: list[tuple[str, Callable[[], Any]]] = [("Cadenza, core in memory", _no_store)]
        rows.append(("Cadenza + SQLite", lambda: fresh_sqlite("NORMAL")))
        if args.postgres:
            url = args.postgres
            rows.append(("Cadenza + PostgreSQL", partial(fresh_postgres, url)))
        spiff: list[float] = []
        rates: dict[str, list[float]] = {name: [] for name, _ in rows}
        record_rates: dict[str, list[float]] = {name: [] for name, _ in rows}
        ratios: dict[str, list[float]] = {name: [] for name, _ in rows}
        cpu_ratios: dict[str, list[float]] = {name: [] for name, _ in rows}
        # Round by round, each engine once per round: on a shared machine the load drifts, so a ratio is taken
        # within a round (SpiffWorkflow and Cadenza a few seconds apart) and the median of those is reported.
        # The CPU-time ratio (this process's user + system time) is steadier still under load, but it leaves
        # out what another process does (the PostgreSQL server) and time spent waiting (fsync).
        for _ in range(args.rounds):
            spiff_seconds, spiff_cpu = spiff_round(case, instances)
            spiff.append(instances / spiff_seconds)
            for name, fresh in rows:
                with fresh() as store:
                    commit = None if store is None else store.commit
                    seconds, cpu, records = cadenza_round(
                        case, instances, args.batch, args.in_flight, commit, not args.gc_defaults
                    )
                rates[name].append(instances / seconds)
                record_rates[name].append(records / seconds)
                ratios[name].append(spiff_seconds / seconds)
                cpu_ratios[name].append(spiff_cpu / cpu)
        for name, _ in rows:
            print(
                f"| {case} | {name} | {statistics.median(rates[name]):,.0f} "
                f"| {statistics.median(record_rates[name]):,.0f} | {statistics.median(ratios[name]):.2f} "
                f"| {statistics.median(cpu_ratios[name]):.2f} |",
                flush=True,
            )
        print(
            f"| {case} | SpiffWorkflow, in memory | {statistics.median(spiff):,.0f} | | 1.00 | 1.00 |",
            flush=True,
        )


@contextmanager
def _no_store() -> Iterator[None]:
    yield None


def loop(args: argparse.Namespace) -> None:
    spec = spiff_spec("loop-spiff.bpmn", "bench-loop")
    cadenza_loop(loop_partition(), 10)  # warm-up: first-use costs (FEEL compilation caches, imports)
    spiff_loop(spec, 10)
    print(
        "| iterations | Cadenza µs/iter | SpiffWorkflow µs/iter | ratio | Cadenza peak KiB | Spiff peak KiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.loop:
        rounds = args.rounds if n <= 1_000 else 1
        cadenza = []
        for _ in range(rounds):
            partition = loop_partition()
            with deployed_gc(not args.gc_defaults):
                seconds, done = timed(partial(cadenza_loop, partition, n))
            assert done == n, (n, done)
            cadenza.append(seconds / n)
        partition = loop_partition()
        cadenza_peak = peak_memory(partial(cadenza_loop, partition, n))
        spiff_text, ratio, spiff_peak_text = "(not run)", "", ""
        if n <= args.spiff_loop_max:
            spiff = []
            for _ in range(rounds):
                seconds, done = timed(partial(spiff_loop, spec, n))
                spiff.append(seconds / max(done, 1))
                # SpiffWorkflow 3.2 reports is_completed() once its task tree holds ~1,000 tasks.
                note = "" if done == n else f" (completed after {done})"
            spiff_text = f"{1e6 * statistics.median(spiff):,.0f}{note}"
            ratio = f"{statistics.median(spiff) / statistics.median(cadenza):.1f}"
            spiff_peak_text = f"{peak_memory(partial(spiff_loop, spec, n)) / 1024:,.0f}"
        print(
            f"| {n:,} | {1e6 * statistics.median(cadenza):,.0f} | {spiff_text} | {ratio} "
            f"| {cadenza_peak / 1024:,.0f} | {spiff_peak_text} |",
            flush=True,
        )


def commits(args: argparse.Namespace) -> None:
    """The store alone: the batches (records and state changes) of one sequence round, committed again into
    a fresh store per round, so a store change is measured without the engine's share."""
    batches: list[tuple[int, list[Record], list[StateChange]]] = []
    cadenza_round(
        "sequence",
        args.instances,
        args.batch,
        args.in_flight,
        lambda p, r, c: batches.append((p, list(r), list(c))),
    )
    records = sum(len(r) for _, r, _ in batches)
    print(f"| store | commits | records | seconds | records/s |  (median of {args.rounds})")
    print("|---|---:|---:|---:|---:|")
    stores: list[tuple[str, Callable[[], Any]]] = [("SQLite", lambda: fresh_sqlite("NORMAL"))]
    if args.postgres:
        stores.append(("PostgreSQL", partial(fresh_postgres, args.postgres)))
    for name, fresh in stores:
        times = []
        for _ in range(args.rounds):
            with fresh() as store:
                began = time.perf_counter()
                for partition, batch_records, changes in batches:
                    store.commit(partition, batch_records, changes)
                times.append(time.perf_counter() - began)
        seconds = statistics.median(times)
        print(
            f"| {name} | {len(batches)} | {records} | {seconds:.3f} | {records / seconds:,.0f} |", flush=True
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instances", type=int, default=2_000, help="per round (fan-out runs half)")
    parser.add_argument("--batch", type=int, default=100, help="commands per batch, jobs per activation")
    parser.add_argument("--in-flight", type=int, default=500, help="instances running at once")
    parser.add_argument("--postgres", default=os.environ.get("CADENZA_BENCH_POSTGRES_URL"))
    parser.add_argument("--loop", type=int, nargs="*", default=list(LOOP_SIZES))
    parser.add_argument("--spiff-loop-max", type=int, default=1_000, help="longest loop to run in Spiff")
    parser.add_argument("--only", choices=("throughput", "loop", "commits"))
    parser.add_argument(
        "--gc-defaults",
        action="store_true",
        help="run Cadenza with CPython's default GC settings too; by default its rounds run under the GC "
        "policy `cadenza serve` applies (cadenza.engine_adapters.gc_policy), Spiff its defaults",
    )
    args = parser.parse_args()
    if args.only == "commits":
        commits(args)
        return
    if args.only != "loop":
        throughput(args)
    if args.only != "throughput":
        print()
        loop(args)


if __name__ == "__main__":
    main()
