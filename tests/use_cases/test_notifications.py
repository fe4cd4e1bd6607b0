"""The notifications' use cases on the in-memory unit of work: who is told what, once."""
import datetime as dt

import pytest
from people import ADMIN, EO, focal

from services.notifications import use_cases as uc
from services.notifications.memory import MemoryNotificationsUnitOfWork
from shared.contracts.contacts import Contact
from shared.contracts.disclosure import (ComplianceReminderDue, CycleClosed, CycleOpened,
                                         EnrolledFiler, FilersEnrolled, ParticipantEnrolled,
                                         PublicDisclosureApproved, PublicDisclosureDecided,
                                         ReviewRecorded, StatementFiled)
from shared.contracts.intake import AnnualFigures, AnnualFiguresSubmitted
from shared.contracts.panel import (ConsultationConcluded, ConsultationOpened, MeetingCancelled,
                                    MeetingConvened, MeetingRescheduled)
from shared.kernel.clock import FixedClock
from shared.kernel.errors import Forbidden, Invalid, NotYetKnown

SETTINGS = uc.Settings(portal_url="https://epun.example.org", eo_mail="eo@un.example.org")
OPENS, DEADLINE = dt.date(2015, 3, 1), dt.date(2015, 4, 30)


@pytest.fixture
def clock():
    return FixedClock(dt.date(2015, 3, 2))


@pytest.fixture
def uow(state, clock):
    return lambda actor=ADMIN: MemoryNotificationsUnitOfWork(state, actor, clock)


def deliveries(state, kind=None):
    return [d for d in state.collection("deliveries").values() if kind in (None, d["kind"])]


def filer(staff_id, entity="UNHCR", email=None, language="en"):
    return EnrolledFiler(staff_id=staff_id, entity=entity, duty_station="Geneva", grade="P-4",
                         designation="procurement", first_time=False, email=email,
                         language=language)


def a_cycle(uow, filers):
    uc.participant_enrolled(uow(), "e1", ParticipantEnrolled(
        entity="UNHCR", cost_sharing=True, focal_points=1,
        contacts=[Contact(name="Ana Focal", email="ana@unhcr.example.org")]), SETTINGS)
    uc.filers_enrolled(uow(), "e2", FilersEnrolled(year=2015, filers=filers),
                       SETTINGS)
    return uc.cycle_opened(uow(), "e3", CycleOpened(year=2015, opens_on=OPENS,
                                                    deadline=DEADLINE, programme_cost=1.0),
                           SETTINGS)


def test_a_cycle_opening_tells_focal_points_and_filers_with_an_address_once(uow, state):
    summary = a_cycle(uow, [filer("S1", email="s1@unhcr.example.org"), filer("S2")])
    assert summary.queued == 2 and summary.skipped == 1
    assert {d["recipient"] for d in deliveries(state)} == {"ana@unhcr.example.org",
                                                            "s1@unhcr.example.org"}
    focal_notice = deliveries(state, "cycle_opened_focal")[0]
    assert "UNHCR" in focal_notice["subject"] and focal_notice["state"] == "queued"
    # the same event again queues nothing
    again = uc.cycle_opened(uow(), "e3", CycleOpened(year=2015, opens_on=OPENS,
                                                     deadline=DEADLINE, programme_cost=1.0),
                            SETTINGS)
    assert again.queued == 0 and len(deliveries(state)) == 2


