"""Disclosure's use cases on the in-memory unit of work: the programme's participants and
cycles, enrolment, filing, review, mitigation, exemption, the verification sample, compliance,
reminders, voluntary public disclosure, cost shares and key rotation."""
import datetime as dt
import secrets

import pytest
from people import ADMIN, EO, focal

from services.disclosure import use_cases as uc
from services.disclosure.keyring import Keyring
from services.disclosure.memory import DisclosureMemory
from shared.contracts.common import Actor, Role
from shared.contracts.contacts import Language
from shared.contracts.disclosure import (CycleIn, ExemptionIn, FilerQuery, NonFilerQuery,
                                         ParticipantIn, PublicDisclosureIn,
                                         PublicDisclosureReturn, ReviewIn,
                                         SampleRequest, StatementContents, StatementIn,
                                         VerificationIn)
from shared.kernel.errors import (Conflict, Forbidden, Invalid, NotFound, TooLarge, located,
                                  validated)

YEAR = 2015
REVIEWER = Actor(role=Role.reviewer, label="reviewer")
PARTICIPANTS = (("UNDP", "other", True), ("DM", "secretariat", True),
                ("DPKO", "peacekeeping", False))


def filer_actor(staff_id: str) -> Actor:
    return Actor(role=Role.filer, staff_id=staff_id, label=staff_id)


@pytest.fixture
def fdp(state, clock):
    """`fdp(actor)`: a unit of work acting for `actor`, over one in-memory state holding three
    participants and the open 2015 cycle (deadline 30 August 2015; today is 31 July)."""
    def make(actor: Actor = EO, keyring: Keyring | None = None) -> DisclosureMemory:
        return DisclosureMemory(state, actor, clock, keyring=keyring)
    for code, category, sharing in PARTICIPANTS:
        uc.enrol_participant(make(), uc.EnrolParticipant(code, ParticipantIn(
            cost_sharing=sharing, focal_points=[{"name": f"{code} focal"}]), category))
    uc.open_cycle(make(), CycleIn(year=YEAR, deadline=dt.date(YEAR, 8, 30),
                                  programme_cost=1000.0))
    return make


def row(staff_id, entity="UNDP", grade="P-4", designation="procurement",
        duty_station="New York") -> dict:
    return {"staff_id": staff_id, "entity": entity, "duty_station": duty_station,
            "grade": grade, "designation": designation}


def statement(marker="", **extra) -> dict:
    return {"assets": [{"description": f"shares {marker}", "value_usd": 1200.5}],
            "liabilities": [{"description": f"mortgage {marker}"}], "certified": True, **extra}


def enrol(fdp, *rows, year=YEAR, actor=EO) -> dict:
    return uc.enrol_filers(fdp(actor), uc.Batch(year, list(rows)))


def file_all(fdp, *staff_ids, year=YEAR, **extra) -> dict:
    return uc.file_statements(fdp(), uc.Batch(year, [{"staff_id": s, **statement(s), **extra}
                                                     for s in staff_ids]))


def one(staff_id, request=None, year=YEAR) -> uc.ForFiler:
    return uc.ForFiler(year, staff_id, request)


def statuses(answer: dict) -> list[tuple[int, int]]:
    return [(r["row"], r["status"]) for r in answer["rejected"]]


def figures(fdp, actor=EO, year=YEAR) -> dict:
    return uc.get_cycle(fdp(actor), year)["figures"]


# ---- participants and cycles ----

def test_a_participant_enrolled_again_the_same_changes_nothing(fdp, state):
    assert len(state.events("participant_enrolled")) == 3
    again = uc.EnrolParticipant("UNDP", ParticipantIn(
        cost_sharing=True, focal_points=[{"name": "UNDP focal"}]), "other")
    assert uc.enrol_participant(fdp(), again)["focal_points"] == [{"name": "UNDP focal"}]
    assert len(state.events("participant_enrolled")) == 3
    changed = uc.EnrolParticipant("UNDP", ParticipantIn(cost_sharing=False), "other")
    assert uc.enrol_participant(fdp(), changed)["cost_sharing"] is False
    [event] = state.events("participant_enrolled")[3:]
    assert event.payload == {"entity": "UNDP", "cost_sharing": False, "focal_points": 0,
                             "contacts": []}
    assert state.audit_log[-1]["record"] == "disclosure/participants/UNDP"


def test_focal_points_with_an_address_are_the_contacts_of_participant_enrolled(fdp, state):
    request = ParticipantIn(cost_sharing=True, focal_points=[
        {"name": "Li Wei", "email": "Li.Wei@UNDP.example.org", "language": "zh"},
        {"name": "A. Focal", "email": "a.focal@undp.example.org"},
        {"name": "No Address"}])
    view = uc.enrol_participant(fdp(), uc.EnrolParticipant("UNDP", request, "other"))
    assert view["focal_points"][0] == {"name": "Li Wei", "email": "li.wei@undp.example.org",
                                       "language": "zh"}
    [event] = state.events("participant_enrolled")[3:]
    assert event.payload["focal_points"] == 3
    assert event.payload["contacts"] == [
        {"name": "Li Wei", "email": "li.wei@undp.example.org", "language": "zh"},
        {"name": "A. Focal", "email": "a.focal@undp.example.org", "language": "en"}]
    # a focal point's language changed is a change of the participant
    request.focal_points[1].language = Language.fr
    uc.enrol_participant(fdp(), uc.EnrolParticipant("UNDP", request, "other"))
    assert state.events("participant_enrolled")[-1].payload["contacts"][1]["language"] == "fr"


def test_a_focal_points_address_that_is_not_one_is_refused_by_its_field():
    with pytest.raises(Invalid) as refused, located("body"):
        validated(ParticipantIn, {"cost_sharing": True, "focal_points": [
            {"name": "A", "email": "a@undp.example.org"}, {"name": "B", "email": "b at undp"}]})
    [error] = refused.value.errors
    assert error["loc"] == ["body", "focal_points", 1, "email"]
    assert error["msg"] == "'b at undp' is not an e-mail address (name@domain)"
    with pytest.raises(Invalid) as refused:
        validated(ParticipantIn, {"cost_sharing": True, "focal_points": [
            {"name": "A", "email": "a@undp.example.org", "language": "xx"}]})
    assert refused.value.errors[0]["loc"] == ["focal_points", 0, "language"]


def test_participants_are_read_by_whom_they_concern(fdp):
    assert [p["entity"] for p in uc.list_participants(fdp())] == ["DM", "DPKO", "UNDP"]
    assert [p["entity"] for p in uc.list_participants(fdp(focal("DM")))] == ["DM"]
    assert uc.get_participant(fdp(), "DM")["category"] == "secretariat"
    with pytest.raises(Forbidden):
        uc.get_participant(fdp(focal("DM")), "UNDP")
    with pytest.raises(NotFound):
        uc.get_participant(fdp(), "UNHCR")


