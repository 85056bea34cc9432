"""End to end over gRPC: Cadenza behind its Zeebe gateway, driven by pyzeebe's client and worker, against a
zero-cost fake engine behind the same grpc.aio stack, in the same run.

Separate processes on one machine: the server (``cadenza serve`` on SQLite, on PostgreSQL, or
bench/grpc_fake.py), one pyzeebe worker per server (bench/grpc_roles.py ``worker``: job streaming, completes
each job with no variables) and, for each timed round, one pyzeebe client process (``client``:
``--in-flight`` ``run_process_with_result`` calls kept going). Cases: ``bench-one`` (start -> 1 service task
-> end) and ``bench-sequence`` (start -> 3 service tasks -> end), each at 8 and 64 in flight. Rounds
interleave the servers (case by case, server by server), so noise from the shared machine falls on all of
them alike.

Reported per case and server, medians over ``--rounds``: instances completed per second inside the timed
window, the ratio to the fake, the server process's CPU time (user + system) per instance completed
(steadier than rates on a shared machine), end-to-end latency of ``run_process_with_result`` (p50, p99), and
job latency, created -> activated at the worker (p50, p99 over every job the worker received inside the
case's windows; created = the JOB CREATED record's timestamp for Cadenza (ms, stamped when its batch started,
before the commit), the job's creation for the fake; arrival = the worker's ``before`` hook).

Run (the ``bench`` extra; ``--postgres`` or CADENZA_BENCH_POSTGRES_URL adds PostgreSQL; the database's tables
are dropped first):

    .venv/bin/python bench/grpc_e2e.py --rounds 3 --postgres postgresql://postgres@127.0.0.1:54335/bench
    .venv/bin/python bench/grpc_e2e.py --servers sqlite,sqlite+asyncio   # the event loops side by side
    CADENZA_PROFILE=/tmp/prof .venv/bin/python bench/grpc_e2e.py --servers sqlite --cases one@64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grpc_roles import percentile  # bench/grpc_roles.py, beside this script
from pyzeebe import ZeebeClient, create_insecure_channel
from sqlalchemy import create_engine, text

from cadenza.store.sql import normalize_url

# The tests' helpers, shared with the benchmarks (bench/api_latency.py does the same).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from pg_support import reset_postgres  # noqa: E402
from serve_support import free_port  # noqa: E402

HERE = Path(__file__).parent
PYTHON = sys.executable
CADENZA = str(Path(sys.executable).parent / "cadenza")
CASES = {"one@8": ("bench-one", 8), "one@64": ("bench-one", 64)}
CASES |= {"three@8": ("bench-sequence", 8), "three@64": ("bench-sequence", 64)}


@dataclass
class Server:
    """One server under test, with its worker; ``rounds`` maps a case to its client reports."""

    name: str
    folder: Path
    database: str | None = None  # a PostgreSQL URL; None: SQLite in ``folder`` (or the fake)
    pythonpath: str | None = None  # another Cadenza source tree to run (an A/B comparison)
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    rounds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def fake(self) -> bool:
        return self.name.startswith("fake")

    @property
    def event_loop(self) -> str:
        """asyncio's own loop for a name ending in ``+asyncio``; else uvloop, as ``cadenza serve`` chooses."""
        return "asyncio" if self.name.endswith("+asyncio") else "uvloop"

    def start(self) -> None:
        event_loop = self.event_loop
        env = {**os.environ, "CADENZA_EVENT_LOOP": event_loop}
        if self.pythonpath:
            env["PYTHONPATH"] = self.pythonpath
        if self.fake:
            jobs = str(self.folder / "created.json")
            command = [PYTHON, str(HERE / "grpc_fake.py"), "--port", str(self.port), "--jobs-out", jobs]
            command += ["--event-loop", event_loop]
            env.pop("CADENZA_PROFILE", None)
        else:
            env["CADENZA_WRITER_STATS"] = str(self.folder / "writer.json")
            command = [CADENZA, "serve", "--grpc-port", str(self.port), "--http-port", str(free_port())]
            command += ["--data-dir", str(self.folder)]
            if self.database:
                command += ["--database", self.database]
        self.processes.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL))
        asyncio.run(_ready(self.address, deploy=not self.fake))
        worker = [PYTHON, str(HERE / "grpc_roles.py"), "worker", "--address", self.address]
        worker += ["--out", str(self.folder / "arrivals.json")]
        self.processes.append(subprocess.Popen(worker))

    def stop(self) -> None:
        for process in reversed(self.processes):  # the worker first, then the server
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)

    def job_latencies(self) -> dict[str, list[float]]:
        """Created -> arrival at the worker (ms), per case, for the jobs that arrived inside its windows."""
        arrivals = json.loads((self.folder / "arrivals.json").read_text())
        created = self._created_ns()
        out: dict[str, list[float]] = {}
        for case, reports in self.rounds.items():
            windows = [report["window_ns"] for report in reports]
            out[case] = [
                (arrived - created[key]) / 1e6
                for key, arrived in arrivals
                if key in created and any(lo <= arrived <= hi for lo, hi in windows)
            ]
        return out

    def _created_ns(self) -> dict[int, int]:
        if self.fake:
            return {int(k): v for k, v in json.loads((self.folder / "created.json").read_text()).items()}
        url = self.database or f"sqlite:///{self.folder / 'cadenza.db'}"
        engine = create_engine(normalize_url(url))
        query = "SELECT key, timestamp FROM records WHERE value_type = 'JOB' AND intent = 'CREATED'"
        with engine.connect() as conn:
            rows = conn.execute(text(query)).all()
        engine.dispose()
        return {int(key): int(ms) * 1_000_000 for key, ms in rows}