def test_reminders_at_each_offset_to_non_filers_and_a_summary_to_focal_points(uow, state,
                                                                              clock):
    a_cycle(uow, [filer("S1", email="s1@x.org"), filer("S2", email="s2@x.org", language="zh"),
                  filer("S3")])
    uc.filer_changes(uow(), "e4", [("statement_filed", StatementFiled(
        year=2015, staff_id="S1", entity="UNHCR", filed_on=dt.date(2015, 3, 5)))], SETTINGS)
    sent_on = {}
    for day in (DEADLINE - dt.timedelta(days=n) for n in range(60, -1, -1)):
        clock._now = dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone.utc)
        before = len(deliveries(state, "filing_reminder"))
        uc.run_schedule(uow, SETTINGS)
        uc.run_schedule(uow, SETTINGS)  # the hourly timer runs again the same day
        if len(deliveries(state, "filing_reminder")) > before:
            sent_on[(DEADLINE - day).days] = len(deliveries(state, "filing_reminder")) - before
    assert sent_on == {14: 1, 7: 1, 1: 1}  # S2 only: S1 filed, S3 has no address
    reminder = deliveries(state, "filing_reminder")[0]
    assert reminder["language"] == "zh" and "申报" in reminder["subject"]
    summaries = deliveries(state, "compliance_summary")
    assert {d["recipient"] for d in summaries} == {"ana@unhcr.example.org", "eo@un.example.org"}
    assert len(summaries) == 6 and summaries[0]["values"]["outstanding"] == 2
    assert summaries[0]["values"]["required"] == 3 and summaries[0]["values"]["filed"] == 1


def test_no_reminder_before_the_cycle_opens_after_it_closes_and_one_overdue_notice(uow, state,
                                                                                   clock):
    a_cycle(uow, [filer("S1", email="s1@x.org")])
    clock._now = dt.datetime(2015, 2, 20, 9, tzinfo=dt.timezone.utc)
    assert uc.run_schedule(uow, SETTINGS).queued == 0
    for day in (1, 2, 3):
        clock._now = dt.datetime(2015, 5, day, 9, tzinfo=dt.timezone.utc)
        uc.run_schedule(uow, SETTINGS)
    assert not deliveries(state, "filing_reminder")
    assert len(deliveries(state, "overdue_notice")) == 2  # the focal point and the Office, once
    uc.cycle_closed(uow(), "e9", CycleClosed(year=2015, closed_on=dt.date(2015, 5, 4)), SETTINGS)
    before = len(deliveries(state))
    clock._now = dt.datetime(2015, 5, 5, 9, tzinfo=dt.timezone.utc)
    assert uc.run_schedule(uow, SETTINGS).queued == 0 and len(deliveries(state)) == before


def test_an_asked_for_reminder_follows_the_same_rules(uow, state, clock):
    a_cycle(uow, [filer("S1", email="s1@x.org")])
    ask = ComplianceReminderDue(year=2015, entity="UNHCR", deadline=DEADLINE, days_before=30,
                                non_filers=["S1"])
    clock._now = dt.datetime(2015, 3, 31, 9, tzinfo=dt.timezone.utc)
    assert uc.reminder_requested(uow(), "r1", ask, SETTINGS).queued == 3
    assert uc.reminder_requested(uow(), "r2", ask, SETTINGS).queued == 0  # same moment: once
    clock._now = dt.datetime(2026, 5, 1, 9, tzinfo=dt.timezone.utc)  # eleven years late
    uc.reminder_requested(uow(), "r3", ask, SETTINGS)
    assert len(deliveries(state, "filing_reminder")) == 1
    assert len(deliveries(state, "overdue_notice")) == 2
    ahead = ComplianceReminderDue(year=2022, entity="UNHCR", deadline=dt.date(2022, 4, 30),
                                  days_before=7, non_filers=["S1"])
    with pytest.raises(NotYetKnown):  # its opening has not arrived: it comes again later
        uc.reminder_requested(uow(), "r4", ahead, SETTINGS)


def test_a_reminder_of_one_filer_goes_to_that_filer_alone_each_time(uow, state, clock):
    a_cycle(uow, [filer("S1", email="s1@x.org"), filer("S2", email="s2@x.org")])
    ask = ComplianceReminderDue(year=2015, entity="UNHCR", deadline=DEADLINE, days_before=30,
                                non_filers=["S1"], staff_id="S1")
    clock._now = dt.datetime(2015, 4, 1, 9, tzinfo=dt.timezone.utc)
    assert uc.reminder_requested(uow(), "one-1", ask, SETTINGS).queued == 1
    assert uc.reminder_requested(uow(), "one-1", ask, SETTINGS).queued == 0  # redelivered
    assert uc.reminder_requested(uow(), "one-2", ask, SETTINGS).queued == 1  # another day's
    assert [d["recipient"] for d in deliveries(state, "filing_reminder")] == ["s1@x.org"] * 2
    assert not deliveries(state, "compliance_summary")


