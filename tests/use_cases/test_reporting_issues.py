"""Reports as documents the Office issues, on the in-memory unit of work: counting what was
effective by a day, the roll-up's rule (certified figures first, records beside them, members
only), and issued versions (frozen, idempotent, refused for a day to come or before the period)."""
import datetime as dt

import pytest
from people import EO, TODAY, focal

from services.reporting import use_cases as uc
from services.reporting.domain.issues import frozen
from services.reporting.memory import ReportingMemory
from shared.contracts import EVENTS
from shared.contracts.envelope import Envelope
from shared.contracts.reporting import ReportKind
from shared.kernel.errors import Forbidden, Invalid, NotFound

PERIOD, YEAR = "2014-15", 2014
AT = dt.datetime(2015, 7, 1, tzinfo=dt.timezone.utc)
AS_OF = dt.date(2015, 7, 31)


@pytest.fixture
def reporting(state, clock):
    def make(actor=EO) -> ReportingMemory:
        return ReportingMemory(state, actor, clock)
    return make


def deliver(reporting, *events):
    uc.apply_events(reporting(), [(Envelope.of(m, entity=by, actor=EO, occurred_at=at), m)
                                  for m, by, at in events])


def event(event_type: str, by: str = "EO", at: dt.datetime = AT, **fields):
    return EVENTS[event_type][1].model_validate(fields), by, at


def request(n: int, on: str, entity: str = "EO", category: str = "advice") -> tuple:
    return event("service_request_logged", entity, id=f"R{n}", entity=entity,
                 period="2014-15" if on < "2015-08-01" else "2015-16", received_on=on,
                 category=category, advice_topic="other" if category == "advice" else None,
                 source="headquarters")


def filer(staff_id: str, entity: str = "DM", enrolled_on: str | None = None) -> dict:
    return {"staff_id": staff_id, "entity": entity, "duty_station": "New York", "grade": "D-1",
            "designation": "senior_official", "first_time": False, "enrolled_on": enrolled_on}


def joined(entity: str, on: str = "2014-08-01", left: str | None = None) -> list:
    found = [event("panel_member_joined", entity, entity=entity, head="Head", joined_on=on)]
    if left:
        found.append(event("panel_member_left", entity, at=AT + dt.timedelta(days=1),
                           entity=entity, left_on=left))
    return found


def submitted(entity: str, version: int, total: int, at: dt.datetime = AT) -> tuple:
    return event("annual_figures_submitted", entity, at=at, entity=entity, period=PERIOD,
                 version=version, figures={"total_requests": total,
                                           "requests_by_category": {"advice": total},
                                           "disclosure": {"filers": 9, "filed": 9},
                                           "activities": {"total": 4, "participants": 80}})


def annual(reporting, as_of=None, **kwargs) -> dict:
    return uc.annual_report(reporting(), uc.AnnualReport(PERIOD, as_of=as_of, **kwargs))


# ---- as of a day ----

def test_a_report_as_of_a_day_counts_what_was_effective_by_then(reporting):
    deliver(reporting, request(1, "2014-09-01"), request(2, "2015-03-15"),
            request(3, "2015-07-31"), request(4, "2015-08-02"),
            event("activity_recorded", id="A1", entity="EO", period=PERIOD,
                  held_on="2015-05-01", kind="training_session", participants=10))
    assert annual(reporting)["service_requests"]["total"] == 3
    assert annual(reporting, dt.date(2015, 3, 14))["service_requests"]["total"] == 1
    assert annual(reporting, dt.date(2015, 3, 15))["service_requests"]["total"] == 2
    early = annual(reporting, dt.date(2015, 4, 30))
    assert (early["as_of"], early["activities"]["total"]) == ("2015-04-30", 0)
    assert annual(reporting, AS_OF)["activities"]["total"] == 1


def test_a_decision_counts_from_the_day_it_was_decided(reporting):
    deliver(reporting, event("retaliation_inquiry_received", id="I1", entity="EO",
                             period=PERIOD, received_on="2015-06-01"),
            event("retaliation_decision_recorded", id="I1", entity="EO", period=PERIOD,
                  decision="preliminary_review", decided_on="2015-07-10",
                  previous_status="received", status="preliminary_review"))
    before = annual(reporting, dt.date(2015, 7, 9))["retaliation"]["by_outcome"]
    after = annual(reporting, AS_OF)["retaliation"]["by_outcome"]
    assert (before["awaiting_decision"], before["preliminary_reviews"]["pending"]) == (1, 0)
    assert (after["awaiting_decision"], after["preliminary_reviews"]["pending"]) == (0, 1)


