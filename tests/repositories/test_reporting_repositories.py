"""Reporting's read models and unit of work: the fake and the database keep the same promises
(changes applied with the same counter arithmetic, tracking of groups, generations)."""
import datetime as dt

import pytest
from conftest import backends

from services.reporting.domain import Add, Generations, Revise, consumer_of, latest, setting
from services.reporting.memory import ReportingMemory
from services.reporting.projections import filer_feeds
from services.reporting.store import ReportingUnitOfWork
from shared.kernel.errors import StaleState

backend = backends(ReportingMemory, ReportingUnitOfWork)
AT = dt.datetime(2015, 7, 1, tzinfo=dt.timezone.utc)


def applied(backend, changes, generation=0, consumer_events=()):
    with backend.uow() as uow:
        uow.models.apply(generation, changes)
        if consumer_events:
            uow.processing_many(consumer_of(generation), list(consumer_events))
        return uow.commit()


def view(backend, generation=0):
    return backend.uow().models.view(generation)


def tally(amounts, entity="EO", period="2014-15") -> Add:
    return Add("tallies", {"entity": entity, "period": period}, amounts)


def filer(staff_id, change) -> Revise:
    key = {"entity": "DM", "year": 2014, "staff_id": staff_id}
    return Revise("filers", key, lambda before: {**key, **change(before)}, filer_feeds)


def test_nothing_is_written_without_commit(backend):
    with backend.uow() as uow:
        uow.models.apply(0, [tally({"requests.total": 1})])
    assert view(backend).tallies_in("2014-15") == []


def test_counters_add_up_in_nested_documents(backend):
    applied(backend, [tally({"requests.total": 2, "requests.category.advice": 2}),
                      tally({"requests.total": 1, "requests.category.training": 1}),
                      tally({"activities.total": 1}, entity="UNDP")])
    applied(backend, [tally({"requests.total": 3, "retaliation.status.received": 1})])
    eo = view(backend).tallies_of("EO")["2014-15"]
    assert eo == {"entity": "EO", "period": "2014-15", "requests": {
        "total": 6, "category": {"advice": 2, "training": 1}},
        "retaliation": {"status": {"received": 1}}}
    assert {d["entity"] for d in view(backend).tallies_in("2014-15")} == {"EO", "UNDP"}


def test_a_revised_record_moves_the_counters_it_feeds(backend):
    enrol = setting(enrolled=True, grade="ASG", first_time=True)
    applied(backend, [filer("S1", enrol), filer("S2", enrol)])
    applied(backend, [filer("S1", setting(filed=True)), filer("S2", setting(exempted=True))])
    [fdp] = view(backend).fdp(2014, "DM")
    assert (fdp["enrolled"], fdp["required"], fdp["filed"], fdp["eligible"],
            fdp["exempted"]) == (2, 1, 1, 1, 1)
    assert view(backend).enrolment(2014, 2014)[0]["units"] == {"DM": 2}
    applied(backend, [filer("S1", setting(filed=True))])  # no change, no counter moves
    assert view(backend).fdp(2014, "DM")[0]["filed"] == 1


def test_a_record_revised_and_counted_in_one_commit(backend):
    key = {"entity": "DM"}
    for name in ("first", "second"):
        applied(backend, [Revise("directory", key, setting(name=name, category="other",
                                                           parent=None)),
                          Add("directory", key, {"registrations": 1})])
    assert view(backend).directory() == {"DM": {"entity": "DM", "name": "second",
                                                "category": "other", "parent": None,
                                                "registrations": 2}}


def test_latest_wins_whatever_the_order(backend):
    key = {"entity": "UNHCR"}
    applied(backend, [Revise("members", key, latest("2015-02-01", member=False))])
    applied(backend, [Revise("members", key, latest("2015-01-01", member=True, head="H"))])
    assert view(backend).members() == [{"entity": "UNHCR", "member": False,
                                        "as_of": "2015-02-01"}]


def test_a_group_is_tracked_event_by_event_and_never_twice(backend):
    assert applied(backend, [tally({"requests.total": 2})], 0, ["e1", "e2"]) is True
    uow = backend.uow()
    assert uow.models.held(0, ["e1", "e2", "e3"]) == {"e1", "e2"}
    assert uow.models.held(1, ["e1"]) == set()
    assert applied(backend, [tally({"requests.total": 5})], 0, ["e3", "e2"]) is False
    assert view(backend).tallies_of("EO")["2014-15"]["requests"]["total"] == 2
    assert backend.processed() == 2


