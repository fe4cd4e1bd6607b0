"""The skeleton's promises, against a real RabbitMQ and a real MongoDB-compatible server."""
import datetime as dt
import json
import threading

import pytest
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from prometheus_client.parser import text_string_to_metric_families
import requests

from shared.contracts.common import Actor, Role
from shared.contracts.directory import EntityRegistered
from shared.contracts.envelope import Envelope

from ..helpers import eventually

pytestmark = pytest.mark.integration


def directory_doc(mongo, stack, code):
    return mongo[f"{stack.db_prefix}_reporting"].directory.find_one({"entity": code})


def publish_to(stack, source, event_type, body):
    exchange = get_event_exchange(source, {})
    Publisher(stack.amqp_uri, exchange=exchange, declare=[exchange],
              use_confirms=True).publish(body, routing_key=event_type)


def metric_value(stack, service, name, **labels):
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port(service)}/metrics", timeout=5).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def test_health_is_green_and_every_metrics_port_answers(stack, api):
    health = requests.get(f"{stack.base_url}/api/v1/health", timeout=10).json()
    assert health["status"] == "ok"
    assert set(health["services"]) == {"gateway", "intake", "disclosure", "panel", "reporting"}
    for service in health["services"]:
        text = requests.get(f"http://127.0.0.1:{stack.metrics_port(service)}/metrics",
                            timeout=5).text
        names = {f.name for f in text_string_to_metric_families(text)}
        assert "epun_outbox_backlog_events" in names


def test_every_service_answers_healthz_and_readyz_on_its_metrics_port(stack):
    for service in ("gateway", "intake", "disclosure", "panel", "reporting"):
        base = f"http://127.0.0.1:{stack.metrics_port(service)}"
        alive = requests.get(f"{base}/healthz", timeout=5)
        assert alive.status_code == 200 and alive.json()["service"] == service
        ready = eventually(lambda: _ready(base), seconds=30)
        assert ready["status"] == "ready", (service, ready)
        assert set(ready["checks"]) == {"broker", "database", "relay"}, service
        assert all(c["status"] == "ok" for c in ready["checks"].values()), (service, ready)


def _ready(base):
    answer = requests.get(f"{base}/readyz", timeout=5)
    return answer.json() if answer.status_code == 200 else None


def test_openapi_lists_the_directory_and_its_models(api):
    doc = api.get("/openapi.json")
    assert doc["openapi"].startswith("3.")
    assert "put" in doc["paths"]["/api/v1/entities/{code}"]
    assert "EntityIn" in doc["components"]["schemas"]


def test_registered_entity_reaches_reporting(stack, api, mongo, unique_code):
    code = unique_code("UN")
    stored = api.put(f"/entities/{code}", {"name": "A refugee agency", "category": "other"})
    assert stored == {"code": code, "name": "A refugee agency", "category": "other",
                      "parent": None}
    assert api.get(f"/entities/{code}")["name"] == "A refugee agency"
    doc = eventually(lambda: directory_doc(mongo, stack, code))
    assert doc["name"] == "A refugee agency" and doc["category"] == "other"


def test_the_same_event_delivered_twice_changes_reporting_once(stack, mongo, unique_code):
    code = unique_code("DUP")
    envelope = Envelope.of(EntityRegistered(code=code, name="Twice", category="other"),
                           entity=code, actor=Actor(role=Role.admin, label="test"))
    body = envelope.model_dump(mode="json")
    publish_to(stack, "intake", "entity_registered", body)
    publish_to(stack, "intake", "entity_registered", body)
    eventually(lambda: directory_doc(mongo, stack, code))
    processed = mongo[f"{stack.db_prefix}_reporting"].processed_events
    eventually(lambda: metric_value(stack, "reporting", "epun_events_consumed_total",
                                    type="entity_registered") >= 2 or None, 10)
    assert directory_doc(mongo, stack, code)["registrations"] == 1
    assert processed.count_documents({"event_id": envelope.event_id}) == 1


