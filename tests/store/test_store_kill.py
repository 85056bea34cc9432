"""A process killed with SIGKILL loses no commit it had acknowledged, and its state matches its log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from cadenza.store import SqlStore

CHILD = Path(__file__).with_name("kill_child.py")


def run_and_kill(path: Path, lines_before_kill: int) -> list[int]:
    """Starts the child, SIGKILLs it after it printed ``lines_before_kill`` positions; returns every position
    it printed, including those still in the pipe when it died."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(CHILD.parent), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    printed: list[int] = []
    try:
        while len(printed) < lines_before_kill:
            line = child.stdout.readline()
            assert line, f"child exited early with {child.wait()}"
            printed.append(int(line))
        child.send_signal(signal.SIGKILL)
        printed.extend(int(line) for line in child.stdout.read().split())
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return printed


def test_every_acknowledged_commit_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    acknowledged: list[int] = []
    # Several rounds on one file, killed at different moments, resuming each time after what it recovered.
    for lines in (15, 40, 25, 60):
        acknowledged += run_and_kill(path, lines)

        store = SqlStore(f"sqlite:///{path}")
        try:
            snapshot = store.load_partition(1)
            positions = {record.position for record in store.read_records(1)}
        finally:
            store.close()

        assert snapshot.last_position >= acknowledged[-1]
        assert set(acknowledged) <= positions
        # The kill may land after a COMMIT but before the print; the log must still be contiguous.
        assert positions == set(range(1, snapshot.last_position + 1))
        assert snapshot.columns == {"log": {"end": snapshot.last_position}}