def test_a_cycle_opens_on_1_march_covers_the_year_before_and_exists_once(fdp, state):
    cycle = uc.get_cycle(fdp(), YEAR)
    assert (cycle["opens_on"], cycle["covers_from"], cycle["covers_to"], cycle["status"]) == (
        "2015-03-01", "2014-01-01", "2014-12-31", "open")
    assert cycle["figures"]["filers"] == 0
    with pytest.raises(Conflict, match="exists already"):
        uc.open_cycle(fdp(), CycleIn(year=YEAR, deadline="2015-06-01", programme_cost=1))
    with pytest.raises(Invalid) as bad:
        uc.open_cycle(fdp(), CycleIn(year=2016, opens_on="2015-03-01", deadline="2015-02-01",
                                     programme_cost=1))
    assert [e["loc"] for e in bad.value.errors] == [["opens_on"], ["deadline"]]
    assert [c["year"] for c in uc.list_cycles(fdp())] == [YEAR]
    assert [e.type for e in state.outbox if e.type.startswith("cycle")] == ["cycle_opened"]
    with pytest.raises(NotFound):
        uc.get_cycle(fdp(), 2011)


def test_a_closed_cycle_refuses_every_change(fdp, state):
    enrol(fdp, row("S1"), row("S2", grade="ASG", designation="senior_official"), row("S3"))
    file_all(fdp, "S1", "S2")
    closed = uc.close_cycle(fdp(), uc.CloseCycle(YEAR, dt.date(YEAR, 7, 30)))
    assert (closed["status"], closed["closed_on"]) == ("closed", "2015-07-30")
    assert state.events("cycle_closed")[0].payload["closed_on"] == "2015-07-30"
    before = len(state.outbox)
    attempts = [
        lambda: enrol(fdp, row("S9")),
        lambda: uc.file_statement(fdp(filer_actor("S3")), one("S3", StatementIn(certified=True))),
        lambda: file_all(fdp, "S3"),
        lambda: uc.review_filer(fdp(REVIEWER), one("S1", ReviewIn(outcome="cleared"))),
        lambda: uc.review_filers(fdp(REVIEWER), uc.Batch(YEAR, [{"staff_id": "S1",
                                                                 "outcome": "cleared"}])),
        lambda: uc.record_mitigation(fdp(), one("S1")),
        lambda: uc.exempt_filer(fdp(), one("S3", ExemptionIn(reason="on_leave"))),
        lambda: uc.draw_verification_sample(fdp(), uc.DrawSample(YEAR, SampleRequest(
            size=1, seed="s"))),
        lambda: uc.record_verification(fdp(), one("S1", VerificationIn(outcome="verified"))),
        lambda: uc.decide_public_disclosure(fdp(), one("S2", PublicDisclosureIn(
            publish=False, declined_reason="security"))),
        lambda: uc.send_reminders(fdp(), uc.Remind(YEAR, 7)),
        lambda: uc.close_cycle(fdp(), uc.CloseCycle(YEAR)),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="closed"):
            attempt()
    assert len(state.outbox) == before
    assert uc.get_filer(fdp(), one("S3"))["status"] == "invited"
    assert figures(fdp)["filers"] == 3


def test_a_cycle_closed_while_a_batch_was_read_is_read_again(fdp):
    """The changes of a batch are written only to an open cycle: closed meanwhile, the batch
    runs again and finds it closed."""
    enrol(fdp, row("S1"))
    uow = fdp()
    real_many = uow.filers.many

    def many_then_close(year, staff_ids):
        found = real_many(year, staff_ids)
        uc.close_cycle(fdp(), uc.CloseCycle(YEAR))
        uow.filers.many = real_many
        return found
    uow.filers.many = many_then_close
    with pytest.raises(Conflict, match="closed"):
        uc.file_statements(uow, uc.Batch(YEAR, [{"staff_id": "S1", **statement()}]))
    assert uc.get_filer(fdp(), one("S1"))["status"] == "invited"


# ---- enrolment ----

def test_an_enrolment_batch_reports_every_kind_of_refused_row(fdp, state):
    enrol(fdp, row("OLD"))
    answer = enrol(fdp, row("S1"),                                   # 1 good
                   row("S2", grade="P-9"),                           # 2 no such grade
                   {"staff_id": "S3"},                               # 3 fields missing
                   row("S4", entity="UNHCR"),                        # 4 not a participant
                   row("S1"),                                        # 5 twice in the batch
                   row("S6", grade="D-2"),                           # 6 D-2: senior official
                   row("S7", grade="D-1", designation="senior_official"),  # 7 good
                   row("OLD"),                                       # 8 enrolled already
                   row("S9", designation="sometimes"),               # 9 no such designation
                   None)                                             # 10 refused upstream
    assert answer["accepted"] == 2
    rejected = {r["row"]: r for r in answer["rejected"]}
    assert statuses(answer) == [(2, 422), (3, 422), (4, 422), (5, 409), (6, 422), (8, 409),
                                (9, 422)]
    assert rejected[2]["errors"][0]["loc"] == ["grade"]
    assert rejected[4]["errors"][0]["loc"] == ["entity"]
    assert "earlier in this batch" in rejected[5]["errors"][0]["msg"]
    assert rejected[6]["errors"][0]["loc"] == ["designation"]
    assert "already" in rejected[8]["errors"][0]["msg"]
    [_, event] = state.events("filers_enrolled")
    assert event.entity == "UNDP" and [f["staff_id"] for f in event.payload["filers"]] == [
        "S1", "S7"]
    assert figures(fdp)["filers"] == 3
    assert [a["record"] for a in state.audit_log[-2:]] == [
        "disclosure/cycles/2015/filers/S1", "disclosure/cycles/2015/filers/S7"]


def test_filers_may_carry_an_address_and_a_language_to_filers_enrolled(fdp, state):
    answer = enrol(fdp, {**row("U1"), "email": "u1@undp.example.org", "language": "zh"},
                   {**row("U2"), "email": None, "language": None},  # a CSV row's empty cells
                   {**row("U3"), "email": "not-an-address"},
                   {**row("U4"), "email": "u4@undp.example.org", "language": "tlh"})
    assert answer["accepted"] == 2
    assert [(r["row"], r["errors"][0]["loc"]) for r in answer["rejected"]] == [
        (3, ["email"]), (4, ["language"])]
    assert answer["rejected"][0]["errors"][0]["msg"] == (
        "'not-an-address' is not an e-mail address (name@domain)")
    [event] = state.events("filers_enrolled")
    assert [(f["staff_id"], f["email"], f["language"]) for f in event.payload["filers"]] == [
        ("U1", "u1@undp.example.org", "zh"), ("U2", None, "en")]
    filer = uc.get_filer(fdp(), one("U1"))
    assert (filer["email"], filer["language"]) == ("u1@undp.example.org", "zh")


