"""Reporting's projections and reports, without broker or database: events go through the typed
projections into the in-memory read models (the use case that applies delivered events, on the
fake unit of work), and the reports are read through the same queries as the database's."""
import datetime as dt
import random

import pytest

from services.reporting import projections
from services.reporting import use_cases as uc
from services.reporting.domain import by_day, figures_missing
from services.reporting.memory import ReportingMemory
from services.reporting.projections import project
from services.reporting.programme import annex, participation
from services.reporting.report import annual_report
from services.reporting.system_wide import system_wide
from services.reporting.view import AsOf
from shared.contracts import EVENTS
from shared.contracts.common import Actor, Role
from shared.contracts.envelope import Envelope
from shared.contracts.intake import ServiceRequestBatchLogged
from shared.contracts.periods import cycle_of_period, last_finished_period

ACTOR = Actor(role=Role.admin, label="test")
TODAY = dt.date.today()


# ---- the read models in memory ----

class MemoryModels:
    """The in-memory read models, each delivered event applied once."""

    def __init__(self):
        self.uow = ReportingMemory()

    def apply(self, envelope: Envelope) -> bool:
        return envelope.event_id in uc.apply_events(self.uow, [(envelope, envelope.parsed())])

    def view(self, as_of: dt.date = TODAY):
        """The read models as of a day (by default as they stand: everything recorded)."""
        return AsOf(uc.active_view(self.uow), as_of, TODAY)


# ---- a small world of events ----

def env(payload, entity="EO", at=None) -> Envelope:
    envelope = Envelope.of(payload_model(payload), entity=entity, actor=ACTOR)
    if at:
        envelope.occurred_at = at
    return envelope


def payload_model(pair):
    event_type, fields = pair
    return EVENTS[event_type][1].model_validate(fields)


def request(entity, period, category, source="headquarters", topic=None, n=[0]):
    n[0] += 1
    start = int(period[:4])
    return {"id": f"R{n[0]}", "entity": entity, "period": period,
            "received_on": dt.date(start, 9, 1).isoformat(), "category": category,
            "advice_topic": topic, "source": source}


def world() -> list[Envelope]:
    """Every kind of event, with known totals (see the tests)."""
    events = [env(("entity_registered", {"code": code, "name": name, "category": cat}), code)
              for code, name, cat in [("EO", "Ethics Office", "secretariat"),
                                      ("DM", "Dept. of Management", "secretariat"),
                                      ("MONUSCO", "MONUSCO", "peacekeeping"),
                                      ("UNHCR", "UNHCR", "other")]]
    rows = ([request("EO", "2014-15", "advice", "headquarters", "outside_activities")] * 3
            + [request("EO", "2014-15", "advice", "peacekeeping_operations", "employment")] * 2
            + [request("EO", "2014-15", "training", "regional_commissions")] * 4)
    rows = [{**r, "id": f"B{i}"} for i, r in enumerate(rows)]
    events.append(env(("service_request_batch_logged", {"entity": "EO", "requests": rows})))
    events += [env(("service_request_logged", request("EO", "2013-14", "outreach")))
               for _ in range(5)]
    events.append(env(("activity_recorded", {"id": "A1", "entity": "EO", "period": "2014-15",
                                             "held_on": "2014-10-01", "kind": "outreach_visit",
                                             "participants": 120})))
    events.append(env(("activity_recorded", {"id": "A2", "entity": "EO", "period": "2014-15",
                                             "held_on": "2014-11-01", "kind": "online_course",
                                             "participants": 11000})))
    events += inquiries()
    events += disclosure()
    events += panel()
    events.append(env(("annual_figures_submitted", figures("UNHCR", "2014-15", 1, 70)), "UNHCR"))
    events.append(env(("annual_figures_submitted", figures("UNHCR", "2014-15", 2, 75)), "UNHCR"))
    events.append(env(("report_issued", {"report": "annual", "key": "2014-15", "version": 1,
                                         "as_of": "2015-07-31", "symbol": "A/70/307"})))
    return events


def figures(entity, period, version, requests):
    return {"entity": entity, "period": period, "version": version, "figures": {
        "total_requests": requests, "requests_by_category": {"advice": requests - 5,
                                                             "training": 5},
        "advice_by_topic": {"other": requests - 5},
        "requests_by_source": {"headquarters": requests},
        "retaliation": {"inquiries": 3, "preliminary_reviews": 2, "prima_facie": 1},
        "disclosure": {"filers": 40, "filed": 38},
        "activities": {"total": 9, "participants": 300}}}


