"""The financial disclosure programme through the HTTP API, against the running services: who
may enrol, read, file and review what; bad rows; closed cycles; compliance, reminders, the
verification sample, public disclosure and cost shares.

Each test uses fresh entities and a cycle year of its own (a past year, so statements can be
filed today, and none of the demo's). The module runs on a platform of its own: it opens more
cycles than the shared platform has past years for."""
import datetime as dt

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from ..helpers import platform_fixtures, platform_of_its_own

pytestmark = pytest.mark.integration

CANDIDATE_YEARS = [*range(2000, 2011), *range(2016, dt.date.today().year)]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with platform_of_its_own(tmp_path_factory.mktemp("disclosure")) as own:
        yield own


mongo, api, client_as = platform_fixtures("module")


def participants(api, unique_code, categories=("secretariat",), cost_sharing=True) -> list[str]:
    """Fresh entities in the directory, each enrolled in the programme."""
    codes = []
    for category in categories:
        code = unique_code("F")
        api.put(f"/entities/{code}", {"name": f"Entity {code}", "category": category})
        api.put(f"/disclosure/participants/{code}",
                {"cost_sharing": cost_sharing, "focal_points": [{"name": "A. Focal"}]})
        codes.append(code)
    return codes


def open_cycle(api, programme_cost=1000.0, deadline: str | None = None) -> int:
    """A cycle of a past year (its deadline that year's 31 May unless `deadline` says)."""
    taken = {c["year"] for c in api.get("/disclosure/cycles")}
    year = next((y for y in CANDIDATE_YEARS if y not in taken), None)
    if year is None:
        pytest.fail(f"every candidate cycle year is taken on this platform: {sorted(taken)}")
    api.post("/disclosure/cycles", {"year": year, "deadline": deadline or f"{year}-05-31",
                                    "programme_cost": programme_cost})
    return year


def ahead(days: int) -> str:
    """A deadline still ahead, for a cycle that takes reminders."""
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def filer(staff_id, entity, grade="P-4", designation="procurement", duty_station="New York"):
    return {"staff_id": staff_id, "entity": entity, "duty_station": duty_station,
            "grade": grade, "designation": designation}


def statement(marker="") -> dict:
    return {"assets": [{"description": f"shares {marker}", "value_usd": 1200.5}],
            "liabilities": [{"description": f"mortgage {marker}"}],
            "outside_interests": [{"description": f"board of a school {marker}",
                                   "role": "trustee"}],
            "relatives_in_un": [{"name": f"A. Relative {marker}", "relationship": "sibling"}],
            "certified": True}


def staff(code, n) -> list[str]:
    return [f"{code}-{i}" for i in range(1, n + 1)]


def outbox(mongo, stack, event_type, **payload) -> list[dict]:
    """The events of `event_type` whose payload has `payload`'s fields, a batch's per-filer
    changes (`filer_changes_recorded`) counted one by one."""
    events = []
    for doc in mongo[f"{stack.db_prefix}_disclosure"].outbox.find(
            {"type": {"$in": [event_type, "filer_changes_recorded"]}}):
        if doc["type"] == event_type:
            events.append(doc)
        else:
            events += [{**doc, **change} for change in doc["payload"]["changes"]
                       if change["type"] == event_type]
    return [e for e in events if all(e["payload"].get(k) == v for k, v in payload.items())]


