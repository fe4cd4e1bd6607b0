"""The Ethics Panel through the HTTP API, against the running services: who may answer a
consultation and when, the chair's powers, and the events reporting is built on."""
import datetime as dt
import threading
import uuid

import pytest
import requests
from kombu import Connection, Queue, binding
from nameko.standalone.events import get_event_exchange
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client.parser import text_string_to_metric_families

from shared import problems  # noqa: F401  (errors arrive from the services as their own kinds)
from shared.contracts.envelope import Envelope
from shared.contracts.panel import ConsultationConcluded, PositionSubmitted
from shared.kernel.errors import Invalid

from ..helpers import eventually

pytestmark = pytest.mark.integration

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def panel(api, client_as):
    """A small Panel of three member entities (with the chair's office, EO), and an entity of
    the directory that is not a member; the members leave again at the end."""
    tag = uuid.uuid4().hex[:6].upper()
    codes = {"a": f"PA{tag}", "b": f"PB{tag}", "c": f"PC{tag}", "outsider": f"PX{tag}"}
    for code in codes.values():
        api.put(f"/entities/{code}", {"name": f"Ethics office {code}", "category": "other"})
    api.put("/entities/EO", {"name": "Ethics Office", "category": "secretariat"})
    chair = client_as("panel_chair", "EO")
    for key in ("a", "b", "c"):
        chair.put(f"/panel/members/{codes[key]}", {"head": f"Head of {codes[key]}"})
    chair.put("/panel/members/EO", {"head": "Director, Ethics Office"})
    yield {"chair": chair, **codes,
           "member": {k: client_as("panel_member", codes[k]) for k in codes}}
    for key in ("a", "b", "c"):
        chair.call("DELETE", f"/panel/members/{codes[key]}")


def open_consultation(chair, **overrides):
    body = {"topic": "Scope of confidentiality", "question": "Where does it end?",
            "respond_by": day(14), "tags": ["confidentiality"], **overrides}
    return chair.post("/panel/consultations", body)


def position(who, consultation_id, entity, text="Our position", **extra):
    return who.call("POST", f"/panel/consultations/{consultation_id}/positions",
                    json={"entity": entity, "position": text, **extra})


def metric_value(stack, service, name) -> float | None:
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port(service)}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return sample.value
    return None


def test_a_member_cannot_answer_for_another_entity(panel):
    consultation = open_consultation(panel["chair"])
    answer = position(panel["member"]["a"], consultation["id"], panel["b"])
    assert answer.status_code == 403
    assert answer.headers["Content-Type"] == "application/problem+json"
    shown = panel["chair"].get(f"/panel/consultations/{consultation['id']}")
    assert panel["b"] in shown["not_answered"] and shown["answered"] == []


def test_a_non_member_cannot_answer_at_all(panel):
    consultation = open_consultation(panel["chair"])
    own_token = position(panel["member"]["outsider"], consultation["id"], panel["outsider"])
    assert own_token.status_code == 403
    assert "not a member" in own_token.json()["detail"]
    through_the_chair = position(panel["chair"], consultation["id"], panel["outsider"])
    assert through_the_chair.status_code == 403
    shown = panel["chair"].get(f"/panel/consultations/{consultation['id']}")
    assert panel["outsider"] not in shown["answered"] + shown["not_answered"]