def test_a_focal_point_enrols_its_own_entitys_filers_only(fdp, state):
    answer = enrol(fdp, row("U1"), row("D1", entity="DM"), row("U2"), actor=focal("UNDP"))
    assert answer["accepted"] == 2 and statuses(answer) == [(2, 403)]
    assert answer["rejected"][0]["errors"][0]["loc"] == ["entity"]
    mixed = enrol(fdp, row("D1", entity="DM"), row("K1", entity="DPKO"))
    assert state.events("filers_enrolled")[-1].entity == "EO" and mixed["accepted"] == 2


def test_a_batch_is_a_list_of_at_most_ten_thousand_rows(fdp):
    with pytest.raises(Invalid):
        uc.enrol_filers(fdp(), uc.Batch(YEAR, {"staff_id": "S1"}))
    with pytest.raises(TooLarge):
        uc.enrol_filers(fdp(), uc.Batch(YEAR, [row(f"S{i}") for i in range(10_001)]))
    with pytest.raises(NotFound):
        enrol(fdp, row("S1"), year=2011)


def test_first_time_follows_from_earlier_filings(fdp):
    uc.open_cycle(fdp(), CycleIn(year=2014, deadline="2014-05-31", programme_cost=0))
    enrol(fdp, row("A"), row("B"), year=2014)
    file_all(fdp, "A", year=2014, filed_on="2014-04-01")
    enrol(fdp, row("A"), row("B"), row("C"))
    first_time = {f["staff_id"]: f["first_time"] for f in uc.list_filers(
        fdp(), uc.ListFilers(YEAR, FilerQuery())).items}
    assert first_time == {"A": False, "B": True, "C": True}
    assert figures(fdp)["first_time"] == 2


def test_filers_page_by_entity_and_staff_id_and_each_reader_sees_its_own(fdp):
    enrol(fdp, row("U1"), row("U2"), row("D1", entity="DM"))
    everyone, cursor = [], None
    while True:
        page = uc.list_filers(fdp(), uc.ListFilers(YEAR, FilerQuery(limit=1, cursor=cursor)))
        everyone += [f["staff_id"] for f in page.items]
        if not (cursor := page.next_cursor):
            break
    assert everyone == ["D1", "U1", "U2"]
    own = uc.list_filers(fdp(focal("UNDP")), uc.ListFilers(YEAR, FilerQuery()))
    assert [f["staff_id"] for f in own.items] == ["U1", "U2"]
    with pytest.raises(Forbidden):
        uc.list_filers(fdp(focal("UNDP")), uc.ListFilers(YEAR, FilerQuery(entity="DM")))
    invited = uc.list_filers(fdp(), uc.ListFilers(YEAR, FilerQuery(status="filed")))
    assert invited.items == []
    assert uc.get_filer(fdp(filer_actor("U1")), one("U1"))["status"] == "invited"
    for actor, staff_id in ((filer_actor("U1"), "U2"), (focal("DM"), "U1")):
        with pytest.raises(Forbidden):
            uc.get_filer(fdp(actor), one(staff_id))
    with pytest.raises(NotFound):
        uc.get_filer(fdp(), one("nobody"))


# ---- filing ----

def test_a_filer_files_its_own_statement_today_and_it_is_kept_sealed(fdp, state, clock):
    enrol(fdp, row("S1"), row("S2"))
    me = fdp(filer_actor("S1"))
    filed = uc.file_statement(me, one("S1", StatementIn(**statement("ZEBRA"))))
    assert (filed["status"], filed["filed_on"]) == ("filed", clock.today().isoformat())
    [event] = state.events("statement_filed")
    assert event.payload == {"year": YEAR, "staff_id": "S1", "entity": "UNDP",
                             "filed_on": "2015-07-31", "late": False}
    assert "ZEBRA" not in repr(state.collections) + repr(state.outbox)
    sealed = state.collection("statements")["2015:S1"]
    assert sealed["key_id"] == "memory" and len(sealed["nonce"]) == 12
    assert uc.get_statement(fdp(filer_actor("S1")), one("S1"))["assets"][0][
        "description"] == "shares ZEBRA"
    assert uc.get_statement(fdp(REVIEWER), one("S1"))["filed_on"] == "2015-07-31"
    with pytest.raises(Forbidden):
        uc.get_statement(fdp(filer_actor("S2")), one("S1"))
    with pytest.raises(NotFound):
        uc.get_statement(fdp(REVIEWER), one("S2"))
    with pytest.raises(Forbidden):
        uc.file_statement(fdp(filer_actor("S1")), one("S2", StatementIn(certified=True)))
    with pytest.raises(Forbidden, match="filed_on"):
        uc.file_statement(fdp(filer_actor("S2")), one("S2", StatementIn(certified=True,
                                                                        filed_on="2015-04-01")))
    with pytest.raises(Conflict) as twice:
        uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(certified=True)))
    assert twice.value.errors == [] and "cannot become filed" in twice.value.detail
    with pytest.raises(Invalid) as early:
        uc.file_statement(fdp(), one("S2", StatementIn(certified=True, filed_on="2015-02-01")))
    assert early.value.errors[0]["loc"] == ["filed_on"]
    with pytest.raises(NotFound, match="not enrolled"):
        uc.file_statement(fdp(), one("S9", StatementIn(certified=True)))


def test_a_statement_is_read_by_its_filer_and_the_reviewers_only_and_every_read_is_audited(
        fdp, state):
    enrol(fdp, row("S1"))
    uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(**statement("ZEBRA"))))
    for nobody in (ADMIN, EO, Actor(role=Role.auditor, label="auditor"), focal("UNDP")):
        with pytest.raises(Forbidden, match="filer and the reviewers only"):
            uc.get_statement(fdp(nobody), one("S1"))
    assert uc.get_filer(fdp(ADMIN), one("S1"))["status"] == "filed"  # that it was filed
    assert [a for a in state.audit_log if a["action"] == "read_statement"] == []
    uc.get_statement(fdp(REVIEWER), one("S1"))
    uc.get_statement(fdp(filer_actor("S1")), one("S1"))
    reads = [a for a in state.audit_log if a["action"] == "read_statement"]
    assert [(a["who"], a["record"], a["entity"]) for a in reads] == [
        (REVIEWER.label, "disclosure/cycles/2015/filers/S1/statement", "UNDP"),
        (filer_actor("S1").label, "disclosure/cycles/2015/filers/S1/statement", "UNDP")]