def test_an_invalid_message_is_dead_lettered_and_the_next_is_processed(stack, mongo,
                                                                        unique_code):
    before = metric_value(stack, "reporting", "epun_dead_lettered_messages_total")
    publish_to(stack, "intake", "entity_registered", {"type": "entity_registered",
                                                      "payload": "not an envelope"})
    code = unique_code("NXT")
    good = Envelope.of(EntityRegistered(code=code, name="Next", category="secretariat"),
                       entity=code, actor=Actor(role=Role.admin, label="test"))
    publish_to(stack, "intake", "entity_registered", good.model_dump(mode="json"))
    eventually(lambda: directory_doc(mongo, stack, code))
    eventually(lambda: metric_value(stack, "reporting",
                                    "epun_dead_lettered_messages_total") == before + 1)
    dead = requests.get(
        f"http://guest:guest@127.0.0.1:15672/api/queues/{stack.amqp_uri.rsplit('/', 1)[1]}"
        "/epun.dead-letters/get", timeout=10)
    fetched = requests.post(dead.url, json={"count": 50, "ackmode": "ack_requeue_true",
                                            "encoding": "auto"}, timeout=10).json()
    reasons = [m["properties"]["headers"]["x-epun-reason"] for m in fetched]
    bodies = [json.loads(m["payload"]) for m in fetched]
    assert any(r.startswith("invalid contract") for r in reasons)
    assert {"type": "entity_registered", "payload": "not an envelope"} in bodies