def inquiries() -> list[Envelope]:
    """Six inquiries: 1 outside mandate, 2 advice, 3 preliminary reviews (1 not prima facie,
    1 withdrawn, 1 pending)."""
    events = []
    moves = {"I1": ["outside_mandate"], "I2": ["advice_only"], "I3": ["advice_only"],
             "I4": ["preliminary_review", "not_prima_facie"],
             "I5": ["preliminary_review", "withdrawn"], "I6": ["preliminary_review"]}
    for inquiry, decisions in moves.items():
        events.append(env(("retaliation_inquiry_received", {
            "id": inquiry, "entity": "EO", "period": "2014-15", "received_on": "2014-09-01"})))
        status = "received"
        for decision in decisions:
            events.append(env(("retaliation_decision_recorded", {
                "id": inquiry, "entity": "EO", "period": "2014-15", "decision": decision,
                "decided_on": "2014-10-01", "previous_status": status, "status": decision})))
            status = decision
    events.append(env(("protection_measure_recorded", {
        "id": "I6", "entity": "EO", "period": "2014-15", "decided_on": "2014-10-02"})))
    events.append(env(("retaliation_note_added", {
        "id": "I6", "entity": "EO", "period": "2014-15", "noted_on": "2014-10-03"})))
    return events


def filer(staff_id, entity, grade="D-1", first_time=False):
    return {"staff_id": staff_id, "entity": entity, "duty_station": "New York",
            "grade": grade, "designation": "senior_official", "first_time": first_time}


def disclosure() -> list[Envelope]:
    """2014: 6 filers (DM 3 incl. an ASG and a USG, MONUSCO 2, UNHCR 1), 2 first time, all
    filed; conflicts: 2 filers, 3 matters; 2 eligible, 1 published. 2013: 4 filers, 1 exempted."""
    ref = lambda sid, ent: {"year": 2014, "staff_id": sid, "entity": ent}  # noqa: E731
    filers = [filer("S1", "DM", "ASG", True), filer("S2", "DM", "USG"), filer("S3", "DM"),
              filer("S4", "MONUSCO", first_time=True), filer("S5", "MONUSCO"),
              filer("S6", "UNHCR")]
    events = [env(("cycle_opened", {"year": 2014, "opens_on": "2014-03-01",
                                    "deadline": "2014-05-31", "programme_cost": 1000000.0})),
              env(("filers_enrolled", {"year": 2014, "filers": filers[:4]})),
              env(("filers_enrolled", {"year": 2014, "filers": filers[4:]})),
              env(("filers_enrolled", {"year": 2013, "filers": [
                  filer(f"T{i}", e) for i, e in enumerate(["DM", "DM", "MONUSCO", "UNHCR"])]}))]
    filings = [{**ref(f["staff_id"], f["entity"]), "filed_on": "2014-05-01"} for f in filers]
    events.append(env(("filer_changes_recorded", {"year": 2014, "changes": [
        {"type": "statement_filed", "payload": p} for p in filings[:4]]})))
    events += [env(("statement_filed", p), p["entity"]) for p in filings[4:]]
    events += [
        env(("review_recorded", {**ref("S1", "DM"), "outcome": "conflicts_found",
                                 "conflicts": {"financial_holding": 1, "outside_activity": 1}})),
        env(("review_recorded", {**ref("S4", "MONUSCO"), "outcome": "conflicts_found",
                                 "conflicts": {"family_relationship": 1}})),
        env(("review_recorded", {**ref("S5", "MONUSCO"), "outcome": "cleared"})),
        env(("mitigation_recorded", ref("S1", "DM"))),
        env(("recommendation_acknowledged", {**ref("S1", "DM"),
                                             "acknowledged_on": "2014-05-20"})),
        env(("public_disclosure_decided", {**ref("S1", "DM"), "publish": True})),
        env(("public_disclosure_decided", {**ref("S2", "DM"), "publish": False,
                                           "declined_reason": "security"})),
        env(("public_disclosure_returned", {**ref("S1", "DM"), "returned_on": "2014-05-25",
                                            "reason": "Say more"})),
        env(("public_disclosure_approved", {**ref("S1", "DM"), "approved_on": "2014-06-01"})),
        env(("verification_sample_drawn", {"year": 2014, "size": 2, "seed": "s", "strata": [],
                                           "by_entity": {"DM": 1, "UNHCR": 1}}),
            at=dt.datetime(2014, 6, 2, tzinfo=dt.timezone.utc)),
        env(("verification_sample_drawn", {"year": 2014, "size": 9, "seed": "old", "strata": [],
                                           "by_entity": {"DM": 9}}),
            at=dt.datetime(2014, 6, 1, tzinfo=dt.timezone.utc)),
        env(("verification_recorded", {**ref("S3", "DM"), "outcome": "accurate"})),
        env(("compliance_reminder_due", {"year": 2014, "entity": "DM", "deadline": "2014-05-31",
                                         "days_before": 7, "non_filers": []})),
        env(("participant_enrolled", {"entity": "UNHCR", "cost_sharing": True,
                                      "focal_points": 2}), "UNHCR"),
        env(("cycle_closed", {"year": 2014, "closed_on": "2014-07-31"})),
        env(("filer_exempted", {"year": 2013, "staff_id": "T3", "entity": "UNHCR",
                                "reason": "separated"})),
    ]
    return events