def test_statements_in_a_batch_are_one_event(fdp, state):
    enrol(fdp, row("S1"), row("S2"), row("S3"))
    answer = file_all(fdp, "S1", "S2", "nobody", filed_on="2015-04-02")
    assert answer["accepted"] == 2 and statuses(answer) == [(3, 404)]
    assert answer["rejected"][0]["errors"][0]["loc"] == ["staff_id"]
    [event] = state.events("filer_changes_recorded")
    assert [(c["type"], c["payload"]["staff_id"]) for c in event.payload["changes"]] == [
        ("statement_filed", "S1"), ("statement_filed", "S2")]
    assert event.entity == "UNDP" and state.events("statement_filed") == []
    assert uc.get_filer(fdp(), one("S2"))["filed_on"] == "2015-04-02"
    again = file_all(fdp, "S1", "S3", "S3")
    assert again["accepted"] == 1 and statuses(again) == [(1, 409), (3, 409)]
    assert again["rejected"][0]["errors"][0]["loc"] == ["status"]
    assert "twice" in again["rejected"][1]["errors"][0]["msg"]
    [single] = state.events("statement_filed")  # one change: its own event
    assert single.payload["staff_id"] == "S3"
    assert figures(fdp)["filed"] == 3


# ---- review, mitigation, exemption ----

def test_a_review_finds_typed_conflicts_that_only_some_readers_see(fdp, state):
    enrol(fdp, row("S1"), row("S2"))
    file_all(fdp, "S1")
    review = ReviewIn(outcome="conflicts_found", conflicts=[
        {"type": "financial_holding", "recommendation": "divest"},
        {"type": "family_relationship", "recommendation": "recuse"}])
    with pytest.raises(Conflict):
        uc.review_filer(fdp(REVIEWER), one("S2", review))  # has not filed
    with pytest.raises(Invalid) as incomplete:
        uc.review_filer(fdp(REVIEWER), one("S1", ReviewIn(outcome="conflicts_found")))
    assert incomplete.value.errors[0]["loc"] == ["conflicts"]
    reviewed = uc.review_filer(fdp(REVIEWER), one("S1", review))
    assert reviewed["status"] == "conflicts_found" and len(reviewed["conflicts"]) == 2
    [event] = state.events("review_recorded")
    assert event.payload["conflicts"] == {"financial_holding": 1, "family_relationship": 1}
    assert uc.get_filer(fdp(filer_actor("S1")), one("S1"))["conflicts"][0][
        "recommendation"] == "divest"
    assert uc.get_filer(fdp(focal("UNDP")), one("S1"))["conflicts"] is None
    mitigated = uc.record_mitigation(fdp(), one("S1"))
    assert mitigated["status"] == "mitigated"
    assert state.events("mitigation_recorded")[0].payload["staff_id"] == "S1"
    found = figures(fdp)
    assert found["conflicts"] == {"filers": 1, "matters": 2, "by_type": {
        "financial_holding": 1, "outside_activity": 0, "family_relationship": 1, "other": 0}}
    assert (found["mitigated"], found["reviewed"], found["filed"]) == (1, 1, 1)


def test_reviews_exemptions_and_mitigations_in_batches(fdp, state):
    ids = [f"S{i}" for i in range(1, 7)]
    enrol(fdp, *[row(s) for s in ids])
    file_all(fdp, *ids[:4])
    reviews = uc.review_filers(fdp(REVIEWER), uc.Batch(YEAR, [
        {"staff_id": "S1", "outcome": "cleared"},
        {"staff_id": "S2", "outcome": "conflicts_found",
         "conflicts": [{"type": "outside_activity", "recommendation": "stop"}]},
        {"staff_id": "S3", "outcome": "under_review"},
        {"staff_id": "S5", "outcome": "cleared"},                         # not filed: 409
        {"staff_id": "S4", "outcome": "cleared",
         "conflicts": [{"type": "other", "recommendation": "x"}]},         # inconsistent: 422
        {"staff_id": "S4", "outcome": "closed"},                          # no such outcome
    ]))
    assert reviews["accepted"] == 3 and statuses(reviews) == [(4, 409), (5, 422), (6, 422)]
    exempted = uc.exempt_filers(fdp(), uc.Batch(YEAR, [{"staff_id": "S5", "reason": "separated"},
                                                        {"staff_id": "S1", "reason": "medical"}]))
    assert exempted["accepted"] == 1 and statuses(exempted) == [(2, 409)]
    mitigations = uc.record_mitigations(fdp(REVIEWER), uc.Batch(YEAR, [{"staff_id": "S2"},
                                                                        {"staff_id": "S1"}]))
    assert mitigations["accepted"] == 1 and statuses(mitigations) == [(2, 409)]
    changes = [c["type"] for e in state.events("filer_changes_recorded")
               for c in e.payload["changes"]]
    assert changes.count("review_recorded") == 3
    assert state.events("filer_exempted")[0].payload["reason"] == "separated"
    [row_] = uc.compliance(fdp(), uc.ComplianceQuery(YEAR))["rows"]
    assert row_ == {"key": "UNDP", "enrolled": 6, "required": 5, "filed": 4, "not_filed": 1,
                    "exempted": 1, "reasons": {"outstanding": 1, "separated": 1}}


def test_a_focal_point_exempts_its_own_entitys_filers_only(fdp):
    enrol(fdp, row("U1"), row("D1", entity="DM"))
    with pytest.raises(Forbidden):
        uc.exempt_filer(fdp(focal("UNDP")), one("D1", ExemptionIn(reason="on_leave")))
    batch = uc.exempt_filers(fdp(focal("UNDP")), uc.Batch(YEAR, [
        {"staff_id": "D1", "reason": "on_leave"}, {"staff_id": "U1", "reason": "on_leave"}]))
    assert batch["accepted"] == 1 and statuses(batch) == [(1, 403)]
    assert uc.get_filer(fdp(), one("U1"))["exemption_reason"] == "on_leave"


def test_a_filer_changed_meanwhile_is_read_again(fdp, state):
    """The optimistic check: a change staged on a filer that changed is retried on fresh
    state."""
    enrol(fdp, row("S1"))
    file_all(fdp, "S1")
    uow = fdp(REVIEWER)
    real_many = uow.filers.many

    def many_then_race(year, staff_ids):
        found = real_many(year, staff_ids)
        uow.filers.many = real_many
        uc.review_filer(fdp(REVIEWER), one("S1", ReviewIn(outcome="cleared")))
        return found
    uow.filers.many = many_then_race
    with pytest.raises(Conflict, match="cannot become under_review"):
        uc.review_filer(uow, one("S1", ReviewIn(outcome="under_review")))
    assert uc.get_filer(fdp(), one("S1"))["status"] == "cleared"
    assert figures(fdp)["reviewed"] == 1


# ---- the verification sample ----

