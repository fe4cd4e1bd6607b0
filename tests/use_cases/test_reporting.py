"""Reporting's use cases on the in-memory unit of work: delivered events through the typed
projections into the read models, the reports read from them, and rebuilds."""
import datetime as dt

import pytest
from people import ADMIN, EO, focal

from services.reporting import use_cases as uc
from services.reporting.domain import consumer_of
from services.reporting.memory import ReportingMemory
from shared.contracts import EVENTS
from shared.contracts.common import Actor, Role
from shared.contracts.envelope import Envelope
from shared.kernel.errors import Conflict, Forbidden, Invalid, PermanentFailure

PERIOD, YEAR = "2014-15", 2014
REF = {"year": YEAR, "staff_id": "S1", "entity": "DM"}
AT = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def reporting(state, clock):
    """`reporting(actor)`: a unit of work acting for `actor`, over one in-memory state."""
    def make(actor: Actor = EO) -> ReportingMemory:
        return ReportingMemory(state, actor, clock)
    return make


def event(event_type: str, by: str = "EO", at: dt.datetime = AT, **fields):
    """A delivery as the consumer receives it: the envelope (of entity `by`) and its payload as
    its model."""
    model = EVENTS[event_type][1].model_validate(fields)
    return Envelope.of(model, entity=by, actor=EO, occurred_at=at), model


def deliver(reporting, *events) -> set:
    return uc.apply_events(reporting(), list(events))


def annual(reporting, entity="EO", period=PERIOD, actor=EO) -> dict:
    return uc.annual_report(reporting(actor), uc.AnnualReport(period, entity))


def first(reporting, model: str) -> dict:
    """The first document of a read model the reports don't show ({} when there is none)."""
    found = uc.active_view(reporting())._docs(model)
    return found[0] if found else {}


def request(n: int, category="advice", entity="EO", topic="employment") -> dict:
    return {"id": f"R{n}", "entity": entity, "period": PERIOD, "received_on": "2014-09-01",
            "category": category, "advice_topic": topic if category == "advice" else None,
            "source": "headquarters"}


def filer(staff_id="S1", entity="DM", grade="ASG") -> dict:
    return {"staff_id": staff_id, "entity": entity, "duty_station": "Geneva", "grade": grade,
            "designation": "senior_official", "first_time": True}


ENROLLED = event("filers_enrolled", year=YEAR, filers=[filer()])
FILED = event("statement_filed", **REF, filed_on="2014-05-01")
OPENED = event("consultation_opened", id="C1", topic="Gifts", respond_by="2015-01-31",
               opened_on="2014-10-01", period=PERIOD)
CONVENED = event("meeting_convened", id="M1", kind="formal", scheduled_for="2014-10-01",
                 agenda=["a"], invited=["UNHCR"])
HELD = event("meeting_recorded", id="M1", kind="formal", held_on="2014-10-01", period=PERIOD,
             attendees=["EO", "UNHCR"], decisions=1)
FIGURES = {"total_requests": 12, "requests_by_category": {"advice": 12},
           "activities": {"total": 3, "participants": 40}}

