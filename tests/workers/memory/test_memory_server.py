"""The store against a Milvus server by URL: Milvus Lite's own gRPC server (``milvus-lite server``), run as a
separate process on loopback, so pymilvus takes its network code path as with a Milvus deployment."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cadenza.workers.memory import (
    EpisodicMemory,
    MemoryConfig,
    MemoryStore,
    MiniLMEmbedder,
    Namespace,
    RunSummary,
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"milvus-lite server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"milvus-lite server did not listen on {port} within {timeout} s")


@pytest.fixture(scope="module")
def server_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    data_dir: Path = tmp_path_factory.mktemp("milvus-server")
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_server_by_url_stores_and_searches_per_tenant(server_uri: str, embedder: MiniLMEmbedder) -> None:
    config = MemoryConfig(uri=server_uri, collection="server_test")
    assert config.is_server
    store = MemoryStore.open(config, embedder)
    try:
        acme, globex = Namespace("acme", "claims"), Namespace("globex", "claims")
        store.add(acme, "Water damage claims need photos of the damage.", record_id="n1")
        store.add(globex, "Water damage claims need photos of the damage.", record_id="n1")
        hits = store.search(acme, "what evidence does a flood claim need?")
        assert [(h.record.namespace, h.record.record_id) for h in hits] == [(acme, "n1")]
        episodes = EpisodicMemory(store)
        episodes.remember(
            RunSummary(41, "claims", "Settle a flooded basement claim", "paid 2,300 EUR", tenant="acme")
        )
        [past] = episodes.recall(acme, "basement flooded after storm: settle the claim")
        assert (past.summary.instance_key, past.summary.outcome) == (41, "paid 2,300 EUR")
        assert episodes.recall(globex, "basement flooded after storm: settle the claim") == []
        assert store.delete(acme) == 2 and store.count(globex) == 1
    finally:
        store.close()