def test_a_focal_point_enrols_and_reads_only_its_own_entitys_filers(api, client_as,
                                                                    unique_code):
    mine, theirs = participants(api, unique_code, ("secretariat", "peacekeeping"))
    year = open_cycle(api)
    focal = client_as("focal_point", mine)
    answer = focal.post(f"/disclosure/cycles/{year}/filers", {"items": [
        filer(f"{mine}-1", mine), filer(f"{theirs}-1", theirs), filer(f"{mine}-2", mine)]})
    assert answer["accepted"] == 2
    assert [(r["row"], r["status"], r["errors"][0]["loc"]) for r in answer["rejected"]] == [
        (2, 403, ["entity"])]
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(f"{theirs}-1", theirs)]})

    listed = focal.get(f"/disclosure/cycles/{year}/filers")["items"]
    assert [f["staff_id"] for f in listed] == [f"{mine}-1", f"{mine}-2"]
    assert focal.call("GET", f"/disclosure/cycles/{year}/filers",
                      params={"entity": theirs}).status_code == 403
    assert focal.call("GET", f"/disclosure/cycles/{year}/filers/{theirs}-1").status_code == 403
    assert focal.get(f"/disclosure/cycles/{year}/filers/{mine}-1")["status"] == "invited"
    non_filers = focal.get(f"/disclosure/cycles/{year}/non-filers")["items"]
    assert {f["staff_id"] for f in non_filers} == {f"{mine}-1", f"{mine}-2"}
    assert focal.call("GET", f"/disclosure/cycles/{year}/non-filers",
                      params={"entity": theirs}).status_code == 403
    everyone = api.get(f"/disclosure/cycles/{year}/filers")["items"]
    assert {f["staff_id"] for f in everyone} == {f"{mine}-1", f"{mine}-2", f"{theirs}-1"}
    paged, cursor = [], None
    while True:
        page = api.get(f"/disclosure/cycles/{year}/filers",
                       params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        paged += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == everyone and len(paged) == 3
    own_rows = focal.get(f"/disclosure/cycles/{year}/compliance")["rows"]
    assert [(r["key"], r["required"]) for r in own_rows] == [(mine, 2)]
    assert client_as("filer", staff_id="x").call(
        "POST", f"/disclosure/cycles/{year}/filers",
        json={"items": [filer("x", mine)]}).status_code == 403


def test_bad_csv_rows_are_reported_and_skipped(api, unique_code):
    entity, outsider = participants(api, unique_code)[0], unique_code("NP")
    year = open_cycle(api)
    csv = "\n".join([
        "staff_id,entity,duty_station,grade,designation",
        f"{entity}-1,{entity},Geneva,P-4,procurement",          # 1 good
        f"{entity}-2,{entity},Geneva,P-9,procurement",          # 2 no such grade
        f"{entity}-3,{entity},Geneva",                          # 3 wrong width
        f"{entity}-4,{outsider},Geneva,P-3,investment",         # 4 not a participant
        f"{entity}-1,{entity},Geneva,P-4,procurement",          # 5 twice in the batch
        f"{entity}-6,{entity},Geneva,D-2,procurement",          # 6 D-2 is a senior official
        f"{entity}-7,{entity},Geneva,D-1,senior_official",      # 7 good
        f"{entity}-8,{entity},Geneva,P-2,sometimes",            # 8 no such designation
    ]) + "\n"
    answer = api.json("POST", f"/disclosure/cycles/{year}/filers", data=csv.encode(),
                      headers={"Content-Type": "text/csv"})
    assert answer["accepted"] == 2
    rejected = {r["row"]: r for r in answer["rejected"]}
    assert sorted(rejected) == [2, 3, 4, 5, 6, 8]
    assert rejected[2]["errors"][0]["loc"] == ["grade"]
    assert "expected 5 columns" in rejected[3]["errors"][0]["msg"]
    assert rejected[4]["errors"][0]["loc"] == ["entity"]
    assert rejected[5]["status"] == 409
    assert rejected[6]["errors"][0]["loc"] == ["designation"]
    assert rejected[8]["errors"][0]["loc"] == ["designation"]
    stored = api.get(f"/disclosure/cycles/{year}/filers")["items"]
    assert [(f["staff_id"], f["duty_station"]) for f in stored] == [
        (f"{entity}-1", "Geneva"), (f"{entity}-7", "Geneva")]

    again = api.post(f"/disclosure/cycles/{year}/filers",
                     {"items": [filer(f"{entity}-1", entity), filer(f"{entity}-9", entity)]})
    assert again["accepted"] == 1
    assert [(r["row"], r["status"]) for r in again["rejected"]] == [(1, 409)]
    malformed = api.call("POST", f"/disclosure/cycles/{year}/filers", data=b'{"items": [',
                         headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert api.get(f"/disclosure/cycles/{year}")["figures"]["filers"] == 3


def test_first_time_follows_from_earlier_filings(api, unique_code):
    entity = participants(api, unique_code)[0]
    earlier = open_cycle(api)
    ids = staff(entity, 3)
    api.post(f"/disclosure/cycles/{earlier}/filers",
             {"items": [filer(s, entity) for s in ids[:2]]})
    api.post(f"/disclosure/cycles/{earlier}/statements",
             {"items": [{"staff_id": ids[0], **statement()}]})
    later = open_cycle(api)
    assert later > earlier
    api.post(f"/disclosure/cycles/{later}/filers", {"items": [filer(s, entity) for s in ids]})
    first_time = {f["staff_id"]: f["first_time"]
                  for f in api.get(f"/disclosure/cycles/{later}/filers",
                                   params={"entity": entity})["items"]}
    # ids[1] was enrolled before but never filed: still a first-time filer
    assert first_time == {ids[0]: False, ids[1]: True, ids[2]: True}
    assert api.get(f"/disclosure/cycles/{later}")["figures"]["first_time"] == 2


def test_a_filer_reads_only_its_own_statement_and_the_reviewer_reviews(api, client_as,
                                                                       unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    me, other = staff(entity, 2)
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(me, entity),
                                                              filer(other, entity)]})
    filer_me = client_as("filer", staff_id=me)
    receipt = filer_me.post(f"/disclosure/cycles/{year}/filers/{me}/statement", statement("x"))
    assert receipt == {"year": year, "staff_id": me, "status": "filed",
                       "filed_on": dt.date.today().isoformat(), "receipt": f"FD-{year}-{me}"}
    for_other = filer_me.call("POST", f"/disclosure/cycles/{year}/filers/{other}/statement",
                              json=statement())
    assert for_other.status_code == 403
    backdated = filer_me.call("POST", f"/disclosure/cycles/{year}/filers/{me}/statement",
                              json={**statement(), "filed_on": f"{year}-04-01"})
    assert backdated.status_code == 403
    twice = filer_me.call("POST", f"/disclosure/cycles/{year}/filers/{me}/statement",
                          json=statement())
    assert twice.status_code == 409

    path = f"/disclosure/cycles/{year}/filers/{me}/statement"
    assert filer_me.get(path)["assets"][0]["description"] == "shares x"
    reviewer = client_as("reviewer")
    assert reviewer.get(path)["relatives_in_un"][0]["name"] == "A. Relative x"
    assert client_as("filer", staff_id=other).call("GET", path).status_code == 403
    for role, entity_of in (("ethics_office", None), ("auditor", None),
                            ("focal_point", entity), ("admin", None)):
        assert client_as(role, entity_of).call("GET", path).status_code == 403
    assert api.call("GET", path).status_code == 403  # not even the stack's admin

    review = {"outcome": "conflicts_found", "conflicts": [
        {"type": "financial_holding", "recommendation": "divest"},
        {"type": "family_relationship", "recommendation": "recuse from recruitment"}]}
    for role in ("focal_point", "filer", "ethics_office"):
        who = client_as(role, entity if role == "focal_point" else None,
                        me if role == "filer" else None)
        assert who.call("POST", f"/disclosure/cycles/{year}/filers/{me}/review",
                        json=review).status_code == 403
    assert reviewer.call("POST", f"/disclosure/cycles/{year}/filers/{other}/review",
                         json=review).status_code == 409  # has not filed
    assert reviewer.call("POST", f"/disclosure/cycles/{year}/filers/{me}/review",
                         json={"outcome": "conflicts_found"}).status_code == 422
    reviewed = reviewer.post(f"/disclosure/cycles/{year}/filers/{me}/review", review)
    assert reviewed["status"] == "conflicts_found" and len(reviewed["conflicts"]) == 2
    assert filer_me.get(f"/disclosure/cycles/{year}/filers/{me}")["conflicts"][0][
        "recommendation"] == "divest"
    assert client_as("focal_point", entity).get(
        f"/disclosure/cycles/{year}/filers/{me}")["conflicts"] is None
    mitigated = api.post(f"/disclosure/cycles/{year}/filers/{me}/mitigation")
    assert mitigated["status"] == "mitigated"
    figures = api.get(f"/disclosure/cycles/{year}")["figures"]
    assert figures["conflicts"] == {"filers": 1, "matters": 2, "by_type": {
        "financial_holding": 1, "outside_activity": 0, "family_relationship": 1, "other": 0}}
    assert figures["mitigated"] == 1 and figures["filed"] == 1