# event type -> (the events that come first, the event, what it shows)
EFFECTS = {
    "entity_registered": ([], event("entity_registered", "DM", code="DM", name="Management",
                                    category="secretariat"),
                          lambda r: uc.directory(r()) == [{
                              "code": "DM", "name": "Management", "category": "secretariat",
                              "parent": None}]),
    "service_request_logged": ([], event("service_request_logged", **request(1)),
                               lambda r: annual(r)["service_requests"]["advice_by_topic"][
                                   "employment"] == 1),
    "service_request_batch_logged": (
        [], event("service_request_batch_logged", requests=[request(n, c) for n, c in enumerate(
            ["advice", "training", "training"])], entity="EO"),
        lambda r: annual(r)["service_requests"]["by_category"] == {
            "advice": 1, "financial_disclosure": 0, "retaliation": 0, "training": 2,
            "outreach": 0, "standards": 0}),
    "activity_recorded": ([], event("activity_recorded", id="A1", entity="EO", period=PERIOD,
                                    held_on="2014-10-01", kind="online_course",
                                    participants=500),
                          lambda r: annual(r)["activities"]["participants"] == 500),
    "retaliation_inquiry_received": (
        [], event("retaliation_inquiry_received", id="I1", entity="EO", period=PERIOD,
                  received_on="2014-09-01"),
        lambda r: annual(r)["retaliation"]["by_outcome"]["awaiting_decision"] == 1),
    "retaliation_decision_recorded": (
        [event("retaliation_inquiry_received", id="I1", entity="EO", period=PERIOD,
               received_on="2014-09-01")],
        event("retaliation_decision_recorded", id="I1", entity="EO", period=PERIOD,
              decision="preliminary_review", decided_on="2014-10-01",
              previous_status="received", status="preliminary_review"),
        lambda r: annual(r)["retaliation"]["by_outcome"]["preliminary_reviews"]["pending"] == 1),
    "annual_figures_submitted": (
        [], event("annual_figures_submitted", "UNHCR", entity="UNHCR", period=PERIOD, version=1,
                  figures=FIGURES),
        lambda r: annual(r, "UNHCR")["service_requests"]["total"] == 12),
    "participant_enrolled": ([], event("participant_enrolled", "UNHCR", entity="UNHCR",
                                       cost_sharing=True, focal_points=2),
                             lambda r: first(r, "participants").get("cost_sharing") is True),
    "cycle_opened": ([], event("cycle_opened", year=YEAR, opens_on="2014-03-01",
                               deadline="2014-05-31", programme_cost=10.0),
                     lambda r: annual(r)["financial_disclosure"]["opens_on"] == "2014-03-01"),
    "cycle_closed": ([], event("cycle_closed", year=YEAR, closed_on="2014-07-31"),
                     lambda r: annual(r)["financial_disclosure"]["closed_on"] == "2014-07-31"),
    "filers_enrolled": ([], ENROLLED,
                        lambda r: annual(r)["financial_disclosure"]["first_time"] == 1),
    "statement_filed": ([ENROLLED], FILED,
                        lambda r: annual(r)["financial_disclosure"]["compliance_rate"] == 100.0),
    "filer_changes_recorded": (
        [ENROLLED], event("filer_changes_recorded", year=YEAR, changes=[
            {"type": "statement_filed", "payload": {**REF, "filed_on": "2014-05-01"}}]),
        lambda r: annual(r)["financial_disclosure"]["filed"] == 1),
    "review_recorded": (
        [ENROLLED], event("review_recorded", **REF, outcome="conflicts_found",
                          conflicts={"financial_holding": 2}),
        lambda r: annual(r)["financial_disclosure"]["conflicts"]["matters"] == 2),
    "mitigation_recorded": ([ENROLLED], event("mitigation_recorded", **REF),
                            lambda r: first(r, "fdp").get("mitigated") == 1),
    "filer_exempted": ([ENROLLED], event("filer_exempted", **REF, reason="separated"),
                       lambda r: annual(r)["financial_disclosure"]["exempted"] == 1),
    "verification_sample_drawn": (
        [], event("verification_sample_drawn", year=YEAR, size=3, seed="s", strata=[],
                  by_entity={"DM": 3}),
        lambda r: annual(r, "DM")["financial_disclosure"]["verification_sample"] == 3),
    "verification_recorded": ([ENROLLED], event("verification_recorded", **REF,
                                                outcome="verified"),
                              lambda r: annual(r)["financial_disclosure"]["verified"] == 1),
    "public_disclosure_decided": (
        [ENROLLED, FILED], event("public_disclosure_decided", **REF, publish=True),
        lambda r: annual(r)["financial_disclosure"]["public_disclosure"] == {
            "eligible": 1, "published": 1, "declined": 0}),
    "public_disclosure_approved": (
        [ENROLLED, FILED], event("public_disclosure_approved", **REF, approved_on="2014-06-01"),
        lambda r: first(r, "filers").get("publication_approved_on") == "2014-06-01"),
    "compliance_reminder_due": (
        [], event("compliance_reminder_due", year=YEAR, entity="DM", deadline="2014-05-31",
                  days_before=7, non_filers=["S1"]),
        lambda r: first(r, "fdp").get("reminders") == 1),
    "panel_member_joined": ([], event("panel_member_joined", "UNHCR", entity="UNHCR",
                                      head="Head"),
                            lambda r: annual(r)["panel"]["members"] == 1),
    "panel_member_left": (  # it left before the period began: no member in it
        [event("panel_member_joined", "UNHCR", entity="UNHCR", head="Head",
               joined_on="2013-01-01")],
        event("panel_member_left", "UNHCR", at=AT + dt.timedelta(days=1), entity="UNHCR",
              left_on="2014-07-01"),
        lambda r: annual(r)["panel"]["members"] == 0),
    "meeting_convened": ([], CONVENED, lambda r: first(r, "meetings").get("invited") == ["UNHCR"]),
    "meeting_rescheduled": ([CONVENED], event("meeting_rescheduled", id="M1",
                                              scheduled_for="2014-11-01"),
                            lambda r: first(r, "meetings").get("scheduled_for") == "2014-11-01"),
    "meeting_cancelled": ([CONVENED], event("meeting_cancelled", id="M1"),
                          lambda r: first(r, "meetings").get("cancelled") is True),
    "meeting_recorded": ([CONVENED], HELD, lambda r: annual(r)["panel"]["formal_meetings"] == 1),
    "meeting_record_approved": ([HELD], event("meeting_record_approved", id="M1"),
                                lambda r: first(r, "meetings").get("approved") is True),
    "consultation_opened": ([], OPENED,
                            lambda r: annual(r)["panel"]["consultation_topics"] == ["Gifts"]),
    "position_submitted": (
        [OPENED], event("position_submitted", "UNHCR", consultation_id="C1", entity="UNHCR",
                        amended=False),
        lambda r: annual(r, "UNHCR")["panel"]["consultations"] == 1),
    "consultation_extended": ([OPENED], event("consultation_extended", id="C1",
                                              respond_by="2015-02-28"),
                              lambda r: first(r, "consultations").get("extended_to")
                              == "2015-02-28"),
    "consultation_concluded": (
        [OPENED], event("consultation_concluded", id="C1", topic="Gifts", period=PERIOD,
                        concluded_on="2015-03-01", answered=["UNDP"], not_answered=[]),
        lambda r: annual(r, "UNDP")["panel"]["consultations"] == 1),
    "report_review_submitted": (
        [], event("report_review_submitted", "UNHCR", id="RR1", entity="UNHCR", period=PERIOD),
        lambda r: annual(r)["panel"]["report_reviews"] == {"submitted": 1, "concluded": 0}),
    "report_review_concluded": (
        [], event("report_review_concluded", "UNHCR", id="RR1", entity="UNHCR", period=PERIOD),
        lambda r: annual(r)["panel"]["report_reviews"] == {"submitted": 0, "concluded": 1}),
    "chair_review_requested": (
        [], event("chair_review_requested", "UNHCR", id="CR1", entity="UNHCR",
                  requested_on="2015-01-05", period=PERIOD),
        lambda r: annual(r)["panel"]["chair_reviews"] == {"requested": 1, "concluded": 0}),
    "chair_review_concluded": (
        [event("chair_review_requested", "UNHCR", id="CR1", entity="UNHCR",
               requested_on="2015-01-05", period=PERIOD)],
        event("chair_review_concluded", "UNHCR", id="CR1", entity="UNHCR", period=PERIOD,
              outcome="upheld"),
        lambda r: annual(r)["panel"]["chair_reviews"] == {"requested": 1, "concluded": 1}),
    "report_issued": (
        [], event("report_issued", report="annual", key=PERIOD, version=1, as_of="2015-07-31",
                  symbol="A/70/307"),
        lambda r: uc.catalogue(r())["periods"] == [{
            "period": PERIOD, "system_wide": [], "annual": [{
                "version": 1, "as_of": "2015-07-31", "symbol": "A/70/307",
                "issued_at": AT.isoformat()}]}]),
}


