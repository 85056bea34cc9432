"""Embedding and memory speed: ms per sentence for all-MiniLM-L6-v2 in numpy, and the memory store's add and
search on Milvus Lite.

Embeddings: short texts (about 12 tokens, a goal or a note) and long ones (about 200 tokens, a run summary),
one call per text (batch 1) against one call per 32 texts (batch 32), the ratio between the two in the same
run. Store: ``add`` (embed + upsert) per record and ``search`` (embed + filtered search) per query on a
store holding RECORDS records across 4 tenants. Each figure is the median of ROUNDS rounds. Run:

    .venv/bin/python bench/embeddings.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cadenza.workers.memory import MemoryConfig, MemoryStore, MiniLMEmbedder, Namespace

ROUNDS = 5
SUBJECTS = ["refund", "invoice", "parcel", "password reset", "contract", "claim", "onboarding", "audit"]


def short_texts(count: int) -> list[str]:
    return [f"Handle the {SUBJECTS[i % 8]} request {i} for customer {i * 7} today" for i in range(count)]


def long_texts(count: int) -> list[str]:
    sentence = "The agent checked the {s} history, asked the customer for evidence and logged the answer. "
    return [(sentence.format(s=SUBJECTS[i % 8]) * 10).strip() for i in range(count)]


def median_ms(
    run: Callable[[], object], per: int, rounds: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    samples = []
    for _ in range(rounds):
        start = clock()
        run()
        samples.append((clock() - start) * 1000 / per)
    return statistics.median(samples)


def bench_embeddings(embedder: MiniLMEmbedder, rounds: int) -> None:
    for label, texts in (("short", short_texts(64)), ("long", long_texts(32))):
        tokens = statistics.median(len(embedder.token_ids(t)) for t in texts)
        embedder.embed(texts[:2])  # warm-up

        def one_by_one(texts: list[str] = texts) -> None:
            for text in texts:
                embedder.embed([text])

        def batched(texts: list[str] = texts) -> None:
            embedder.embed(texts)

        # CPU time as well as wall time: on a shared machine, wall time also counts waiting for a core.
        for clock_name, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
            single = median_ms(one_by_one, len(texts), rounds, clock)
            batch = median_ms(batched, len(texts), rounds, clock)
            print(
                f"embed {label:5} (~{tokens:.0f} tokens, {clock_name:4}): batch 1 {single:6.2f} ms/sentence, "
                f"batch 32 {batch:6.2f} ms/sentence, batch 32 / batch 1 = {batch / single:.2f}"
            )


def bench_store(embedder: MiniLMEmbedder, records: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = MemoryStore.open(MemoryConfig(uri=str(Path(tmp) / "memory.db")), embedder)
        tenants = [Namespace(f"tenant-{t}", "support") for t in range(4)]
        texts = short_texts(records)
        start = time.perf_counter()
        for i, text in enumerate(texts):
            store.add(tenants[i % 4], text)
        add_ms = (time.perf_counter() - start) * 1000 / records
        queries = short_texts(20)

        def search() -> None:
            for i, query in enumerate(queries):
                store.search(tenants[i % 4], query, limit=5)

        search_ms = median_ms(search, len(queries), rounds)
        embed_ms = median_ms(lambda: [embedder.embed([q]) for q in queries], len(queries), rounds)
        store.close()
    print(f"store add (embed + upsert, one record a call, {records} records): {add_ms:.2f} ms/record")
    print(
        f"store search (embed + filtered search, limit 5): {search_ms:.2f} ms/query, "
        f"of which embedding the query {embed_ms:.2f} ms ({embed_ms / search_ms:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--records", type=int, default=400)
    args = parser.parse_args()
    # Other work on the machine shows in every figure; the load says how much.
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    start = time.perf_counter()
    embedder = MiniLMEmbedder.load()
    print(f"load model: {(time.perf_counter() - start) * 1000:.0f} ms")
    bench_embeddings(embedder, args.rounds)
    bench_store(embedder, args.records, args.rounds)


if __name__ == "__main__":
    main()