def test_a_late_position_is_refused_until_the_chair_extends(stack, panel):
    chair, member = panel["chair"], panel["member"]["a"]
    before = metric_value(stack, "panel", "epun_panel_consultations_past_answer_date")
    consultation = open_consultation(chair, opened_on=day(-7), respond_by=day(-1))
    assert consultation["past_answer_date"] is True and consultation["period"]
    assert metric_value(stack, "panel",
                        "epun_panel_consultations_past_answer_date") == before + 1

    late = position(member, consultation["id"], panel["a"])
    assert late.status_code == 409 and day(-1) in late.json()["detail"]
    assert member.call("POST", f"/panel/consultations/{consultation['id']}/extension",
                       json={"respond_by": day(7)}).status_code == 403

    extended = chair.post(f"/panel/consultations/{consultation['id']}/extension",
                          {"respond_by": day(7)})
    assert extended["respond_by"] == day(7) and extended["past_answer_date"] is False
    assert metric_value(stack, "panel", "epun_panel_consultations_past_answer_date") == before

    first = position(member, consultation["id"], panel["a"], "First thoughts")
    assert first.status_code == 201 and first.json()["amended"] is False
    assert first.json()["submitted_on"] == TODAY.isoformat()
    amended = position(member, consultation["id"], panel["a"], "Considered view")
    assert amended.status_code == 200 and amended.json()["versions"] == 2
    shown = chair.get(f"/panel/consultations/{consultation['id']}")
    assert shown["answered"] == [panel["a"]]
    assert [p["position"] for p in shown["positions"]] == ["Considered view"]


def test_a_member_dates_its_position_today(panel):
    consultation = open_consultation(panel["chair"], opened_on=day(-3))
    backdated = position(panel["member"]["a"], consultation["id"], panel["a"],
                         submitted_on=day(-1))
    assert backdated.status_code == 403
    by_chair = position(panel["chair"], consultation["id"], panel["a"], submitted_on=day(-1))
    assert by_chair.status_code == 201 and by_chair.json()["submitted_on"] == day(-1)


def test_the_chair_alone_concludes_and_then_no_position_is_taken(panel, client_as):
    chair = panel["chair"]
    consultation = open_consultation(chair)
    assert position(panel["member"]["b"], consultation["id"], panel["b"]).status_code == 201
    conclusion = {"outcome": "Common approach agreed", "guidance": "Guidance note to members"}
    path = f"/panel/consultations/{consultation['id']}/conclusion"
    for other in (panel["member"]["a"], client_as("ethics_office"), client_as("auditor")):
        assert other.call("POST", path, json=conclusion).status_code == 403
    assert chair.get(f"/panel/consultations/{consultation['id']}")["status"] == "open"

    concluded = chair.post(path, conclusion)
    assert concluded["status"] == "concluded" and concluded["answered"] == [panel["b"]]
    assert {panel["a"], panel["c"], "EO"} <= set(concluded["not_answered"])
    assert position(panel["member"]["c"], consultation["id"], panel["c"]).status_code == 409
    assert chair.call("POST", path, json=conclusion).status_code == 409
    assert chair.call("POST", f"/panel/consultations/{consultation['id']}/extension",
                      json={"respond_by": day(30)}).status_code == 409


@pytest.fixture
def panel_events(stack):
    """A queue of our own on the panel's event exchange, for the types this test checks."""
    exchange = get_event_exchange("panel", {})
    queue = Queue(f"panel-test-{uuid.uuid4().hex[:8]}", exchange=exchange, durable=False,
                  bindings=[binding(exchange, routing_key=t)
                            for t in ("position_submitted", "consultation_concluded")])
    uri = stack.amqp_uri.replace("pyamqp", "amqp")
    with Connection(uri) as conn:
        queue(conn.channel()).declare()
    received: list[dict] = []

    def drain():
        with Connection(uri) as conn:
            bound = queue(conn.channel())
            while (message := bound.get(no_ack=True)) is not None:
                received.append(message.payload)
        return received
    yield drain
    with Connection(uri) as conn:
        queue(conn.channel()).delete()