def test_a_filer_enrolled_after_the_day_is_not_counted(reporting, clock):
    clock.advance(days=30)  # today is 30 August 2015
    deliver(reporting,
            event("cycle_opened", year=2015, opens_on="2015-03-01", deadline="2015-05-31",
                  programme_cost=1000.0),
            event("filers_enrolled", year=2015, filers=[filer("A", enrolled_on="2015-03-02"),
                                                        filer("B", enrolled_on="2015-07-31")]),
            event("filers_enrolled", year=2015, filers=[filer("C", enrolled_on="2015-08-02")]))
    figure = uc.participation(reporting(), uc.Participation(2015, 2015, AS_OF))
    assert figure["rows"] == [{"year": 2015, "peacekeeping": 0, "secretariat": 0, "other": 0,
                               "unclassified": 2, "total": 2, "as_of": "2015-07-31"}]
    today = uc.participation(reporting(), uc.Participation(2015, 2015))
    assert today["rows"][0]["total"] == 3 and today["rows"][0]["as_of"] == "2015-08-30"
    assert uc.participation(reporting(), uc.Participation(
        2015, 2015, dt.date(2015, 3, 1)))["rows"] == []


def test_each_step_of_a_filing_counts_from_its_own_day_until_the_cycle_closes(reporting,
                                                                             clock):
    clock.advance(days=400)
    ref = {"year": YEAR, "staff_id": "A", "entity": "DM"}
    deliver(reporting,
            event("cycle_opened", year=YEAR, opens_on="2014-03-01", deadline="2014-05-31",
                  programme_cost=1000.0),
            event("filers_enrolled", year=YEAR, filers=[filer("A", enrolled_on="2014-03-01")]),
            event("statement_filed", **ref, filed_on="2014-05-20"),
            event("review_recorded", at=dt.datetime(2014, 6, 15, tzinfo=dt.timezone.utc),
                  **ref, outcome="conflicts_found", conflicts={"other": 1}))
    fd = lambda day: uc.annex(reporting(), uc.Annex(YEAR, day))["total"]  # noqa: E731
    assert fd(dt.date(2014, 5, 19)) == {"required": 1, "filed": 0, "not_compliant": 1}
    assert fd(dt.date(2014, 5, 20)) == {"required": 1, "filed": 1, "not_compliant": 0}
    report = lambda day: annual(reporting, day)["financial_disclosure"]  # noqa: E731
    assert report(dt.date(2014, 8, 1))["conflicts"]["matters"] == 1
    deliver(reporting, event("cycle_closed", year=YEAR, closed_on="2014-07-31"))
    # a closed cycle holds all its facts from the day it closed
    assert report(dt.date(2014, 8, 1))["filed"] == 1


def test_membership_has_dates(reporting):
    deliver(reporting, *joined("UNHCR", "2014-09-01"),
            *joined("UNDP", "2013-01-01", left="2014-07-01"),
            *joined("UNICEF", "2013-01-01", left="2015-02-01"), *joined("WFP", "2015-08-15"))
    # UNHCR joined in the period, UNICEF left in it; UNDP left before it, WFP joined after it
    assert annual(reporting)["panel"]["members"] == 2
    assert annual(reporting, dt.date(2014, 8, 15))["panel"]["members"] == 1


def test_the_figures_submitted_by_the_day_are_the_ones_counted(reporting, clock):
    clock.advance(days=60)
    deliver(reporting, *joined("UNHCR"),
            submitted("UNHCR", 1, 100, at=dt.datetime(2015, 8, 20, tzinfo=dt.timezone.utc)),
            submitted("UNHCR", 2, 120, at=dt.datetime(2015, 9, 10, tzinfo=dt.timezone.utc)))
    row = lambda day: next(r for r in uc.system_wide(reporting(), uc.SystemWide(  # noqa: E731
        PERIOD, day))["rows"] if r["entity"] == "UNHCR")
    assert row(AS_OF)["source"] == "not_submitted" and row(AS_OF)["requests"] is None
    assert (row(dt.date(2015, 9, 1))["requests"], row(dt.date(2015, 9, 1))["version"]) == (100, 1)
    assert (row(None)["requests"], row(None)["version"]) == (120, 2)
    # figures loaded today, as submitted on an earlier day, count from that day
    deliver(reporting, event("annual_figures_submitted", "UNHCR", entity="UNHCR",
                             period=PERIOD, version=3, submitted_on="2015-08-25",
                             figures={"total_requests": 130}))
    assert row(dt.date(2015, 8, 31))["version"] == 3 and row(dt.date(2015, 8, 24))["version"] == 1


