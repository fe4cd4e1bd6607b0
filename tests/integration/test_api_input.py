"""Strict input through the HTTP API: what a body cannot be (nested too deep, too big, of the
wrong media type, a boolean or a float where an integer belongs, past a sane bound) is a 4xx
problem+json that changes nothing, and every path under /api/v1 answers problem+json."""
import http.client
import json

import pytest
import requests

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture
def entity(api, unique_code):
    code = unique_code("HI")
    api.put(f"/entities/{code}", {"name": "An ethics office", "category": "other"})
    return code


def activity(code, **changes) -> dict:
    return {"entity": code, "held_on": "2014-09-01", "kind": "training_session",
            "participants": 12, **changes}


def counts(api, code) -> dict:
    """How many records of `code` the API lists, by kind."""
    return {path: len(api.every(path, entity=code))
            for path in ("/activities", "/service-requests", "/retaliation-inquiries")}


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    return problem


def test_an_activity_of_valid_values_is_recorded(api, entity):
    """The baseline the refusals below are measured against: the same body, valid, is kept."""
    before = counts(api, entity)
    assert api.call("POST", "/activities", json=activity(entity)).status_code == 201
    assert counts(api, entity)["/activities"] == before["/activities"] + 1


@pytest.mark.parametrize("participants", [False, True, 12.0, 9999999999.0, 9999999999, -1,
                                          "12", None])
def test_participants_must_be_a_whole_number_within_bounds(api, entity, participants):
    before = counts(api, entity)
    problem = refused(api.call("POST", "/activities",
                               json=activity(entity, participants=participants)), 422)
    assert [e["loc"] for e in problem["errors"]] == [["body", "participants"]]
    assert counts(api, entity) == before


def test_a_float_or_a_boolean_in_a_batch_row_rejects_that_row_only(api, entity):
    before = counts(api, entity)
    answer = api.post("/activities/batch", {"items": [
        activity(entity, participants=9999999999.0), activity(entity),
        activity(entity, participants=False), activity(entity, participants=10_000_001)]})
    assert answer["accepted"] == 1
    assert [(r["row"], r["errors"][0]["loc"]) for r in answer["rejected"]] == [
        (1, ["participants"]), (3, ["participants"]), (4, ["participants"])]
    assert counts(api, entity)["/activities"] == before["/activities"] + 1


def test_a_csv_batch_still_reads_its_numbers_from_text(api, entity):
    csv = ("entity,held_on,kind,participants\n"
           f"{entity},2014-09-01,outreach_visit,40\n{entity},2014-09-02,outreach_visit,4.5\n")
    answer = api.json("POST", "/activities/batch", data=csv.encode(),
                      headers={"Content-Type": "text/csv"})
    assert answer["accepted"] == 1 and [r["row"] for r in answer["rejected"]] == [2]


def test_a_boolean_is_not_a_count_of_the_annual_figures(api, entity):
    problem = refused(api.call("PUT", f"/annual-figures/{entity}/2014-15",
                               json={"total_requests": True}), 422)
    assert problem["errors"][0]["loc"] == ["body", "total_requests"]
    assert api.call("GET", f"/annual-figures/{entity}/2014-15").status_code == 404


def test_json_nested_thousands_deep_is_a_400_not_a_500(api, entity):
    before = counts(api, entity)
    for deep in ('{"items": ' + "[" * 5000 + "]" * 5000 + "}",
                 '{"entity": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"):
        for path in ("/activities", "/activities/batch", "/retaliation-inquiries"):
            problem = refused(api.call("POST", path, data=deep.encode(),
                                       headers={"Content-Type": "application/json"}), 400)
            assert "nests deeper" in problem["detail"]
    # brackets inside strings are text, not nesting
    text = activity(entity, entity="[" * 5000)
    refused(api.call("POST", "/activities", json=text), 422)
    assert counts(api, entity) == before


def test_a_body_over_the_size_limit_is_a_413_before_it_is_parsed(api, entity, stack):
    before = counts(api, entity)
    huge = json.dumps({"items": [activity(entity)] * 200_000}).encode()
    assert len(huge) > 16 * 2**20
    refused(api.call("POST", "/activities/batch", data=huge,
                     headers={"Content-Type": "application/json"}), 413)
    # sent in chunks, with no Content-Length: refused unread
    chunked = requests.post(f"{stack.base_url}/api/v1/activities/batch",
                            data=(huge[i:i + 2**20] for i in range(0, len(huge), 2**20)),
                            headers={"Authorization": f"Bearer {api.token}",
                                     "Content-Type": "application/json"}, timeout=120)
    refused(chunked, 411)
    assert counts(api, entity) == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "text/csv", None])
def test_a_body_of_the_wrong_media_type_is_a_415(api, entity, content_type):
    before = counts(api, entity)
    headers = {"Content-Type": content_type} if content_type else {}
    session = requests.Session()
    prepared = requests.Request("POST", f"{api.base_url}/api/v1/activities",
                                data=json.dumps(activity(entity)).encode(),
                                headers={"Authorization": f"Bearer {api.token}",
                                         **headers}).prepare()
    if content_type is None:
        prepared.headers.pop("Content-Type", None)
    problem = refused(session.send(prepared, timeout=60), 415)
    assert "application/json" in problem["detail"]
    assert counts(api, entity) == before


def test_a_batch_takes_json_or_csv_and_nothing_else(api, entity):
    before = counts(api, entity)
    refused(api.call("POST", "/activities/batch", data=b"entity,held_on\n",
                     headers={"Content-Type": "application/xml"}), 415)
    assert counts(api, entity) == before


@pytest.mark.parametrize("path", ["/no-such-route", "/activities/../../etc/passwd",
                                  "/entities/..%2F..%2Fetc%2Fpasswd", "/entities/a/b/c",
                                  "/%2e%2e/%2e%2e/openapi.json"])
def test_every_path_under_the_api_answers_problem_json(api, stack, path):
    """Sent as written (an HTTP library would remove the dot segments)."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    connection.request("GET", f"/api/v1{path}", headers={"Authorization": f"Bearer {api.token}"})
    response = connection.getresponse()
    assert response.status == 404
    assert response.getheader("Content-Type") == PROBLEM
    assert json.loads(response.read())["status"] == 404
    connection.close()


def test_a_method_a_path_does_not_take_is_a_405_naming_those_it_does(api):
    response = api.call("DELETE", "/entities")
    refused(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}


@pytest.mark.parametrize("day", ["0321-02-04", "1944-12-31", "2101-01-01"])
def test_a_day_outside_the_years_the_platform_records_is_a_422_not_a_500(api, entity, day):
    before = counts(api, entity)
    problem = refused(api.call("POST", "/retaliation-inquiries",
                               json={"entity": entity, "received_on": day}), 422)
    assert [e["loc"] for e in problem["errors"]] == [["body", "received_on"]]
    assert counts(api, entity) == before