async def _ready(address: str, *, deploy: bool) -> None:
    """Waits until the server answers (up to 30 s), then deploys the bench's models to Cadenza."""
    deadline = time.monotonic() + 30
    while True:
        # A fresh channel each try: pyzeebe closes its channel after a few refused connections.
        client = ZeebeClient(create_insecure_channel(grpc_address=address))
        try:
            await client.topology()
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    if deploy:
        await client.deploy_resource(HERE / "models" / "one-task.bpmn", HERE / "models" / "sequence.bpmn")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_client(server: Server, case: str, args: argparse.Namespace) -> dict[str, Any]:
    process_id, in_flight = CASES[case]
    cpu_before = cpu_seconds(server.processes[0].pid)
    command = [PYTHON, str(HERE / "grpc_roles.py"), "client", "--address", server.address]
    command += ["--process", process_id, "--in-flight", str(in_flight)]
    command += ["--warmup", str(args.warmup), "--seconds", str(args.seconds)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = cpu_seconds(server.processes[0].pid) - cpu_before
    report["server_cpu_us"] = 1e6 * cpu / max(1, report["completed"])
    report["server_cpu_s"] = cpu
    if report["errors"]:
        print(f"  {server.name} {case}: {report['errors']} failed calls, e.g. {report['first_error']}")
    return report


def table(servers: list[Server], cases: list[str]) -> list[str]:
    lines = [
        "| case | server | instances/s | ratio to fake | e2e p50 ms | e2e p99 ms | job p50 ms | job p99 ms "
        "| server CPU us/instance |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    latencies = {server.name: server.job_latencies() for server in servers}
    fake_rates = {c: statistics.median(r["rate"] for r in servers[0].rounds[c]) for c in cases}
    for case in cases:
        for server in servers:
            reports = server.rounds[case]
            rate = statistics.median(r["rate"] for r in reports)
            p50 = statistics.median(r["p50_ms"] for r in reports)
            p99 = statistics.median(r["p99_ms"] for r in reports)
            jobs = latencies[server.name][case]
            cpu = statistics.median(r["server_cpu_us"] for r in reports)
            lines.append(
                f"| {case} | {server.name} | {rate:,.0f} | {rate / fake_rates[case]:.2f} | {p50:.1f} | "
                f"{p99:.1f} | {percentile(jobs, 0.5):.1f} | {percentile(jobs, 0.99):.1f} | {cpu:,.0f} |"
            )
    return lines


def breakdown(servers: list[Server]) -> list[str]:
    """Where each Cadenza server's CPU went, per instance over the whole run (the writer's own counters)."""
    lines = [
        "| server | server CPU us/instance | engine | store commit "
        "| views | the rest: gRPC, asyncio, gateway, adapter | commits/instance | commands/batch "
        "| records/instance | commit wall ms/batch |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for server in servers:
        path = server.folder / "writer.json"
        if server.fake or not path.exists():
            continue
        stats = json.loads(path.read_text())
        reports = [r for case in server.rounds.values() for r in case]
        instances = max(1, sum(r["completed"] for r in reports))
        total = 1e6 * sum(r["server_cpu_s"] for r in reports) / instances
        engine = 1e6 * stats["process_cpu"] / instances
        store = 1e6 * stats["commit_cpu"] / instances
        views = 1e6 * stats.get("views_cpu", 0.0) / instances
        batches = max(1, stats["batches"])
        lines.append(
            f"| {server.name} | {total:,.0f} | {engine:,.0f} | {store:,.0f} | {views:,.0f} | "
            f"{total - engine - store - views:,.0f} | {stats['batches'] / instances:.2f} | "
            f"{stats['commands'] / batches:.1f} | {stats['records'] / instances:.1f} | "
            f"{1000 * stats['commit_wall'] / batches:.2f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each timed window")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one timed window")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument(
        "--servers",
        default="fake,sqlite,postgres",
        help="comma-separated, of fake, sqlite, postgres; on uvloop, or asyncio's loop if '+asyncio' follows",
    )
    parser.add_argument("--postgres", default=os.environ.get("CADENZA_BENCH_POSTGRES_URL"))
    parser.add_argument(
        "--before-src",
        help="a Cadenza src/ folder (e.g. a git worktree's) to run beside the others (A/B); SQLite unless "
        "--before-postgres",
    )
    parser.add_argument("--before-name", default="sqlite-before", help="the name --before-src runs under")
    parser.add_argument(
        "--before-postgres",
        help="a second PostgreSQL database (not --postgres's: it is emptied) for --before-src to run on",
    )
    args = parser.parse_args()
    cases = args.cases.split(",")
    names = ["fake"] + [n for n in args.servers.split(",") if n != "fake"]
    if sum(n.startswith("postgres") for n in names) > 1:
        parser.error("one PostgreSQL server at a time: they would share the database")
    if args.before_postgres and args.before_postgres == args.postgres:
        parser.error("--before-postgres must be another database than --postgres: they would share it")
    if any(n.startswith("postgres") for n in names) and not args.postgres:
        names = [n for n in names if not n.startswith("postgres")]
        print("(no --postgres URL: PostgreSQL skipped)")
    with tempfile.TemporaryDirectory() as folder:
        servers = [_server(name, Path(folder), args.postgres) for name in names]
        if args.before_src:
            before = Path(folder) / args.before_name
            before.mkdir()
            if args.before_postgres:
                reset_postgres(args.before_postgres)
            servers.append(Server(args.before_name, before, args.before_postgres, pythonpath=args.before_src))
        try:
            for server in servers:
                server.start()
            for index in range(args.rounds):
                for case in cases:
                    for server in servers:
                        report = run_client(server, case, args)
                        server.rounds.setdefault(case, []).append(report)
                        rate = report["rate"]
                        print(f"  round {index + 1} {case} {server.name}: {rate:,.0f}/s", flush=True)
        finally:
            for server in servers:
                server.stop()
        print(f"\n{args.rounds} rounds of {args.seconds} s; medians\n")
        print("\n".join(table(servers, cases)))
        print("\nWhere the server CPU goes, per instance (us), all cases together:\n")
        print("\n".join(breakdown(servers)))


def _server(name: str, root: Path, postgres: str | None) -> Server:
    folder = root / name
    folder.mkdir()
    if name.startswith("postgres"):
        assert postgres is not None
        reset_postgres(postgres)
        return Server(name, folder, database=postgres)
    return Server(name, folder)


if __name__ == "__main__":
    main()