def test_reviews_exemptions_and_mitigations_in_batches(api, unique_code, mongo, stack):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    ids = staff(entity, 6)
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(s, entity) for s in ids]})
    filed = api.post(f"/disclosure/cycles/{year}/statements", {"items": [
        {"staff_id": s, **statement(), "filed_on": f"{year}-04-0{i + 1}"}
        for i, s in enumerate(ids[:4])] + [{"staff_id": "nobody", **statement()}]})
    assert filed["accepted"] == 4 and filed["rejected"][0]["status"] == 404
    assert api.get(f"/disclosure/cycles/{year}/filers/{ids[1]}")["filed_on"] == f"{year}-04-02"
    reviews = api.post(f"/disclosure/cycles/{year}/reviews", {"items": [
        {"staff_id": ids[0], "outcome": "cleared"},
        {"staff_id": ids[1], "outcome": "conflicts_found",
         "conflicts": [{"type": "outside_activity", "recommendation": "stop"}]},
        {"staff_id": ids[2], "outcome": "under_review"},
        {"staff_id": ids[4], "outcome": "cleared"},            # has not filed: 409
        {"staff_id": ids[3], "outcome": "cleared", "conflicts": [
            {"type": "other", "recommendation": "x"}]},        # inconsistent: 422
    ]})
    assert reviews["accepted"] == 3
    assert [(r["row"], r["status"]) for r in reviews["rejected"]] == [(4, 409), (5, 422)]
    exempted = api.post(f"/disclosure/cycles/{year}/exemptions", {"items": [
        {"staff_id": ids[4], "reason": "separated"}, {"staff_id": ids[0], "reason": "medical"}]})
    assert exempted["accepted"] == 1 and exempted["rejected"][0]["status"] == 409
    mitigations = api.post(f"/disclosure/cycles/{year}/mitigations",
                           {"items": [{"staff_id": ids[1]}, {"staff_id": ids[0]}]})
    assert mitigations["accepted"] == 1
    assert len(outbox(mongo, stack, "statement_filed", year=year)) == 4
    [event] = outbox(mongo, stack, "review_recorded", year=year, staff_id=ids[1])
    assert event["payload"]["conflicts"] == {"outside_activity": 1}
    assert len(outbox(mongo, stack, "filers_enrolled", year=year)) == 1
    rows = api.get(f"/disclosure/cycles/{year}/compliance")["rows"]
    assert rows == [{"key": entity, "enrolled": 6, "required": 5, "filed": 4, "not_filed": 1,
                     "exempted": 1, "reasons": {"outstanding": 1, "separated": 1}}]


