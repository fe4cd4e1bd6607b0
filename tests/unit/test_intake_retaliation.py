"""The retaliation inquiry's moves (docs/domain.md), every allowed and forbidden one, overdue
preliminary reviews and their 45-day clock, and the case file's notes and protection measures."""
import datetime as dt
import itertools

import pytest

from services.intake.domain import (MOVES, CaseNote, Inquiry, InquiryMove, Measure, ReviewClock,
                                    is_overdue, overdue_cutoff, queue_order, review_clock,
                                    next_decisions, review_due_on)
from shared.contracts.intake import InquiryStatus as S
from shared.kernel.errors import Conflict, Invalid

RECEIVED = dt.date(2014, 9, 1)
TODAY = dt.date(2015, 7, 31)

ALLOWED = {
    (S.received, S.outside_mandate), (S.received, S.advice_only),
    (S.received, S.preliminary_review),
    (S.preliminary_review, S.withdrawn), (S.preliminary_review, S.resolved_informally),
    (S.preliminary_review, S.not_prima_facie), (S.preliminary_review, S.prima_facie_referred),
    (S.prima_facie_referred, S.retaliation_established),
    (S.prima_facie_referred, S.retaliation_not_established),
    (S.prima_facie_referred, S.resolved_informally),
}
FORBIDDEN = set(itertools.product(S, S)) - ALLOWED

# a path from `received` to each status, so a move can be tried from a real inquiry
PATH_TO = {
    S.received: [],
    S.outside_mandate: [S.outside_mandate], S.advice_only: [S.advice_only],
    S.preliminary_review: [S.preliminary_review],
    S.withdrawn: [S.preliminary_review, S.withdrawn],
    S.not_prima_facie: [S.preliminary_review, S.not_prima_facie],
    S.resolved_informally: [S.preliminary_review, S.resolved_informally],
    S.prima_facie_referred: [S.preliminary_review, S.prima_facie_referred],
    S.retaliation_established: [S.preliminary_review, S.prima_facie_referred,
                                S.retaliation_established],
    S.retaliation_not_established: [S.preliminary_review, S.prima_facie_referred,
                                    S.retaliation_not_established],
}


def inquiry_in(status: S) -> Inquiry:
    inquiry = Inquiry(received_on=RECEIVED)
    for step, decision in enumerate(PATH_TO[status], start=1):
        inquiry = inquiry.decide(decision, RECEIVED + dt.timedelta(days=step), TODAY)
    assert inquiry.status == status
    return inquiry


def test_the_table_is_exactly_api_md():
    assert {(a, b) for a, targets in MOVES.items() for b in targets} == ALLOWED


@pytest.mark.parametrize("status,decision", sorted(ALLOWED, key=str))
def test_every_allowed_move(status, decision):
    before = inquiry_in(status)
    on = RECEIVED + dt.timedelta(days=10)
    after = before.decide(decision, on, TODAY)
    assert InquiryMove.allowed(status, decision)
    assert after.status == decision
    assert after.decisions[-1] == (decision, on, status)
    assert after.decisions[:-1] == before.decisions  # every earlier decision is kept
    assert before.status == status  # the domain returns a new state


@pytest.mark.parametrize("status,decision", sorted(FORBIDDEN, key=str))
def test_every_forbidden_move_is_a_conflict(status, decision):
    before = inquiry_in(status)
    assert not InquiryMove.allowed(status, decision)
    with pytest.raises(Conflict):
        before.decide(decision, RECEIVED + dt.timedelta(days=10), TODAY)


def test_closed_statuses_allow_nothing():
    closed = set(S) - {S.received, S.preliminary_review, S.prima_facie_referred}
    assert all(not InquiryMove.from_status(s) for s in closed)


def test_a_decision_before_the_last_step_or_after_today_is_invalid():
    inquiry = Inquiry(received_on=RECEIVED)
    with pytest.raises(Invalid) as before_receipt:
        inquiry.decide(S.advice_only, RECEIVED - dt.timedelta(days=1), TODAY)
    assert before_receipt.value.errors[0]["loc"] == ["decided_on"]  # the service adds "body"
    reviewed = inquiry.decide(S.preliminary_review, dt.date(2014, 10, 1), TODAY)
    with pytest.raises(Invalid):
        reviewed.decide(S.withdrawn, dt.date(2014, 9, 30), TODAY)
    with pytest.raises(Invalid):
        reviewed.decide(S.withdrawn, TODAY + dt.timedelta(days=1), TODAY)
    assert reviewed.decide(S.withdrawn, dt.date(2014, 10, 1), TODAY).status == S.withdrawn


def test_the_period_is_that_of_receipt():
    assert Inquiry(received_on=dt.date(2015, 7, 31)).period == "2014-15"
    assert Inquiry(received_on=dt.date(2015, 8, 1)).period == "2015-16"


def test_a_review_open_more_than_45_days_is_overdue():
    opened = dt.date(2015, 1, 1)
    reviewed = Inquiry(received_on=dt.date(2014, 12, 1)).decide(S.preliminary_review, opened,
                                                                TODAY)
    assert reviewed.review_opened_on == opened
    assert not reviewed.overdue(opened + dt.timedelta(days=45))
    assert reviewed.overdue(opened + dt.timedelta(days=46))
    assert overdue_cutoff(dt.date(2015, 2, 15)) == opened  # 45 days later: not yet overdue