def test_generations_are_apart_and_a_dropped_one_is_gone(backend):
    backend.uow().models.prepare(1)
    applied(backend, [tally({"requests.total": 1})], 0, ["e1"])
    applied(backend, [tally({"requests.total": 7})], 1, ["e1"])
    assert view(backend, 0).tallies_of("EO")["2014-15"]["requests"]["total"] == 1
    assert view(backend, 1).tallies_of("EO")["2014-15"]["requests"]["total"] == 7
    backend.uow().models.drop(0)
    assert view(backend, 0).tallies_in("2014-15") == []
    assert backend.uow().models.held(0, ["e1"]) == set()
    assert backend.uow().models.held(1, ["e1"]) == {"e1"}


def test_the_generations_state_is_saved_over_the_state_it_was_read_as(backend):
    before = backend.uow().generations.get()
    assert before == Generations()
    claimed = before.claim(AT, dt.timedelta(minutes=5))
    with backend.uow() as uow:
        uow.generations.save(before, claimed)
        uow.commit()
    assert backend.uow().generations.get() == claimed
    with pytest.raises(StaleState):
        with backend.uow() as uow:
            uow.generations.save(before, before.claim(AT, dt.timedelta(minutes=5)))
            uow.commit()
    building = claimed.building_now(1, AT)
    with backend.uow() as uow:
        uow.generations.save(claimed, building)
        uow.commit()
    stored = backend.uow().generations.get()
    assert stored == building and stored.live() == [0, 1]


# ---- issued versions, and counters by day ----

def issued_version(version: int, as_of=dt.date(2015, 7, 31)):
    from services.reporting.domain.issues import IssuedReport
    from shared.contracts.reporting import ReportKind
    return IssuedReport(ReportKind.annual, "2014-15", version, as_of, AT, "eo officer",
                        '{"figures":[1,2,"二"]}', f"digest{version}", "A/70/307", None)


def test_issued_versions_are_kept_exactly_and_in_order(backend):
    from shared.contracts.reporting import ReportKind
    for version in (1, 2):
        with backend.uow() as uow:
            uow.issues.add(issued_version(version))
            uow.commit()
    uow = backend.uow()
    assert uow.issues.latest(ReportKind.annual, "2014-15").version == 2
    first = uow.issues.get(ReportKind.annual, "2014-15", 1)
    assert first.document == '{"figures":[1,2,"二"]}' and first.content() == {"figures": [1, 2,
                                                                                         "二"]}
    assert (first.as_of, first.symbol, first.issued_by) == (dt.date(2015, 7, 31), "A/70/307",
                                                            "eo officer")
    assert [v.version for v in uow.issues.versions(ReportKind.annual, "2014-15")] == [1, 2]
    assert uow.issues.latest(ReportKind.system_wide, "2014-15") is None
    assert uow.issues.get(ReportKind.annual, "2014-15", 3) is None


def test_a_version_issued_twice_at_once_is_stale(backend):
    with backend.uow() as uow:
        uow.issues.add(issued_version(1))
        uow.commit()
    with pytest.raises(StaleState):
        with backend.uow() as uow:
            uow.issues.add(issued_version(1))
            uow.commit()


def test_dated_counters_fill_the_by_day_documents(backend):
    from services.reporting.domain import counted_by
    applied(backend, [Add("tallies", {"entity": "EO", "period": "2014-15"},
                          {"requests.total": 1}, "2015-07-30"),
                      Add("tallies", {"entity": "EO", "period": "2014-15"},
                          {"requests.total": 2}, "2015-07-31"),
                      Add("tallies", {"entity": "EO", "period": "2014-15"},
                          {"requests.total": 4}, "2015-06-01")])
    assert view(backend).tallies_of("EO")["2014-15"]["requests"] == {"total": 7}
    days = view(backend).by_day("tallies", entity="EO", period="2014-15")
    assert sorted(d["month"] for d in days) == ["2015-06", "2015-07"]
    assert counted_by(days, "2015-07-30") == {"requests": {"total": 5}}
    assert counted_by(days, "2015-05-31") == {}