# events no report shows (they carry addresses for the notices), though reporting consumes them
# what no report shows: a member's addresses, an inquiry's case file (its notes and measures)
NOT_SHOWN = {"panel_member_contacts_changed", "retaliation_note_added",
             "protection_measure_recorded", "public_disclosure_returned",
             "recommendation_acknowledged"}


def test_every_event_type_has_an_effect_here():
    assert set(EFFECTS) == set(EVENTS) - NOT_SHOWN


@pytest.mark.parametrize("event_type", sorted(EFFECTS))
def test_each_event_type_changes_what_it_should(reporting, event_type):
    before, delivered, shows = EFFECTS[event_type]
    for earlier in before:
        deliver(reporting, earlier)
    assert not shows(reporting)
    assert deliver(reporting, delivered) == {delivered[0].event_id}
    assert shows(reporting)


def test_a_redelivered_event_changes_nothing(reporting, state):
    first = event("service_request_logged", **request(1))
    assert deliver(reporting, first) == {first[0].event_id}
    assert deliver(reporting, first) == set()
    assert deliver(reporting, first, event("service_request_logged", **request(2))) != set()
    assert annual(reporting)["service_requests"]["total"] == 2
    assert len(state.processed) == 2 and {c for c, _ in state.processed} == {"reporting"}