def test_an_as_of_day_to_come_or_before_the_period_is_refused(reporting):
    for day, words in ((TODAY + dt.timedelta(days=1), "later than today"),
                       (dt.date(2014, 7, 31), "before the period 2014-15 begins")):
        with pytest.raises(Invalid) as refused:
            annual(reporting, day)
        assert refused.value.errors[0]["loc"] == ["as_of"]
        assert words in refused.value.errors[0]["msg"]


# ---- the roll-up's rule ----

def test_the_roll_up_uses_certified_figures_and_shows_the_records_beside_them(reporting):
    deliver(reporting, *joined("UNHCR"), *joined("UNDP"), submitted("UNHCR", 1, 100),
            *[request(10 + n, "2015-02-01", entity="UNHCR") for n in range(3)],
            *[request(20 + n, "2015-02-01", entity="UNDP") for n in range(2)],
            *[request(30 + n, "2015-02-01", entity="DM") for n in range(5)],
            request(40, "2015-02-01"))
    report = uc.system_wide(reporting(), uc.SystemWide(PERIOD))
    rows = {r["entity"]: r for r in report["rows"]}
    assert sorted(rows) == ["EO", "UNDP", "UNHCR"]  # DM has records, but is no member
    unhcr = rows["UNHCR"]
    assert (unhcr["source"], unhcr["version"], unhcr["requests"]) == ("submitted", 1, 100)
    assert (unhcr["records_total"], unhcr["difference"]) == (3, 97)
    assert unhcr["records"]["requests"] == 3 and unhcr["filers"] == 9
    undp = rows["UNDP"]
    assert (undp["source"], undp["requests"], undp["records_total"]) == ("not_submitted",
                                                                          None, 2)
    assert (rows["EO"]["source"], rows["EO"]["requests"]) == ("records", 1)
    assert report["total"]["requests"] == 101 and report["total"]["not_submitted"] == 1


# ---- issued versions ----

def issue(reporting, as_of=AS_OF, kind=ReportKind.annual, key=PERIOD, **extra) -> dict:
    return uc.issue_report(reporting(), uc.IssueReport(kind, key, as_of, **extra))


def test_an_issued_version_is_frozen_and_the_live_report_says_what_moved(reporting, state,
                                                                          clock):
    deliver(reporting, request(1, "2015-01-10"), request(2, "2015-02-10"))
    first = issue(reporting, symbol="A/70/307")
    assert (first["version"], first["as_of"], first["created"]) == (1, AS_OF, True)
    issued = uc.annual_report(reporting(), uc.AnnualReport(PERIOD, version=1))
    text = frozen({k: v for k, v in issued.items() if k != "issue"})
    assert issued["issue"]["symbol"] == "A/70/307" and issued["issue"]["version"] == 1
    assert [e.type for e in state.outbox] == ["report_issued"]
    assert state.audit_log[-1]["action"] == "issue_report"

    clock.advance(days=10)
    deliver(reporting, request(3, "2015-07-20"), request(4, "2015-08-05"))
    again = uc.annual_report(reporting(), uc.AnnualReport(PERIOD, version=1))
    assert frozen({k: v for k, v in again.items() if k != "issue"}) == text
    assert again["service_requests"]["total"] == 2
    live = annual(reporting)
    assert live["service_requests"]["total"] == 3
    moved = {c["figure"]: (c["from"], c["to"]) for c in live["changes_since_issue"]["changes"]}
    assert moved["service_requests.total"] == (2, 3)
    assert live["changes_since_issue"]["version"] == 1


