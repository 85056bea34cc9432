"""Child of the kill test: commits batches to a SQLite file forever, printing each position once committed.

Run as ``python kill_child.py FILE``; it resumes after whatever the file already holds. Every batch also sets the
state row ("log", "end") to the batch's last position, so the parent can check state and log ended together.
"""

from __future__ import annotations

import sys

from store_support import batch

from cadenza.store import SqlStore, StateChange

BATCH = 20


def main(path: str) -> None:
    store = SqlStore(f"sqlite:///{path}")
    position = store.load_partition(1).last_position
    while True:
        records = batch(position + 1, BATCH, instance=7, padding="x" * 200)
        store.commit(1, records, [StateChange("log", "end", position + BATCH)])
        position += BATCH
        # Printed only after commit returned: each line is a promise that the batch is durable.
        sys.stdout.write(f"{position}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
