"""Reviews of members' annual reports and the chair's reviews, without broker or database."""
import datetime as dt

import pytest

from services.panel.domain import (CHAIR_REVIEW_MOVES, REPORT_REVIEW_MOVES, REVIEW_DAYS,
                                   ChairReview, ReportReview)
from shared.contracts.panel import ChairReviewOutcome, ChairReviewStatus, ReportReviewStatus
from shared.kernel.errors import Conflict, Forbidden, Invalid

D = dt.date
MEMBERS = {"EO", "UNDP", "UNFPA"}
TODAY = D(2015, 7, 31)

# ---- report reviews ----


def submitted() -> ReportReview:
    return ReportReview.submit("r1", "UNFPA", "2013-14", "DP/FPA/2014/x", 3, D(2014, 9, 15),
                               MEMBERS)


def report_in(status: ReportReviewStatus) -> ReportReview:
    r = submitted()
    if status is not ReportReviewStatus.submitted:
        r.comment("EO", "Clear figures", D(2014, 10, 1), MEMBERS)
    if status is ReportReviewStatus.concluded:
        r.conclude("Reviewed", D(2014, 10, 8))
    return r


REPORT_MOVES = {
    "comment": lambda r: r.comment("UNDP", "A comment", D(2014, 10, 2), MEMBERS),
    "conclude": lambda r: r.conclude(None, D(2014, 10, 9)),
}


def test_the_report_review_table_names_every_state():
    assert set(REPORT_REVIEW_MOVES) == set(ReportReviewStatus)
    assert {m for row in REPORT_REVIEW_MOVES.values() for m in row} == set(REPORT_MOVES)


@pytest.mark.parametrize("status,move", [(s, m) for s in ReportReviewStatus
                                         for m in REPORT_MOVES])
def test_every_report_review_move_from_every_state(status, move):
    review = report_in(status)
    allowed = REPORT_REVIEW_MOVES[status]
    if move in allowed:
        REPORT_MOVES[move](review)
        assert review.status is allowed[move]
    else:
        before = repr(review)
        with pytest.raises(Conflict):
            REPORT_MOVES[move](review)
        assert repr(review) == before


def test_only_members_submit_and_comment():
    with pytest.raises(Forbidden):
        ReportReview.submit("r", "UNRWA", "2013-14", "doc", None, D(2014, 9, 1), MEMBERS)
    with pytest.raises(Forbidden):
        submitted().comment("UNRWA", "Outsider", D(2014, 10, 1), MEMBERS)


def test_the_chairs_office_comments_even_when_not_listed_as_member():
    review = submitted()
    review.comment("EO", "From the chair", D(2014, 10, 1), {"UNFPA"})
    assert review.comments[0].by == "EO" and review.status is ReportReviewStatus.commented


def test_a_report_does_not_cover_a_period_that_has_not_begun():
    with pytest.raises(Invalid) as refused:
        ReportReview.submit("r", "UNDP", "2015-16", "doc", None, D(2015, 7, 31), MEMBERS)
    assert refused.value.errors[0]["loc"] == ["period"]


def test_the_conclusion_is_not_before_the_last_comment():
    review = report_in(ReportReviewStatus.commented)
    with pytest.raises(Invalid):
        review.conclude(None, D(2014, 9, 30))
    assert review.status is ReportReviewStatus.commented


# ---- chair reviews ----

def requested(notified=None) -> ChairReview:
    return ChairReview.request("cr1", "UNDP", "UNDP/PAR/2015/3", D(2015, 3, 2), notified,
                               MEMBERS, TODAY)


def chair_review_in(status: ChairReviewStatus) -> ChairReview:
    r = requested()
    if status is not ChairReviewStatus.requested:
        r.start(D(2015, 3, 5))
    if status is ChairReviewStatus.concluded:
        r.conclude(ChairReviewOutcome.upheld, None, D(2015, 4, 1))
    return r


CHAIR_MOVES = {
    "start": lambda r: r.start(D(2015, 3, 6)),
    "conclude": lambda r: r.conclude(ChairReviewOutcome.different_determination,
                                     "The protected activity was a contributing factor",
                                     D(2015, 4, 10)),
}


def test_the_chair_review_table_names_every_state():
    assert set(CHAIR_REVIEW_MOVES) == set(ChairReviewStatus)
    assert {m for row in CHAIR_REVIEW_MOVES.values() for m in row} == set(CHAIR_MOVES)


@pytest.mark.parametrize("status,move", [(s, m) for s in ChairReviewStatus for m in CHAIR_MOVES])
def test_every_chair_review_move_from_every_state(status, move):
    review = chair_review_in(status)
    allowed = CHAIR_REVIEW_MOVES[status]
    if move in allowed:
        CHAIR_MOVES[move](review)
        assert review.status is allowed[move]
    else:
        before = repr(review)
        with pytest.raises(Conflict):
            CHAIR_MOVES[move](review)
        assert repr(review) == before


def test_the_review_is_due_45_days_after_the_request():
    review = requested()
    assert REVIEW_DAYS == 45 and review.due_on == D(2015, 4, 16)
    assert not review.overdue(D(2015, 4, 16)) and review.overdue(D(2015, 4, 17))
    review.start(D(2015, 3, 5))
    review.conclude(ChairReviewOutcome.upheld, None, D(2015, 4, 20))
    assert not review.overdue(D(2015, 5, 1)) and review.concluded_in_time is False


def test_a_request_made_within_30_days_of_the_notification_is_in_time():
    assert requested(notified=D(2015, 1, 31)).requested_in_time is True
    assert requested(notified=D(2015, 1, 30)).requested_in_time is False
    assert requested().requested_in_time is None


def test_a_different_determination_needs_its_reasons():
    review = chair_review_in(ChairReviewStatus.under_review)
    with pytest.raises(Invalid) as refused:
        review.conclude(ChairReviewOutcome.different_determination, None, D(2015, 4, 1))
    assert refused.value.errors[0]["loc"] == ["reasons"]
    assert review.status is ChairReviewStatus.under_review


def test_the_chair_reviews_determinations_of_member_offices_only():
    with pytest.raises(Invalid) as refused:
        ChairReview.request("c", "UNRWA", "ref", D(2015, 3, 2), None, MEMBERS, TODAY)
    assert refused.value.errors[0]["loc"] == ["entity"]
    with pytest.raises(Invalid):
        ChairReview.request("c", "UNDP", "ref", D(2015, 8, 1), None, MEMBERS, TODAY)
    with pytest.raises(Invalid):
        ChairReview.request("c", "UNDP", "ref", D(2015, 3, 2), D(2015, 3, 3), MEMBERS, TODAY)


def test_the_period_is_the_one_the_request_was_made_in():
    assert requested().period == "2014-15"