def test_a_closed_cycle_refuses_every_change(api, client_as, unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    ids = staff(entity, 3)
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        filer(ids[0], entity), filer(ids[1], entity, "ASG", "senior_official"),
        filer(ids[2], entity)]})
    api.post(f"/disclosure/cycles/{year}/statements",
             {"items": [{"staff_id": s, **statement()} for s in ids[:2]]})
    closed = api.post(f"/disclosure/cycles/{year}/close", {"closed_on": f"{year}-07-31"})
    assert closed["status"] == "closed" and closed["closed_on"] == f"{year}-07-31"
    base = f"/disclosure/cycles/{year}"
    reviewer = client_as("reviewer")
    attempts = [
        (api, "POST", f"{base}/filers", {"items": [filer(f"{entity}-9", entity)]}),
        (client_as("filer", staff_id=ids[2]), "POST", f"{base}/filers/{ids[2]}/statement",
         statement()),
        (api, "POST", f"{base}/statements", {"items": [{"staff_id": ids[2], **statement()}]}),
        (reviewer, "POST", f"{base}/filers/{ids[0]}/review", {"outcome": "cleared"}),
        (reviewer, "POST", f"{base}/reviews", {"items": [{"staff_id": ids[0],
                                                          "outcome": "cleared"}]}),
        (api, "POST", f"{base}/filers/{ids[2]}/exemption", {"reason": "on_leave"}),
        (api, "POST", f"{base}/verification-sample", {"size": 1, "seed": "s", "strata": []}),
        (api, "POST", f"{base}/filers/{ids[1]}/public-disclosure",
         {"publish": False, "declined_reason": "security"}),
        (api, "POST", f"{base}/reminders", {"days_before": 7}),
        (api, "POST", f"{base}/close", None),
    ]
    for who, method, path, body in attempts:
        response = who.call(method, path, json=body)
        assert response.status_code == 409, (path, response.text)
        assert "closed" in response.json()["detail"]
    assert api.get(f"{base}/filers/{ids[2]}")["status"] == "invited"
    assert api.get(f"{base}")["figures"]["filers"] == 3