def test_the_verification_sample_is_stratified_stored_once_and_verified(fdp, state):
    undp = [f"U{i:02d}" for i in range(12)]
    dm = [f"D{i}" for i in range(6)]
    enrol(fdp, *[row(s) for s in undp], *[row(s, entity="DM", grade="P-5") for s in dm])
    filed = undp[:10] + dm
    file_all(fdp, *filed)
    with pytest.raises(NotFound):
        uc.get_verification_sample(fdp(), YEAR)
    with pytest.raises(Invalid) as too_big:
        uc.draw_verification_sample(fdp(), uc.DrawSample(YEAR, SampleRequest(size=17,
                                                                             seed="s")))
    assert too_big.value.errors[0]["loc"] == ["size"]
    request = SampleRequest(size=8, seed="verification", strata=["entity", "grade"])
    sample = uc.draw_verification_sample(fdp(), uc.DrawSample(YEAR, request))
    assert sample["population"] == 16 and len(sample["staff_ids"]) == 8
    assert {s["stratum"]["entity"]: (s["population"], s["size"])
            for s in sample["allocation"]} == {"UNDP": (10, 5), "DM": (6, 3)}
    assert set(sample["staff_ids"]) <= set(filed)
    assert uc.draw_verification_sample(fdp(), uc.DrawSample(YEAR, request)) == sample
    with pytest.raises(Conflict):
        uc.draw_verification_sample(fdp(), uc.DrawSample(YEAR, SampleRequest(
            size=8, seed="another", strata=["entity", "grade"])))
    assert uc.get_verification_sample(fdp(REVIEWER), YEAR) == sample
    [drawn] = state.events("verification_sample_drawn")
    assert drawn.payload["by_entity"] == {"DM": 3, "UNDP": 5}

    chosen, outside = sample["staff_ids"][0], next(s for s in filed
                                                    if s not in sample["staff_ids"])
    verified = uc.record_verification(fdp(REVIEWER), one(chosen, VerificationIn(
        outcome="verified")))
    assert verified["verification"] == "verified" and verified["in_verification_sample"]
    for staff_id in (outside, chosen):  # not sampled; verified already
        with pytest.raises(Conflict):
            uc.record_verification(fdp(REVIEWER), one(staff_id, VerificationIn(
                outcome="verified")))
    batch = uc.record_verifications(fdp(), uc.Batch(YEAR, [
        {"staff_id": s, "outcome": "discrepancies_found"} for s in sample["staff_ids"][1:3]]))
    assert batch["accepted"] == 2
    found = figures(fdp)
    assert (found["verification_sample"], found["verified"]) == (8, 1)


def test_a_sample_needs_filers_who_filed(fdp):
    enrol(fdp, row("S1"))
    with pytest.raises(Invalid):
        uc.draw_verification_sample(fdp(), uc.DrawSample(YEAR, SampleRequest(size=1,
                                                                             seed="s")))
    assert figures(fdp)["verification_sample"] == 0


# ---- compliance, non-filers, reminders ----

def test_compliance_by_entity_duty_station_and_category(fdp):
    enrol(fdp, *[row(f"U{i}") for i in range(3)],
          *[row(f"K{i}", entity="DPKO", duty_station="Juba") for i in range(2)],
          row("K-NY", entity="DPKO"))
    file_all(fdp, "U0", "K0", "K-NY")
    uc.exempt_filer(fdp(focal("DPKO")), one("K1", ExemptionIn(reason="on_leave")))

    def rows_by(by, actor=EO):
        answer = uc.compliance(fdp(actor), uc.ComplianceQuery(YEAR, by))
        return {r["key"]: (r["required"], r["filed"], r["not_filed"], r["reasons"])
                for r in answer["rows"]}, answer["total"]
    by_entity, total = rows_by("entity")
    assert by_entity == {"UNDP": (3, 1, 2, {"outstanding": 2}),
                         "DPKO": (2, 2, 0, {"on_leave": 1})}
    assert (total["enrolled"], total["required"], total["filed"]) == (6, 5, 3)
    assert rows_by("duty_station")[0] == {"New York": (4, 2, 2, {"outstanding": 2}),
                                          "Juba": (1, 1, 0, {"on_leave": 1})}
    assert rows_by("category")[0] == {"other": (3, 1, 2, {"outstanding": 2}),
                                      "peacekeeping": (2, 2, 0, {"on_leave": 1})}
    assert list(rows_by("entity", focal("DPKO"))[0]) == ["DPKO"]
    assert figures(fdp, focal("DPKO"))["filers"] == 3
    with pytest.raises(NotFound):
        uc.compliance(fdp(), uc.ComplianceQuery(2011))


def test_non_filers_page_for_one_entity(fdp):
    enrol(fdp, *[row(f"U{i}") for i in range(4)], row("D1", entity="DM"))
    file_all(fdp, "U0")
    uc.exempt_filer(fdp(), one("U3", ExemptionIn(reason="medical")))
    first = uc.non_filers(fdp(focal("UNDP")), uc.ListNonFilers(YEAR, NonFilerQuery(limit=2)))
    rest = uc.non_filers(fdp(focal("UNDP")), uc.ListNonFilers(
        YEAR, NonFilerQuery(limit=2, cursor=first.next_cursor)))
    assert [f["staff_id"] for f in first.items + rest.items] == ["U1", "U2", "U3"]
    assert rest.items[0]["exemption_reason"] == "medical" and rest.next_cursor is None
    with pytest.raises(Invalid) as unnamed:
        uc.non_filers(fdp(), uc.ListNonFilers(YEAR, NonFilerQuery()))
    assert unnamed.value.errors[0]["loc"] == ["entity"]
    with pytest.raises(Forbidden):
        uc.non_filers(fdp(focal("UNDP")), uc.ListNonFilers(YEAR, NonFilerQuery(entity="DM")))
    with pytest.raises(NotFound):
        uc.non_filers(fdp(), uc.ListNonFilers(2011, NonFilerQuery(entity="DM")))


def test_reminders_go_once_per_cycle_entity_and_number_of_days(fdp, state):
    enrol(fdp, row("U1"), row("U2"), row("U3"), row("D1", entity="DM"))
    file_all(fdp, "U1")
    file_all(fdp, "D1")
    queued = uc.send_reminders(fdp(), uc.Remind(YEAR, 14))
    assert queued == {"year": YEAR, "deadline": "2015-08-30", "days_before": 14,
                      "entities": 1, "non_filers": 2,
                      "queued": [{"entity": "UNDP", "non_filers": 2}], "already_queued": []}
    again = uc.send_reminders(fdp(), uc.Remind(YEAR, 14))
    assert again["queued"] == [] and again["already_queued"] == ["UNDP"]
    assert (again["entities"], again["non_filers"]) == (0, 0)
    [event] = state.events("compliance_reminder_due")
    assert event.entity == "UNDP" and event.payload["non_filers"] == ["U2", "U3"]
    assert event.payload["deadline"] == "2015-08-30"
    assert uc.send_reminders(fdp(), uc.Remind(YEAR, 7))["queued"] == [
        {"entity": "UNDP", "non_filers": 2}]
    with pytest.raises(NotFound):
        uc.send_reminders(fdp(), uc.Remind(2011, 7))


