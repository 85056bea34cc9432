"""`cadenza serve` as a subprocess for tests: on free ports, over one data directory, killable, restartable.

Imported by tests/conftest.py (whose directory pytest puts on sys.path), so any test can import it too.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["ServeProcess", "free_port"]


class ServeProcess:
    """A real ``cadenza serve`` subprocess on a free port, over one data directory; killable and restartable."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.extra = extra
        self.port = 0
        self.grpc_port = 0
        self.log = data_dir.parent / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        self.port = free_port()
        command = [str(Path(sys.executable).parent / "cadenza"), "serve", "--data-dir", str(self.data_dir)]
        self.grpc_port = free_port()
        command += ["--http-port", str(self.port), "--grpc-port", str(self.grpc_port), *self.extra]
        self.log = self.data_dir.parent / f"serve-{self.port}.log"
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cadenza serve exited: {self.output()}")
            try:
                if httpx.get(f"{self.address}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("cadenza serve did not answer /health within 30 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> int:
        """SIGTERM, the graceful stop; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(15)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
