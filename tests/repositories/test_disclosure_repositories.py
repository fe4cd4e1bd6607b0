"""Disclosure's repositories and unit of work: the fake and the database keep the same
promises (staged writes, optimistic checks, pages, counters, sealed statements)."""
import datetime as dt
import secrets

import pytest
from conftest import ACTOR, backends

from services.disclosure.domain import (Cycle, Enrolment, Filer, FilerChanges, Participant,
                                        PublicDisclosure, PublicReviewed, Reminder, Statement,
                                        FilerReminder,
                                        VerificationSample)
from services.disclosure.keyring import Keyring
from services.disclosure.memory import TEST_KEYRING, DisclosureMemory
from services.disclosure.store import DisclosureUnitOfWork
from shared.contracts.disclosure import (CycleIn, ExemptionIn, FilerIn, ParticipantIn,
                                         SampleRequest, StatementIn)
from shared.kernel.errors import Conflict, StaleState

YEAR = 2015


class KeyedUnitOfWork(DisclosureUnitOfWork):
    """The Mongo unit of work with the tests' key, as the service's provider gives its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, keyring=TEST_KEYRING, **kwargs)


backend = backends(DisclosureMemory, KeyedUnitOfWork)


def committed(backend, write):
    with backend.uow() as uow:
        write(uow)
        uow.commit()


def participant(code: str, sharing: bool = True, category: str = "other") -> Participant:
    return Participant.enrol(None, code, ParticipantIn(cost_sharing=sharing), category)


def cycle(year: int = YEAR) -> Cycle:
    return Cycle.open(None, CycleIn(year=year, deadline=dt.date(year, 5, 31),
                                    programme_cost=100.0))


def filers(*specs, year: int = YEAR) -> list[Filer]:
    """`specs`: (staff_id, entity) or (staff_id, entity, duty_station)."""
    return [Filer.enrol(year, FilerIn(staff_id=s, entity=e, duty_station=d[0] if d else "Geneva",
                                      grade="P-4", designation="procurement"), True)
            for s, e, *d in specs]


def enrolled(backend, *specs, year: int = YEAR):
    committed(backend, lambda uow: uow.filers.add(Enrolment.of(year, filers(*specs, year=year))))


def test_nothing_is_written_without_commit(backend):
    with backend.uow() as uow:
        uow.participants.save(participant("UNDP"))
        uow.cycles.add(cycle())
    assert backend.uow().participants.get("UNDP") is None
    assert backend.uow().cycles.get(YEAR) is None and backend.outbox() == []


def test_participants_are_listed_by_code_with_their_category(backend):
    committed(backend, lambda uow: [uow.participants.save(p) for p in (
        participant("UNHCR"), participant("DM", False, "secretariat"), participant("UNDP"))])
    uow = backend.uow()
    assert [p.entity for p in uow.participants.all()] == ["DM", "UNDP", "UNHCR"]
    assert [p.entity for p in uow.participants.all("DM")] == ["DM"]
    assert uow.participants.codes() == ["DM", "UNDP", "UNHCR"]
    assert uow.participants.categories()["DM"] == "secretariat"
    assert uow.participants.cost_sharing() == ["UNDP", "UNHCR"]
    assert [e["type"] for e in backend.outbox()] == ["participant_enrolled"] * 3
    changed = Participant.enrol(uow.participants.get("DM"), "DM", ParticipantIn(
        cost_sharing=True, focal_points=[{"name": "A. Focal"}]), "secretariat")
    committed(backend, lambda uow: uow.participants.save(changed))
    assert backend.uow().participants.get("DM").focal_points == [{"name": "A. Focal"}]


def test_a_cycle_exists_once_and_closes_only_as_it_was_read(backend):
    committed(backend, lambda uow: uow.cycles.add(cycle()))
    with pytest.raises(Conflict):
        committed(backend, lambda uow: uow.cycles.add(cycle()))
    read = backend.uow().cycles.get(YEAR)
    assert (read.opens_on, read.deadline, read.status) == (dt.date(YEAR, 3, 1),
                                                           dt.date(YEAR, 5, 31), "open")
    committed(backend, lambda uow: uow.cycles.save(read, read.close(dt.date(YEAR, 7, 1))))
    with pytest.raises(StaleState):  # closed meanwhile: the second close read an open cycle
        committed(backend, lambda uow: uow.cycles.save(read, read.close(dt.date(YEAR, 7, 2))))
    assert backend.uow().cycles.get(YEAR).closed_on == dt.date(YEAR, 7, 1)
    committed(backend, lambda uow: [uow.cycles.add(cycle(y)) for y in (2013, 2014)])
    uow = backend.uow()
    assert [c.year for c in uow.cycles.all()] == [2013, 2014, YEAR]
    assert uow.cycles.newest_open().year == 2014
    assert [e["type"] for e in backend.outbox()] == ["cycle_opened", "cycle_closed",
                                                     "cycle_opened", "cycle_opened"]


def test_changes_that_need_an_open_cycle_fail_when_it_closed_meanwhile(backend):
    committed(backend, lambda uow: uow.cycles.add(cycle()))
    read = backend.uow().cycles.get(YEAR)
    committed(backend, lambda uow: uow.cycles.save(read, read.close(dt.date(YEAR, 7, 1))))
    with pytest.raises(StaleState):
        committed(backend, lambda uow: (uow.filers.add(Enrolment.of(YEAR, filers(("S1", "DM")))),
                                        uow.cycles.still_open(read)))
    assert backend.uow().filers.get(YEAR, "S1") is None


def test_filers_are_read_in_chunks_and_enrolled_once(backend):
    specs = [(f"S{n:03d}", "UNDP") for n in range(120)]
    enrolled(backend, *specs)
    uow = backend.uow()
    found = uow.filers.many(YEAR, [s for s, _ in specs] + ["nobody"])
    assert len(found) == 120 and found["S007"].status == "invited"
    assert uow.filers.get(YEAR, "S007").version == 0 and uow.filers.get(2014, "S007") is None
    [event] = backend.outbox()
    assert event["type"] == "filers_enrolled" and len(event["payload"]["filers"]) == 120
    with pytest.raises(StaleState):  # enrolled meanwhile by another batch
        enrolled(backend, ("S007", "UNDP"), ("NEW", "UNDP"))
    assert backend.uow().filers.get(YEAR, "NEW") is None


def test_a_filer_change_is_written_only_to_the_version_read(backend):
    enrolled(backend, ("S1", "UNDP"), ("S2", "UNDP"))
    first = backend.uow().filers.many(YEAR, ["S1"])["S1"]
    second = backend.uow().filers.many(YEAR, ["S1"])["S1"]  # read by another request
    before = first.facts()
    first.file(StatementIn(), ACTOR, dt.date(YEAR, 4, 1), dt.date(YEAR, 3, 1),
               dt.date(YEAR, 3, 31))  # a day after the deadline: late
    committed(backend, lambda uow: uow.filers.save(FilerChanges.of(YEAR, [(before, first)])))
    stored = backend.uow().filers.get(YEAR, "S1")
    assert (stored.status, stored.filed_on, stored.late, stored.version) == (
        "filed", dt.date(YEAR, 4, 1), True, 1)
    second.exempt(ExemptionIn(reason="medical"), ACTOR)
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.filers.save(FilerChanges.of(YEAR, [(before,
                                                                               second)])))
    assert backend.uow().filers.get(YEAR, "S1").status == "filed"
    assert [e["type"] for e in backend.outbox()] == ["filers_enrolled", "statement_filed"]
    assert backend.uow().filers.filed_before(["S1", "S2", "S3"], [YEAR]) == {"S1"}


def test_filers_page_by_entity_then_staff_id(backend):
    committed(backend, lambda uow: [uow.participants.save(participant(c))
                                    for c in ("DM", "UNDP")])
    enrolled(backend, ("U2", "UNDP"), ("U1", "UNDP"), ("D1", "DM"), ("D2", "DM", "Juba"))
    uow, seen, cursor = backend.uow(), [], None
    while True:
        page = uow.filers.page(YEAR, None, None, 3, cursor)
        seen.append([f.staff_id for f in page.items])
        if not (cursor := page.next_cursor):
            break
    assert seen == [["D1", "D2", "U1"], ["U2"]]
    own = uow.filers.page(YEAR, "UNDP", None, 1, None)
    assert [f.staff_id for f in own.items] == ["U1"] and own.next_cursor == "UNDP/U1"
    rest = uow.filers.page(YEAR, "UNDP", None, 5, own.next_cursor)
    assert [f.staff_id for f in rest.items] == ["U2"] and rest.next_cursor is None
    assert uow.filers.page(YEAR, None, "filed", 10, None).items == []
    assert uow.filers.outstanding(YEAR, "DM") == ["D1", "D2"]
    non_filers = uow.filers.non_filers(YEAR, "DM", 1, None)
    assert [f.staff_id for f in non_filers.items] == ["D1"] and non_filers.next_cursor == "D1"
    assert [f.staff_id for f in uow.filers.non_filers(YEAR, "DM", 1, "D1").items] == ["D2"]
    population = sorted(uow.filers.population(YEAR), key=lambda f: f["staff_id"])
    assert population[1] == {"staff_id": "D2", "entity": "DM", "grade": "P-4",
                             "duty_station": "Juba", "designation": "procurement",
                             "first_time": True, "status": "invited"}


def test_counters_add_up_per_cycle_entity_and_duty_station(backend):
    changes = {("DM", "Geneva"): {"enrolled": 2, "reasons.outstanding": 2},
               ("UNDP", "Juba"): {"enrolled": 1, "filed": 1}}
    committed(backend, lambda uow: uow.counters.add(YEAR, changes))
    committed(backend, lambda uow: uow.counters.add(YEAR, {("DM", "Geneva"): {
        "filed": 1, "reasons.outstanding": -1}}))
    committed(backend, lambda uow: uow.counters.add(2014, {("DM", "Geneva"): {"enrolled": 9}}))
    counters = sorted(backend.uow().counters.of(YEAR), key=lambda c: c["entity"])
    assert counters == [
        {"entity": "DM", "year": YEAR, "duty_station": "Geneva", "enrolled": 2, "filed": 1,
         "reasons": {"outstanding": 1}},
        {"entity": "UNDP", "year": YEAR, "duty_station": "Juba", "enrolled": 1, "filed": 1}]


def test_a_counter_changed_by_many_writes_reads_as_their_sum(backend):
    for _ in range(40):  # on MongoDB the writes fall on several of a counter's documents
        committed(backend, lambda uow: uow.counters.add(YEAR, {("DM", "Geneva"): {
            "enrolled": 1, "reasons.outstanding": 1}}))
    committed(backend, lambda uow: uow.counters.add(YEAR, {("DM", "Geneva"): {
        "filed": 3, "reasons.outstanding": -3}}))
    assert backend.uow().counters.of(YEAR) == [
        {"entity": "DM", "year": YEAR, "duty_station": "Geneva", "enrolled": 40,
         "reasons": {"outstanding": 37}, "filed": 3}]


def test_statements_are_stored_sealed_and_resealed_with_the_newest_key(backend):
    committed(backend, lambda uow: uow.statements.add([
        Statement(YEAR, s, "DM", dt.date(YEAR, 4, 1), {"assets": [{"description": s}]})
        for s in ("S1", "S2")]))
    uow = backend.uow()
    assert uow.statements.get(YEAR, "S1").view() == {
        "year": YEAR, "staff_id": "S1", "entity": "DM", "filed_on": "2015-04-01",
        "receipt": "FD-2015-S1", "certified": False, "assets": [{"description": "S1"}]}
    assert uow.statements.get(YEAR, "S3") is None and uow.statements.count() == 2
    assert uow.statements.sealed_with_older_keys("DM") == []
    newer = Keyring([("k2", secrets.token_bytes(32)), *TEST_KEYRING.keys.items()])
    with backend.uow() as uow:
        uow.keyring = newer
        page = uow.statements.sealed_with_older_keys("DM")
        assert sorted(s["staff_id"] for s in page) == ["S1", "S2"]
        assert all(b"S1" not in bytes(s["ciphertext"]) for s in page)
        uow.statements.reseal(page)
        uow.commit()
    with pytest.raises(StaleState):  # resealed meanwhile
        with backend.uow() as uow:
            uow.keyring = newer
            uow.statements.reseal(page)
            uow.commit()
    uow = backend.uow()
    uow.keyring = Keyring([("k2", newer.keys["k2"])])
    assert uow.statements.newest_key == "k2" and uow.statements.sealed_with_older_keys("DM") == []
    assert uow.statements.get(YEAR, "S2").contents == {"assets": [{"description": "S2"}]}


def test_a_cycle_has_one_sample(backend):
    population = [{"staff_id": f"S{n}", "entity": "DM", "status": "filed"} for n in range(5)]
    sample = VerificationSample.draw(YEAR, SampleRequest(size=2, seed="s"), population)
    committed(backend, lambda uow: uow.samples.add(sample))
    assert backend.uow().samples.get(YEAR).view() == sample.view()
    assert backend.uow().samples.get(2014) is None
    again = VerificationSample.draw(YEAR, SampleRequest(size=3, seed="t"), population)
    with pytest.raises(Conflict):
        committed(backend, lambda uow: uow.samples.add(again))
    assert [e["type"] for e in backend.outbox()] == ["verification_sample_drawn"]


def decision(staff_id, publish, year=YEAR) -> PublicDisclosure:
    return PublicDisclosure(year, staff_id, "DM", "ASG", dt.date(year, 6, 1), {
        "publish": publish, "declined_reason": None if publish else "security",
        "summary": {"assets": "a"} if publish else None, "name": None, "title": None},
        "pending" if publish else None)


def reviewed(staff_id, review="approved", reason=None) -> PublicReviewed:
    return PublicReviewed(YEAR, staff_id, review, dt.date(YEAR, 7, 1), "eo", reason)


def test_approved_disclosures_are_listed_by_staff_id_and_pending_ones_are_not(backend):
    committed(backend, lambda uow: uow.public_disclosures.add(
        [decision("S2", True), decision("S1", True), decision("S3", False),
         decision("S4", True)]))
    committed(backend, lambda uow: uow.public_disclosures.add([decision("S0", True, 2014)]))
    assert backend.uow().public_disclosures.published(YEAR) == []
    assert [d.staff_id for d in backend.uow().public_disclosures.pending(YEAR)] == [
        "S1", "S2", "S4"]
    committed(backend, lambda uow: uow.public_disclosures.review(
        [reviewed("S2"), reviewed("S1"), reviewed("S4", "returned", "too short")]))
    published = backend.uow().public_disclosures.published(YEAR)
    assert [d.staff_id for d in published] == ["S1", "S2"]
    assert published[0].published_view()["summary"] == {
        "assets": "a", "liabilities": None, "outside_interests": None}
    assert (published[0].reviewed_on, published[0].reviewed_by) == (dt.date(YEAR, 7, 1), "eo")
    assert backend.uow().public_disclosures.get(YEAR, "S4").returned_reason == "too short"
    assert backend.uow().public_disclosures.pending(YEAR) == []
    committed(backend, lambda uow: uow.public_disclosures.add([decision("S4", True)]))
    again = backend.uow().public_disclosures.get(YEAR, "S4")  # decided again: replaced
    assert (again.review, again.returned_reason) == ("pending", None)
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.public_disclosures.review([reviewed("S9")]))


def test_a_summary_published_before_reviews_reads_as_approved(backend):
    uow = backend.uow()
    if not isinstance(uow, DisclosureUnitOfWork):
        pytest.skip("stored data of an earlier release is the database's")
    uow.db.public_disclosures.insert_one({
        "_id": f"{YEAR}:S1", "year": YEAR, "staff_id": "S1", "entity": "DM", "grade": "USG",
        "decided_on": f"{YEAR}-06-01", "publish": True, "summary": {"assets": "a"}})
    uow.db.filers.insert_one({
        "_id": f"{YEAR}:S1", "year": YEAR, "staff_id": "S1", "entity": "DM",
        "duty_station": "Geneva", "grade": "USG", "designation": "senior_official",
        "status": "filed", "public_disclosure": "published", "v": 1})
    [legacy] = backend.uow().public_disclosures.published(YEAR)
    assert legacy.review == "approved" and legacy.published_view()["entity"] == "DM"
    assert backend.uow().filers.get(YEAR, "S1").public_review == "approved"


def test_a_filer_s_review_is_cleared_when_it_decides_again(backend):
    [filer] = filers(("S1", "DM"))
    filer.status, filer.public_disclosure = "filed", "published"
    filer.public_review, filer.returned_reason = "returned", "too short"
    committed(backend, lambda uow: uow.filers.add(Enrolment.of(YEAR, [filer])))
    stored = backend.uow().filers.get(YEAR, "S1")
    assert (stored.public_review, stored.returned_reason) == ("returned", "too short")
    before = stored.facts()
    stored.public_disclosure, stored.public_review, stored.returned_reason = (
        "declined", None, None)
    committed(backend, lambda uow: uow.filers.save(FilerChanges.of(YEAR, [(before, stored)])))
    again = backend.uow().filers.get(YEAR, "S1")
    assert (again.public_disclosure, again.public_review, again.returned_reason) == (
        "declined", None, None)


def test_a_reminder_goes_once_per_cycle_entity_and_days(backend):
    def reminder(entity, days):
        return Reminder.due(YEAR, dt.date(YEAR, 5, 31), entity, days, ["S1"])
    committed(backend, lambda uow: [uow.reminders.add(reminder(e, 7)) for e in ("DM", "UNDP")])
    committed(backend, lambda uow: uow.reminders.add(reminder("DM", 1)))
    assert backend.uow().reminders.sent(YEAR, 7) == {"DM", "UNDP"}
    assert backend.uow().reminders.sent(YEAR, 1) == {"DM"}
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.reminders.add(reminder("DM", 7)))
    assert len(backend.outbox()) == 3



def test_a_filer_is_reminded_once_a_day_and_the_reminders_are_listed_by_entity(backend):
    cycle = Cycle(YEAR, dt.date(YEAR, 3, 1), dt.date(YEAR, 5, 31), 100.0)
    day = dt.date(YEAR, 4, 1)

    def reminder(on):
        return FilerReminder.send(ACTOR, cycle, "S1", "DM", "invited", [], on)
    committed(backend, lambda uow: uow.reminders.add_for_filer(reminder(day)))
    committed(backend, lambda uow: uow.reminders.add(Reminder.due(
        YEAR, cycle.deadline, "DM", 7, ["S1", "S2"], day, "the office")))
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.reminders.add_for_filer(reminder(day)))
    committed(backend, lambda uow: uow.reminders.add_for_filer(
        reminder(day + dt.timedelta(days=1))))
    assert backend.uow().reminders.filer_days(YEAR, "S1") == [day, day + dt.timedelta(days=1)]
    assert backend.uow().reminders.sent(YEAR, 7) == {"DM"}
    listed = sorted(backend.uow().reminders.of(YEAR, "DM"),
                    key=lambda r: (r["sent_on"], r["staff_id"] or ""))
    assert [(r["staff_id"], r["sent_on"], r["non_filers"]) for r in listed] == [
        (None, "2015-04-01", 2), ("S1", "2015-04-01", 1), ("S1", "2015-04-02", 1)]
    assert backend.uow().reminders.of(YEAR, "UNDP") == []
