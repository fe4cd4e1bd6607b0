"""Annual figures through the HTTP API: versions, consistency checks naming the field, periods
that have not started, entity scoping, and the submissions counter."""
import datetime as dt

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from shared.contracts.common import period_of

pytestmark = pytest.mark.integration

FIGURES = {
    "total_requests": 120,
    "requests_by_category": {"advice": 70, "financial_disclosure": 20, "training": 30},
    "advice_by_topic": {"outside_activities": 40, "employment": 30},
    "requests_by_source": {"headquarters": 100, "other_entities": 20},
    "retaliation": {"inquiries": 4, "preliminary_reviews": 2, "prima_facie": 1},
    "disclosure": {"filers": 300, "filed": 299},
    "activities": {"total": 9, "participants": 410},
}


@pytest.fixture
def entity(api, unique_code):
    code = unique_code("AF")
    api.put(f"/entities/{code}", {"name": "A member ethics office", "category": "other"})
    return code


def submissions(stack, entity) -> float:
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port('intake')}/metrics",
                        timeout=5).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "epun_annual_figures_submitted_total"
               and s.labels.get("entity") == entity)


def test_each_put_is_a_new_version_and_old_ones_are_kept(stack, api, entity):
    path = f"/annual-figures/{entity}/2013-14"
    first = api.call("PUT", path, json=FIGURES)
    assert first.status_code == 201 and first.json() == {"version": 1}
    revised = {**FIGURES, "activities": {"total": 10, "participants": 420}}
    assert api.call("PUT", path, json=revised).json() == {"version": 2}
    same = api.call("PUT", path, json=revised)
    assert same.status_code == 200 and same.json() == {"version": 2}
    latest = api.get(path)
    assert latest["version"] == 2 and latest["figures"]["activities"]["total"] == 10
    assert latest["figures"]["requests_by_category"] == FIGURES["requests_by_category"]
    versions = api.get(f"{path}/versions")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["figures"]["activities"]["total"] == 9
    assert submissions(stack, entity) == 2
    assert api.call("GET", f"/annual-figures/{entity}/2012-13").status_code == 404


@pytest.mark.parametrize("changes,loc", [
    ({"total_requests": 121}, ["body", "requests_by_category"]),
    ({"advice_by_topic": {"outside_activities": 41, "employment": 30}},
     ["body", "advice_by_topic"]),
    ({"requests_by_source": {"headquarters": 100}}, ["body", "requests_by_source"]),
    ({"disclosure": {"filers": 300, "filed": 301}}, ["body", "disclosure", "filed"]),
    ({"retaliation": {"inquiries": 4, "preliminary_reviews": 2, "prima_facie": 3}},
     ["body", "retaliation", "prima_facie"]),
    ({"retaliation": {"inquiries": 1, "preliminary_reviews": 2, "prima_facie": 1}},
     ["body", "retaliation", "preliminary_reviews"]),
    ({"activities": {"total": -1, "participants": 0}}, ["body", "activities", "total"]),
    ({"requests_by_category": {"gossip": 1}}, ["body", "requests_by_category", "gossip", "[key]"]),
])
def test_figures_that_do_not_add_up_are_a_422_naming_the_field(stack, api, entity, changes, loc):
    answer = api.call("PUT", f"/annual-figures/{entity}/2013-14", json={**FIGURES, **changes})
    assert answer.status_code == 422
    assert loc in [e["loc"] for e in answer.json()["errors"]]
    assert api.call("GET", f"/annual-figures/{entity}/2013-14").status_code == 404
    assert submissions(stack, entity) == 0


def test_a_period_that_has_not_started_or_a_bad_key_is_a_422(api, entity):
    start = dt.date.today().year + (1 if dt.date.today().month >= 8 else 0)
    future = period_of(dt.date(start, 8, 1))
    for path, loc in [(f"/annual-figures/{entity}/{future}", ["path", "period"]),
                      (f"/annual-figures/{entity}/2014-16", ["path", "period"]),
                      ("/annual-figures/NOSUCHENTITY/2013-14", ["path", "entity"]),
                      ("/annual-figures/lower/2013-14", ["path", "entity"])]:
        answer = api.call("PUT", path, json=FIGURES)
        assert answer.status_code == 422, path
        assert answer.json()["errors"][0]["loc"] == loc
    current = period_of(dt.date.today())
    assert api.call("PUT", f"/annual-figures/{entity}/{current}", json=FIGURES).status_code == 201


def test_a_focal_point_submits_and_reads_its_own_figures_only(api, client_as, entity,
                                                              unique_code):
    other = unique_code("AFO")
    api.put(f"/entities/{other}", {"name": "Another office", "category": "other"})
    focal = client_as("focal_point", entity)
    assert focal.call("PUT", f"/annual-figures/{entity}/2013-14", json=FIGURES).status_code == 201
    assert focal.call("PUT", f"/annual-figures/{other}/2013-14", json=FIGURES).status_code == 403
    api.put(f"/annual-figures/{other}/2013-14", FIGURES)
    assert focal.call("GET", f"/annual-figures/{other}/2013-14").status_code == 403
    assert focal.get(f"/annual-figures/{entity}/2013-14")["version"] == 1
    auditor = client_as("auditor")
    assert auditor.get(f"/annual-figures/{other}/2013-14")["entity"] == other
    assert auditor.call("PUT", f"/annual-figures/{other}/2013-14",
                        json=FIGURES).status_code == 403
    assert [v["version"] for v in api.get(f"/annual-figures/{other}/2013-14/versions")] == [1]