def test_issuing_twice_with_the_same_day_and_nothing_new_gives_the_same_version(reporting):
    deliver(reporting, request(1, "2015-01-10"))
    assert issue(reporting)["version"] == 1
    same = issue(reporting)
    assert (same["version"], same["created"]) == (1, False)
    deliver(reporting, request(2, "2015-01-11"))
    assert issue(reporting)["version"] == 2
    assert issue(reporting, as_of=dt.date(2015, 6, 30))["version"] == 3
    listed = uc.issued_versions(reporting(), uc.IssuedVersions(ReportKind.annual, PERIOD))
    assert [(v["version"], v["as_of"]) for v in listed["items"]] == [
        (1, AS_OF), (2, AS_OF), (3, dt.date(2015, 6, 30))]


def test_issuing_for_a_day_to_come_or_before_the_period_is_refused(reporting, state):
    for day in (TODAY + dt.timedelta(days=1), dt.date(2014, 7, 31)):
        with pytest.raises(Invalid) as refused:
            issue(reporting, as_of=day)
        assert refused.value.errors[0]["loc"] == ["as_of"]
    with pytest.raises(Invalid):
        issue(reporting, as_of=dt.date(2014, 2, 28), kind=ReportKind.annex, key="2014")
    assert state.outbox == []


def test_the_roll_up_and_the_annex_are_issued_too(reporting, state):
    deliver(reporting, *joined("UNHCR"), submitted("UNHCR", 1, 100))
    assert issue(reporting, kind=ReportKind.system_wide)["version"] == 1
    assert issue(reporting, kind=ReportKind.annex, key="2014")["version"] == 1
    frozen_roll_up = uc.system_wide(reporting(), uc.SystemWide(PERIOD, version=1))
    deliver(reporting, submitted("UNHCR", 2, 150))
    assert uc.system_wide(reporting(), uc.SystemWide(PERIOD, version=1)) == frozen_roll_up
    live = uc.system_wide(reporting(), uc.SystemWide(PERIOD))
    assert {c["figure"]: (c["from"], c["to"]) for c in live["changes_since_issue"]["changes"]}[
        "rows.UNHCR.requests"] == (100, 150)
    assert uc.catalogue(reporting())["years"] == []  # reporting has not heard of the issues yet
    uc.apply_events(reporting(), [(e, e.parsed()) for e in state.outbox])  # now it has
    catalogue = uc.catalogue(reporting())
    assert [(y["year"], [v["version"] for v in y["annex"]]) for y in catalogue["years"]] == [
        (2014, [1])]
    assert [(p["period"], [v["version"] for v in p["system_wide"]]) for p in
            catalogue["periods"]] == [(PERIOD, [1])]


def test_asking_for_a_version_that_is_not_there(reporting):
    with pytest.raises(NotFound):
        annual(reporting, version=3)
    with pytest.raises(Invalid) as both:
        annual(reporting, as_of=AS_OF, version=1)
    assert both.value.errors[0]["loc"] == ["as_of"]
    with pytest.raises(Invalid) as other:
        uc.annual_report(reporting(), uc.AnnualReport(PERIOD, "UNHCR", version=1))
    assert other.value.errors[0]["loc"] == ["version"]
    with pytest.raises(Forbidden):
        uc.annual_report(reporting(focal("UNHCR")), uc.AnnualReport(PERIOD, "EO", version=1))


def test_unit_cost_falls_as_the_programme_grows(reporting, clock):
    clock.advance(days=400)
    for year, filers, cost in ((2014, 4, 1000.0), (2015, 10, 1500.0)):
        deliver(reporting, event("cycle_opened", year=year, opens_on=f"{year}-03-01",
                                 deadline=f"{year}-05-31", programme_cost=cost),
                event("filers_enrolled", year=year, filers=[
                    filer(f"{year}-{i}", enrolled_on=f"{year}-03-01") for i in range(filers)]),
                event("cycle_closed", year=year, closed_on=f"{year}-07-31"))
    rows = uc.unit_cost(reporting(), uc.UnitCost())["rows"]
    assert [(r["year"], r["filers"], r["cost"], r["unit_cost"]) for r in rows] == [
        (2014, 4, 1000.0, 250.0), (2015, 10, 1500.0, 150.0)]
    assert uc.unit_cost(reporting(), uc.UnitCost(2015, 2015))["rows"][0]["year"] == 2015
    with pytest.raises(Invalid):
        uc.unit_cost(reporting(), uc.UnitCost(2016, 2015))
