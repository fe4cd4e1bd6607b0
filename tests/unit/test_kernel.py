"""The kernel: errors placed where their fields came from, ids, periods, pages, batches, and the
unit of work's promises (in its in-memory form)."""
import datetime as dt

import pytest

from shared.contracts.common import Actor, Role
from shared.contracts.directory import EntityRegistered
from shared.contracts.periods import (check_period, cycle_of_period, earlier_periods,
                                      last_finished_period, period_label, recent_periods)
from shared.kernel.aggregate import Aggregate
from shared.kernel.batch import SortedRows, batch_items
from shared.kernel.clock import FixedClock
from shared.kernel.errors import (Conflict, Invalid, StaleState, TooLarge, checked, located,
                                  validated)
from shared.kernel.ids import new_id
from shared.kernel.pagination import page_of, page_size
from shared.kernel.uow import InMemoryUnitOfWork, MemoryState, retrying
from shared.contracts.common import Period
from shared.contracts.directory import Entity


def test_errors_name_where_their_fields_came_from():
    with pytest.raises(Invalid) as caught:
        with located(path=("period",)):
            raise Invalid.of([{"loc": ["period"], "msg": "a"}, {"loc": ["x", 1], "msg": "b"},
                              {"loc": ["query", "limit"], "msg": "c"}, {"loc": [], "msg": "d"}])
    assert [e["loc"] for e in caught.value.errors] == [["path", "period"], ["body", "x", 1],
                                                       ["query", "limit"], []]


def test_one_validation_names_every_field():
    with pytest.raises(Invalid) as caught:
        validated(Entity, {"code": "x"}, where="body")
    assert {tuple(e["loc"]) for e in caught.value.errors} == {
        ("body", "code"), ("body", "name"), ("body", "category")}
    with pytest.raises(Invalid) as period:
        checked(Period, "2014-16", "period")
    assert period.value.errors[0]["loc"] == ["period"]
    assert checked(Period, "2014-15", "period") == "2014-15"


def test_ids_sort_in_the_order_they_were_made():
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000 and all(len(i) == 24 for i in ids)
    assert ids == sorted(ids)


def test_periods_are_labelled_once():
    assert period_label(1999) == "1999-00" and check_period("2014-15") == "2014-15"
    assert earlier_periods("2014-15", 3) == ["2012-13", "2013-14", "2014-15"]
    assert recent_periods(dt.date(2015, 8, 1), 2) == ["2015-16", "2014-15"]
    assert last_finished_period(dt.date(2015, 8, 1)) == "2014-15"
    assert cycle_of_period("2014-15") == 2014
    with pytest.raises(ValueError):
        check_period("2014-2015")


def test_pages_say_when_there_is_more():
    assert page_size(0) == 1 and page_size(None) == 100 and page_size(5000) == 1000
    page = page_of([1, 2, 3], 2, str)
    assert page.items == [1, 2] and page.next_cursor == "2"
    assert page_of([1, 2], 2, str).next_cursor is None


def test_a_batch_is_a_list_of_at_most_ten_thousand_rows():
    with pytest.raises(Invalid):
        batch_items({"items": []})
    with pytest.raises(TooLarge):
        batch_items([{}] * 10_001)
    rows = SortedRows()
    rows.reject(3, [{"loc": ["a"], "msg": "x", "status": 409}], with_status=True)
    assert rows.answer(rejected=[{"row": 1, "errors": []}])["rejected"][0]["row"] == 1
    assert rows.rejected[0]["status"] == 409


class Thing(Aggregate):
    def __init__(self, name):
        self.name = name
        self.record(EntityRegistered(code=name, name=name, category="other"), name)


class ThingsUnitOfWork(InMemoryUnitOfWork):
    def save(self, thing, expect=None):
        self.seen(thing)
        self.stage("things", thing.name, thing, expect)


def test_the_fake_commits_state_events_and_audit_at_once_and_forgets_without_commit():
    state, clock = MemoryState(), FixedClock(dt.date(2015, 7, 31))
    actor = Actor(role=Role.ethics_office, label="eo")
    with ThingsUnitOfWork(state, actor, clock, request_id="req-1") as uow:
        uow.save(Thing("UNDP"))
        uow.audit("make", "things/UNDP", "UNDP")
    assert state.collections.get("things", {}) == {} and state.outbox == []
    with ThingsUnitOfWork(state, actor, clock, request_id="req-1") as uow:
        uow.save(Thing("UNDP"))
        uow.audit("make", "things/UNDP", "UNDP")
        uow.commit()
    [event] = state.outbox
    assert event.request_id == "req-1" and event.occurred_at == clock.now()
    assert state.audit_log[0]["who"] == "eo"
    assert not state.collections["things"]["UNDP"].events  # events never stored in a record


def test_a_stale_write_fails_the_commit_and_retrying_runs_the_use_case_again():
    state = MemoryState()
    attempts = []

    @retrying
    def rename(uow, name):
        attempts.append(name)
        with uow:
            uow.save(Thing(name), expect=lambda current: len(attempts) > 1)
            uow.commit()
    rename(ThingsUnitOfWork(state), "UNDP")
    assert attempts == ["UNDP", "UNDP"] and "UNDP" in state.collections["things"]

    @retrying
    def never(uow, name):
        raise StaleState("always")
    with pytest.raises(Conflict):
        never(ThingsUnitOfWork(state), "x")


def test_a_consumer_commits_an_event_once():
    state = MemoryState()
    results = []
    for _ in range(2):
        with ThingsUnitOfWork(state) as uow:
            uow.processing("reporting", "event-1")
            uow.save(Thing("UNDP"))
            results.append(uow.commit())
    assert results == [True, False] and len(state.outbox) == 1