def test_a_group_is_one_commit_with_a_tracking_record_per_event(reporting, state):
    group = [event("service_request_logged", **request(n)) for n in range(5)]
    group.append(group[0])  # the same event twice in one group counts once
    assert deliver(reporting, *group) == {e.event_id for e, _ in group}
    assert annual(reporting)["service_requests"]["total"] == 5
    assert len(state.processed) == 5


def test_a_group_that_an_event_of_fails_writes_nothing(reporting, state):
    good = event("service_request_logged", **request(1))
    broken = (good[0].model_copy(update={"event_id": "broken"}), object())
    with pytest.raises(PermanentFailure):
        deliver(reporting, good, broken)
    assert state.processed == set() and annual(reporting)["service_requests"]["total"] == 0


def test_an_event_that_someone_else_applied_meanwhile_is_not_applied_twice(reporting, state):
    """A competing consumer commits the same event between this one's writes and its commit:
    the tracking record refuses the commit, and the second attempt, reading what the
    generations hold, finds nothing new."""
    delivered = event("service_request_logged", **request(1))
    uow = reporting()
    real_processing_many = uow.processing_many

    def race_then_track(consumer, event_ids):
        if not state.processed:
            deliver(reporting, delivered)
        real_processing_many(consumer, event_ids)
    uow.processing_many = race_then_track
    assert uc.apply_events(uow, [delivered]) == set()
    assert annual(reporting)["service_requests"]["total"] == 1


def test_a_new_delivery_is_written_without_reading_what_is_held(reporting):
    """The common case costs no read of the tracking records; a redelivery costs one."""
    delivered = event("service_request_logged", **request(1))
    reads = []
    uow = reporting()
    real_held = uow.models.held
    uow.models.held = lambda generation, ids: reads.append(ids) or real_held(generation, ids)
    assert uc.apply_events(uow, [delivered]) == {delivered[0].event_id} and reads == []
    assert uc.apply_events(uow, [delivered]) == set()
    assert reads == [[delivered[0].event_id]]
    assert annual(reporting)["service_requests"]["total"] == 1