def test_no_token_is_401(stack, unique_code):
    response = requests.put(f"{stack.base_url}/api/v1/entities/{unique_code()}",
                            json={"name": "X", "category": "other"}, timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_bad_writes_are_refused_and_store_nothing(api, client_as, unique_code):
    before = api.get("/entities")
    focal = client_as("focal_point", "UNDP")
    code = unique_code()
    forbidden = focal.call("PUT", f"/entities/{code}", json={"name": "X", "category": "other"})
    assert forbidden.status_code == 403
    malformed = api.call("PUT", f"/entities/{code}", data=b'{"name": ',
                         headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    invalid = api.call("PUT", "/entities/not-a-code", json={"name": "X", "category": "other"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["loc"] == ["path", "code"]
    bad_category = api.call("PUT", f"/entities/{code}", json={"name": "X", "category": "nope"})
    assert bad_category.status_code == 422
    assert bad_category.json()["errors"][0]["loc"] == ["body", "category"]
    bad_token = api.as_token("epun_nonsense").call("GET", "/entities")
    assert bad_token.status_code == 401
    assert api.get("/entities") == before


def test_idempotency_key_replays_the_first_answer(api, unique_code):
    code = unique_code("IDM")
    headers = {"Idempotency-Key": f"key-{code}"}
    first = api.call("PUT", f"/entities/{code}", json={"name": "One", "category": "other"},
                     headers=headers)
    again = api.call("PUT", f"/entities/{code}", json={"name": "One", "category": "other"},
                     headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    other = api.call("PUT", f"/entities/{code}", json={"name": "Two", "category": "other"},
                     headers=headers)
    assert other.status_code == 409
    assert api.get(f"/entities/{code}")["name"] == "One"


def test_a_write_sent_again_after_its_answer_was_lost_is_done_once(stack, api, mongo,
                                                                    unique_code):
    """The gateway lost the first answer (its idempotency record released, as when the reply
    died with a broker node): the same request with the same key reaches intake again, which
    answers with what it answered the first time instead of logging the request twice."""
    code = unique_code("LOST")
    api.call("PUT", f"/entities/{code}", json={"name": "Lost answers", "category": "other"})
    body = {"entity": code, "received_on": "2015-03-02", "category": "advice",
            "advice_topic": "other", "source": "headquarters"}
    headers = {"Idempotency-Key": f"lost-{dt.datetime.now().timestamp()}"}
    first = api.call("POST", "/service-requests", json=body, headers=headers)
    assert first.status_code == 201, first.text
    gateway_db, intake_db = mongo[f"{stack.db_prefix}_gateway"], mongo[f"{stack.db_prefix}_intake"]
    before = intake_db.service_requests.count_documents({})
    assert gateway_db.idempotency.delete_many({}).deleted_count >= 1
    again = api.call("POST", "/service-requests", json=body, headers=headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json() == first.json()
    assert intake_db.service_requests.count_documents({}) == before
    other = api.call("POST", "/service-requests", json=body,
                     headers={"Idempotency-Key": headers["Idempotency-Key"] + "-2"})
    assert other.status_code == 201 and other.json() != first.json()
    assert intake_db.service_requests.count_documents({}) == before + 1


def _first_run_still_going(stack, api, mongo, code):
    """A request answered once, then made to look as if its first run in intake were still
    going (its kept answer back to a bare claim) and its gateway record lost: (body, headers,
    first answer, the claim's id)."""
    body = {"entity": code, "received_on": "2015-03-02", "category": "advice",
            "advice_topic": "other", "source": "headquarters"}
    headers = {"Idempotency-Key": f"overlap-{code}"}
    first = api.call("POST", "/service-requests", json=body, headers=headers)
    assert first.status_code == 201, first.text
    answers = mongo[f"{stack.db_prefix}_intake"].rpc_answers
    [claim] = [d["_id"] for d in answers.find({"result": {"$exists": True}})
               if d["result"] == first.json()]
    answers.update_one({"_id": claim}, {"$unset": {"result": 1}})
    assert mongo[f"{stack.db_prefix}_gateway"].idempotency.delete_many({}).deleted_count >= 1
    return body, headers, first.json(), claim


def test_a_repeat_that_overlaps_its_first_run_waits_for_its_answer_and_writes_nothing(
        stack, api, mongo, unique_code):
    code = unique_code("OVER")
    api.call("PUT", f"/entities/{code}", json={"name": "Overlaps", "category": "other"})
    body, headers, first, claim = _first_run_still_going(stack, api, mongo, code)
    intake_db = mongo[f"{stack.db_prefix}_intake"]
    before = intake_db.service_requests.count_documents({"entity": code})
    answers = intake_db.rpc_answers
    threading.Timer(2, lambda: answers.update_one({"_id": claim},
                                                  {"$set": {"result": first}})).start()
    again = api.call("POST", "/service-requests", json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, first)
    assert intake_db.service_requests.count_documents({"entity": code}) == before == 1


def test_a_repeat_whose_first_run_died_after_its_commit_is_a_409_and_writes_nothing(
        stack, api, mongo, unique_code):
    code = unique_code("DIED")
    api.call("PUT", f"/entities/{code}", json={"name": "Died", "category": "other"})
    body, headers, _, _ = _first_run_still_going(stack, api, mongo, code)
    again = api.call("POST", "/service-requests", json=body, headers=headers)
    assert again.status_code == 409, again.text
    assert "read the record back" in again.json()["detail"]
    assert mongo[f"{stack.db_prefix}_intake"].service_requests.count_documents(
        {"entity": code}) == 1


def test_tokens_are_stored_only_as_hashes(stack, api, mongo):
    token = api.token_for("auditor", label="hash-check")
    docs = list(mongo[f"{stack.db_prefix}_gateway"].tokens.find({}))
    assert docs and all(token not in json.dumps(d, default=str) for d in docs)
    assert api.as_token(token).get("/entities") is not None
    audit = mongo[f"{stack.db_prefix}_gateway"].audit_log.find_one({"action": "issue_token",
                                                                    "detail": "hash-check"})
    assert audit["who"] == "local-admin" and audit["record"].startswith("tokens/")


def test_idempotency_keys_are_each_token_s_own_and_a_dead_claim_lapses(stack, api, mongo,
                                                                        unique_code):
    from services.gateway.domain import idempotency_key
    first = api.post("/tokens", {"role": "ethics_office", "label": "the same label"})
    second = api.post("/tokens", {"role": "ethics_office", "label": "the same label"})
    code = unique_code("IDEM")
    headers = {"Idempotency-Key": f"k-{code}"}
    for issued, name in ((first, "One"), (second, "Two")):  # same key, same label: no clash
        answer = api.as_token(issued["token"]).call(
            "PUT", f"/entities/{code}", json={"name": name, "category": "other"},
            headers=headers)
        assert answer.status_code == 200 and "Idempotent-Replayed" not in answer.headers
    assert api.get(f"/entities/{code}")["name"] == "Two"

    # a first request that died before its answer was kept: its claim lapses after a minute
    key = f"dead-{code}"
    mongo[f"{stack.db_prefix}_gateway"].idempotency.insert_one({
        "_id": idempotency_key(first["id"], key), "entity": "-", "fingerprint": "lost",
        "status": None, "created_at": dt.datetime.now(dt.timezone.utc) - dt.timedelta(
            seconds=61)})
    retried = api.as_token(first["token"]).call(
        "PUT", f"/entities/{code}", json={"name": "Three", "category": "other"},
        headers={"Idempotency-Key": key})
    assert retried.status_code == 200 and api.get(f"/entities/{code}")["name"] == "Three"
