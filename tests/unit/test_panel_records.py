"""How Panel records are stored and measured, without a database: documents round-trip, and the
past-answer-date gauge reports what the repository counts."""
import datetime as dt

from prometheus_client import CollectorRegistry

from services.panel.domain import ChairReview, Consultation, Meeting, Membership, ReportReview
from services.panel.gauges import PAST_ANSWER_DATE, PastAnswerDate
from services.panel.store import from_doc, to_doc
from shared.contracts.panel import MeetingKind

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
    registry.register(PastAnswerDate(lambda: repository))
    assert registry.get_sample_value(PAST_ANSWER_DATE) == 3
    repository.count = 0
    assert registry.get_sample_value(PAST_ANSWER_DATE) == 0
    assert repository.asked == [dt.date.today()] * 2


def test_the_gauge_has_no_sample_before_the_database_is_there():
    registry = CollectorRegistry()
    registry.register(PastAnswerDate(lambda: None))
    assert registry.get_sample_value(PAST_ANSWER_DATE) is None
