"""Every accepted change in intake reaches a consumer once, as its contract promises."""
import time
import uuid

import pytest
from kombu import Connection, Queue, binding
from nameko.standalone.events import get_event_exchange

from shared.contracts.envelope import EVENTS, Envelope, events_of

from ..helpers import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def listener(stack):
    """A queue of our own bound to every intake event type; yields a function draining it."""
    exchange = get_event_exchange("intake", {})
    queue = Queue(f"intake-events-test-{uuid.uuid4().hex[:6]}", exchange=exchange,
                  bindings=[binding(exchange, routing_key=t) for t in events_of("intake")],
                  durable=False, auto_delete=False)
    uri = stack.amqp_uri.replace("pyamqp", "amqp")
    with Connection(uri) as conn:
        queue(conn.channel()).declare()
    received = []

    def drain(entities):
        with Connection(uri) as conn:
            bound = queue(conn.channel())
            while (message := bound.get(no_ack=True)) is not None:
                received.append(message.payload)
        return [m for m in received if m["entity"] in entities]
    yield drain
    with Connection(uri) as conn:
        queue(conn.channel()).delete()


def test_each_change_is_one_event_with_the_contracts_fields(api, listener, unique_code):
    first, second = unique_code("EVA"), unique_code("EVB")
    for code in (first, second):
        api.put(f"/entities/{code}", {"name": code, "category": "other"})
    row = {"received_on": "2014-09-01", "category": "advice",
           "advice_topic": "gifts_honours_awards", "source": "political_missions"}
    single = api.post("/service-requests", {"entity": first, **row})["id"]
    api.post("/service-requests/batch", {"items": [
        {"entity": first, **row}, {"entity": second, **row}, {"entity": second, **row},
        {"entity": "NOSUCHENTITY", **row}]})
    activity = api.post("/activities", {"entity": first, "held_on": "2015-05-05",
                                        "kind": "expert_panel_briefing", "participants": 14})["id"]
    inquiry = api.post("/retaliation-inquiries", {"entity": second,
                                                  "received_on": "2015-07-30"})["id"]
    api.post(f"/retaliation-inquiries/{inquiry}/decisions",
             {"decision": "preliminary_review", "decided_on": "2015-08-03"})
    api.put(f"/annual-figures/{first}/2013-14", {"total_requests": 5})
    api.put(f"/annual-figures/{first}/2013-14", {"total_requests": 6})

    expected = {"entity_registered": 2, "service_request_logged": 1,
                "service_request_batch_logged": 2, "activity_recorded": 1,
                "retaliation_inquiry_received": 1, "retaliation_decision_recorded": 1,
                "annual_figures_submitted": 2}
    ours = {first, second}
    eventually(lambda: len(listener(ours)) >= sum(expected.values()), 30)
    time.sleep(1)  # anything published twice would arrive by now
    messages = listener(ours)
    assert len({m["event_id"] for m in messages}) == len(messages)
    by_type = {}
    for m in messages:
        by_type.setdefault(m["type"], []).append(m)
    assert {t: len(ms) for t, ms in by_type.items()} == expected
    for m in messages:
        envelope = Envelope.model_validate(m)
        assert EVENTS[m["type"]][0] == "intake"
        envelope.parsed()  # the payload is its registered contract
        assert m["payload"].get("entity", m["payload"].get("code")) == m["entity"]

    assert by_type["service_request_logged"][0]["payload"] == {
        "id": single, "entity": first, "period": "2014-15", **row}
    batches = {m["entity"]: m["payload"]["requests"]
               for m in by_type["service_request_batch_logged"]}
    assert {e: len(rs) for e, rs in batches.items()} == {first: 1, second: 2}
    assert all(r["period"] == "2014-15" and r["advice_topic"] == "gifts_honours_awards"
               for rs in batches.values() for r in rs)
    assert by_type["activity_recorded"][0]["payload"] == {
        "id": activity, "entity": first, "period": "2014-15", "held_on": "2015-05-05",
        "kind": "expert_panel_briefing", "participants": 14}
    assert by_type["retaliation_inquiry_received"][0]["payload"]["period"] == "2014-15"
    assert by_type["retaliation_decision_recorded"][0]["payload"] == {
        "id": inquiry, "entity": second, "period": "2014-15", "decision": "preliminary_review",
        "decided_on": "2015-08-03", "previous_status": "received",
        "status": "preliminary_review"}
    versions = sorted((m["payload"]["version"], m["payload"]["figures"]["total_requests"])
                      for m in by_type["annual_figures_submitted"])
    assert versions == [(1, 5), (2, 6)]
    assert all(m["payload"]["period"] == "2013-14" for m in by_type["annual_figures_submitted"])
