"""Service requests and activities through the HTTP API: single and batch entry, CSV, bad rows,
idempotent replays, entity scoping and paging."""
import datetime as dt
import uuid

import pytest

from epun.client import rows_to_csv

pytestmark = pytest.mark.integration

COLUMNS = ["entity", "received_on", "category", "advice_topic", "source"]


@pytest.fixture
def entity(api, unique_code):
    code = unique_code("SR")
    api.put(f"/entities/{code}", {"name": "An ethics office", "category": "other"})
    return code


def request(code, **changes) -> dict:
    return {"entity": code, "received_on": "2014-09-01", "category": "advice",
            "advice_topic": "outside_activities", "source": "headquarters", **changes}


def listed(client, path, **params) -> list:
    """Every item of a list, page after page."""
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def post_csv(client, text: str, **headers):
    return client.call("POST", "/service-requests/batch", data=text.encode(),
                       headers={"Content-Type": "text/csv", **headers})


def test_a_request_is_logged_with_the_period_of_its_date(api, entity):
    created = api.call("POST", "/service-requests", json=request(entity, received_on="2015-07-31"))
    assert created.status_code == 201
    stored = api.get(f"/service-requests/{created.json()['id']}")
    assert stored == {"id": created.json()["id"], "period": "2014-15",
                      **request(entity, received_on="2015-07-31")}
    august = api.post("/service-requests", request(entity, received_on="2015-08-01"))
    assert api.get(f"/service-requests/{august['id']}")["period"] == "2015-16"


@pytest.mark.parametrize("changes,loc", [
    ({"advice_topic": None}, ["body", "advice_topic"]),
    ({"category": "outreach"}, ["body", "advice_topic"]),
    ({"entity": "NOSUCHENTITY"}, ["body", "entity"]),
    ({"received_on": "2014-02-30"}, ["body", "received_on"]),
    ({"received_on": "2999-01-01"}, ["body", "received_on"]),
    ({"category": "gossip"}, ["body", "category"]),
])
def test_a_bad_single_request_is_a_422_naming_the_field(api, entity, changes, loc):
    answer = api.call("POST", "/service-requests", json=request(entity, **changes))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == loc
    assert listed(api, "/service-requests", entity=entity) == []


def test_a_csv_batch_keeps_the_good_rows_and_reports_every_bad_one(api, entity):
    good = [request(entity), request(entity, category="training", advice_topic=""),
            request(entity, received_on="2015-03-01", source="peacekeeping_operations")]
    bad = [request(entity, received_on="2015-02-30"), request(entity, category="gossip"),
           request(entity, advice_topic=""), request(entity, entity="NOSUCHENTITY")]
    text = rows_to_csv(good + bad, COLUMNS) + f"{entity},2014-09-01,advice\n"
    answer = post_csv(api, text)
    assert answer.status_code == 200
    body = answer.json()
    assert body["accepted"] == 3
    assert [r["row"] for r in body["rejected"]] == [4, 5, 6, 7, 8]
    assert [r["errors"][0]["loc"] for r in body["rejected"]] == [
        ["received_on"], ["category"], ["advice_topic"], ["entity"], []]
    assert "expected 5 columns, found 3" in body["rejected"][4]["errors"][0]["msg"]
    stored = listed(api, "/service-requests", entity=entity)
    assert sorted((r["category"], r["received_on"]) for r in stored) == [
        ("advice", "2014-09-01"), ("advice", "2015-03-01"), ("training", "2014-09-01")]