def test_compliance_by_entity_duty_station_and_category_and_reminders(api, client_as, mongo,
                                                                      stack, unique_code):
    sec, pko = participants(api, unique_code, ("secretariat", "peacekeeping"))
    year = open_cycle(api, deadline=ahead(60))
    rows = [filer(s, sec, duty_station="New York") for s in staff(sec, 3)]
    rows += [filer(s, pko, duty_station="Juba") for s in staff(pko, 2)]
    rows += [filer(f"{pko}-NY", pko, duty_station="New York")]
    api.post(f"/disclosure/cycles/{year}/filers", {"items": rows})
    api.post(f"/disclosure/cycles/{year}/statements", {"items": [
        {"staff_id": s, **statement()} for s in [f"{sec}-1", f"{pko}-1", f"{pko}-NY"]]})
    client_as("focal_point", pko).post(f"/disclosure/cycles/{year}/filers/{pko}-2/exemption",
                                       {"reason": "on_leave"})

    def rows_by(by):
        answer = api.get(f"/disclosure/cycles/{year}/compliance", params={"by": by})
        return {r["key"]: (r["required"], r["filed"], r["not_filed"], r["reasons"])
                for r in answer["rows"]}, answer["total"]
    by_entity, total = rows_by("entity")
    assert by_entity == {sec: (3, 1, 2, {"outstanding": 2}),
                         pko: (2, 2, 0, {"on_leave": 1})}
    assert (total["enrolled"], total["required"], total["filed"]) == (6, 5, 3)
    by_station, _ = rows_by("duty_station")
    assert by_station == {"New York": (4, 2, 2, {"outstanding": 2}),
                          "Juba": (1, 1, 0, {"on_leave": 1})}
    by_category, _ = rows_by("category")
    assert by_category == {"secretariat": (3, 1, 2, {"outstanding": 2}),
                           "peacekeeping": (2, 2, 0, {"on_leave": 1})}
    assert api.call("GET", f"/disclosure/cycles/{year}/compliance",
                    params={"by": "grade"}).status_code == 422

    chase = client_as("focal_point", sec).get(f"/disclosure/cycles/{year}/non-filers")
    assert [f["staff_id"] for f in chase["items"]] == [f"{sec}-2", f"{sec}-3"]
    queued = api.call("POST", f"/disclosure/cycles/{year}/reminders", json={"days_before": 14})
    assert queued.status_code == 202
    assert queued.json()["queued"] == [{"entity": sec, "non_filers": 2}]
    assert (queued.json()["entities"], queued.json()["non_filers"]) == (1, 2)
    again = api.post(f"/disclosure/cycles/{year}/reminders", {"days_before": 14})
    assert again["queued"] == [] and again["already_queued"] == [sec]
    [event] = outbox(mongo, stack, "compliance_reminder_due", year=year)
    assert event["entity"] == sec and event["payload"]["non_filers"] == [f"{sec}-2", f"{sec}-3"]
    assert event["payload"]["days_before"] == 14
    assert event["payload"]["deadline"] == ahead(60)


def test_the_verification_sample_is_stratified_stored_and_verified(api, client_as,
                                                                   unique_code):
    a, b = participants(api, unique_code, ("secretariat", "other"))
    year = open_cycle(api)
    rows = [filer(s, a) for s in staff(a, 12)] + [filer(s, b, "P-5") for s in staff(b, 6)]
    api.post(f"/disclosure/cycles/{year}/filers", {"items": rows})
    filed = [r["staff_id"] for r in rows if not r["staff_id"].endswith(("-11", "-12"))]
    api.post(f"/disclosure/cycles/{year}/statements",
             {"items": [{"staff_id": s, **statement()} for s in filed]})
    request = {"size": 8, "seed": "verification", "strata": ["entity", "grade"]}
    sample = api.post(f"/disclosure/cycles/{year}/verification-sample", request)
    assert sample["population"] == 16 and len(sample["staff_ids"]) == 8
    allocation = {s["stratum"]["entity"]: (s["population"], s["size"])
                  for s in sample["allocation"]}
    assert allocation == {a: (10, 5), b: (6, 3)}
    assert set(sample["staff_ids"]) <= set(filed)
    assert api.post(f"/disclosure/cycles/{year}/verification-sample", request) == sample
    assert api.call("POST", f"/disclosure/cycles/{year}/verification-sample",
                    json={**request, "seed": "another"}).status_code == 409
    assert client_as("reviewer").get(f"/disclosure/cycles/{year}/verification-sample") == sample

    chosen = sample["staff_ids"][0]
    outside = next(s for s in filed if s not in sample["staff_ids"])
    reviewer = client_as("reviewer")
    verified = reviewer.post(f"/disclosure/cycles/{year}/filers/{chosen}/verification",
                             {"outcome": "verified"})
    assert verified["verification"] == "verified" and verified["in_verification_sample"]
    assert reviewer.call("POST", f"/disclosure/cycles/{year}/filers/{outside}/verification",
                         json={"outcome": "verified"}).status_code == 409
    figures = api.get(f"/disclosure/cycles/{year}")["figures"]
    assert (figures["verification_sample"], figures["verified"]) == (8, 1)