def panel() -> list[Envelope]:
    """EO and UNHCR members since 2014; UNDP a member until it left before 2014-15."""
    events = [env(("panel_member_joined", {"entity": e, "head": "Head",
                                           "joined_on": "2014-01-01"}), e)
              for e in ("EO", "UNHCR", "UNDP")]
    events.append(env(("panel_member_contacts_changed", {"entity": "UNHCR", "contacts": [
        {"name": "Head", "email": "head@unhcr.example", "language": "fr"}]}), "UNHCR"))
    events.append(env(("panel_member_left", {"entity": "UNDP", "left_on": "2014-07-01"}), "UNDP",
                      at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=5)))
    for i, (kind, held) in enumerate([("formal", "2014-09-10"), ("formal", "2015-02-10"),
                                      ("informal", "2015-03-10"), ("formal", "2015-09-10")]):
        mid = f"M{i}"
        period = "2014-15" if held < "2015-08-01" else "2015-16"
        events.append(env(("meeting_convened", {"id": mid, "kind": kind, "scheduled_for": held,
                                                "agenda": ["a"], "invited": ["UNHCR"]})))
        events.append(env(("meeting_recorded", {
            "id": mid, "kind": kind, "held_on": held, "period": period,
            "attendees": ["EO", "UNHCR"] if i else ["EO"], "decisions": 1})))
    events.append(env(("meeting_convened", {"id": "M9", "kind": "formal",
                                            "scheduled_for": "2015-01-01", "agenda": ["x"],
                                            "invited": []})))
    events.append(env(("meeting_cancelled", {"id": "M9"})))
    events.append(env(("meeting_rescheduled", {"id": "M1", "scheduled_for": "2015-02-10"})))
    events.append(env(("meeting_record_approved", {"id": "M1"})))
    for i, topic in enumerate(["Social media", "Outside activities", "Social media"]):
        cid = f"C{i}"
        events.append(env(("consultation_opened", {
            "id": cid, "topic": topic, "tags": [], "respond_by": "2015-01-31",
            "opened_on": f"2014-1{i}-01", "period": "2014-15"})))
        if i == 1:
            events.append(env(("position_submitted", {"consultation_id": cid, "entity": "UNHCR",
                                                      "amended": False})))
            events.append(env(("consultation_extended", {"id": cid,
                                                         "respond_by": "2015-02-28"})))
            events.append(env(("consultation_concluded", {
                "id": cid, "topic": topic, "period": "2014-15", "concluded_on": "2015-03-01",
                "answered": ["UNHCR"], "not_answered": ["EO"]})))
    events += [env(("report_review_submitted", {"id": "RR1", "entity": "UNHCR",
                                                "period": "2014-15"}), "UNHCR"),
               env(("report_review_concluded", {"id": "RR1", "entity": "UNHCR",
                                                "period": "2014-15"}), "UNHCR"),
               env(("chair_review_requested", {"id": "CR1", "entity": "UNHCR",
                                               "requested_on": "2015-01-05",
                                               "period": "2014-15"}), "UNHCR"),
               env(("chair_review_concluded", {"id": "CR1", "entity": "UNHCR",
                                               "period": "2014-15", "outcome": "upheld"}),
                   "UNHCR")]
    return events


def built(events) -> MemoryModels:
    models = MemoryModels()
    for envelope in events:
        models.apply(envelope)
    return models


@pytest.fixture(scope="module")
def models():
    return built(world())


# ---- the tests ----

def test_every_registered_event_type_has_a_projection():
    assert {model.event_type for model in projections.PROJECTIONS} == set(EVENTS)


def test_the_world_uses_every_event_type():
    assert set(EVENTS) - {e.type for e in world()} == set()


