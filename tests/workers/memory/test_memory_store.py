"""The memory store on real Milvus Lite: insert, search with filters, fetch, delete, and tenant isolation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cadenza.workers.memory import (
    DEFAULT_TENANT,
    MemoryConfig,
    MemoryInputError,
    MemoryRecord,
    MemoryStore,
    MiniLMEmbedder,
    Namespace,
)
from cadenza.workers.memory import store as memory_store
from cadenza.workers.memory.store import MAX_TEXT_BYTES

ACME = Namespace("acme", "order-handling")
ACME_BILLING = Namespace("acme", "billing")
GLOBEX = Namespace("globex", "order-handling")


def _seed(store: MemoryStore) -> None:
    store.add(
        ACME, "The parcel arrived damaged and the customer got a refund.", tags=["refund"], record_id="a1"
    )
    store.add(
        ACME, "Orders above 10,000 EUR need the finance lead's approval.", tags=["policy"], record_id="a2"
    )
    store.add(ACME_BILLING, "A broken package was reimbursed in full.", tags=["refund"], record_id="b1")
    store.add(GLOBEX, "The parcel arrived damaged and the customer got a refund.", record_id="a1")


def test_search_returns_the_closest_records_of_the_namespace_best_first(store: MemoryStore) -> None:
    _seed(store)
    hits = store.search(ACME, "money back for a broken delivery", limit=5)
    assert [h.record.record_id for h in hits] == ["a1", "a2"]
    assert hits[0].score > hits[1].score
    assert all(h.record.namespace == ACME for h in hits)
    assert hits[0].record.tags == ("refund",)


def test_a_query_never_returns_another_tenants_records(store: MemoryStore) -> None:
    _seed(store)
    for namespace, across in ((ACME, False), (ACME, True), (ACME_BILLING, True)):
        hits = store.search(namespace, "parcel arrived damaged refund", limit=100, across_processes=across)
        assert {h.record.namespace.tenant for h in hits} == {"acme"}
    globex = store.search(GLOBEX, "parcel arrived damaged refund", limit=100, across_processes=True)
    assert [(h.record.namespace, h.record.record_id) for h in globex] == [(GLOBEX, "a1")]
    # A tenant with no memories finds nothing, even with the exact text of another tenant's record.
    assert store.search(Namespace("initech", "order-handling"), "parcel arrived damaged", limit=10) == []


def test_across_processes_widens_to_the_tenants_other_processes_only(store: MemoryStore) -> None:
    _seed(store)
    narrow = store.search(ACME, "reimbursed broken package", limit=10)
    wide = store.search(ACME, "reimbursed broken package", limit=10, across_processes=True)
    assert {h.record.record_id for h in narrow} == {"a1", "a2"}
    assert {(h.record.namespace.process_id, h.record.record_id) for h in wide} == {
        ("order-handling", "a1"),
        ("order-handling", "a2"),
        ("billing", "b1"),
    }
    assert wide[0].record.record_id == "b1"


def test_search_filters_by_tags_kind_and_time(store: MemoryStore) -> None:
    store.add(ACME, "Refund approved for a late delivery.", tags=["refund", "late"], created_at=1_000)
    store.add(ACME, "Refund refused: no proof of damage.", tags=["refund"], created_at=2_000)
    store.add(ACME, "Run goal: refund a damaged parcel", kind="episode", created_at=3_000, record_id="run-1")
    late = store.search(ACME, "refund", tags_any=["late", "unknown-tag"])
    assert [h.record.text for h in late] == ["Refund approved for a late delivery."]
    episodes = store.search(ACME, "refund", kind="episode")
    assert [h.record.record_id for h in episodes] == ["run-1"]
    recent = store.search(ACME, "refund", since=2_000)
    assert {h.record.created_at for h in recent} == {2_000, 3_000}


def test_get_and_delete_stay_inside_the_namespace(store: MemoryStore) -> None:
    _seed(store)
    assert [r.record_id for r in store.get(ACME, ["a2", "a1", "missing"])] == ["a2", "a1"]
    # globex's "a1" is another record: deleting it through globex leaves acme's untouched, and the reverse.
    assert store.delete(GLOBEX, ["a1"]) == 1
    assert store.get(GLOBEX, ["a1"]) == []
    assert [r.text for r in store.get(ACME, ["a1"])] == [
        "The parcel arrived damaged and the customer got a refund."
    ]
    assert store.delete(Namespace("globex", "billing"), ["b1"]) == 0
    assert store.count(ACME_BILLING) == 1
    assert store.delete(ACME) == 2
    assert (store.count(ACME), store.count(ACME, across_processes=True)) == (0, 1)


def test_the_same_record_id_in_two_tenants_is_two_records(store: MemoryStore) -> None:
    store.add(ACME, "acme's version", record_id="shared")
    store.add(GLOBEX, "globex's version", record_id="shared")
    store.add(ACME, "acme's second version", record_id="shared")  # replaces acme's only
    assert [r.text for r in store.get(ACME, ["shared"])] == ["acme's second version"]
    assert [r.text for r in store.get(GLOBEX, ["shared"])] == ["globex's version"]
    assert store.count(ACME) == 1


def test_records_round_trip_with_metadata_and_the_default_tenant(store: MemoryStore) -> None:
    namespace = Namespace(DEFAULT_TENANT, "p")
    written = store.add(namespace, "note", metadata={"source": {"instanceKey": 7}, "ok": True}, created_at=5)
    [read] = store.get(namespace, [written.record_id])
    assert read == written
    assert read.metadata == {"source": {"instanceKey": 7}, "ok": True}


def test_memories_survive_reopening_the_file(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    config = MemoryConfig(uri=str(tmp_path / "sub" / "memory.db"))
    first = MemoryStore.open(config, embedder)
    first.add(ACME, "kept across restarts", record_id="k")
    first.close()
    second = MemoryStore.open(config, embedder)
    try:
        assert [h.record.record_id for h in second.search(ACME, "restart")] == ["k"]
    finally:
        second.close()


@pytest.mark.parametrize(
    ("tenant", "process_id", "message"),
    [
        ('acme" or tenant != "', "p", "tenant"),
        ("", "p", "tenant"),
        ("a" * 65, "p", "tenant"),
        ("acme", "p x", "process id"),
        ("acme", "9starts-with-digit", "process id"),
        ("acme", "", "process id"),
    ],
)
def test_a_malformed_tenant_or_process_is_refused(tenant: str, process_id: str, message: str) -> None:
    with pytest.raises(MemoryInputError, match=message):
        Namespace(tenant, process_id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": ""}, "text is empty"),
        ({"text": "  \n"}, "text is empty"),
        ({"text": "é" * (MAX_TEXT_BYTES // 2 + 1)}, f"bytes of UTF-8; the limit is {MAX_TEXT_BYTES}"),
        ({"text": "ok", "tags": ['x") or (1==1']}, "tag"),
        ({"text": "ok", "tags": "refund"}, "list of strings"),
        ({"text": "ok", "tags": [f"t{i}" for i in range(17)]}, "at most 16"),
        ({"text": "ok", "kind": "secret"}, "kind"),
        ({"text": "ok", "record_id": "a b"}, "record id"),
        ({"text": "ok", "metadata": {"x": {1, 2}}}, "metadata is not JSON"),
        ({"text": "ok", "metadata": {"x": "y" * 20_000}}, "limit is 16384"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    store: MemoryStore, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(MemoryInputError, match=message):
        store.add(ACME, **kwargs)
    assert store.count(ACME) == 0


@pytest.mark.parametrize("limit", [0, 101, "5", True])
def test_a_search_limit_out_of_range_is_refused(store: MemoryStore, limit: Any) -> None:
    with pytest.raises(MemoryInputError, match="limit"):
        store.search(ACME, "anything", limit=limit)


def test_an_empty_query_is_refused(store: MemoryStore) -> None:
    with pytest.raises(MemoryInputError, match="empty"):
        store.search(ACME, " ")


def test_a_collection_of_another_dimension_is_refused(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    class Small:
        dimension = 8

        def embed(self, *_: Any) -> Any:
            raise AssertionError("not called")

    config = MemoryConfig(uri=str(tmp_path / "memory.db"))
    MemoryStore.open(config, embedder).close()
    with pytest.raises(ValueError, match="dimension 384; the embedder makes 8"):
        MemoryStore.open(config, Small())


def test_config_from_the_environment() -> None:
    assert MemoryConfig.from_env({}).uri == ".cadenza/memory.db"
    assert MemoryConfig.from_env({"CADENZA_DATA_DIR": "/var/lib/cadenza"}).uri == "/var/lib/cadenza/memory.db"
    server = MemoryConfig.from_env({"CADENZA_MEMORY_URI": "http://milvus:19530", "CADENZA_MEMORY_TOKEN": "t"})
    assert (server.is_server, server.token) == (True, "t")
    assert not MemoryConfig(uri="/tmp/x.db").is_server


def test_deleting_a_namespace_larger_than_a_query_page_deletes_it_all(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_store, "_DELETE_PAGE", 3)
    store.add_records(
        [MemoryRecord(f"n{i}", ACME, "note", f"note number {i}", created_at=i) for i in range(8)]
        + [MemoryRecord("g", GLOBEX, "note", "globex keeps this", created_at=0)]
    )
    assert store.count(ACME) == 8
    assert store.delete(ACME) == 8
    assert (store.count(ACME), store.count(GLOBEX)) == (0, 1)


def test_one_bad_record_in_a_batch_stores_none(store: MemoryStore) -> None:
    good = MemoryRecord("ok", ACME, "note", "fine")
    for bad in (
        MemoryRecord("bad id!", ACME, "note", "x"),
        MemoryRecord("b", ACME, "diary", "x"),
        MemoryRecord("b", ACME, "note", "x", tags=("no spaces",)),
        MemoryRecord("b", ACME, "note", ""),
    ):
        with pytest.raises(MemoryInputError):
            store.add_records([good, bad])
    assert store.count(ACME) == 0
