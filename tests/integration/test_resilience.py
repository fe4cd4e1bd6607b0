"""The platform on a RabbitMQ node of its own (tests/brokers.py), so stopping it touches no other
test: quorum queues, readiness, the gateway under a broker restart, and JSON logs that follow
one request through the services."""
import json
import threading
import time
import uuid

import pytest
import requests
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from epun.stack import SERVICES, private_stack

from ..brokers import BrokerNode, available
from ..helpers import eventually

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not available(), reason="needs Debian's rabbitmq-server")]


RPC_TIMEOUT = 5
SLACK = 3  # what the gateway does besides the call: the token, the idempotency record


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    node = BrokerNode(tmp_path_factory.mktemp("broker"), "epun-faults")
    node.start()
    yield node
    node.destroy()


@pytest.fixture(scope="module")
def platform(broker, tmp_path_factory):
    stack = private_stack(tmp_path_factory.mktemp("stack"), "/", "f")
    stack.amqp_uri = broker.amqp_uri()
    stack.extra_env.update(QUEUE_TYPE="quorum", RPC_TIMEOUT=str(RPC_TIMEOUT), LOG_FORMAT="json")
    try:
        stack.up()
        yield stack
    finally:
        stack.down()


def test_with_quorum_every_durable_queue_is_quorum_and_reply_queues_are_classic(platform,
                                                                                broker):
    exchange = get_event_exchange("intake", {})
    Publisher(platform.amqp_uri, exchange=exchange, declare=[exchange], use_confirms=True
              ).publish({"not": "an envelope"}, routing_key="entity_registered")
    types = eventually(lambda: (lambda t: t if "epun.dead-letters" in t else None)(
        broker.queue_types()), seconds=30)
    for service in ("intake", "disclosure", "panel", "reporting"):
        assert types[f"rpc-{service}"] == "quorum", types
    events = [name for name in types if name.startswith("evt-")]
    assert events and all(types[name] == "quorum" for name in events), types
    assert types["epun.dead-letters"] == "quorum"
    replies = [name for name in types if name.startswith("rpc.reply-")]
    assert replies and all(types[name] == "classic" for name in replies), types


def json_lines(stack, service) -> list[dict]:
    text = (stack.log_dir / f"{service}.log").read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_one_request_s_id_is_in_the_gateway_s_intake_s_and_reporting_s_log_lines(platform):
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    request_id = f"trace-{uuid.uuid4().hex}"
    code = f"L{uuid.uuid4().hex[:6].upper()}"
    answer = requests.put(f"{platform.base_url}/api/v1/entities/{code}", timeout=30,
                          json={"name": "Traced Office", "category": "other"},
                          headers={**headers, "X-Request-Id": request_id})
    assert answer.status_code == 200 and answer.headers["X-Request-Id"] == request_id

    def traced():
        found = {s: [line for line in json_lines(platform, s)
                     if line.get("request_id") == request_id]
                 for s in ("gateway", "intake", "reporting")}
        return found if all(found.values()) else None
    found = eventually(traced, seconds=30)
    for service, lines in found.items():
        assert all(line["service"] == service for line in lines)
        assert {"time", "level", "message", "actor", "entity"} <= set(lines[0])
    assert any(line["actor"] == "admin" for line in found["intake"]), found["intake"]
    assert any(line["entity"] == code for line in found["reporting"]), found["reporting"]

    unusable = requests.get(f"{platform.base_url}/api/v1/entities/{code}", timeout=30,
                            headers={**headers, "X-Request-Id": "not usable\u00e9"})
    assert unusable.headers["X-Request-Id"] not in ("", "not usable\u00e9")


def readyz(stack, service):
    answer = requests.get(f"http://127.0.0.1:{stack.metrics_port(service)}/readyz", timeout=5)
    return answer.status_code, answer.json()


def test_readyz_is_503_naming_the_broker_while_it_is_down_and_200_once_it_is_back(platform,
                                                                                   broker):
    for service in SERVICES:
        assert eventually(lambda: readyz(platform, service)[0] == 200, seconds=30)
    broker.stop()
    try:
        for service in SERVICES:
            status, body = eventually(
                lambda: (lambda r: r if r[0] == 503 else None)(readyz(platform, service)),
                seconds=30)
            assert body["status"] == "not ready"
            assert body["checks"]["broker"]["status"] == "failing", (service, body)
            assert body["checks"]["database"]["status"] == "ok", (service, body)
            alive = requests.get(
                f"http://127.0.0.1:{platform.metrics_port(service)}/healthz", timeout=5)
            assert alive.status_code == 200, service
    finally:
        broker.start()
    for service in SERVICES:
        assert eventually(lambda: readyz(platform, service)[0] == 200, seconds=60), service


def test_the_gateway_under_a_broker_restart_answers_in_time_and_never_500(platform, broker):
    token = platform.admin_token()
    headers = {"Authorization": f"Bearer {token}"}
    code = f"F{uuid.uuid4().hex[:6].upper()}"
    url = f"{platform.base_url}/api/v1/entities/{code}"
    entity = {"name": "Broker Fault Office", "category": "secretariat"}
    requests.put(url, json=entity, headers=headers, timeout=30).raise_for_status()
    answers, stop = [], threading.Event()

    def client(write: bool):
        while not stop.is_set():
            started = time.monotonic()
            try:
                if write:
                    r = requests.put(url, json=entity, timeout=RPC_TIMEOUT + 30, headers={
                        **headers, "Idempotency-Key": uuid.uuid4().hex})
                else:
                    r = requests.get(url, headers=headers, timeout=RPC_TIMEOUT + 30)
                answers.append((r.status_code, time.monotonic() - started,
                                r.headers.get("Retry-After"), r.headers.get("Content-Type")))
            except requests.RequestException as exc:
                answers.append((type(exc).__name__, time.monotonic() - started, None, None))
            time.sleep(0.05)

    clients = [threading.Thread(target=client, args=(n % 2 == 1,)) for n in range(4)]
    for c in clients:
        c.start()
    try:
        time.sleep(2)
        broker.restart(down_seconds=3)
        before = len(answers)
        eventually(lambda: sum(1 for a in answers[before:] if a[0] == 200) >= 8, seconds=60)
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=RPC_TIMEOUT + 35)
        statuses = [a[0] for a in answers]
        print(f"{len(answers)} answers: " + ", ".join(
            f"{s}: {statuses.count(s)}" for s in sorted(set(statuses), key=str)))
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses  # the broker was away long enough for some calls to give up
    unavailable = [a for a in answers if a[0] == 503]
    assert all(a[2] and a[3] == "application/problem+json" for a in unavailable), unavailable
    slowest = max(a[1] for a in answers)
    assert slowest <= RPC_TIMEOUT + SLACK, slowest
