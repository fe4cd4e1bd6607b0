"""The audit log's hash chain: each entry names the one before it, so any change shows."""
import datetime as dt

from shared.kernel.audit import GENESIS, Head, breaks, chained, entry_hash, stored_time

AT = dt.datetime(2015, 7, 31, 12, 0, 0, 123456, tzinfo=dt.timezone.utc)


def entry(action="open_cycle", record="disclosure/cycles/2015", who="eo officer"):
    return {"entity": "EO", "at": AT, "who": who, "role": "ethics_office", "action": action,
            "record": record, "detail": None}


def test_entries_are_numbered_after_the_head_and_each_names_the_one_before():
    first, head = chained([entry(), entry("close_cycle")], Head())
    assert [e["seq"] for e in first] == [1, 2]
    assert first[0]["prev"] == GENESIS and first[1]["prev"] == first[0]["hash"]
    assert head == Head(2, first[1]["hash"])
    more, head = chained([entry("enrol_filer")], head)
    assert more[0]["seq"] == 3 and more[0]["prev"] == first[1]["hash"]
    assert breaks([*first, *more], head) == []


def test_times_are_hashed_as_the_database_keeps_them():
    [linked], _ = chained([entry()], Head())
    assert linked["at"] == stored_time(AT) and linked["at"].microsecond == 123000
    read_back = {**linked, "at": linked["at"].replace(tzinfo=None)}  # a naive UTC read
    assert entry_hash(read_back) == linked["hash"]


def test_a_changed_entry_is_named():
    log, head = chained([entry(), entry("review"), entry("close_cycle")], Head())
    log[1] = {**log[1], "who": "someone else"}
    [found] = breaks(log, head)
    assert found.seq == 2 and "changed" in found.reason


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link():
    log, head = chained([entry(), entry("review"), entry("close_cycle")], Head())
    forged = {**log[1], "record": "disclosure/cycles/2014"}
    log[1] = {**forged, "hash": entry_hash(forged)}
    assert [(b.seq, "follow" in b.reason) for b in breaks(log, head)] == [(3, True)]


def test_a_removed_entry_and_a_cut_off_end_are_found():
    log, head = chained([entry(), entry("review"), entry("close_cycle")], Head())
    assert {b.seq for b in breaks([log[0], log[2]], head)} == {3}
    [cut] = breaks(log[:2], head)
    assert cut.seq == 3 and "head" in cut.reason


def test_an_empty_log_with_a_fresh_head_holds():
    assert breaks([], Head()) == [] and breaks([], None) == []