def test_a_reminder_for_one_entity_names_its_non_filers_only(fdp, state):
    enrol(fdp, row("U1"), row("D1", entity="DM"), row("D2", entity="DM"))
    one_entity = uc.send_reminders(fdp(), uc.Remind(YEAR, 10, "DM"))
    assert one_entity["queued"] == [{"entity": "DM", "non_filers": 2}]
    assert [e.entity for e in state.events("compliance_reminder_due")] == ["DM"]
    everyone = uc.send_reminders(fdp(), uc.Remind(YEAR, 10))
    assert everyone["queued"] == [{"entity": "UNDP", "non_filers": 1}]
    assert everyone["already_queued"] == ["DM"]
    # an entity with every filer filed is told nothing
    assert uc.send_reminders(fdp(), uc.Remind(YEAR, 3, "DPKO"))["queued"] == []
    with pytest.raises(Invalid) as refused:
        uc.send_reminders(fdp(), uc.Remind(YEAR, 10, "UNHCR"))
    assert refused.value.errors[0]["loc"] == ["entity"]


def test_no_reminder_before_the_cycle_opens_after_its_deadline_or_once_closed(fdp, state,
                                                                             clock):
    uc.open_cycle(fdp(), CycleIn(year=2016, deadline=dt.date(2016, 5, 31),
                                 programme_cost=10.0))
    with pytest.raises(Conflict, match="the 2016 cycle opens on 2016-03-01; reminders can be "
                                       "sent once it is open"):
        uc.send_reminders(fdp(), uc.Remind(2016, 7))
    enrol(fdp, row("U1"))
    clock.advance(days=31)  # 31 August: the 2015 deadline (30 August) has passed
    with pytest.raises(Conflict, match="the deadline of the 2015 cycle was 2015-08-30; "
                                       "reminders are sent only before the deadline"):
        uc.send_reminders(fdp(), uc.Remind(YEAR, 7))
    assert uc.send_due_reminders(fdp(), [1, 7, 300]) == []
    uc.close_cycle(fdp(), uc.CloseCycle(YEAR))
    with pytest.raises(Conflict, match="closed"):
        uc.send_reminders(fdp(), uc.Remind(YEAR, 7))
    assert state.events("compliance_reminder_due") == []


def test_the_timer_sends_the_reminders_due_today_once(fdp, state, clock):
    enrol(fdp, row("U1"))
    assert uc.send_due_reminders(fdp(), [7, 1]) == []  # 30 days before: not due yet
    [due] = uc.send_due_reminders(fdp(), [30, 7])
    assert due["days_before"] == 30 and due["queued"] == [{"entity": "UNDP", "non_filers": 1}]
    assert uc.send_due_reminders(fdp(), [30])[0]["already_queued"] == ["UNDP"]
    clock.advance(days=24)  # 7 days before the deadline
    assert [r["days_before"] for r in uc.send_due_reminders(fdp(), [30, 7])] == [30, 7]
    assert [e.payload["days_before"] for e in state.events("compliance_reminder_due")] == [
        30, 7]
    clock.advance(days=30)  # past the deadline: nothing is due
    assert uc.send_due_reminders(fdp(), [30, 7, 1]) == []


# ---- voluntary public disclosure ----

SUMMARY = {"assets": "A house in Geneva", "liabilities": "None",
           "outside_interests": "Trustee of a school"}


def test_only_officials_asg_and_above_who_filed_publish(fdp, state):
    enrol(fdp, *[row(s, grade=g, designation="senior_official")
                 for s, g in (("USG", "USG"), ("ASG", "ASG"), ("D2", "D-2"), ("LATE", "ASG"))])
    file_all(fdp, "USG", "ASG", "D2")
    decided = uc.decide_public_disclosure(fdp(filer_actor("USG")), one("USG", PublicDisclosureIn(
        publish=True, summary=SUMMARY, name="A. Official", title="Under-Secretary-General")))
    assert decided["public_disclosure"] == "published"
    with pytest.raises(Forbidden):
        uc.decide_public_disclosure(fdp(filer_actor("USG")), one("ASG", PublicDisclosureIn(
            publish=False, declined_reason="other")))
    with pytest.raises(Invalid) as incomplete:
        uc.decide_public_disclosure(fdp(), one("ASG", PublicDisclosureIn(publish=True)))
    assert incomplete.value.errors[0]["loc"] == ["summary"]
    batch = uc.decide_public_disclosures(fdp(), uc.Batch(YEAR, [
        {"staff_id": "ASG", "publish": False, "declined_reason": "security"},
        {"staff_id": "D2", "publish": True, "summary": SUMMARY},           # D-2: 409
        {"staff_id": "LATE", "publish": False, "declined_reason": "cultural"},  # not filed
        {"staff_id": "USG", "publish": False, "declined_reason": "other"},  # decided already
        {"staff_id": "ASG", "publish": True},                              # no summary: 422
    ]))
    assert batch["accepted"] == 1 and statuses(batch) == [(2, 409), (3, 409), (4, 409),
                                                          (5, 422)]
    assert uc.published_disclosures(fdp(), YEAR) == []  # until the Ethics Office approves
    uc.approve_public_disclosure(fdp(), one("USG"))
    assert uc.published_disclosures(fdp(), YEAR) == [
        {"year": YEAR, "entity": "UNDP", "grade": "USG",
         "name": "A. Official", "title": "Under-Secretary-General", "summary": SUMMARY}]
    assert uc.published_disclosures(fdp(), 2011) == []
    assert [(e.payload["staff_id"], e.payload["publish"])  # one change each: its own event
            for e in state.events("public_disclosure_decided")] == [("USG", True), ("ASG", False)]
    assert figures(fdp)["public_disclosure"] == {"eligible": 2, "published": 1, "declined": 1}


def officials_who_filed(fdp, *staff_ids):
    enrol(fdp, *[row(s, grade="ASG", designation="senior_official") for s in staff_ids])
    file_all(fdp, *staff_ids)


def test_a_summary_is_public_once_the_office_approves_it(fdp, state, clock):
    officials_who_filed(fdp, "A1", "A2")
    own = fdp(filer_actor("A1"))
    decided = uc.decide_public_disclosure(own, one("A1", PublicDisclosureIn(
        publish=True, summary={"assets": "A flat", "liabilities": ""})))
    assert (decided["public_disclosure"], decided["public_review"]) == ("published", "pending")
    uc.decide_public_disclosure(fdp(filer_actor("A2")), one("A2", PublicDisclosureIn(
        publish=False, declined_reason="security")))
    [pending] = uc.pending_public_disclosures(fdp(), YEAR)
    assert (pending["staff_id"], pending["review"]) == ("A1", "pending")
    assert pending["summary"] == {"assets": "A flat", "liabilities": None,
                                  "outside_interests": None}
    with pytest.raises(Conflict):  # a declined disclosure needs no review
        uc.approve_public_disclosure(fdp(), one("A2"))
    approved = uc.approve_public_disclosure(fdp(), one("A1"))
    assert approved["public_review"] == "approved"
    assert uc.pending_public_disclosures(fdp(), YEAR) == []
    [public] = uc.published_disclosures(fdp(), YEAR)
    assert "staff_id" not in public and public["name"] is None and public["entity"] == "UNDP"
    record = uc.get_public_disclosure(own, one("A1"))
    assert (record["reviewed_on"], record["reviewed_by"]) == (clock.today().isoformat(),
                                                              EO.label)
    with pytest.raises(Forbidden):
        uc.get_public_disclosure(fdp(filer_actor("A2")), one("A1"))
    [event] = state.events("public_disclosure_approved")
    assert event.payload["staff_id"] == "A1"
    assert [a["action"] for a in state.audit_log[-1:]] == ["approve_public_disclosure"]
    with pytest.raises(Conflict):  # approved: the filer does not decide again
        uc.decide_public_disclosure(own, one("A1", PublicDisclosureIn(
            publish=False, declined_reason="other")))