def test_malformed_empty_and_oversized_batches_store_nothing(stack, api, entity):
    assert post_csv(api, "").status_code == 400
    assert post_csv(api, ",".join(COLUMNS) + "\n").status_code == 400
    assert api.call("POST", "/service-requests/batch", data=b'{"items": [',
                    headers={"Content-Type": "application/json"}).status_code == 400
    assert api.call("POST", "/service-requests/batch", json={"rows": []}).status_code == 400
    row = f"{entity},2014-09-01,advice,other,headquarters\n"
    huge = ",".join(COLUMNS) + "\n" + row * (20 * 2**20 // len(row) + 1)
    too_big = post_csv(api, huge)
    assert too_big.status_code == 413
    assert too_big.headers["Content-Type"] == "application/problem+json"
    too_many = post_csv(api, ",".join(COLUMNS) + "\n" + row * 10_001)
    assert too_many.status_code == 413
    assert listed(api, "/service-requests", entity=entity) == []


def test_an_idempotency_key_replay_stores_once(api, entity):
    items = {"items": [request(entity), request(entity, received_on="2014-10-01")]}
    key = {"Idempotency-Key": f"batch-{uuid.uuid4()}"}
    first = api.call("POST", "/service-requests/batch", json=items, headers=key)
    again = api.call("POST", "/service-requests/batch", json=items, headers=key)
    assert first.json() == again.json() == {"accepted": 2, "rejected": []}
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(listed(api, "/service-requests", entity=entity)) == 2
    other = api.call("POST", "/service-requests/batch", json={"items": items["items"][:1]},
                     headers=key)
    assert other.status_code == 409
    assert len(listed(api, "/service-requests", entity=entity)) == 2


def test_a_focal_point_reads_and_writes_its_own_entity_only(api, client_as, unique_code):
    mine, theirs = unique_code("FPA"), unique_code("FPB")
    for code in (mine, theirs):
        api.put(f"/entities/{code}", {"name": code, "category": "other"})
    focal = client_as("focal_point", mine)
    own = focal.call("POST", "/service-requests", json=request(mine))
    assert own.status_code == 201
    assert focal.call("POST", "/service-requests", json=request(theirs)).status_code == 403
    batch = focal.post("/service-requests/batch",
                       {"items": [request(mine), request(theirs)]})
    assert batch["accepted"] == 1 and batch["rejected"][0]["row"] == 2
    assert batch["rejected"][0]["errors"][0]["loc"] == ["entity"]
    assert focal.call("POST", "/activities", json={
        "entity": theirs, "held_on": "2015-01-05", "kind": "training_session",
        "participants": 3}).status_code == 403
    theirs_id = api.post("/service-requests", request(theirs))["id"]

    assert focal.call("GET", "/service-requests", params={"entity": theirs}).status_code == 403
    assert focal.call("GET", f"/service-requests/{theirs_id}").status_code == 404
    assert focal.call("GET", "/activities", params={"entity": theirs}).status_code == 403
    seen = listed(focal, "/service-requests")
    assert {r["entity"] for r in seen} == {mine} and len(seen) == 2
    assert len(listed(api, "/service-requests", entity=theirs)) == 1
    auditor = client_as("auditor")
    assert len(listed(auditor, "/service-requests", entity=mine)) == 2
    assert auditor.call("POST", "/service-requests", json=request(mine)).status_code == 403


def test_lists_page_with_limit_and_cursor_and_filter(api, entity):
    api.post("/service-requests/batch", {"items": [
        request(entity, received_on=f"2014-09-0{d}") for d in range(1, 6)]
        + [request(entity, received_on="2013-09-01", category="outreach", advice_topic=None)]})
    first = api.get("/service-requests", params={"entity": entity, "limit": 4})
    second = api.get("/service-requests", params={"entity": entity, "limit": 4,
                                                  "cursor": first["next_cursor"]})
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    in_period = listed(api, "/service-requests", entity=entity, period="2014-15")
    assert len(in_period) == 5
    outreach = listed(api, "/service-requests", entity=entity, category="outreach")
    assert [r["period"] for r in outreach] == ["2013-14"]
    for params, loc in [({"limit": 0}, ["query", "limit"]), ({"cursor": "x"}, ["query", "cursor"]),
                        ({"period": "2014-16"}, ["query", "period"]),
                        ({"category": "gossip"}, ["query", "category"])]:
        answer = api.call("GET", "/service-requests", params=params)
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == loc


def test_activities_are_recorded_with_participants(api, entity):
    visit = {"entity": entity, "held_on": "2015-03-02", "kind": "outreach_visit",
             "participants": 120}
    created = api.call("POST", "/activities", json=visit)
    assert created.status_code == 201
    batch = api.post("/activities/batch", {"items": [
        {**visit, "kind": "senior_briefing", "participants": 2},
        {**visit, "participants": -1}, {**visit, "kind": "picnic"},
        {**visit, "held_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()}]})
    assert batch["accepted"] == 1
    assert [r["errors"][0]["loc"] for r in batch["rejected"]] == [
        ["participants"], ["kind"], ["held_on"]]
    stored = listed(api, "/activities", entity=entity)
    assert sorted((a["kind"], a["participants"], a["period"]) for a in stored) == [
        ("outreach_visit", 120, "2014-15"), ("senior_briefing", 2, "2014-15")]
    assert [a["kind"] for a in listed(api, "/activities", entity=entity,
                                      kind="senior_briefing")] == ["senior_briefing"]


def test_the_openapi_document_describes_the_intake_routes(api):
    doc = api.get("/openapi.json")
    batch = doc["paths"]["/api/v1/service-requests/batch"]["post"]
    assert set(batch["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert "Idempotency-Key" in {p["name"] for p in batch["parameters"]}
    figures = doc["paths"]["/api/v1/annual-figures/{entity}/{period}"]
    assert {"put", "get"} <= set(figures)
    schemas = doc["components"]["schemas"]
    assert {"ServiceRequestIn", "AnnualFigures", "RetaliationInquiry",
            "InquiryPage"} <= set(schemas)
    assert set(schemas["InquiryIn"]["properties"]) == {"entity", "received_on"}
