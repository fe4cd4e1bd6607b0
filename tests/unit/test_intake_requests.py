"""Service requests, activities and batches: the rules of the intake domain, without a database."""
import datetime as dt

import pytest
from pydantic import ValidationError

from services.intake.domain import activity_problems, entity_problems, request_problems
from shared.kernel.batch import SortedRows, sort_rows
from shared.kernel.pagination import PAGE_MAX, page_size
from shared.contracts.common import Actor, Role, period_of
from shared.contracts.intake import ActivityIn, ListQuery, ServiceRequestIn

TODAY = dt.date(2015, 7, 31)
EO_OFFICER = Actor(role=Role.ethics_office, label="eo")
UNDP_FOCAL = Actor(role=Role.focal_point, entity="UNDP", label="undp")
DIRECTORY = {"EO", "UNDP"}


def request(**changes) -> dict:
    return {"entity": "EO", "received_on": "2014-09-01", "category": "advice",
            "advice_topic": "outside_activities", "source": "headquarters", **changes}


def problems_of(data) -> list:
    return request_problems(ServiceRequestIn.model_validate(data), TODAY)


def test_a_good_request_has_no_problem():
    assert problems_of(request()) == []
    assert problems_of(request(category="training", advice_topic=None)) == []


def test_advice_needs_a_topic_and_only_advice_has_one():
    assert problems_of(request(advice_topic=None))[0]["loc"] == ["advice_topic"]
    assert problems_of(request(category="outreach"))[0]["loc"] == ["advice_topic"]


def test_a_request_received_after_today_is_refused():
    assert problems_of(request(received_on="2015-08-01"))[0]["loc"] == ["received_on"]
    assert problems_of(request(received_on="2015-07-31")) == []


@pytest.mark.parametrize("day,period", [
    (dt.date(2014, 8, 1), "2014-15"), (dt.date(2015, 7, 31), "2014-15"),
    (dt.date(2014, 7, 31), "2013-14"), (dt.date(2015, 8, 1), "2015-16"),
    (dt.date(1999, 12, 31), "1999-00")])
def test_the_period_runs_from_1_august_to_31_july(day, period):
    assert period_of(day) == period


@pytest.mark.parametrize("field,value", [
    ("category", "gossip"), ("advice_topic", "weather"), ("source", "moon"),
    ("received_on", "2014-13-01"), ("entity", "eo"), ("colour", "red")])
def test_unknown_values_are_refused_by_the_contract(field, value):
    with pytest.raises(ValidationError) as caught:
        ServiceRequestIn.model_validate(request(**{field: value}))
    assert caught.value.errors()[0]["loc"][0] == field


def test_an_entity_must_exist_and_a_focal_point_records_only_for_its_own():
    known = DIRECTORY.__contains__
    assert entity_problems("EO", known, EO_OFFICER) == []
    assert entity_problems("NOPE", known, EO_OFFICER)[0]["msg"] == "no entity NOPE in the directory"
    assert entity_problems("UNDP", known, UNDP_FOCAL) == []
    assert "UNDP only" in entity_problems("EO", known, UNDP_FOCAL)[0]["msg"]


def test_a_batch_keeps_good_rows_and_reports_each_bad_row_with_its_reasons():
    def check(record):
        return entity_problems(record.entity, DIRECTORY.__contains__, EO_OFFICER) or \
            request_problems(record, TODAY)
    items = [request(), request(received_on="2014-02-30"), None, request(advice_topic=None),
             request(entity="NOPE"), "not a row", request(category="standards", advice_topic=None)]
    rows = sort_rows(items, ServiceRequestIn, check, first_row=11)
    assert [row for row, _ in rows.accepted] == [11, 17]
    assert [r["row"] for r in rows.rejected] == [12, 14, 15, 16]  # 13 was rejected upstream
    assert rows.rejected[0]["errors"][0]["loc"] == ["received_on"]
    assert rows.rejected[1]["errors"] == [{"loc": ["advice_topic"],
                                           "msg": "an advice request needs an advice_topic"}]
    assert rows.rejected[2]["errors"][0]["loc"] == ["entity"]


def test_sorting_in_passes_numbers_rows_over_the_whole_batch():
    rows = SortedRows()
    sort_rows([request()], ServiceRequestIn, lambda r: [], first_row=1, into=rows)
    sort_rows([request(category="x")], ServiceRequestIn, lambda r: [], first_row=2, into=rows)
    assert [r for r, _ in rows.accepted] == [1] and rows.rejected[0]["row"] == 2


def test_activities_count_participants_and_are_not_in_the_future():
    activity = ActivityIn(entity="EO", held_on="2015-03-02", kind="outreach_visit",
                          participants=120)
    assert activity_problems(activity, TODAY) == []
    late = activity.model_copy(update={"held_on": dt.date(2015, 8, 2)})
    assert activity_problems(late, TODAY)[0]["loc"] == ["held_on"]
    with pytest.raises(ValidationError):
        ActivityIn(entity="EO", held_on="2015-03-02", kind="outreach_visit", participants=-1)
    with pytest.raises(ValidationError):
        ActivityIn(entity="EO", held_on="2015-03-02", kind="picnic", participants=1)


def test_lists_page_100_by_default_and_at_most_1000():
    assert ListQuery().limit == 100
    assert page_size(5000) == PAGE_MAX == 1000 and page_size(7) == 7
    with pytest.raises(ValidationError):
        ListQuery(limit=0)
    with pytest.raises(ValidationError):
        ListQuery(cursor="not-a-cursor")
    with pytest.raises(ValidationError):
        ListQuery(period="2014-16")
