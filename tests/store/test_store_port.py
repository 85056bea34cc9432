"""The Store port's contract, run on every implementation: memory, SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from store_support import batch, event

from cadenza.core.keys import encode_key
from cadenza.core.records import Record, RecordType, RejectionType, ValueType
from cadenza.store import StateChange, Store, StoreError


def test_an_empty_partition_loads_as_position_zero_and_no_state(store: Store) -> None:
    snapshot = store.load_partition(1)

    assert snapshot.last_position == 0
    assert snapshot.columns == {}
    assert store.read_records(1) == []


def test_commit_then_load_gives_the_committed_state(store: Store) -> None:
    big = encode_key(3, 2**40)
    store.commit(
        1,
        batch(1, 3),
        [
            StateChange("processes", "order", {"version": 2, "bpmnProcessId": "order", "key": big}),
            StateChange("variables", f"{big}:total", '"12.50"'),
            StateChange("jobs", "7", {"tags": ["a", "ü"], "nested": {"x": None, "ok": True}}),
        ],
    )
    store.commit(1, batch(4, 2), [StateChange("jobs", "8", [1, 2, 3])])

    snapshot = store.load_partition(1)

    assert snapshot.last_position == 5
    assert snapshot.columns == {
        "processes": {"order": {"version": 2, "bpmnProcessId": "order", "key": big}},
        "variables": {f"{big}:total": '"12.50"'},
        "jobs": {"7": {"tags": ["a", "ü"], "nested": {"x": None, "ok": True}}, "8": [1, 2, 3]},
    }


def test_partitions_keep_their_own_positions_and_state(store: Store) -> None:
    store.commit(1, batch(1, 4), [StateChange("c", "k", 1)])
    store.commit(2, [event(position, partition=2) for position in (1, 2)], [StateChange("c", "k", 2)])

    assert store.load_partition(1).last_position == 4
    assert store.load_partition(2).last_position == 2
    assert store.load_partition(1).columns == {"c": {"k": 1}}
    assert store.load_partition(2).columns == {"c": {"k": 2}}
    assert [record.position for record in store.read_records(2)] == [1, 2]


def test_records_read_back_equal_to_what_was_committed(store: Store) -> None:
    rejection = Record(
        position=2,
        key=encode_key(2, 99),
        record_type=RecordType.COMMAND_REJECTION,
        value_type=ValueType.JOB,
        intent="COMPLETE",
        value={"processInstanceKey": encode_key(2, 5), "variables": '{"a":1}', "customHeaders": {}},
        partition=2,
        tenant="tenant-a",
        timestamp=1_764_000_000_123,
        source_position=1,
        rejection_type=RejectionType.NOT_FOUND,
        rejection_reason="Expected to complete job with key '99', but no such job was found",
    )
    command = rejection._replace(
        position=1, record_type=RecordType.COMMAND, rejection_type=RejectionType.NULL_VAL, rejection_reason=""
    )
    store.commit(2, [command, rejection], [])

    read = store.read_records(2)

    assert read == [command, rejection]
    assert read[1].record_type is RecordType.COMMAND_REJECTION
    assert read[1].rejection_type is RejectionType.NOT_FOUND
    assert read[1].value_type is ValueType.JOB


def test_read_records_pages_by_after_and_limit(store: Store) -> None:
    records = batch(1, 10)
    store.commit(1, records[:6], [])
    store.commit(1, records[6:], [])

    assert store.read_records(1, after=0) == records
    assert store.read_records(1, after=3) == records[3:]
    assert store.read_records(1, after=3, limit=4) == records[3:7]
    assert store.read_records(1, after=8, limit=5) == records[8:]
    assert store.read_records(1, after=10) == []
    assert store.read_records(1, limit=0) == []
    assert store.read_records(1, limit=-1) == []


def test_instance_records_are_one_instance_in_position_order_scoped_by_tenant(store: Store) -> None:
    store.commit(
        1,
        [
            event(1, instance=7, tenant="a"),
            event(2, instance=8, tenant="a"),
            event(3),  # no instance: a deployment, say
            event(4, instance=7, tenant="a"),
            event(5, instance=7, tenant="b"),  # keys are per tenant in name only: the filter must hold
        ],
        [],
    )
    store.commit(1, [event(6, instance=7, tenant="a")], [])

    assert [r.position for r in store.instance_records(7)] == [1, 4, 5, 6]
    assert [r.position for r in store.instance_records(7, tenant="a")] == [1, 4, 6]
    assert [r.position for r in store.instance_records(7, tenant="b")] == [5]
    assert store.instance_records(7, tenant="c") == []
    assert store.instance_records(9) == []
    assert store.instance_records(8)[0] == event(2, instance=8, tenant="a")


def test_a_delete_change_removes_the_row(store: Store) -> None:
    store.commit(1, batch(1, 1), [StateChange("jobs", "1", {"a": 1}), StateChange("jobs", "2", {"b": 2})])
    store.commit(1, batch(2, 1), [StateChange("jobs", "1", None), StateChange("jobs", "missing", None)])

    assert store.load_partition(1).columns == {"jobs": {"2": {"b": 2}}}


def test_changes_to_one_row_in_one_batch_apply_in_order(store: Store) -> None:
    store.commit(1, [], [StateChange("t", "gone", 1), StateChange("t", "back", 1)])
    store.commit(
        1,
        batch(1, 1),
        [
            StateChange("t", "gone", 2),
            StateChange("t", "gone", None),
            StateChange("t", "back", None),
            StateChange("t", "back", 3),
            StateChange("t", "twice", 4),
            StateChange("t", "twice", 5),
        ],
    )

    assert store.load_partition(1).columns == {"t": {"back": 3, "twice": 5}}


def test_exporter_positions_persist_per_exporter_and_partition(store: Store) -> None:
    assert store.exporter_position("history", 1) == 0

    store.acknowledge("history", 1, 10)
    store.acknowledge("history", 2, 3)
    store.acknowledge("tasklist", 1, 4)
    store.acknowledge("history", 1, 12)

    assert store.exporter_position("history", 1) == 12
    assert store.exporter_position("history", 2) == 3
    assert store.exporter_position("tasklist", 1) == 4
    assert store.exporter_position("tasklist", 2) == 0


def test_a_failed_commit_leaves_neither_records_nor_state_changes(store: Store) -> None:
    store.commit(1, batch(1, 3), [StateChange("jobs", "1", "before"), StateChange("jobs", "2", "kept")])

    # Positions 4 and 5 are new, 3 is taken: the whole batch must go, with its state changes.
    with pytest.raises(StoreError):
        store.commit(
            1,
            batch(4, 2) + [event(3)],
            [StateChange("jobs", "1", "after"), StateChange("jobs", "2", None), StateChange("jobs", "3", 3)],
        )

    assert store.read_records(1) == batch(1, 3)
    assert store.load_partition(1) == (3, {"jobs": {"1": "before", "2": "kept"}})
    store.commit(1, batch(4, 1), [])  # the store still works after a refused commit
    assert store.load_partition(1).last_position == 4


def test_a_batch_repeating_a_position_is_refused_whole(store: Store) -> None:
    with pytest.raises(StoreError):
        store.commit(1, [event(1), event(2), event(1)], [StateChange("c", "k", 1)])

    assert store.load_partition(1) == (0, {})


def test_a_value_that_is_not_json_is_refused_before_anything_is_written(store: Store) -> None:
    with pytest.raises(StoreError, match="not JSON"):
        store.commit(1, batch(1, 2), [StateChange("c", "ok", 1), StateChange("c", "bad", {1, 2})])
    with pytest.raises(StoreError, match="not JSON"):
        store.commit(1, [event(1, when=object())], [])

    assert store.load_partition(1) == (0, {})


def test_values_orjson_cannot_write_round_trip_as_the_standard_encoder_writes_them(store: Store) -> None:
    # Integers past 64 bits and non-string keys take the encoder's fallback path.
    odd = {"big": 2**70, "negative": -(2**64), "keys": {1: "a"}, "text": "é\n\u2028\x00"}
    store.commit(1, [event(1, **odd)], [StateChange("c", "k", odd)])

    expected = json.loads(json.dumps(odd))  # {1: ...} comes back as {"1": ...}, as JSON has it
    assert store.read_records(1)[0].value == expected
    assert store.load_partition(1).columns == {"c": {"k": expected}}


def test_a_record_of_another_partition_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="partition 2"):
        store.commit(1, [event(1, partition=2)], [])

    assert store.read_records(1) == [] and store.read_records(2) == []


def test_committed_values_are_copies_not_references(store: Store) -> None:
    value = {"items": [1]}
    record = event(1, payload=value)
    store.commit(1, [record], [StateChange("c", "k", value)])

    value["items"].append(2)

    assert store.load_partition(1).columns == {"c": {"k": {"items": [1]}}}
    assert store.read_records(1)[0].value == {"payload": {"items": [1]}}


def test_records_sharing_one_value_object_each_read_back_their_value(store: Store) -> None:
    # The engine writes an element's lifecycle records with its row's value object; the commit encodes it once.
    shared = {"elementId": "task", "processInstanceKey": 7}
    records = [event(1, instance=7), event(2, instance=7), event(3, instance=7)]
    records = [records[0]._replace(value=shared), records[1], records[2]._replace(value=shared)]
    store.commit(1, records, [])

    read = store.read_records(1)
    assert [r.value for r in read] == [shared, {"processInstanceKey": 7}, shared]
    assert store.instance_records(7) == read


def test_a_second_record_with_a_bad_value_is_refused_after_a_good_one_with_its_position(store: Store) -> None:
    good = {"ok": 1}
    with pytest.raises(StoreError, match="position 2 has a value that is not JSON"):
        store.commit(1, [event(1, payload=good), event(2, payload={1, 2})], [])

    assert store.read_records(1) == []


def test_text_with_copys_and_sqls_special_characters_reads_back_unchanged(store: Store) -> None:
    """PostgreSQL takes records by COPY, whose text format gives tab, newline, backslash and ``\\N`` meanings of
    their own; none may leak into what is read back (nor may quotes into SQL)."""
    awkward = "tab\there\nnew line\r\\N \\. back\\slash 'quote' \"double\" ; -- é \u2028 𝄞"
    first = event(1, text=awkward, nested={awkward: [awkward]})._replace(
        tenant=f"tenant{awkward}", rejection_reason=awkward
    )
    second = event(2)._replace(rejection_reason="\\N")  # COPY's own marker of NULL, as plain text
    store.commit(1, [first, second], [StateChange("c", awkward, awkward)])

    assert store.read_records(1) == [first, second]
    assert store.load_partition(1).columns == {"c": {awkward: awkward}}


LONE = "\ud800"  # a UTF-16 surrogate on its own: Python text that UTF-8, and so no database, can hold


@pytest.mark.parametrize(
    ("records", "changes"),
    [
        ([event(2, name=LONE)], []),  # in a record's value
        ([event(2, **{LONE: 1})], []),  # in a name inside the value
        ([event(2, tenant=f"t{LONE}")], []),  # in a text column
        ([event(2)._replace(rejection_reason=f"bad {LONE}")], []),
        ([event(2)], [StateChange("c", "k", {"v": LONE})]),  # in a state value
        ([event(2)], [StateChange("c", f"k{LONE}", 1)]),  # in a state key
        ([event(2)], [StateChange("c", f"k{LONE}", None)]),  # in a deleted row's key
    ],
)
def test_text_with_a_lone_surrogate_is_refused_whole_as_a_store_error(
    store: Store, records: list[Record], changes: list[StateChange]
) -> None:
    store.commit(1, [event(1)], [StateChange("c", "k", "before")])

    with pytest.raises(StoreError, match="not valid Unicode|lone surrogate"):
        store.commit(1, [*records, event(3)], [StateChange("c", "k", "after"), *changes])

    assert store.read_records(1) == [event(1)]
    assert store.load_partition(1) == (1, {"c": {"k": "before"}})
    paired = json.loads('"\\ud83d\\ude00"')  # a JSON escape of a surrogate pair is one character
    store.commit(1, [event(2, name=paired)], [])  # the store still writes
    assert store.read_records(1)[1].value == {"name": "\U0001f600"}
