"""Retaliation inquiries through the HTTP API: the moves, the kept decisions, overdue reviews in
the list and in the metric, the case file's notes and protection measures."""
import datetime as dt

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration

OVERDUE = "epun_retaliation_preliminary_reviews_overdue"


@pytest.fixture
def entity(api, unique_code):
    code = unique_code("RT")
    api.put(f"/entities/{code}", {"name": "An ethics office", "category": "other"})
    return code


def overdue_gauge(stack, entity):
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port('intake')}/metrics",
                        timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == OVERDUE and sample.labels.get("entity") == entity:
                return sample.value
    return None


def receive(client, entity, on="2014-11-03") -> str:
    created = client.call("POST", "/retaliation-inquiries",
                          json={"entity": entity, "received_on": on})
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "received"
    return created.json()["id"]


def decide(client, inquiry_id, decision, on):
    return client.call("POST", f"/retaliation-inquiries/{inquiry_id}/decisions",
                       json={"decision": decision, "decided_on": on})


def test_an_inquiry_moves_as_api_md_allows_and_keeps_every_decision(api, entity):
    inquiry = receive(api, entity)
    assert decide(api, inquiry, "retaliation_established", "2014-11-04").status_code == 409
    assert decide(api, inquiry, "preliminary_review", "2014-11-10").status_code == 201
    assert decide(api, inquiry, "advice_only", "2014-11-11").status_code == 409
    assert decide(api, inquiry, "prima_facie_referred", "2014-12-01").status_code == 201
    early = decide(api, inquiry, "resolved_informally", "2014-11-30")
    assert early.status_code == 422 and early.json()["errors"][0]["loc"] == ["body", "decided_on"]
    final = decide(api, inquiry, "resolved_informally", "2015-02-01")
    assert final.status_code == 201
    assert final.json()["status"] == "resolved_informally"
    assert decide(api, inquiry, "withdrawn", "2015-02-02").status_code == 409
    stored = api.get(f"/retaliation-inquiries/{inquiry}")
    assert stored["period"] == "2014-15" and stored["received_on"] == "2014-11-03"
    assert stored["decisions"] == [
        {"decision": "preliminary_review", "decided_on": "2014-11-10",
         "previous_status": "received"},
        {"decision": "prima_facie_referred", "decided_on": "2014-12-01",
         "previous_status": "preliminary_review"},
        {"decision": "resolved_informally", "decided_on": "2015-02-01",
         "previous_status": "prima_facie_referred"}]
    assert decide(api, "0" * 24, "advice_only", "2015-01-01").status_code == 404


def test_an_inquiry_holds_no_complainant_name(api, entity):
    named = api.call("POST", "/retaliation-inquiries", json={
        "entity": entity, "received_on": "2014-11-03", "complainant": "A. Staff"})
    assert named.status_code == 422
    assert named.json()["errors"][0]["loc"] == ["body", "complainant"]
    inquiry = api.get(f"/retaliation-inquiries/{receive(api, entity)}")
    assert set(inquiry) == {"id", "entity", "period", "received_on", "status", "decisions",
                            "review_opened_on", "due_on", "days_left", "due_soon", "overdue",
                            "closed", "next_decisions", "notes", "protection_measures"}


def test_reviews_open_more_than_45_days_are_listed_and_counted_as_overdue(stack, api, entity):
    today = dt.date.today()
    late, recent, closed = (receive(api, entity, (today - dt.timedelta(days=d)).isoformat())
                            for d in (100, 10, 100))
    decide(api, late, "preliminary_review", (today - dt.timedelta(days=46)).isoformat())
    decide(api, recent, "preliminary_review", (today - dt.timedelta(days=5)).isoformat())
    decide(api, closed, "preliminary_review", (today - dt.timedelta(days=90)).isoformat())
    decide(api, closed, "not_prima_facie", (today - dt.timedelta(days=1)).isoformat())
    overdue = api.get("/retaliation-inquiries", params={"entity": entity, "overdue": "true"})
    assert [i["id"] for i in overdue["items"]] == [late]
    assert overdue["items"][0]["overdue"] is True
    not_overdue = api.get("/retaliation-inquiries", params={"entity": entity, "overdue": "false"})
    assert {i["id"] for i in not_overdue["items"]} == {recent, closed}
    assert overdue_gauge(stack, entity) == 1  # counted at each scrape
    decide(api, late, "withdrawn", today.isoformat())
    assert overdue_gauge(stack, entity) == 0
    assert api.get("/retaliation-inquiries", params={"entity": entity,
                                                    "overdue": "true"})["items"] == []


def test_a_focal_point_handles_its_own_inquiries_only(api, client_as, entity, unique_code):
    other = unique_code("RTO")
    api.put(f"/entities/{other}", {"name": "Another office", "category": "other"})
    focal = client_as("focal_point", entity)
    mine, theirs = receive(focal, entity), receive(api, other)
    assert decide(focal, mine, "advice_only", "2014-11-05").status_code == 201
    assert decide(focal, theirs, "advice_only", "2014-11-05").status_code == 404
    assert focal.call("GET", f"/retaliation-inquiries/{theirs}").status_code == 404
    assert focal.call("GET", "/retaliation-inquiries",
                      params={"entity": other}).status_code == 403
    assert [i["id"] for i in focal.get("/retaliation-inquiries")["items"]] == [mine]
    assert focal.call("POST", "/retaliation-inquiries", json={
        "entity": other, "received_on": "2014-11-03"}).status_code == 403
    assert api.get(f"/retaliation-inquiries/{theirs}")["status"] == "received"


def test_the_case_file_keeps_dated_notes_and_protection_measures(api, client_as, entity):
    today = dt.date.today()
    on = lambda days: (today - dt.timedelta(days=days)).isoformat()  # noqa: E731
    inquiry = receive(api, entity, on(40))
    reviewed = decide(api, inquiry, "preliminary_review", on(35)).json()
    assert reviewed["due_on"] == on(-10) and reviewed["days_left"] == 10
    assert reviewed["due_soon"] is True and reviewed["next_decisions"][0] == "withdrawn"
    path = f"/retaliation-inquiries/{inquiry}"
    measure = api.call("POST", path + "/protection-measures",
                       json={"measure": "Temporary reassignment", "decided_on": on(34)})
    assert measure.status_code == 201, measure.text
    note = api.call("POST", path + "/notes", json={"text": "Spoke to the manager",
                                                   "noted_on": on(33)})
    assert note.status_code == 201, note.text
    early = api.call("POST", path + "/notes", json={"text": "Early", "noted_on": on(41)})
    assert early.status_code == 422 and early.json()["errors"][0]["loc"] == ["body", "noted_on"]
    empty = api.call("POST", path + "/notes", json={"text": "  ", "noted_on": on(1)})
    assert empty.status_code == 422 and empty.json()["errors"][0]["loc"] == ["body", "text"]
    stored = api.get(path)
    assert stored["protection_measures"] == [{"measure": "Temporary reassignment",
                                              "decided_on": on(34)}]
    assert [(n["text"], n["noted_on"]) for n in stored["notes"]] == [
        ("Spoke to the manager", on(33))]
    assert stored["notes"][0]["by"]
    decide(api, inquiry, "withdrawn", on(0))
    closed = api.call("POST", path + "/protection-measures",
                      json={"measure": "Too late", "decided_on": on(0)})
    assert closed.status_code == 409
    other = client_as("focal_point", "EO")
    assert other.call("POST", path + "/notes", json={"text": "Not mine",
                                                     "noted_on": on(0)}).status_code == 404
