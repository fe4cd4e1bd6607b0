"""How Panel records are stored and measured, without a database: documents round-trip, the
past-answer-date gauge reports what the repository counts, and each move records its event."""
import datetime as dt
from types import SimpleNamespace

from prometheus_client import CollectorRegistry

from services.panel.domain import ChairReview, Consultation, Meeting, Membership, ReportReview
from services.panel.gauges import PAST_ANSWER_DATE, PastAnswerDate
from services.panel.store import from_doc, to_doc
from shared.contracts.panel import MeetingKind
from shared.kernel.clock import SystemClock

D = dt.date
MEMBERS = {"EO", "UNDP"}


def test_every_record_comes_back_from_its_document_unchanged():
    consultation = Consultation.open_by_chair("c1", "Outside activities", "q", D(2014, 12, 1),
                                              ["outside-activities"], D(2014, 11, 1), MEMBERS)
    consultation.answer("UNDP", "Ours", D(2014, 11, 2), MEMBERS)
    review = ReportReview.submit("r1", "UNDP", "2013-14", "doc", None, D(2014, 9, 1), MEMBERS)
    review.comment("EO", "Noted", D(2014, 9, 2), MEMBERS)
    records = {
        "members": Membership.join(None, "UNDP", "Head", D(2014, 8, 1))[0],
        "meetings": Meeting.convene("m1", MeetingKind.formal, D(2014, 9, 10), ["a"],
                                    D(2014, 9, 1), MEMBERS),
        "consultations": consultation,
        "report_reviews": review,
        "chair_reviews": ChairReview.request("h1", "UNDP", "ref", D(2015, 1, 5), None, MEMBERS,
                                             D(2015, 7, 31)),
    }
    for collection, record in records.items():
        doc = to_doc(record)
        assert doc["entity"] in {"EO", "UNDP"} and doc["_id"]
        assert from_doc(collection, doc) == record
    assert to_doc(consultation)["respond_by"] == "2014-12-01"  # ISO strings sort as dates
    assert to_doc(records["meetings"])["period"] == "2014-15"


class FakeRepository:
    def __init__(self, count):
        self.count, self.asked = count, []

    def count_past_answer_date(self, today):
        self.asked.append(today)
        return self.count


def test_the_gauge_reports_the_count_at_each_scrape():
    repository = FakeRepository(3)
    registry = CollectorRegistry()
    uow = SimpleNamespace(consultations=repository, clock=SystemClock())
    registry.register(PastAnswerDate(lambda: uow))
    assert registry.get_sample_value(PAST_ANSWER_DATE) == 3
    repository.count = 0
    assert registry.get_sample_value(PAST_ANSWER_DATE) == 0
    assert repository.asked == [dt.date.today()] * 2


def test_the_gauge_has_no_sample_before_the_database_is_there():
    registry = CollectorRegistry()
    registry.register(PastAnswerDate(lambda: None))
    assert registry.get_sample_value(PAST_ANSWER_DATE) is None


def recorded(record) -> list[tuple[str, str]]:
    return [(e.payload.event_type, e.entity) for e in record.take_events()]


def test_each_move_records_the_event_it_causes():
    meeting = Meeting.convene("m1", MeetingKind.formal, D(2015, 3, 11), ["a"], D(2015, 3, 1),
                              MEMBERS)
    meeting.reschedule(D(2015, 3, 12))
    meeting.record(D(2015, 3, 12), ["UNDP"], ["one", "two"], "Minutes", MEMBERS, D(2015, 7, 31))
    meeting.approve(D(2015, 3, 20))
    assert recorded(meeting) == [("meeting_convened", "EO"), ("meeting_rescheduled", "EO"),
                                 ("meeting_recorded", "EO"), ("meeting_record_approved", "EO")]

    proposal = Consultation.propose("c1", "Topic", "q", D(2014, 12, 1), [], "UNDP",
                                    D(2014, 11, 1), MEMBERS)
    assert recorded(proposal) == []  # a proposal is no event until the chair accepts it
    proposal.accept(D(2014, 11, 2), MEMBERS)
    proposal.answer("UNDP", "Ours", D(2014, 11, 3), MEMBERS)
    proposal.answer("UNDP", "Amended", D(2014, 11, 4), MEMBERS)
    proposal.extend(D(2014, 12, 15))
    proposal.conclude("Agreed", "Note", D(2014, 12, 16))
    events = proposal.events
    assert recorded(proposal) == [
        ("consultation_opened", "EO"), ("position_submitted", "UNDP"),
        ("position_submitted", "UNDP"), ("consultation_extended", "EO"),
        ("consultation_concluded", "EO")]
    assert [e.payload.amended for e in events[1:3]] == [False, True]
    assert events[-1].payload.not_answered == ["EO"]

    member, _ = Membership.join(None, "UNDP", "Head", D(2014, 8, 1))
    Membership.join(member, "UNDP", "Head", D(2014, 9, 1))  # the same again: no event
    member.leave(D(2015, 1, 1))
    assert recorded(member) == [("panel_member_joined", "UNDP"), ("panel_member_left", "UNDP")]

    review = ReportReview.submit("r1", "UNDP", "2013-14", "doc", None, D(2014, 9, 1), MEMBERS)
    review.comment("EO", "Noted", D(2014, 9, 2), MEMBERS)
    review.conclude(None, D(2014, 9, 3))
    assert recorded(review) == [("report_review_submitted", "UNDP"),
                                ("report_review_concluded", "UNDP")]

    case = ChairReview.request("h1", "UNDP", "ref", D(2015, 1, 5), None, MEMBERS,
                               D(2015, 7, 31))
    case.start(D(2015, 1, 6))
    case.conclude("upheld", None, D(2015, 2, 1))
    assert recorded(case) == [("chair_review_requested", "UNDP"),
                              ("chair_review_concluded", "UNDP")]