def test_the_2014_15_report_covers_the_2014_cycle():
    assert cycle_of_period("2014-15") == 2014
    assert last_finished_period(dt.date(2015, 7, 31)) == "2013-14"
    assert last_finished_period(dt.date(2015, 8, 1)) == "2014-15"


def test_a_batch_of_ten_thousand_requests_is_a_few_counter_updates():
    rows = [request("EO", p, "advice", "headquarters", "other")
            for p in ("2013-14", "2014-15") for _ in range(5000)]
    changes = project(ServiceRequestBatchLogged(entity="EO", requests=rows), "")
    assert len(changes) == 2  # one day of each period
    assert sum(c.amounts["requests.total"] for c in changes) == 10000
    assert len(by_day(changes)) == 4  # each period's totals, and its one month's by-day document


def test_the_annual_report_of_the_ethics_office(models):
    report = annual_report(models.view(), "EO", "2014-15")
    req = report["service_requests"]
    assert (req["total"], req["advice"]) == (9, 5)
    assert req["by_category"]["training"] == 4 and req["by_source"]["regional_commissions"] == 4
    assert req["advice_by_topic"]["outside_activities"] == 3
    assert req["trend"] == [{"period": "2013-14", "total": 5, "provenance": "records"},
                            {"period": "2014-15", "total": 9, "provenance": "records"}]
    assert [r["period"] for r in req["advice_trend"]] == ["2012-13", "2013-14", "2014-15"]
    fd = report["financial_disclosure"]
    assert (fd["cycle"], fd["filers"], fd["first_time"], fd["filed"]) == (2014, 6, 2, 6)
    assert fd["compliance_rate"] == 100.0 and fd["first_time_share"] == 33.3
    assert fd["verification_sample"] == 2  # the later draw
    assert fd["conflicts"] == {"filers": 2, "matters": 3, "share_of_filers": 33.3, "by_type": {
        "financial_holding": 1, "outside_activity": 1, "family_relationship": 1, "other": 0}}
    assert fd["public_disclosure"] == {"eligible": 2, "published": 1, "declined": 1}
    assert fd["opens_on"] == "2014-03-01" and fd["closed_on"] == "2014-07-31"
    ret = report["retaliation"]
    assert ret["inquiries"] == 6
    assert ret["by_outcome"] == {"outside_mandate": 1, "advice_only": 2, "awaiting_decision": 0,
                                 "preliminary_reviews": {"total": 3, "withdrawn": 1,
                                                         "resolved_informally": 0,
                                                         "not_prima_facie": 1, "prima_facie": 0,
                                                         "pending": 1}}
    act = report["activities"]
    assert (act["total"], act["participants"], act["by_kind"]["online_course"]) == (2, 11120, 1)
    panel = report["panel"]
    assert (panel["formal_meetings"], panel["informal_meetings"]) == (2, 1)
    assert panel["consultation_topics"] == ["Social media", "Outside activities"]
    assert panel["members"] == 2 and panel["report_reviews"]["submitted"] == 1
    assert report["annex"]["total"] == {"required": 6, "filed": 6, "not_compliant": 0}


def test_a_member_entity_reads_its_own_part(models):
    report = annual_report(models.view(), "DM", "2014-15")
    fd = report["financial_disclosure"]
    assert (fd["scope"], fd["filers"], fd["verification_sample"]) == ("entity", 3, 1)
    assert fd["public_disclosure"]["eligible"] == 2
    assert "annex" not in report
    unhcr = annual_report(models.view(), "UNHCR", "2014-15")
    assert unhcr["panel"]["formal_meetings"] == 1 and unhcr["panel"]["member"] is True
    assert unhcr["panel"]["consultation_topics"] == ["Outside activities"]
    assert unhcr["panel"]["chair_reviews"]["requested"] == 1


def test_submitted_figures_fill_in_where_there_are_no_records_latest_version_first(models):
    report = annual_report(models.view(), "UNHCR", "2014-15")
    assert report["service_requests"]["total"] == 75
    assert report["service_requests"]["provenance"] == "submitted"
    assert report["service_requests"]["version"] == 2
    assert report["activities"] == {"total": 9, "participants": 300, "by_kind": None,
                                    "provenance": "submitted", "version": 2}
    assert report["retaliation"]["by_outcome"]["preliminary_reviews"]["prima_facie"] == 1
    # UNHCR's filers are in the programme's records, which win over its submitted figures
    assert report["financial_disclosure"]["provenance"] == "records"
    assert report["financial_disclosure"]["filers"] == 1


