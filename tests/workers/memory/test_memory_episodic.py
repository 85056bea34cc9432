"""Episodic memory of past runs and the memory tools an agent is given, on the real model and Milvus Lite."""

from __future__ import annotations

from typing import Any

import pytest

from cadenza.workers.memory import (
    EpisodicMemory,
    MemoryInputError,
    MemoryStore,
    Namespace,
    RunSummary,
    memory_tools,
)
from cadenza.workers.memory.episodic import MAX_OUTCOME_CHARS

SUPPORT = Namespace("acme", "support")

RUNS = [
    RunSummary(
        101, "support", "Refund a customer whose parcel arrived damaged", "refunded 49 EUR", ("refund",)
    ),
    RunSummary(102, "support", "Reset the password of a locked-out user", "reset link sent", ("account",)),
    RunSummary(103, "support", "Translate the FAQ page into German", "escalated: no translator", ("docs",)),
    RunSummary(104, "support", "Compensate a buyer for a broken delivery", "voucher of 20 EUR", ("refund",)),
]


@pytest.fixture
def episodes(store: MemoryStore) -> EpisodicMemory:
    memory = EpisodicMemory(store)
    for run in RUNS:
        memory.remember(RunSummary(**{**_fields(run), "tenant": "acme"}))
    return memory


def _fields(run: RunSummary) -> dict[str, Any]:
    return {name: getattr(run, name) for name in RunSummary.__slots__}


def test_recall_ranks_past_runs_by_how_close_their_goal_is(episodes: EpisodicMemory) -> None:
    past = episodes.recall(
        SUPPORT, "The customer's package was smashed in transit; give them their money back"
    )
    assert [p.summary.instance_key for p in past][:2] in ([101, 104], [104, 101])
    assert past[0].score > past[-1].score
    first = past[0].summary
    assert (first.tenant, first.process_id) == ("acme", "support")
    assert first.outcome in ("refunded 49 EUR", "voucher of 20 EUR")


def test_recall_filters_by_tags(episodes: EpisodicMemory) -> None:
    past = episodes.recall(SUPPORT, "anything at all", limit=10, tags_any=["account"])
    assert [p.summary.instance_key for p in past] == [102]


def test_recall_never_crosses_tenants_or_processes(episodes: EpisodicMemory) -> None:
    goal = "Refund a customer whose parcel arrived damaged"
    assert episodes.recall(Namespace("globex", "support"), goal, across_processes=True) == []
    assert episodes.recall(Namespace("acme", "billing"), goal) == []
    assert len(episodes.recall(Namespace("acme", "billing"), goal, across_processes=True, limit=10)) == 4


def test_recording_a_run_again_replaces_its_episode(store: MemoryStore, episodes: EpisodicMemory) -> None:
    episodes.remember(RunSummary(101, "support", "Refund a damaged parcel", "refund reversed", tenant="acme"))
    assert store.count(SUPPORT) == 4
    [record] = store.get(SUPPORT, ["run-101"])
    assert record.metadata == {"instanceKey": 101, "outcome": "refund reversed"}


def test_each_agent_task_of_an_instance_keeps_its_own_episode(store: MemoryStore) -> None:
    episodes = EpisodicMemory(store)
    for element, outcome in (("triage", "routed to billing"), ("billing", "refunded"), ("billing", "voided")):
        episodes.remember(
            RunSummary(7, "support", "Handle the ticket", outcome, tenant="acme", element_id=element)
        )
    episodes.remember(
        RunSummary(7, "support", "Handle the ticket", "done", tenant="acme", element_id="Schritt-ä")
    )
    records = {r.metadata["elementId"]: r for r in store.get(SUPPORT, ["run-7-triage", "run-7-billing"])}
    assert {k: r.metadata["outcome"] for k, r in records.items()} == {
        "triage": "routed to billing",
        "billing": "voided",
    }
    assert store.count(SUPPORT) == 3  # the element whose id no record id may hold is stored under its hash
    past = {p.summary.element_id: p.summary.outcome for p in episodes.recall(SUPPORT, "ticket", limit=5)}
    assert past == {"triage": "routed to billing", "billing": "voided", "Schritt-ä": "done"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"goal": ""}, "text is empty"),
        ({"outcome": " "}, "outcome is empty"),
        ({"outcome": "x" * (MAX_OUTCOME_CHARS + 1)}, "outcome has 8001 characters"),
        ({"instance_key": -1}, "instance key"),
        ({"tenant": "bad tenant"}, "tenant"),
    ],
)
def test_a_bad_run_summary_is_refused(store: MemoryStore, changes: dict[str, Any], message: str) -> None:
    run = RunSummary(**{**_fields(RUNS[0]), **changes})
    with pytest.raises(MemoryInputError, match=message):
        EpisodicMemory(store).remember(run)
    assert store.count(SUPPORT, across_processes=True) == 0


def test_the_tools_are_named_described_and_schema_shaped(store: MemoryStore) -> None:
    search, remember = memory_tools(store, SUPPORT)
    assert (search.name, remember.name) == ("memory.search", "memory.remember")
    assert search.input_schema["required"] == ["query"] and remember.input_schema["required"] == ["text"]
    assert search.input_schema["additionalProperties"] is False
    assert search.description and remember.description


@pytest.mark.usefixtures("episodes")
def test_remember_then_search_through_the_tools(store: MemoryStore) -> None:
    search, remember = memory_tools(store, SUPPORT, instance_key=555)
    note_id = remember.call(
        {"text": "Customers in Norway are refunded in NOK, not EUR.", "tags": ["refund"]}
    )["id"]
    result = search.call({"query": "which currency do Norwegian refunds use?", "limit": 2})
    texts = [m["text"] for m in result["memories"]]
    assert texts[0] == "Customers in Norway are refunded in NOK, not EUR."
    [note] = store.get(SUPPORT, [note_id])
    assert note.metadata == {"instanceKey": 555}
    runs = search.call({"query": "damaged parcel refund", "tags": ["refund"], "limit": 3})["memories"]
    episode = next(m for m in runs if m["kind"] == "episode")
    assert episode["instanceKey"] in (101, 104) and episode["outcome"]


@pytest.mark.usefixtures("episodes")
def test_the_tools_are_bound_to_their_namespace(store: MemoryStore) -> None:
    search, remember = memory_tools(store, Namespace("globex", "support"))
    # The model cannot name a tenant: an argument for it is refused, and searches see only globex.
    with pytest.raises(MemoryInputError, match="unknown argument"):
        search.call({"query": "refund", "tenant": "acme"})
    assert search.call({"query": "Refund a customer whose parcel arrived damaged", "scope": "tenant"}) == {
        "memories": []
    }
    remember.call({"text": "globex note"})
    assert store.count(SUPPORT) == 4


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        (0, {}, "missing argument"),
        (0, {"query": ""}, "non-empty string"),
        (0, {"query": "x" * 2001}, "limit is 2000"),
        (0, {"query": "x", "limit": 11}, "limit must be"),
        (0, {"query": "x", "scope": "everything"}, "scope"),
        (0, "query", "JSON object"),
        (1, {"text": 5}, "non-empty string"),
        (1, {"text": "ok", "tags": ["no spaces allowed"]}, "tag"),
    ],
)
def test_bad_tool_arguments_are_refused_with_the_reason(
    store: MemoryStore, tool: int, args: Any, message: str
) -> None:
    with pytest.raises(MemoryInputError, match=message):
        memory_tools(store, SUPPORT)[tool].call(args)
    assert store.count(SUPPORT) == 0