def test_positions_and_conclusions_reach_reporting_as_events(api, panel, panel_events):
    chair = panel["chair"]
    consultation = open_consultation(chair, topic="Reputational risk management",
                                     tags=["reputational-risk"])
    assert position(panel["member"]["a"], consultation["id"], panel["a"]).status_code == 201
    assert position(panel["member"]["a"], consultation["id"], panel["a"],
                    "Amended").status_code == 200
    chair.post(f"/panel/consultations/{consultation['id']}/conclusion",
               {"outcome": "Agreed", "guidance": "Apply the common framework"})

    def ours():
        mine = [Envelope.model_validate(m) for m in panel_events()
                if consultation["id"] in (m["payload"].get("consultation_id"),
                                          m["payload"].get("id"))]
        return mine if len(mine) >= 3 else None
    envelopes = eventually(ours)
    positions = [e for e in envelopes if e.type == "position_submitted"]
    concluded = [e for e in envelopes if e.type == "consultation_concluded"]
    assert [PositionSubmitted.model_validate(e.payload).amended for e in positions] == [False,
                                                                                       True]
    assert all(e.entity == panel["a"] and e.actor.role.value == "panel_member"
               for e in positions)
    conclusion = ConsultationConcluded.model_validate(concluded[0].payload)
    assert conclusion.topic == "Reputational risk management"
    assert conclusion.period == consultation["period"] and conclusion.concluded_on == TODAY
    assert conclusion.answered == [panel["a"]] and panel["b"] in conclusion.not_answered
    assert (conclusion.outcome, conclusion.guidance) == ("Agreed", "Apply the common framework")
    assert concluded[0].entity == "EO" and concluded[0].actor.role.value == "panel_chair"

    def reported(entity):
        report = api.get(f"/reports/annual/{consultation['period']}",
                         params={"entity": entity, "format": "json"})
        topics = report["panel"]["consultation_topics"]
        return report["panel"] if "Reputational risk management" in topics else None
    assert eventually(lambda: reported(panel["a"]), 30)["member"] is True
    assert eventually(lambda: reported("EO"), 30)["scope"] == "panel"
    assert "Reputational risk management" not in api.get(
        f"/reports/annual/{consultation['period']}",
        params={"entity": panel["b"], "format": "json"})["panel"]["consultation_topics"]


def test_a_member_proposes_a_consultation_and_the_chair_accepts_it(panel):
    chair, member = panel["chair"], panel["member"]["c"]
    proposal = member.post("/panel/consultations", {
        "topic": "Internal relationships", "question": "Disclosure of relationships?",
        "respond_by": day(20), "tags": ["relationships"]})
    assert proposal["status"] == "proposed" and proposal["proposed_by"] == panel["c"]
    assert position(member, proposal["id"], panel["c"]).status_code == 409
    path = f"/panel/consultations/{proposal['id']}/accept"
    assert member.call("POST", path).status_code == 403
    accepted = chair.post(path)
    assert accepted["status"] == "open" and accepted["opened_on"] == TODAY.isoformat()
    assert panel["c"] in accepted["not_answered"]
    assert position(member, proposal["id"], panel["c"]).status_code == 201
    assert panel["member"]["outsider"].call("POST", "/panel/consultations", json={
        "topic": "t", "question": "q", "respond_by": day(5)}).status_code == 403


def test_a_meeting_from_convening_to_its_approved_record(panel):
    chair, member = panel["chair"], panel["member"]["a"]
    body = {"scheduled_for": day(-10), "kind": "formal", "agenda": ["Lessons learned"],
            "convened_on": day(-20)}
    assert member.call("POST", "/panel/meetings", json=body).status_code == 403
    meeting = chair.post("/panel/meetings", body)
    assert meeting["status"] == "convened"
    assert {panel["a"], panel["b"], panel["c"], "EO"} <= set(meeting["invited"])
    assert panel["outsider"] not in meeting["invited"]
    path = f"/panel/meetings/{meeting['id']}"
    moved = chair.post(f"{path}/reschedule", {"scheduled_for": day(-9)})
    assert moved["scheduled_for"] == day(-9)

    record = {"held_on": day(-9), "attendees": [panel["a"], "EO"],
              "decisions": ["Adopt the guidance note"], "minutes": "Draft minutes"}
    stranger = chair.call("POST", f"{path}/record",
                          json={**record, "attendees": [panel["a"], panel["outsider"]]})
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["loc"] == ["body", "attendees"]
    assert chair.post(f"{path}/record", record)["status"] == "held"
    corrected = chair.post(f"{path}/record", {**record, "minutes": "Corrected minutes"})
    assert corrected["minutes"] == "Corrected minutes"
    assert member.call("POST", f"{path}/approve").status_code == 403
    assert chair.post(f"{path}/approve")["status"] == "approved"
    assert chair.call("POST", f"{path}/record", json=record).status_code == 409
    assert chair.call("POST", f"{path}/cancel").status_code == 409
    assert member.get(path)["minutes"] == "Corrected minutes"