def test_a_reminder_naming_a_filer_not_enrolled_yet_waits_for_the_enrolment(uow, state, clock):
    a_cycle(uow, [filer("S1", email="s1@x.org")])
    ask = ComplianceReminderDue(year=2015, entity="UNHCR", deadline=DEADLINE, days_before=30,
                                non_filers=["S1", "S2"])
    clock._now = dt.datetime(2015, 3, 31, 9, tzinfo=dt.timezone.utc)
    with pytest.raises(NotYetKnown):
        uc.reminder_requested(uow(), "r1", ask, SETTINGS)
    assert not deliveries(state, "filing_reminder")
    uc.filers_enrolled(uow(), "e-s2", FilersEnrolled(year=2015, filers=[
        filer("S2", email="s2@x.org")]), SETTINGS)
    uc.reminder_requested(uow(), "r1", ask, SETTINGS)
    assert sorted(d["recipient"] for d in deliveries(state, "filing_reminder")) == [
        "s1@x.org", "s2@x.org"]


def panel(uow):
    for entity, email, language in (("UNDP", "head@undp.example.org", "en"),
                                    ("UNICEF", "head@unicef.example.org", "zh")):
        uc.member_contacts(uow(), f"m-{entity}", entity,
                           [Contact(name=f"Head {entity}", email=email, language=language)],
                           True)


def test_a_meeting_invitation_its_update_and_its_cancellation_carry_one_calendar(uow, state):
    panel(uow)
    uc.meeting_convened(uow(), "mc", MeetingConvened(
        id="M1", kind="formal", scheduled_for=dt.date(2015, 6, 1), agenda=["Budget"],
        invited=[]), SETTINGS)
    uc.meeting_changed(uow(), "mr", MeetingRescheduled(id="M1", scheduled_for=dt.date(2015, 6, 3)),
                       False, SETTINGS)
    uc.meeting_changed(uow(), "mx", MeetingCancelled(id="M1"), True, SETTINGS)
    for kind, sequence, day in (("meeting_invitation", 0, "2015-06-01"),
                                ("meeting_update", 1, "2015-06-03"),
                                ("meeting_cancelled", 2, "2015-06-03")):
        found = deliveries(state, kind)
        assert {d["recipient"] for d in found} == {"head@undp.example.org",
                                                   "head@unicef.example.org", "eo@un.example.org"}
        assert {(d["calendar"]["id"], d["calendar"]["sequence"], d["calendar"]["day"])
                for d in found} == {("M1", sequence, day)}
    assert "会议" in next(d for d in deliveries(state, "meeting_invitation")
                        if d["language"] == "zh")["subject"]


def test_a_consultation_invites_reminds_those_who_have_not_answered_and_concludes(uow, state,
                                                                                  clock):
    panel(uow)
    uc.consultation_opened(uow(), "co", ConsultationOpened(
        id="C1", topic="Gifts", respond_by=dt.date(2015, 3, 10), opened_on=dt.date(2015, 3, 2),
        period="2014-15"), SETTINGS)
    assert len(deliveries(state, "consultation_invitation")) == 2
    uc.consultation_changed(uow(), "ps", "C1", {"answered": "UNDP"})
    clock._now = dt.datetime(2015, 3, 5, 9, tzinfo=dt.timezone.utc)
    uc.run_schedule(uow, SETTINGS)
    assert not deliveries(state, "consultation_reminder")  # not yet two days before
    clock._now = dt.datetime(2015, 3, 8, 9, tzinfo=dt.timezone.utc)
    uc.run_schedule(uow, SETTINGS)
    uc.run_schedule(uow, SETTINGS)
    assert [d["recipient"] for d in deliveries(state, "consultation_reminder")] == [
        "head@unicef.example.org"]
    uc.consultation_concluded(uow(), "cc", ConsultationConcluded(
        id="C1", topic="Gifts", period="2014-15", concluded_on=dt.date(2015, 3, 11),
        answered=["UNDP"], not_answered=["UNICEF"], outcome="Guidance issued",
        guidance="Decline gifts above USD 100."), SETTINGS)
    concluded = deliveries(state, "consultation_concluded")
    assert len(concluded) == 3
    assert all(d["values"]["guidance"] == "Decline gifts above USD 100." for d in concluded)


