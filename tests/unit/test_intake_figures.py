"""Annual figures: every consistency rule names the field that fails."""
import datetime as dt

import pytest

from services.intake.domain import figures_changed, figures_problems, period_started
from shared.contracts.intake import AnnualFigures


def figures(**changes) -> AnnualFigures:
    data = {
        "total_requests": 100,
        "requests_by_category": {"advice": 60, "financial_disclosure": 10, "retaliation": 5,
                                 "training": 10, "outreach": 10, "standards": 5},
        "advice_by_topic": {"outside_activities": 30, "employment": 20, "other": 10},
        "requests_by_source": {"headquarters": 70, "peacekeeping_operations": 30},
        "retaliation": {"inquiries": 5, "preliminary_reviews": 3, "prima_facie": 1},
        "disclosure": {"filers": 40, "filed": 40},
        "activities": {"total": 12, "participants": 300},
    }
    data.update(changes)
    return AnnualFigures.model_validate(data)


def locs(found) -> list:
    return [p["loc"] for p in found]


def test_consistent_figures_pass():
    assert figures_problems(figures()) == []
    assert figures_problems(AnnualFigures()) == []
    assert figures_problems(figures(total_requests=None)) == []


def test_categories_must_add_up_to_the_total_when_it_is_given():
    assert locs(figures_problems(figures(total_requests=99))) == [["requests_by_category"],
                                                                  ["requests_by_source"]]
    assert figures_problems(figures(total_requests=None, requests_by_source={})) == []


def test_sources_must_add_up_to_the_total():
    found = figures_problems(figures(requests_by_source={"headquarters": 70}))
    assert locs(found) == [["requests_by_source"]]
    found = figures_problems(figures(total_requests=None,
                                     requests_by_source={"headquarters": 1}))
    assert locs(found) == [["requests_by_source"]]


def test_advice_topics_must_add_up_to_advice():
    found = figures_problems(figures(advice_by_topic={"outside_activities": 59}))
    assert locs(found) == [["advice_by_topic"]]
    assert "59" in found[0]["msg"] and "60" in found[0]["msg"]


def test_filed_cannot_exceed_filers():
    found = figures_problems(figures(disclosure={"filers": 40, "filed": 41}))
    assert locs(found) == [["disclosure", "filed"]]


@pytest.mark.parametrize("retaliation,loc", [
    ({"inquiries": 5, "preliminary_reviews": 3, "prima_facie": 4}, ["retaliation", "prima_facie"]),
    ({"inquiries": 2, "preliminary_reviews": 3, "prima_facie": 1},
     ["retaliation", "preliminary_reviews"]),
])
def test_prima_facie_within_reviews_within_inquiries(retaliation, loc):
    assert locs(figures_problems(figures(retaliation=retaliation))) == [loc]


@pytest.mark.parametrize("changes,loc", [
    ({"total_requests": -1}, ["total_requests"]),
    ({"requests_by_category": {"advice": -60}}, ["requests_by_category", "advice"]),
    ({"advice_by_topic": {"other": -1}}, ["advice_by_topic", "other"]),
    ({"requests_by_source": {"headquarters": -3}}, ["requests_by_source", "headquarters"]),
    ({"retaliation": {"inquiries": -1}}, ["retaliation", "inquiries"]),
    ({"disclosure": {"filers": -1, "filed": -2}}, ["disclosure", "filers"]),
    ({"activities": {"participants": -5}}, ["activities", "participants"]),
])
def test_no_negative_numbers(changes, loc):
    assert loc in locs(figures_problems(figures(**changes)))


def test_a_period_that_has_not_started_cannot_be_submitted():
    assert period_started("2014-15", dt.date(2014, 8, 1))
    assert not period_started("2015-16", dt.date(2015, 7, 31))


def test_the_same_figures_again_change_nothing():
    first = figures()
    assert figures_changed(None, first)
    assert not figures_changed(first.model_dump(mode="json"), figures())
    assert figures_changed(first.model_dump(mode="json"), figures(total_requests=None))