def test_records_win_over_submitted_figures_section_by_section():
    events = world() + [env(("activity_recorded", {
        "id": "U1", "entity": "UNHCR", "period": "2014-15", "held_on": "2015-01-01",
        "kind": "training_session", "participants": 30}), "UNHCR")]
    report = annual_report(built(events).view(), "UNHCR", "2014-15")
    assert report["activities"]["provenance"] == "records"
    assert report["activities"]["total"] == 1
    assert report["service_requests"]["provenance"] == "submitted"


def test_the_order_of_delivery_does_not_change_any_report():
    events = world()
    expected = _all_reports(built(events))
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert _all_reports(built(shuffled)) == expected


def test_every_event_delivered_twice_gives_the_same_report():
    events = world()
    twice = [e for e in events for _ in range(2)]
    assert _all_reports(built(twice)) == _all_reports(built(events))


def _all_reports(models):
    view = models.view()
    return ([annual_report(view, e, "2014-15") for e in ("EO", "DM", "UNHCR")]
            + [system_wide(view, "2014-15"),
               annex(2014, view.fdp(2014), view.directory(), view.iso),
               participation(view, 2010, 2016)])


def test_the_system_wide_report_has_a_row_per_member_with_its_certified_figures(models):
    report = system_wide(models.view(), "2014-15")
    rows = {r["entity"]: r for r in report["rows"]}
    assert set(rows) == {"EO", "UNHCR"}  # the Panel's members (UNHCR joined; EO chairs)
    assert rows["EO"]["source"] == "records" and rows["EO"]["version"] is None
    assert rows["UNHCR"]["source"] == "submitted" and rows["UNHCR"]["version"] == 2
    # the certified figures, all of them: UNHCR's one filer in the programme's records stays
    # beside them in the reconciliation
    assert rows["UNHCR"]["requests"] == 75 and rows["UNHCR"]["filers"] == 40
    assert rows["UNHCR"]["records"]["filers"] == 1
    assert (rows["UNHCR"]["records_total"], rows["UNHCR"]["difference"]) == (0, 75)
    assert report["total"]["requests"] == 84 and report["total"]["entities"] == 2


def test_the_annex_and_figure_five_classify_by_the_directory(models):
    view = models.view()
    table = annex(2014, view.fdp(2014), view.directory(), view.iso)
    assert [(s["category"], s["required"]) for s in table["subtotals"]] == [
        ("secretariat", 3), ("peacekeeping", 2), ("other", 1)]
    assert [r["entity"] for r in table["rows"]] == ["DM", "MONUSCO", "UNHCR"]
    figure = participation(view, 2013, 2014)
    assert figure["rows"] == [
        {"year": 2013, "peacekeeping": 1, "secretariat": 2, "other": 1, "total": 4},
        {"year": 2014, "peacekeeping": 2, "secretariat": 3, "other": 1, "total": 6}]


def test_compliance_is_100_only_when_everyone_required_filed():
    events = [env(("filers_enrolled", {"year": 2020, "filers": [
        filer(f"F{i}", "DM") for i in range(1001)]}))]
    events += [env(("statement_filed", {"year": 2020, "staff_id": f"F{i}", "entity": "DM",
                                        "filed_on": "2020-05-01"})) for i in range(1000)]
    models = built(events)
    fd = annual_report(models.view(), "EO", "2020-21")["financial_disclosure"]
    assert fd["compliance_rate"] == 99.9 and fd["not_compliant"] == 1
    models.apply(env(("filer_exempted", {"year": 2020, "staff_id": "F1000", "entity": "DM",
                                         "reason": "separated"})))
    fd = annual_report(models.view(), "EO", "2020-21")["financial_disclosure"]
    assert (fd["compliance_rate"], fd["required"], fd["exempted"]) == (100.0, 1000, 1)


def test_a_statement_filed_before_its_filer_is_enrolled_still_counts():
    filed = env(("statement_filed", {"year": 2021, "staff_id": "X", "entity": "DM",
                                     "filed_on": "2021-04-01"}))
    enrolled = env(("filers_enrolled", {"year": 2021, "filers": [filer("X", "DM", "USG")]}))
    fd = annual_report(built([filed, enrolled]).view(), "EO", "2021-22")["financial_disclosure"]
    assert (fd["filers"], fd["filed"], fd["public_disclosure"]["eligible"]) == (1, 1, 1)


def test_the_figures_gauge_flags_members_without_figures():
    assert figures_missing(["EO", "UNDP", "WFP"], {"UNDP"}, {"EO"}) == {
        "EO": 0, "UNDP": 0, "WFP": 1}