def test_a_filer_hears_of_conflicts_and_public_disclosure_and_an_office_of_its_figures(uow,
                                                                                       state):
    a_cycle(uow, [filer("S1", email="s1@x.org")])
    uc.filer_changes(uow(), "rv", [("review_recorded", ReviewRecorded(
        year=2015, staff_id="S1", entity="UNHCR", outcome="cleared"))], SETTINGS)
    assert not deliveries(state, "review_outcome")
    uc.filer_changes(uow(), "rv2", [("review_recorded", ReviewRecorded(
        year=2015, staff_id="S1", entity="UNHCR", outcome="conflicts_found",
        conflicts={"financial_holding": 2}))], SETTINGS)
    uc.filer_changes(uow(), "pd", [("public_disclosure_decided", PublicDisclosureDecided(
        year=2015, staff_id="S1", entity="UNHCR", publish=False, declined_reason="security"))],
        SETTINGS)
    assert deliveries(state, "review_outcome")[0]["values"]["matters"] == 2
    assert deliveries(state, "public_disclosure_declined")[0]["recipient"] == "s1@x.org"
    uc.filer_changes(uow(), "pd2", [("public_disclosure_decided", PublicDisclosureDecided(
        year=2015, staff_id="S1", entity="UNHCR", publish=True))], SETTINGS)
    assert not deliveries(state, "public_disclosure_published")  # pending: not published yet
    uc.filer_changes(uow(), "pa", [("public_disclosure_approved", PublicDisclosureApproved(
        year=2015, staff_id="S1", entity="UNHCR", approved_on=dt.date(2015, 7, 1)))], SETTINGS)
    assert deliveries(state, "public_disclosure_published")[0]["recipient"] == "s1@x.org"
    panel(uow)
    uc.figures_submitted(uow(), "af", AnnualFiguresSubmitted(
        entity="UNDP", period="2014-15", version=3, figures=AnnualFigures()), SETTINGS)
    receipt = [d for d in deliveries(state, "figures_receipt")
               if d["recipient"] == "head@undp.example.org"][0]
    assert "version 3" in receipt["subject"]


def test_deliveries_page_by_cursor_for_readers_and_last_reminders_for_the_focal_point(uow, state,
                                                                                      clock):
    a_cycle(uow, [filer(f"S{n}", email=f"s{n}@x.org") for n in range(5)])
    first = uc.deliveries(uow(EO), EO, uc.DeliveryQuery(limit=4))
    second = uc.deliveries(uow(EO), EO, uc.DeliveryQuery(limit=4, cursor=first["next"]))
    assert len(first["items"]) == 4 and len(second["items"]) == 2 and second["next"] is None
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    only = uc.deliveries(uow(EO), EO, uc.DeliveryQuery(recipient="S3@x.org"))
    assert [i["recipient"] for i in only["items"]] == ["s3@x.org"]
    with pytest.raises(Forbidden):
        uc.deliveries(uow(focal("UNHCR")), focal("UNHCR"), uc.DeliveryQuery())
    with pytest.raises(Invalid):
        uc.deliveries(uow(EO), EO, uc.DeliveryQuery(kind="spam"))
    assert uc.last_reminders(uow(), focal("UNHCR"), 2015, "UNHCR")["last_reminder_on"] is None
    clock._now = dt.datetime(2015, 4, 16, 9, tzinfo=dt.timezone.utc)
    uc.run_schedule(uow, SETTINGS)
    assert uc.last_reminders(uow(), focal("UNHCR"), 2015, "UNHCR") == {
        "entity": "UNHCR", "year": 2015, "last_reminder_on": "2015-04-16"}
    with pytest.raises(Forbidden):
        uc.last_reminders(uow(), focal("UNDP"), 2015, "UNHCR")