def test_only_senior_officials_who_filed_publish_and_the_public_list_needs_no_token(
        api, client_as, stack, unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    usg, asg, d2, late = f"{entity}-USG", f"{entity}-ASG", f"{entity}-D2", f"{entity}-LATE"
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        filer(staff_id, entity, grade, "senior_official")
        for staff_id, grade in ((usg, "USG"), (asg, "ASG"), (d2, "D-2"), (late, "ASG"))]})
    api.post(f"/disclosure/cycles/{year}/statements",
             {"items": [{"staff_id": s, **statement()} for s in (usg, asg, d2)]})
    summary = {"assets": "A house in Geneva", "liabilities": "None",
               "outside_interests": "Trustee of a school"}
    decided = client_as("filer", staff_id=usg).post(
        f"/disclosure/cycles/{year}/filers/{usg}/public-disclosure",
        {"publish": True, "summary": summary, "name": "A. Official",
         "title": "Under-Secretary-General"})
    assert decided["public_disclosure"] == "published"
    declined = api.post(f"/disclosure/cycles/{year}/public-disclosures", {"items": [
        {"staff_id": asg, "publish": False, "declined_reason": "security"},
        {"staff_id": d2, "publish": True, "summary": summary},
        {"staff_id": late, "publish": False, "declined_reason": "cultural"},
        {"staff_id": usg, "publish": False, "declined_reason": "other"},
        {"staff_id": asg, "publish": True},
    ]})
    assert declined["accepted"] == 1
    assert [(r["row"], r["status"]) for r in declined["rejected"]] == [
        (2, 409), (3, 409), (4, 409), (5, 422)]
    assert public(stack, year) == []  # until the Ethics Office approves it
    api.post(f"/disclosure/cycles/{year}/filers/{usg}/public-disclosure/approval")
    published = requests.get(f"{stack.base_url}/api/v1/public/disclosures/{year}", timeout=10)
    assert published.status_code == 200
    assert published.json() == [{"year": year, "entity": entity,
                                 "grade": "USG", "name": "A. Official",
                                 "title": "Under-Secretary-General", "summary": summary}]
    figures = api.get(f"/disclosure/cycles/{year}")["figures"]["public_disclosure"]
    assert figures == {"eligible": 2, "published": 1, "declined": 1}


def public(stack, year: int) -> list[dict]:
    """The public listing, read without a token."""
    answer = requests.get(f"{stack.base_url}/api/v1/public/disclosures/{year}", timeout=10)
    assert answer.status_code == 200
    return answer.json()


def test_a_summary_is_public_only_once_the_ethics_office_approves_it(
        api, client_as, stack, unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api, deadline=ahead(60))
    asg, usg = f"{entity}-ASG", f"{entity}-USG"
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        filer(s, entity, g, "senior_official") for s, g in ((asg, "ASG"), (usg, "USG"))]})
    api.post(f"/disclosure/cycles/{year}/statements",
             {"items": [{"staff_id": s, **statement()} for s in (asg, usg)]})
    own = client_as("filer", staff_id=asg)
    one = f"/disclosure/cycles/{year}/filers/{asg}"
    decided = own.post(one + "/public-disclosure", {
        "publish": True, "summary": {"assets": "A flat in Nairobi", "liabilities": ""}})
    assert (decided["public_disclosure"], decided["public_review"]) == ("published", "pending")
    client_as("filer", staff_id=usg).post(
        f"/disclosure/cycles/{year}/filers/{usg}/public-disclosure",
        {"publish": True, "summary": {"assets": "Shares"}, "name": "B. Official"})
    assert public(stack, year) == []
    pending = api.get(f"/disclosure/cycles/{year}/public-disclosures/pending")
    assert [d["staff_id"] for d in pending] == [asg, usg]
    focal = client_as("focal_point", entity)
    assert focal.call("GET", f"/disclosure/cycles/{year}/public-disclosures/pending"
                      ).status_code == 403
    assert own.call("POST", one + "/public-disclosure/approval").status_code == 403

    returned = api.post(one + "/public-disclosure/return", {"reason": "Give the flat's value"})
    assert (returned["public_review"], returned["returned_reason"]) == (
        "returned", "Give the flat's value")
    assert own.get(one)["returned_reason"] == "Give the flat's value"
    assert own.get(one + "/public-disclosure")["returned_reason"] == "Give the flat's value"
    assert api.call("POST", one + "/public-disclosure/return",
                    json={"reason": "again"}).status_code == 409  # not pending now
    own.post(one + "/public-disclosure", {
        "publish": True, "summary": {"assets": "A flat in Nairobi (US$ 300,000)"}})
    approved = api.post(f"/disclosure/cycles/{year}/public-disclosure-approvals",
                        {"items": [{"staff_id": asg}, {"staff_id": usg}]})
    assert approved["accepted"] == 2
    listed = public(stack, year)
    assert listed == [
        {"year": year, "entity": entity, "grade": "ASG", "name": None, "title": None,
         "summary": {"assets": "A flat in Nairobi (US$ 300,000)", "liabilities": None,
                     "outside_interests": None}},
        {"year": year, "entity": entity, "grade": "USG", "name": "B. Official", "title": None,
         "summary": {"assets": "Shares", "liabilities": None, "outside_interests": None}}]
    assert all("staff_id" not in d for d in listed)
    assert asg not in str(listed) and usg not in str(listed)
    assert own.call("POST", one + "/public-disclosure", json={
        "publish": False, "declined_reason": "other"}).status_code == 409  # approved: it stays
    assert len(public(stack, year)) == 2
    record = own.get(one + "/public-disclosure")
    assert record["review"] == "approved" and record["reviewed_on"] == dt.date.today().isoformat()
    auditor = client_as("auditor")
    for action in ("return_public_disclosure", "approve_public_disclosure"):
        entries = auditor.get("/audit", params={"action": action, "entity": entity})["items"]
        assert f"disclosure/cycles/{year}/filers/{asg}" in {e["record"] for e in entries}