def test_the_annual_report_is_the_actors_own_by_default(reporting):
    deliver(reporting, event("service_request_logged", "UNHCR", **request(1, entity="UNHCR")))
    assert uc.annual_report(reporting(), uc.AnnualReport(PERIOD))["entity"] == "EO"
    own = uc.annual_report(reporting(focal("UNHCR")), uc.AnnualReport(PERIOD))
    assert own["entity"] == "UNHCR" and own["service_requests"]["total"] == 1
    with pytest.raises(Forbidden):
        annual(reporting, "EO", actor=focal("UNHCR"))
    with pytest.raises(Invalid) as nobody:
        uc.annual_report(reporting(Actor(role=Role.focal_point)), uc.AnnualReport(PERIOD))
    assert nobody.value.errors[0]["loc"] == ["entity"]


def test_the_system_wide_report_annex_and_participation(reporting, clock):
    deliver(reporting, event("entity_registered", "DM", code="DM", name="Management",
                             category="secretariat"),
            event("service_request_logged", "DM", **request(1, entity="DM")), ENROLLED, FILED)
    rows = uc.system_wide(reporting(), uc.SystemWide(PERIOD))["rows"]
    # DM is no Panel member: the roll-up has the Ethics Office's row only
    assert [(r["entity"], r["requests"], r["filers"]) for r in rows] == [("EO", 0, 0)]
    assert uc.annex(reporting(), uc.Annex(YEAR))["total"] == {"required": 1, "filed": 1,
                                                             "not_compliant": 0}
    figure = uc.participation(reporting(), uc.Participation())  # the clock's year, 2015
    assert (figure["from"], figure["to"]) == (2011, 2015)
    assert figure["rows"] == [{"year": 2014, "peacekeeping": 0, "secretariat": 1, "other": 0,
                               "total": 1}]
    assert uc.participation(reporting(), uc.Participation(2015, 2016))["rows"] == []
    with pytest.raises(Invalid) as backwards:
        uc.participation(reporting(), uc.Participation(2016, 2015))
    assert backwards.value.errors[0]["loc"] == ["from"]


def test_the_figures_gauge_counts_members_without_figures(reporting, clock):
    last = "2013-14"  # the last period finished on the clock's day, 31 July 2015
    deliver(reporting, *[event("panel_member_joined", e, entity=e, head="Head")
                         for e in ("UNHCR", "UNDP", "WFP")])
    deliver(reporting, event("annual_figures_submitted", "UNDP", entity="UNDP", period=last,
                             version=1, figures={}),
            event("service_request_logged", "WFP", **{**request(1, entity="WFP"),
                                                      "period": last,
                                                      "received_on": "2013-09-01"}))
    assert uc.figures_missing(reporting()) == {"UNDP": 0, "UNHCR": 1, "WFP": 0}
    clock.advance(days=1)  # 2014-15 has finished now
    assert uc.figures_missing(reporting()) == {"UNDP": 1, "UNHCR": 1, "WFP": 1}


# ---- rebuilds ----

def logs(*events) -> dict:
    """Event logs of the sources, as `events_since` pages them."""
    by_source: dict = {}
    for envelope, _ in {e.event_id: (e, m) for e, m in events}.values():
        by_source.setdefault(EVENTS[envelope.type][0], []).append(envelope)
    return by_source


def fetcher(by_source: dict, page: int = 2, during=None):
    def fetch(source, after):
        found = by_source.get(source, [])
        start = 0 if after is None else [e.event_id for e in found].index(after) + 1
        if during:
            during()
        return found[start:start + page]
    return fetch


def rebuilt(reporting, fetch) -> int:
    generation = uc.begin_rebuild(reporting(ADMIN))
    uc.rebuild(reporting(ADMIN), uc.Rebuild(generation, fetch))
    old = uc.finish_rebuild(reporting(ADMIN), generation)
    uc.drop_generation(reporting(ADMIN), old)
    return generation