def test_a_returned_summary_carries_its_reason_and_is_decided_again(fdp, state):
    officials_who_filed(fdp, "A1")
    own = fdp(filer_actor("A1"))
    uc.decide_public_disclosure(own, one("A1", PublicDisclosureIn(publish=True,
                                                                  summary=SUMMARY)))
    returned = uc.return_public_disclosure(fdp(), one("A1", PublicDisclosureReturn(
        reason="Say which school")))
    assert (returned["public_review"], returned["returned_reason"]) == ("returned",
                                                                        "Say which school")
    assert uc.get_public_disclosure(own, one("A1"))["returned_reason"] == "Say which school"
    assert state.audit_log[-1]["action"] == "return_public_disclosure"
    assert uc.published_disclosures(fdp(), YEAR) == []
    again = uc.decide_public_disclosure(own, one("A1", PublicDisclosureIn(
        publish=True, summary={**SUMMARY, "outside_interests": "Trustee of the Lycée"})))
    assert (again["public_review"], again["returned_reason"]) == ("pending", None)
    [pending] = uc.pending_public_disclosures(fdp(), YEAR)
    assert pending["summary"]["outside_interests"] == "Trustee of the Lycée"
    assert pending["returned_reason"] is None
    batch = uc.approve_public_disclosures(fdp(), uc.Batch(YEAR, [{"staff_id": "A1"},
                                                                 {"staff_id": "NOBODY"}]))
    assert batch["accepted"] == 1 and statuses(batch) == [(2, 404)]
    assert [d["summary"]["outside_interests"] for d in uc.published_disclosures(
        fdp(), YEAR)] == ["Trustee of the Lycée"]
    assert figures(fdp)["public_disclosure"] == {"eligible": 1, "published": 1, "declined": 0}


# ---- cost shares and keys ----

def test_cost_shares_add_up_to_the_programme_cost_to_the_cent(fdp, state, clock):
    uc.enrol_participant(fdp(), uc.EnrolParticipant("UNHCR", ParticipantIn(cost_sharing=True),
                                                    "other"))
    enrol(fdp, row("U1"), row("D1", entity="DM"), row("H1", entity="UNHCR"),
          *[row(f"K{i}", entity="DPKO") for i in range(5)])
    shares = uc.cost_shares(fdp(), YEAR)
    assert (shares["filers"], shares["unit_cost"], shares["programme_cost"]) == (3, 333.33,
                                                                                 1000.0)
    assert sorted(r["share"] for r in shares["rows"]) == [333.33, 333.33, 333.34]
    assert "DPKO" not in {r["entity"] for r in shares["rows"]}
    assert round(sum(r["share"] for r in shares["rows"]) * 100) == 100_000
    assert uc.cost_shares(fdp(focal("DM")), YEAR)["rows"] == [
        {"entity": "DM", "filers": 1, "share": next(r["share"] for r in shares["rows"]
                                                    if r["entity"] == "DM")}]
    with pytest.raises(NotFound):
        uc.cost_shares(fdp(), 2011)


def test_a_key_rotation_reseals_every_statement_with_the_newest_key(fdp, state):
    old = Keyring([("k1", secrets.token_bytes(32))])
    new = Keyring([("k2", secrets.token_bytes(32)), ("k1", old.keys["k1"])])
    enrol(fdp, *[row(f"U{i}") for i in range(3)], row("D1", entity="DM"))
    uc.file_statements(fdp(keyring=old), uc.Batch(YEAR, [
        {"staff_id": s, **statement(s)} for s in ("U0", "U1", "U2", "D1")]))
    assert {s["key_id"] for s in state.collection("statements").values()} == {"k1"}
    enrol(fdp, row("U9"))
    uc.save_draft(fdp(filer_actor("U9"), keyring=old), one("U9", StatementContents()))
    assert state.collection("drafts")[f"{YEAR}:U9"]["key_id"] == "k1"
    rotated = uc.rotate_key(fdp(ADMIN, keyring=new))
    assert rotated == {"key_id": "k2", "statements": 4, "reencrypted": 4, "drafts": 1,
                       "drafts_reencrypted": 1}
    assert state.collection("drafts")[f"{YEAR}:U9"]["key_id"] == "k2"
    assert {s["key_id"] for s in state.collection("statements").values()} == {"k2"}
    assert uc.rotate_key(fdp(ADMIN, keyring=new))["reencrypted"] == 0
    only_new = Keyring([("k2", new.keys["k2"])])
    assert uc.get_statement(fdp(REVIEWER, keyring=only_new), one("U1"))["assets"][0][
        "description"] == "shares U1"



def test_an_enrolment_is_dated_by_the_ethics_office_only_and_within_the_cycle(fdp, state, clock):
    """`enrolled_on` lets the Office load past enrolments (a report "as of" a day counts them
    from then); anyone else enrols today."""
    opened, today = dt.date(YEAR, 3, 1), clock.today()
    answer = enrol(fdp, {**row("E1"), "enrolled_on": str(opened)},
                   {**row("E2"), "enrolled_on": str(opened - dt.timedelta(days=1))},
                   {**row("E3"), "enrolled_on": str(today + dt.timedelta(days=1))})
    assert answer["accepted"] == 1
    assert [(r["row"], r["errors"][0]["loc"]) for r in answer["rejected"]] == [
        (2, ["enrolled_on"]), (3, ["enrolled_on"])]
    [event] = state.events("filers_enrolled")
    assert event.payload["filers"][0]["enrolled_on"] == str(opened)
    assert fdp().filers.get(YEAR, "E1").enrolled_on == opened
    by_focal = enrol(fdp, {**row("E4"), "enrolled_on": str(opened)}, actor=focal("UNDP"))
    assert statuses(by_focal) == [(1, 403)]


# ---- cycle states by their dates ----

def status_of(fdp, year=YEAR, actor=EO) -> str:
    return uc.get_cycle(fdp(actor), year)["status"]