def test_cost_shares_add_up_to_the_programme_cost(api, client_as, unique_code):
    a, b, c = participants(api, unique_code, ("other", "other", "other"))
    own = participants(api, unique_code, ("secretariat",), cost_sharing=False)[0]
    year = open_cycle(api, programme_cost=1000.00)
    rows = ([filer(s, a) for s in staff(a, 1)] + [filer(s, b) for s in staff(b, 1)]
            + [filer(s, c) for s in staff(c, 1)] + [filer(s, own) for s in staff(own, 5)])
    api.post(f"/disclosure/cycles/{year}/filers", {"items": rows})
    shares = api.get(f"/disclosure/cycles/{year}/cost-shares")
    assert shares["filers"] == 3 and shares["unit_cost"] == 333.33
    mine = {r["entity"]: (r["filers"], r["share"]) for r in shares["rows"]
            if r["entity"] in (a, b, c, own)}
    assert sorted(s for _, s in mine.values()) == [333.33, 333.33, 333.34]
    assert own not in mine and round(sum(r["share"] for r in shares["rows"]) * 100) == 100000
    assert client_as("focal_point", b).get(
        f"/disclosure/cycles/{year}/cost-shares")["rows"] == [
        {"entity": b, "filers": 1, "share": mine[b][1]}]


def test_the_business_gauges_follow_the_newest_open_cycle(api, stack, unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    api.post(f"/disclosure/cycles/{year}/filers",
             {"items": [filer(s, entity) for s in staff(entity, 4)]})
    api.post(f"/disclosure/cycles/{year}/statements",
             {"items": [{"staff_id": f"{entity}-1", **statement()}]})
    newest = max(c["year"] for c in api.get("/disclosure/cycles") if c["status"] != "closed")
    expected = {r["key"]: r for r in api.get(f"/disclosure/cycles/{newest}/compliance")["rows"]}
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port('disclosure')}/metrics",
                        timeout=10).text
    samples = {(s.name, s.labels.get("entity")): s.value
               for family in text_string_to_metric_families(text) for s in family.samples
               if s.name.startswith("epun_fdp_")}
    for key, row in expected.items():
        assert samples[("epun_fdp_filers_required", key)] == row["required"]
        assert samples[("epun_fdp_filers_filed", key)] == row["filed"]
        assert samples[("epun_fdp_filers_not_filed", key)] == row["not_filed"]
    total = api.get(f"/disclosure/cycles/{newest}/compliance")["total"]
    assert samples[("epun_fdp_compliance_ratio", None)] == pytest.approx(
        total["filed"] / total["required"])
    deadline = dt.date.fromisoformat(
        next(c for c in api.get("/disclosure/cycles") if c["year"] == newest)["deadline"])
    assert samples[("epun_fdp_days_to_deadline", None)] == (deadline - dt.date.today()).days
    if newest == year:
        assert samples[("epun_fdp_filers_not_filed", entity)] == 3


def test_bad_requests_change_nothing(api, client_as, unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    unknown = unique_code("NOPE")
    assert api.call("PUT", f"/disclosure/participants/{unknown}",
                    json={"cost_sharing": True}).status_code == 422
    assert api.call("POST", "/disclosure/cycles", json={
        "year": year, "deadline": f"{year}-06-01", "programme_cost": 1}).status_code == 409
    assert api.call("POST", "/disclosure/cycles", json={
        "year": 1999, "deadline": "1999-06-01", "programme_cost": 1}).status_code == 422
    assert api.call("GET", "/disclosure/cycles/nineteen").status_code == 422
    assert api.call("POST", "/disclosure/cycles/1990/filers",
                    json={"items": [filer("x", entity)]}).status_code == 422
    assert client_as("focal_point", entity).call("POST", "/disclosure/cycles", json={
        "year": 2099, "deadline": "2099-06-01", "programme_cost": 1}).status_code == 403
    bad = api.call("POST", f"/disclosure/cycles/{year}/verification-sample",
                   json={"size": 5, "seed": "s", "strata": ["entity"]})
    assert bad.status_code == 422  # nobody has filed
    assert api.get(f"/disclosure/cycles/{year}")["figures"]["filers"] == 0


def test_concurrent_filings_keep_the_counters_exact(api, client_as, unique_code):
    """Filers of one entity and duty station file at the same moment: their transactions all
    change the same counter document, and every filing is counted once."""
    from concurrent.futures import ThreadPoolExecutor
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    ids = staff(entity, 12)
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(s, entity) for s in ids]})
    filers = [client_as("filer", staff_id=s) for s in ids]

    def file(pair):
        who, staff_id = pair
        return who.call("POST", f"/disclosure/cycles/{year}/filers/{staff_id}/statement",
                        json=statement()).status_code
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(file, zip(filers, ids)))
    assert codes == [201] * len(ids)
    [row] = api.get(f"/disclosure/cycles/{year}/compliance")["rows"]
    assert (row["required"], row["filed"], row["not_filed"]) == (12, 12, 0)


