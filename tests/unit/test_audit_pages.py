"""The audit log across services: pages merged by time, a cursor that misses nothing."""
import pytest

from services.gateway.domain.audit import decode_cursor, encode_cursor, merge_pages
from shared.kernel.errors import Invalid


def entries(service, *times):
    return [{"service": service, "seq": n, "at": f"2015-07-31T12:00:{t:02d}Z"}
            for n, t in enumerate(times, start=1)]


def test_pages_of_several_services_merge_by_time_and_the_cursor_misses_nothing():
    streams = {"intake": entries("intake", 1, 4, 5), "panel": entries("panel", 2, 3),
               "disclosure": entries("disclosure", 9, 6)}  # overlapping commits: 6 after 9
    seen, positions = [], {}
    while True:
        pages = {s: {"items": [e for e in items if e["seq"] > positions.get(s, 0)][:2],
                     "more": len([e for e in items if e["seq"] > positions.get(s, 0)]) > 2}
                 for s, items in streams.items()}
        taken, cursor = merge_pages(pages, positions, 2)
        seen += [(e["service"], e["seq"]) for e in taken]
        if cursor is None:
            break
        positions = decode_cursor(cursor)
    assert sorted(seen) == sorted((s, e["seq"]) for s, items in streams.items() for e in items)
    assert len(seen) == len(set(seen)) == 7
    assert seen[:2] == [("intake", 1), ("panel", 1)]


def test_a_whole_second_comes_before_the_fractions_that_follow_it():
    def at(service, *times):
        return {"items": [{"service": service, "seq": n, "at": f"2015-07-31T12:00:{t}Z"}
                          for n, t in enumerate(times, start=1)], "more": False}
    pages = {"gateway": at("gateway", "17.963", "18.440"), "intake": at("intake", "18", "18.136")}
    taken, cursor = merge_pages(pages, {}, 10)
    assert [(e["service"], e["seq"]) for e in taken] == [
        ("gateway", 1), ("intake", 1), ("intake", 2), ("gateway", 2)]
    assert cursor is None


def test_a_cursor_that_is_not_one_is_refused():
    assert decode_cursor(encode_cursor({"intake": 3})) == {"intake": 3}
    for bad in ("%%%", encode_cursor({"intake": -1}), "bm90IGpzb24"):
        with pytest.raises(Invalid):
            decode_cursor(bad)
