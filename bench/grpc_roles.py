"""The two pyzeebe processes of bench/grpc_e2e.py: the client that starts instances and the job worker.

``client``: keeps ``--in-flight`` ``run_process_with_result`` calls going for ``--warmup`` + ``--seconds``;
reports as JSON the instances completed per second inside the timed window and their end-to-end latency
(p50, p99), plus the window's wall-clock bounds (so the driver can pick the jobs activated inside it).

``worker``: a pyzeebe ``ZeebeWorker`` (job streaming on, which still long-polls too, as pyzeebe does)
completing every ``work`` job with no variables. A ``before`` decorator stamps each job's arrival (wall
clock, ns); on SIGTERM it writes ``[[job key, arrival ns], ...]`` to ``--out`` and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
from typing import Any

from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel

__all__ = ["percentile", "run_client", "run_worker"]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by the nearest-rank method; NaN when there is nothing."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def run_client(address: str, process_id: str, in_flight: int, warmup: float, seconds: float) -> None:
    client = ZeebeClient(create_insecure_channel(grpc_address=address))
    began = time.perf_counter()
    window = (began + warmup, began + warmup + seconds)
    finished: list[tuple[float, float]] = []
    errors: list[str] = []

    async def one_lane() -> None:
        while (start := time.perf_counter()) < window[1]:
            try:
                await client.run_process_with_result(process_id, timeout=60_000)
            except Exception as error:  # counted and reported: a bench must not hide failures
                errors.append(repr(error))
                continue
            finished.append((start, time.perf_counter()))

    wall_offset = time.time() - time.perf_counter()
    await asyncio.gather(*(one_lane() for _ in range(in_flight)))
    inside = [(s, e) for s, e in finished if window[0] <= e <= window[1]]
    latencies = [1000 * (e - s) for s, e in inside]
    report = {
        "rate": len(inside) / seconds,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        "window_ns": [int(1e9 * (t + wall_offset)) for t in window],
        "completed": len(finished),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }
    print(json.dumps(report))


async def run_worker(address: str, out: str) -> None:
    arrivals: list[tuple[int, int]] = []

    async def stamp(job: Job) -> Job:
        arrivals.append((job.key, time.time_ns()))
        return job

    worker = ZeebeWorker(create_insecure_channel(grpc_address=address), name="bench", stream_enabled=True)

    # pyzeebe's task() returns a decorator generic in the task's ParamSpec, which mypy cannot bind to a
    # function of no parameters.
    @worker.task(task_type="work", max_jobs_to_activate=64, max_running_jobs=256, before=[stamp])  # type: ignore[arg-type]
    async def work() -> dict[str, Any]:
        return {}

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(worker.work())
    await stop.wait()
    with open(out, "w") as file:
        json.dump(arrivals, file)
    task.cancel()
    sys.stdout.flush()
    os._exit(0)  # pyzeebe's graceful stop waits out its long polls; the arrivals are saved, nothing else is


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("role", choices=("client", "worker"))
    parser.add_argument("--address", required=True)
    parser.add_argument("--process", default="bench-one")
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.role == "client":
        asyncio.run(run_client(args.address, args.process, args.in_flight, args.warmup, args.seconds))
    else:
        asyncio.run(run_worker(args.address, args.out))


if __name__ == "__main__":
    main()