def test_a_cycle_made_for_a_coming_year_is_scheduled_and_refuses_statements_until_it_opens(
        api, unique_code):
    entity = participants(api, unique_code)[0]
    taken = {c["year"] for c in api.get("/disclosure/cycles")}
    year = next(y for y in range(dt.date.today().year + 1, 2100) if y not in taken)
    made = api.post("/disclosure/cycles", {"year": year, "deadline": f"{year}-05-31",
                                           "programme_cost": 10.0})
    assert (made["status"], made["opens_on"]) == ("scheduled", f"{year}-03-01")
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(f"{entity}-1", entity)]})
    refused = api.call("POST", f"/disclosure/cycles/{year}/filers/{entity}-1/statement",
                       json=statement())
    assert refused.status_code == 422, refused.text
    assert "statements can be filed from then" in refused.text
    years = [c["year"] for c in api.get("/disclosure/cycles")]
    assert years == sorted(years, reverse=True)


def test_a_filer_s_draft_starts_from_last_year_and_the_filing_is_certified(api, client_as,
                                                                         unique_code):
    entity = participants(api, unique_code)[0]
    earlier, later = open_cycle(api), open_cycle(api)
    earlier, later = min(earlier, later), max(earlier, later)
    [me] = staff(entity, 1)
    for year in (earlier, later):
        api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(me, entity)]})
    api.post(f"/disclosure/cycles/{earlier}/statements",
             {"items": [{"staff_id": me, **statement("old")}]})
    own = client_as("filer", staff_id=me)
    draft = f"/disclosure/cycles/{later}/filers/{me}/draft"
    start = own.get(draft)
    assert (start["saved_on"], start["prefilled_from"]) == (None, earlier)
    assert start["assets"][0] == {"description": "shares old", "value_usd": 1200.5,
                                  "from_last_year": True}
    saved = own.call("PUT", draft, json={"assets": start["assets"]})
    assert saved.status_code == 200 and saved.json()["saved_on"]
    assert api.call("GET", draft).status_code == 403  # the filer's alone
    assert own.get(draft)["assets"][0]["from_last_year"] is True
    path = f"/disclosure/cycles/{later}/filers/{me}/statement"
    uncertified = own.call("POST", path, json={"assets": [{"description": "shares"}]})
    assert uncertified.status_code == 422
    assert [e["loc"] for e in uncertified.json()["errors"]] == [["body", "certified"]]
    assert own.post(path, {"assets": [{"description": "shares"}], "certified": True})[
        "receipt"] == f"FD-{later}-{me}"
    assert own.get(path)["certified"] is True
    assert own.call("GET", draft).status_code == 409  # filed: the draft is gone


def test_a_request_sent_again_after_its_claim_lapsed_gets_its_first_answer(api, unique_code,
                                                                          mongo, stack):
    """The gateway stopped before it kept the answer of an enrolment (its claim of the key left
    unanswered, then lapsed): the same request comes again and the disclosure service answers
    with its first answer, where running it again would report the filer enrolled already."""
    [entity] = participants(api, unique_code)
    path = f"/disclosure/cycles/{open_cycle(api)}/filers"
    body = {"items": [filer(f"{entity}-R1", entity)]}
    headers = {"Idempotency-Key": f"retake-{entity}"}
    first = api.call("POST", path, json=body, headers=headers)
    assert first.status_code == 201 and first.json()["accepted"] == 1, first.text
    claims = mongo[f"{stack.db_prefix}_gateway"].idempotency
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    assert claims.update_one({"body": first.text}, {"$set": {
        "status": None, "body": "", "created_at": long_ago}}).modified_count == 1

    again = api.call("POST", path, json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert "Idempotent-Replayed" not in again.headers
    fresh = api.call("POST", path, json=body, headers={"Idempotency-Key": f"new-{entity}"})
    assert fresh.json()["accepted"] == 0 and fresh.json()["rejected"]