def test_lists_page_with_limit_and_cursor(panel):
    chair = panel["chair"]
    for offset in (1, 2, 3):
        chair.post("/panel/meetings", {"scheduled_for": day(offset), "kind": "informal",
                                       "agenda": [f"Item {offset}"]})
    seen, cursor = [], None
    while True:
        page = chair.get("/panel/meetings", params={"limit": 2, "cursor": cursor,
                                                    "kind": "informal"})
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    ids = [m["id"] for m in seen]
    assert len(ids) == len(set(ids)) >= 3 and all(m["kind"] == "informal" for m in seen)
    members = chair.get("/panel/members", params={"status": "active", "limit": 1000})["items"]
    assert {panel["a"], panel["b"], panel["c"]} <= {m["entity"] for m in members}
    bad = chair.call("GET", "/panel/meetings", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "limit"]


def test_joining_needs_an_entity_of_the_directory_and_the_chair(panel, unique_code):
    chair = panel["chair"]
    unknown = chair.call("PUT", f"/panel/members/{unique_code('NO')}", json={"head": "Nobody"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["path",
                                                                                 "entity"]
    assert panel["member"]["a"].call("PUT", f"/panel/members/{panel['outsider']}",
                                     json={"head": "Self-appointed"}).status_code == 403
    again = chair.put(f"/panel/members/{panel['a']}", {"head": f"Head of {panel['a']}"})
    assert again["status"] == "active"


def test_a_members_annual_report_is_submitted_commented_and_concluded(panel):
    chair, member = panel["chair"], panel["member"]["b"]
    report = {"entity": panel["b"], "period": "2014-15", "document": "Annual report 2014-15"}
    assert panel["member"]["a"].call("POST", "/panel/report-reviews",
                                     json=report).status_code == 403
    review = member.post("/panel/report-reviews", report)
    assert review["status"] == "submitted" and review["submitted_on"] == TODAY.isoformat()
    assert member.call("POST", "/panel/report-reviews", json=report).status_code == 409
    path = f"/panel/report-reviews/{review['id']}"
    assert chair.call("POST", f"{path}/conclusion").status_code == 409
    commented = panel["member"]["a"].post(f"{path}/comments", {"comment": "Useful figures"})
    assert commented["status"] == "commented" and commented["comments"][0]["by"] == panel["a"]
    assert member.call("POST", f"{path}/conclusion").status_code == 403
    concluded = chair.post(f"{path}/conclusion", {"summary": "Reviewed by the Panel"})
    assert concluded["status"] == "concluded"
    listed = chair.get("/panel/report-reviews", params={"entity": panel["b"]})["items"]
    assert [r["id"] for r in listed] == [review["id"]]


def test_the_chair_reviews_a_members_determination_within_tracked_limits(panel):
    chair, member = panel["chair"], panel["member"]["a"]
    request = {"entity": panel["a"], "case_ref": f"PAR-{uuid.uuid4().hex[:6]}",
               "requested_on": day(-50), "determination_notified_on": day(-60)}
    assert member.call("POST", "/panel/chair-reviews", json=request).status_code == 403
    review = chair.post("/panel/chair-reviews", request)
    assert review["status"] == "requested" and review["requested_in_time"] is True
    assert review["due_on"] == day(-5) and review["overdue"] is True
    assert chair.call("POST", "/panel/chair-reviews", json=request).status_code == 409
    path = f"/panel/chair-reviews/{review['id']}"
    conclusion = {"outcome": "different_determination"}
    assert chair.call("POST", f"{path}/conclusion",
                      json={**conclusion, "reasons": "x"}).status_code == 409
    chair.post(f"{path}/review", {"on": day(-40)})
    no_reasons = chair.call("POST", f"{path}/conclusion", json=conclusion)
    assert no_reasons.status_code == 422
    assert no_reasons.json()["errors"][0]["loc"] == ["body", "reasons"]
    concluded = chair.post(f"{path}/conclusion", {
        **conclusion, "reasons": "The protected activity contributed to the decision"})
    assert concluded["outcome"] == "different_determination"
    assert concluded["overdue"] is False and concluded["concluded_in_time"] is False
    assert member.get(path)["id"] == review["id"]
    assert panel["member"]["b"].call("GET", path).status_code == 403
    assert panel["member"]["b"].get("/panel/chair-reviews")["items"] == []


def test_one_idempotency_key_convenes_one_meeting(panel):
    body = {"scheduled_for": day(30), "kind": "informal", "agenda": ["Retreat planning"]}
    headers = {"Idempotency-Key": f"convene-{uuid.uuid4().hex}"}
    first = panel["chair"].call("POST", "/panel/meetings", json=body, headers=headers)
    again = panel["chair"].call("POST", "/panel/meetings", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"


def test_the_openapi_document_describes_the_panel(api):
    doc = api.get("/openapi.json")
    assert "post" in doc["paths"]["/api/v1/panel/consultations/{id}/positions"]
    assert "delete" in doc["paths"]["/api/v1/panel/members/{entity}"]
    assert {"PositionIn", "Consultation", "ConsultationPage",
            "ChairReviewConclusionIn"} <= set(doc["components"]["schemas"])


def test_the_panel_service_checks_what_it_is_sent_over_rpc(stack):
    """A malformed call to the service itself is refused with the fields at fault, not a 500."""
    chair = {"role": "panel_chair", "entity": "EO", "label": "rpc test"}
    with ClusterRpcProxy({"AMQP_URI": stack.amqp_uri}) as rpc:
        with pytest.raises(Invalid) as query:
            rpc.panel.list_meetings(chair, {"limit": "many", "kind": "secret"})
        assert sorted(e["loc"] for e in query.value.errors) == [["query", "kind"],
                                                                ["query", "limit"]]
        with pytest.raises(Invalid) as body:
            rpc.panel.convene_meeting(chair, {"scheduled_for": day(1), "kind": "formal"})
        assert body.value.errors[0]["loc"] == ["body", "agenda"]
        with pytest.raises(Invalid) as path:
            rpc.panel.get_meeting(chair, {"$ne": None})
        assert path.value.errors[0]["loc"] == ["path", "id"]
        assert rpc.panel.topics(chair, {"period": "1999-00"}) == []


def test_members_answering_at_once_each_keep_their_answer(panel):
    """Every member files, then amends, its position at the same moment as the others: none
    is refused for another's answer, and each answer's last version is the one kept."""
    consultation = open_consultation(panel["chair"])["id"]
    answering = [(panel["member"][k], panel[k]) for k in ("a", "b", "c")] + [
        (panel["chair"], "EO")]
    answers: list = []

    def answer(who, entity):
        for n in range(4):
            answers.append(position(who, consultation, entity, f"{entity} version {n}"))
    threads = [threading.Thread(target=answer, args=pair) for pair in answering]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 12 + [201] * 4, [
        a.text for a in answers if a.status_code >= 300]
    kept = panel["chair"].get(f"/panel/consultations/{consultation}")["positions"]
    assert {p["entity"]: p["position"] for p in kept} == {
        entity: f"{entity} version 3" for _, entity in answering}