def test_a_cycle_is_scheduled_open_overdue_and_closed_as_its_dates_pass(fdp, clock):
    uc.open_cycle(fdp(), CycleIn(year=2016, deadline=dt.date(2016, 5, 31), programme_cost=1.0))
    enrol(fdp, row("S1"), year=2016)
    assert status_of(fdp, 2016) == "scheduled"  # today is 31 July 2015
    with pytest.raises(Invalid, match="opens on 2016-03-01; statements can be filed from then"):
        uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(certified=True),
                                                                year=2016))
    clock.advance(days=214)  # 1 March 2016
    assert status_of(fdp, 2016) == "open"
    clock.advance(days=92)  # 1 June 2016: the deadline has passed, S1 has not filed
    assert status_of(fdp, 2016) == "overdue"
    assert [c["status"] for c in uc.list_cycles(fdp()) if c["year"] == 2016] == ["overdue"]
    late = uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(certified=True),
                                                                year=2016))
    assert (late["status"], late["filed_on"], late["late"]) == ("filed", "2016-06-01", True)
    assert status_of(fdp, 2016) == "open"  # nothing outstanding: open until the Office closes it
    assert uc.close_cycle(fdp(), uc.CloseCycle(2016))["status"] == "closed"
    assert status_of(fdp, 2016) == "closed"


def test_a_filing_on_time_is_not_late_and_the_event_says_which(fdp, state, clock):
    enrol(fdp, row("S1"), row("S2"))
    file_all(fdp, "S1")
    clock.advance(days=31)  # 31 August 2015: a day after the deadline
    file_all(fdp, "S2")
    assert [(e.payload["staff_id"], e.payload["late"]) for e in state.events("statement_filed")
            ] == [("S1", False), ("S2", True)]
    assert uc.get_filer(fdp(), one("S2"))["late"] is True


def test_a_focal_point_s_cycle_is_overdue_while_its_own_filers_are_outstanding(fdp, clock):
    enrol(fdp, row("S1", entity="UNDP"), row("S2", entity="DM"))
    file_all(fdp, "S1")
    clock.advance(days=31)
    assert status_of(fdp, actor=focal("UNDP")) == "open"
    assert status_of(fdp, actor=focal("DM")) == "overdue"
    assert status_of(fdp) == "overdue"


def test_cycles_are_listed_newest_first(fdp):
    uc.open_cycle(fdp(), CycleIn(year=2014, deadline=dt.date(2014, 5, 31), programme_cost=1.0))
    uc.open_cycle(fdp(), CycleIn(year=2016, deadline=dt.date(2016, 5, 31), programme_cost=1.0))
    assert [c["year"] for c in uc.list_cycles(fdp())] == [2016, 2015, 2014]


def test_the_annual_job_opens_the_year_s_cycle_from_1_march_once(fdp, state, clock):
    assert uc.open_annual_cycle(fdp(), (5, 31)) is None  # the 2015 cycle exists
    clock.advance(days=183)  # 30 January 2016: not yet
    assert uc.open_annual_cycle(fdp(), (5, 31)) is None
    clock.advance(days=31)  # 1 March 2016
    opened = uc.open_annual_cycle(fdp(), (5, 31))
    assert opened is not None
    assert (opened["year"], opened["opens_on"], opened["deadline"], opened["programme_cost"],
            opened["status"]) == (2016, "2016-03-01", "2016-05-31", 1000.0, "open")
    assert uc.open_annual_cycle(fdp(), (5, 31)) is None
    assert [e.payload["year"] for e in state.events("cycle_opened")] == [YEAR, 2016]


# ---- reminders of one filer, and the reminders sent ----

def test_the_focal_point_reminds_one_of_its_non_filers_once_a_day(fdp, state, clock):
    enrol(fdp, row("U1"), row("U2"), row("D1", entity="DM"))
    sent = uc.remind_filer(fdp(focal("UNDP")), one("U1"))
    assert sent == {"year": YEAR, "entity": "UNDP", "staff_id": "U1", "sent_on": "2015-07-31",
                    "sent_by": focal("UNDP").label, "days_before": None, "non_filers": 1}
    [event] = state.events("compliance_reminder_due")
    assert event.entity == "UNDP" and event.payload["staff_id"] == "U1"
    assert event.payload["non_filers"] == ["U1"] and event.payload["days_before"] == 30
    with pytest.raises(Conflict, match="reminded today already"):
        uc.remind_filer(fdp(focal("UNDP")), one("U1"))
    with pytest.raises(Forbidden):
        uc.remind_filer(fdp(focal("UNDP")), one("D1"))
    uc.remind_filer(fdp(EO), one("D1"))  # the Office reminds any entity's filer
    clock.advance(days=1)
    uc.remind_filer(fdp(focal("UNDP")), one("U1"))
    assert [r["sent_on"] for r in uc.list_reminders(fdp(focal("UNDP")),
                                                     uc.ListReminders(YEAR))] == [
        "2015-08-01", "2015-07-31"]


def test_no_reminder_of_a_filer_who_filed_or_is_exempted_nor_on_a_closed_cycle(fdp, state):
    enrol(fdp, row("U1"), row("U2"), row("U3"))
    file_all(fdp, "U1")
    uc.exempt_filer(fdp(), one("U2", ExemptionIn(reason="on_leave")))
    with pytest.raises(Conflict, match="U1 has filed"):
        uc.remind_filer(fdp(), one("U1"))
    with pytest.raises(Conflict, match="U2 is exempted"):
        uc.remind_filer(fdp(), one("U2"))
    with pytest.raises(NotFound):
        uc.remind_filer(fdp(), one("NOBODY"))
    uc.close_cycle(fdp(), uc.CloseCycle(YEAR))
    with pytest.raises(Conflict, match="closed"):
        uc.remind_filer(fdp(), one("U3"))
    assert state.events("compliance_reminder_due") == []


def test_the_reminders_sent_list_the_entitys_with_their_day_and_sender(fdp):
    enrol(fdp, row("U1"), row("U2"), row("D1", entity="DM"))
    uc.send_reminders(fdp(focal("UNDP")), uc.Remind(YEAR, 30))  # its own entity's
    with pytest.raises(Forbidden):
        uc.send_reminders(fdp(focal("UNDP")), uc.Remind(YEAR, 30, "DM"))
    uc.remind_filer(fdp(), one("U2"))
    listed = uc.list_reminders(fdp(), uc.ListReminders(YEAR, "UNDP"))
    assert [(r["staff_id"], r["sent_by"], r["non_filers"]) for r in listed] == [
        ("U2", EO.label, 1), (None, focal("UNDP").label, 2)]
    assert uc.list_reminders(fdp(), uc.ListReminders(YEAR, "DM")) == []
    with pytest.raises(Forbidden):
        uc.list_reminders(fdp(focal("UNDP")), uc.ListReminders(YEAR, "DM"))
    with pytest.raises(Invalid):
        uc.list_reminders(fdp(), uc.ListReminders(YEAR))