def all_reports(reporting) -> list:
    return [annual(reporting, e) for e in ("EO", "DM", "UNHCR")] + [
        uc.system_wide(reporting(), uc.SystemWide(PERIOD)), uc.annex(reporting(), uc.Annex(YEAR)),
        uc.participation(reporting(), uc.Participation(2010, 2016)), uc.directory(reporting())]


def test_a_rebuilt_generation_gives_the_same_reports(reporting, state):
    events = [pair for before, delivered, _ in EFFECTS.values()
              for pair in (*before, delivered)]
    for pair in events:
        deliver(reporting, pair)
    live = all_reports(reporting)
    assert uc.rebuild_status(reporting())["active"] == 0
    generation = rebuilt(reporting, fetcher(logs(*events)))
    assert generation == 1 and all_reports(reporting) == live
    status = uc.rebuild_status(reporting())
    assert (status["active"], status["running"], status["error"]) == (1, False, None)
    assert status["replayed"] == len({e.event_id for e, _ in events})
    assert {c for c, _ in state.processed} == {consumer_of(1)}  # generation 0 is gone
    assert not any(name.endswith("@0") for name in state.collections)


def test_events_delivered_during_a_rebuild_reach_both_generations(reporting):
    early = event("service_request_logged", **request(1))
    late = event("service_request_logged", **request(2))
    deliver(reporting, early)
    delivered = []

    def live_delivery():
        if not delivered:
            delivered.append(deliver(reporting, late))
    rebuilt(reporting, fetcher(logs(early, late), page=1, during=live_delivery))
    assert delivered == [{late[0].event_id}]
    assert annual(reporting)["service_requests"]["total"] == 2  # `late` replayed once only


def test_one_rebuild_at_a_time_and_a_stalled_one_is_taken_over(reporting, clock):
    generation = uc.begin_rebuild(reporting(ADMIN))
    assert uc.rebuild_status(reporting())["building"] == generation
    with pytest.raises(Conflict):
        uc.begin_rebuild(reporting(ADMIN))
    clock.advance(seconds=uc.STALE_AFTER.total_seconds() + 1)
    again = uc.begin_rebuild(reporting(ADMIN))
    assert again == generation + 1 and uc.rebuild_status(reporting())["running"] is True
    assert uc.finish_rebuild(reporting(ADMIN), generation) is None  # no longer the one built


def test_an_abandoned_rebuild_keeps_the_active_generation(reporting, state):
    deliver(reporting, event("service_request_logged", **request(1)))
    generation = uc.begin_rebuild(reporting(ADMIN))
    deliver(reporting, event("service_request_logged", **request(2)))
    assert any(name.endswith(f"@{generation}") for name in state.collections)
    uc.abandon_rebuild(reporting(ADMIN), generation, "RuntimeError: the logs are gone")
    status = uc.rebuild_status(reporting())
    assert (status["active"], status["building"], status["error"]) == (
        0, None, "RuntimeError: the logs are gone")
    assert annual(reporting)["service_requests"]["total"] == 2
    assert not any(name.endswith(f"@{generation}") for name in state.collections)


def test_a_replay_skips_events_no_contract_reads(reporting):
    unreadable = Envelope(type="service_request_logged", entity="EO", actor=EO,
                          payload={"id": "x"})
    good = event("service_request_logged", **request(1))
    fetch = fetcher({"intake": [unreadable, good[0]]})
    generation = uc.begin_rebuild(reporting(ADMIN))
    assert uc.rebuild(reporting(ADMIN), uc.Rebuild(generation, fetch)) == 2
    uc.finish_rebuild(reporting(ADMIN), generation)
    assert annual(reporting)["service_requests"]["total"] == 1
    assert uc.rebuild_status(reporting())["building"] is None