def test_a_closed_or_referred_review_is_not_overdue():
    reviewed = Inquiry(received_on=dt.date(2014, 12, 1)).decide(
        S.preliminary_review, dt.date(2015, 1, 1), TODAY)
    late = dt.date(2015, 6, 1)
    referred = reviewed.decide(S.prima_facie_referred, dt.date(2015, 1, 10), TODAY)
    closed = reviewed.decide(S.not_prima_facie, dt.date(2015, 1, 10), TODAY)
    assert reviewed.overdue(late) and not referred.overdue(late) and not closed.overdue(late)
    assert not is_overdue(S.received, None, late)


# ---- the preliminary review's clock ----

OPENED = dt.date(2015, 1, 1)


def test_a_review_is_due_45_days_after_it_opened():
    assert review_due_on(OPENED) == dt.date(2015, 2, 15)


@pytest.mark.parametrize("today,days_left,due_soon,overdue", [
    (dt.date(2015, 1, 1), 45, False, False),
    (dt.date(2015, 2, 4), 11, False, False),
    (dt.date(2015, 2, 5), 10, True, False),     # 10 days left: due soon
    (dt.date(2015, 2, 15), 0, True, False),     # the due day itself
    (dt.date(2015, 2, 16), -1, False, True),    # one day overdue
])
def test_the_clock_counts_the_days_left_and_says_due_soon_or_overdue(today, days_left,
                                                                    due_soon, overdue):
    clock = review_clock(S.preliminary_review, OPENED, today)
    assert clock == ReviewClock(dt.date(2015, 2, 15), days_left, due_soon, overdue)
    assert clock.overdue == is_overdue(S.preliminary_review, OPENED, today)


@pytest.mark.parametrize("status", [S.received, S.prima_facie_referred, S.not_prima_facie])
def test_no_clock_outside_an_open_preliminary_review(status):
    assert review_clock(status, OPENED, dt.date(2015, 6, 1)) == ReviewClock()


def test_the_queue_puts_overdue_then_due_soon_first_then_the_newest():
    today = dt.date(2015, 3, 1)

    def review(id, opened):
        return Inquiry(received_on=opened, id=id).decide(S.preliminary_review, opened, today)
    late = review("late", dt.date(2015, 1, 1))            # 14 days overdue
    soon = review("soon", dt.date(2015, 1, 20))           # 5 days left
    fresh = review("fresh", dt.date(2015, 2, 25))         # 41 days left
    old, new = (Inquiry(received_on=dt.date(2014, d, 1), id=i) for i, d in (("old", 9),
                                                                            ("new", 11)))
    order = queue_order([fresh, old, soon, new, late], today)
    assert [i.id for i in order] == ["late", "soon", "fresh", "new", "old"]


# ---- the case file ----

def test_a_note_is_dated_written_by_someone_and_needs_its_text():
    inquiry = Inquiry(received_on=RECEIVED, id="I1")
    noted = inquiry.add_note("  Called the complainant back  ", RECEIVED, "eo officer", TODAY)
    assert noted.notes == (CaseNote("Called the complainant back", RECEIVED, "eo officer"),)
    assert inquiry.notes == ()
    assert [e.payload.noted_on for e in noted.events] == [RECEIVED]
    with pytest.raises(Invalid) as empty:
        inquiry.add_note("   ", RECEIVED, "eo officer", TODAY)
    assert empty.value.errors == [{"loc": ["text"], "msg": "a note needs its text"}]


def test_a_note_or_a_measure_is_not_dated_before_receipt_nor_after_today():
    inquiry = Inquiry(received_on=RECEIVED)
    early = RECEIVED - dt.timedelta(days=1)
    with pytest.raises(Invalid) as note:
        inquiry.add_note("Early", early, "eo", TODAY)
    assert note.value.errors[0]["loc"] == ["noted_on"]
    with pytest.raises(Invalid) as measure:
        inquiry.protect("Temporary reassignment", early, TODAY)
    assert measure.value.errors[0] == {
        "loc": ["decided_on"], "msg": "is before the inquiry was received (2014-09-01)"}
    with pytest.raises(Invalid):
        inquiry.protect("Temporary reassignment", TODAY + dt.timedelta(days=1), TODAY)


def test_measures_are_kept_in_order_until_the_inquiry_closes():
    reviewed = inquiry_in(S.preliminary_review)
    first = reviewed.protect("Temporary reassignment", dt.date(2014, 9, 5), TODAY)
    both = first.protect("Suspension of the transfer", dt.date(2014, 9, 6), TODAY)
    assert both.measures == (Measure("Temporary reassignment", dt.date(2014, 9, 5)),
                             Measure("Suspension of the transfer", dt.date(2014, 9, 6)))
    with pytest.raises(Invalid):
        reviewed.protect(" ", dt.date(2014, 9, 5), TODAY)
    closed = both.decide(S.withdrawn, dt.date(2014, 9, 10), TODAY)
    assert closed.closed and closed.measures == both.measures
    with pytest.raises(Conflict):
        closed.protect("Too late", dt.date(2014, 9, 11), TODAY)
    assert closed.add_note("Closed on request", dt.date(2014, 9, 11), "eo", TODAY).notes


def test_the_next_decisions_follow_the_table_in_the_statuses_order():
    assert next_decisions(S.received) == [S.outside_mandate, S.advice_only,
                                          S.preliminary_review]
    assert next_decisions(S.withdrawn) == []
