"""The filing status machine, who may publish, and the counters behind compliance."""
import datetime as dt
import itertools

import pytest

from services.disclosure import domain
from shared.contracts.disclosure import (GRADES, FilerIn, FilingStatus, PublicDisclosureIn,
                                         ReviewIn)

S = FilingStatus
ALLOWED = {
    (S.invited, S.filed), (S.invited, S.exempted),
    (S.filed, S.under_review), (S.filed, S.cleared), (S.filed, S.conflicts_found),
    (S.under_review, S.cleared), (S.under_review, S.conflicts_found),
    (S.conflicts_found, S.mitigated),
}


@pytest.mark.parametrize("current,new", list(itertools.product(S, S)))
def test_every_status_move(current, new):
    assert domain.move_allowed(current.value, new.value) == ((current, new) in ALLOWED)
    problem = domain.move_problem(current.value, new.value)
    assert (problem is None) == ((current, new) in ALLOWED)
    if problem:
        assert current.value in problem and new.value in problem


def test_a_refused_move_names_the_next_steps():
    assert "filed or exempted" in domain.move_problem("invited", "cleared")
    assert domain.move_problem("exempted", "filed").endswith("cannot become filed")


@pytest.mark.parametrize("grade,status,eligible", [
    ("ASG", "filed", True), ("USG", "mitigated", True), ("USG", "cleared", True),
    ("ASG", "under_review", True), ("ASG", "conflicts_found", True),
    ("ASG", "invited", False), ("USG", "exempted", False),
    ("D-2", "filed", False), ("D-1", "cleared", False), ("P-5", "filed", False),
])
def test_public_disclosure_is_for_asg_and_above_who_have_filed(grade, status, eligible):
    assert domain.public_disclosure_eligible(grade, status) is eligible


def test_senior_officials_are_d1_and_above():
    assert [g for g in GRADES if domain.senior_official(g)] == ["D-1", "D-2", "ASG", "USG",
                                                               "DSG", "SG"]


def filer_in(**kw):
    return FilerIn(**{"staff_id": "S1", "entity": "DM", "duty_station": "New York",
                      "grade": "P-4", "designation": "procurement", **kw})


def test_grades_are_validated():
    with pytest.raises(ValueError, match="grade"):
        filer_in(grade="P-6")
    with pytest.raises(ValueError, match="grade"):
        filer_in(grade="D-3")
    assert filer_in(grade="G-7").grade == "G-7"


def test_designation_follows_the_grade_and_the_entity_must_take_part():
    assert domain.filer_problems(filer_in(), {"DM"}) == []
    assert domain.filer_problems(filer_in(grade="D-1", designation="senior_official"),
                                 {"DM"}) == []
    [wrong] = domain.filer_problems(filer_in(grade="D-2"), {"DM"})
    assert wrong["loc"] == ["designation"]
    [wrong] = domain.filer_problems(filer_in(designation="senior_official"), {"DM"})
    assert "D-1 and above" in wrong["msg"]
    [absent] = domain.filer_problems(filer_in(), {"UNHCR"})
    assert absent["loc"] == ["entity"] and "participant" in absent["msg"]


def test_review_and_public_decisions_must_be_complete():
    assert domain.review_problems(ReviewIn(outcome="cleared")) == []
    assert domain.review_problems(ReviewIn(outcome="conflicts_found"))[0]["loc"] == ["conflicts"]
    assert domain.review_problems(ReviewIn(outcome="cleared", conflicts=[
        {"type": "other", "recommendation": "divest"}]))
    summary = {"assets": "a", "liabilities": "b", "outside_interests": "c"}
    assert domain.public_decision_problems(PublicDisclosureIn(publish=True,
                                                              summary=summary)) == []
    assert domain.public_decision_problems(PublicDisclosureIn(publish=True))
    assert domain.public_decision_problems(PublicDisclosureIn(publish=False))
    assert domain.public_decision_problems(PublicDisclosureIn(
        publish=False, declined_reason="security")) == []
    assert domain.public_decision_problems(PublicDisclosureIn(
        publish=False, declined_reason="security", summary=summary))


