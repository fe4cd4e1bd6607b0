"""Where the platform's notices go, through the HTTP API against the running services: focal
points, filers and Panel members carry addresses and languages into the events the
notifications service consumes; an address that is not one is refused where it is entered; the
reminders are queued only for a cycle that is open and whose deadline is ahead."""
import datetime as dt

import pytest
from tests.integration.test_disclosure import filer, outbox

pytestmark = pytest.mark.integration

ADDRESS_REFUSED = "'not an address' is not an e-mail address (name@domain)"


def enrolled(api, unique_code, focal_points) -> str:
    code = unique_code("N")
    api.put(f"/entities/{code}", {"name": f"Entity {code}", "category": "secretariat"})
    api.put(f"/disclosure/participants/{code}",
            {"cost_sharing": True, "focal_points": focal_points})
    return code


def free_year(api, candidates) -> int:
    taken = {c["year"] for c in api.get("/disclosure/cycles")}
    return next(y for y in candidates if y not in taken)


def test_focal_points_addresses_travel_in_participant_enrolled(api, mongo, stack,
                                                               unique_code):
    code = enrolled(api, unique_code, [
        {"name": "Wang Fang", "email": "wang.fang@unep.example.org", "language": "zh"},
        {"name": "No Address"}])
    [event] = outbox(mongo, stack, "participant_enrolled", entity=code)
    assert event["payload"]["contacts"] == [
        {"name": "Wang Fang", "email": "wang.fang@unep.example.org", "language": "zh"}]
    assert api.get(f"/disclosure/participants/{code}")["focal_points"][0]["language"] == "zh"

    refused = api.call("PUT", f"/disclosure/participants/{code}", json={
        "cost_sharing": True, "focal_points": [{"name": "X", "email": "not an address"}]})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    [error] = refused.json()["errors"]
    assert error["loc"] == ["body", "focal_points", 0, "email"]
    assert error["msg"] == ADDRESS_REFUSED


def test_filers_addresses_from_json_and_csv_travel_in_filers_enrolled(api, mongo, stack,
                                                                      unique_code):
    code = enrolled(api, unique_code, [{"name": "A. Focal"}])
    year = free_year(api, range(2000, 2011))
    api.post("/disclosure/cycles", {"year": year, "deadline": f"{year}-05-31",
                                    "programme_cost": 100.0})
    answer = api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        {**filer(f"{code}-1", code), "email": "one@unep.example.org", "language": "zh"},
        {**filer(f"{code}-2", code), "email": "not an address"}]})
    assert answer["accepted"] == 1
    [rejected] = answer["rejected"]
    assert (rejected["row"], rejected["errors"][0]["loc"], rejected["errors"][0]["msg"]) == (
        2, ["email"], ADDRESS_REFUSED)

    csv = "\n".join([
        "staff_id,entity,duty_station,grade,designation,email,language",
        f"{code}-3,{code},Nairobi,P-3,procurement,three@unep.example.org,fr",
        f"{code}-4,{code},Nairobi,P-3,procurement,,",
        f"{code}-5,{code},Nairobi,P-3,procurement,five at unep,en"]) + "\n"
    answer = api.json("POST", f"/disclosure/cycles/{year}/filers", data=csv.encode(),
                      headers={"Content-Type": "text/csv"})
    assert answer["accepted"] == 2
    assert [(r["row"], r["errors"][0]["loc"]) for r in answer["rejected"]] == [(3, ["email"])]

    sent = [f for e in outbox(mongo, stack, "filers_enrolled", year=year)
            for f in e["payload"]["filers"] if f["entity"] == code]
    assert [(f["staff_id"], f["email"], f["language"]) for f in sent] == [
        (f"{code}-1", "one@unep.example.org", "zh"), (f"{code}-3", "three@unep.example.org",
                                                       "fr"), (f"{code}-4", None, "en")]
    stored = api.get(f"/disclosure/cycles/{year}/filers/{code}-3")
    assert (stored["email"], stored["language"]) == ("three@unep.example.org", "fr")


def panel_outbox(mongo, stack, event_type, entity) -> list[dict]:
    return list(mongo[f"{stack.db_prefix}_panel"].outbox.find(
        {"type": event_type, "payload.entity": entity}))