def test_cycles_open_on_1_march_and_cover_the_previous_year():
    assert domain.cycle_opening(2014) == dt.date(2014, 3, 1)
    assert domain.disclosure_period(2014) == (dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    assert domain.cycle_problems(2014, dt.date(2014, 3, 1), dt.date(2014, 5, 31)) == []
    assert [p["loc"] for p in domain.cycle_problems(2014, dt.date(2013, 3, 1),
                                                    dt.date(2013, 2, 1))] == [["opens_on"],
                                                                              ["deadline"]]


def test_reminders_fall_due_n_days_before_the_deadline():
    deadline = dt.date(2014, 5, 31)
    assert not domain.reminder_due(deadline, 7, dt.date(2014, 5, 23))
    assert domain.reminder_due(deadline, 7, dt.date(2014, 5, 24))
    assert domain.reminder_due(deadline, 7, deadline)
    assert not domain.reminder_due(deadline, 7, dt.date(2014, 6, 1))


def doc(**kw):
    return {"staff_id": "S1", "entity": "DM", "duty_station": "New York", "grade": "ASG",
            "status": "invited", "first_time": True, **kw}


def test_counters_follow_each_change_of_a_filer():
    invited = doc()
    assert domain.tally_change(None, invited) == {"enrolled": 1, "required": 1, "first_time": 1,
                                                  "reasons.outstanding": 1}
    filed = doc(status="filed")
    assert domain.tally_change(invited, filed) == {"filed": 1, "reasons.outstanding": -1,
                                                   "public.eligible": 1}
    found = doc(status="conflicts_found", conflicts=[{"type": "financial_holding"},
                                                     {"type": "family_relationship"}])
    assert domain.tally_change(filed, found) == {
        "reviewed": 1, "conflicts.filers": 1, "conflicts.financial_holding": 1,
        "conflicts.family_relationship": 1}
    mitigated = {**found, "status": "mitigated"}
    assert domain.tally_change(found, mitigated) == {"mitigated": 1}
    published = {**mitigated, "public_disclosure": "published"}
    assert domain.tally_change(mitigated, published) == {"public.published": 1}
    assert domain.tally_change(invited, doc(status="exempted", exemption_reason="medical")) == {
        "required": -1, "exempted": 1, "reasons.medical": 1, "reasons.outstanding": -1}


def test_compliance_rows_and_cycle_figures_come_from_the_counters():
    counters = [
        {"entity": "DM", "duty_station": "New York", "enrolled": 11, "required": 10,
         "filed": 9, "first_time": 3, "reasons": {"outstanding": 1, "medical": 1},
         "exempted": 1, "conflicts": {"filers": 2, "other": 3}},
        {"entity": "DM", "duty_station": "Geneva", "enrolled": 2, "required": 2, "filed": 2,
         "reasons": {"outstanding": 0}},
        {"entity": "UNHCR", "duty_station": "Geneva", "enrolled": 5, "required": 5,
         "filed": 4, "reasons": {"outstanding": 1}, "public": {"eligible": 1, "published": 1}},
    ]
    rows, total = domain.compliance(counters, "entity", {})
    assert rows == [
        {"key": "DM", "enrolled": 13, "required": 12, "filed": 11, "not_filed": 1,
         "exempted": 1, "reasons": {"outstanding": 1, "medical": 1}},
        {"key": "UNHCR", "enrolled": 5, "required": 5, "filed": 4, "not_filed": 1,
         "exempted": 0, "reasons": {"outstanding": 1}}]
    assert total == {"key": "total", "enrolled": 18, "required": 17, "filed": 15,
                     "not_filed": 2, "exempted": 1, "reasons": {"outstanding": 2, "medical": 1}}
    by_station, _ = domain.compliance(counters, "duty_station", {})
    assert [(r["key"], r["required"]) for r in by_station] == [("Geneva", 7), ("New York", 10)]
    by_category, _ = domain.compliance(counters, "category",
                                       {"DM": "secretariat", "UNHCR": "other"})
    assert [(r["key"], r["filed"]) for r in by_category] == [("other", 4), ("secretariat", 11)]
    figures = domain.cycle_figures(counters)
    assert (figures["filers"], figures["required"], figures["first_time"]) == (18, 17, 3)
    assert figures["conflicts"] == {"filers": 2, "matters": 3, "by_type": {
        "financial_holding": 0, "outside_activity": 0, "family_relationship": 0, "other": 3}}
    assert figures["public_disclosure"] == {"eligible": 1, "published": 1, "declined": 0}


# ---- a cycle's state by its dates ----

OPENS, DEADLINE = dt.date(2016, 3, 1), dt.date(2016, 5, 31)


@pytest.mark.parametrize("today, closed, outstanding, expected", [
    (dt.date(2016, 2, 29), False, 5, "scheduled"),
    (OPENS, False, 5, "open"),
    (DEADLINE, False, 5, "open"),
    (dt.date(2016, 6, 1), False, 5, "overdue"),
    (dt.date(2016, 6, 1), False, 0, "open"),
    (dt.date(2027, 1, 1), False, 1, "overdue"),
    (dt.date(2016, 2, 1), True, 5, "closed"),
    (dt.date(2016, 6, 1), True, 5, "closed"),
])
def test_a_cycle_s_status_follows_its_dates(today, closed, outstanding, expected):
    assert domain.cycle_status(OPENS, DEADLINE, closed, today, outstanding).value == expected


def test_the_annual_cycle_is_due_from_1_march_when_the_year_has_none():
    last = domain.Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 5, 31), 1234.0)
    assert domain.annual_cycle_due(dt.date(2016, 2, 29), {2015}, last, (5, 31)) is None
    due = domain.annual_cycle_due(dt.date(2016, 3, 1), {2015}, last, (6, 30))
    assert due is not None
    assert (due.year, due.opens_on, due.deadline, due.programme_cost) == (
        2016, OPENS, dt.date(2016, 6, 30), 1234.0)
    assert domain.annual_cycle_due(dt.date(2016, 9, 1), {2015, 2016}, last, (5, 31)) is None
    assert domain.annual_cycle_due(dt.date(2016, 3, 2), set(), None, (5, 31)).programme_cost == 0