def test_panel_members_contacts_travel_in_their_events(api, mongo, stack, client_as,
                                                       unique_code):
    code = unique_code("PN")
    api.put(f"/entities/{code}", {"name": f"Ethics office {code}", "category": "other"})
    chair = client_as("panel_chair", "EO")
    head = {"name": "Head of office", "email": "head@office.example.org"}
    deputy = {"name": "Chen Jing", "email": "chen.jing@office.example.org", "language": "zh"}
    joined = chair.put(f"/panel/members/{code}", {"head": "Head of office",
                                                  "contacts": [head]})
    assert joined["contacts"] == [{**head, "language": "en"}]
    chair.put(f"/panel/members/{code}", {"head": "Head of office", "contacts": [head, deputy]})
    chair.put(f"/panel/members/{code}", {"head": "Head of office"})  # contacts kept
    [event] = panel_outbox(mongo, stack, "panel_member_joined", code)
    assert event["payload"]["contacts"] == [{**head, "language": "en"}]
    [changed] = panel_outbox(mongo, stack, "panel_member_contacts_changed", code)
    assert changed["payload"]["contacts"] == [{**head, "language": "en"}, deputy]
    assert api.get(f"/panel/members/{code}")["contacts"][1]["language"] == "zh"

    refused = chair.call("PUT", f"/panel/members/{code}", json={
        "head": "Head of office", "contacts": [{"name": "X", "email": "not an address"}]})
    assert refused.status_code == 422
    assert [(e["loc"], e["msg"]) for e in refused.json()["errors"]] == [
        (["body", "contacts", 0, "email"], ADDRESS_REFUSED)]
    chair.call("DELETE", f"/panel/members/{code}")


def test_reminders_are_queued_only_while_a_cycle_takes_them(api, mongo, stack, unique_code):
    from tests.integration.test_disclosure import ahead, open_cycle
    one, other = (enrolled(api, unique_code, [{"name": "A. Focal"}]) for _ in range(2))
    year = open_cycle(api, deadline=ahead(30))
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        filer(f"{one}-1", one), filer(f"{one}-2", one), filer(f"{other}-1", other)]})
    queued = api.call("POST", f"/disclosure/cycles/{year}/reminders",
                      json={"days_before": 30, "entity": one})
    assert queued.status_code == 202
    assert queued.json()["queued"] == [{"entity": one, "non_filers": 2}]
    assert (queued.json()["entities"], queued.json()["non_filers"]) == (1, 2)
    everyone = api.post(f"/disclosure/cycles/{year}/reminders", {"days_before": 30})
    assert everyone["queued"] == [{"entity": other, "non_filers": 1}]
    assert everyone["already_queued"] == [one]
    assert [e["entity"] for e in outbox(mongo, stack, "compliance_reminder_due",
                                        year=year)] == [one, other]
    stranger = api.call("POST", f"/disclosure/cycles/{year}/reminders",
                        json={"days_before": 30, "entity": unique_code("NP")})
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["loc"] == ["body", "entity"]

    past = open_cycle(api)  # its deadline, 31 May of a past year, has passed
    refused = api.call("POST", f"/disclosure/cycles/{past}/reminders", json={"days_before": 7})
    assert refused.status_code == 409
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["detail"] == (f"the deadline of the {past} cycle was {past}-05-31; "
                                        "reminders are sent only before the deadline")

    future = free_year(api, range(dt.date.today().year + 1, 2100))
    api.post("/disclosure/cycles", {"year": future, "deadline": f"{future}-05-31",
                                    "programme_cost": 10.0})
    refused = api.call("POST", f"/disclosure/cycles/{future}/reminders",
                       json={"days_before": 7})
    api.post(f"/disclosure/cycles/{future}/close")  # the newest open cycle is the gauges' again
    assert refused.status_code == 409
    assert refused.json()["detail"] == (f"the {future} cycle opens on {future}-03-01; "
                                        "reminders can be sent once it is open")
    api.post(f"/disclosure/cycles/{year}/close")
    closed = api.call("POST", f"/disclosure/cycles/{year}/reminders", json={"days_before": 7})
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    assert len(outbox(mongo, stack, "compliance_reminder_due", year=past)) == 0
