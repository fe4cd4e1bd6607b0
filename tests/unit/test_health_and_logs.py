"""The readiness answer, the queue arguments of QUEUE_TYPE and the JSON log line, alone."""
import json
import logging
import time

import pytest
from nameko.exceptions import ConfigurationError
from werkzeug.test import Client
from werkzeug.wrappers import Request

from shared import health, logs, queues


@pytest.fixture
def checks():
    saved = dict(health.CHECKS)
    health.CHECKS.clear()
    yield health.CHECKS
    health.CHECKS.clear()
    health.CHECKS.update(saved)


def test_readyz_is_200_when_every_check_passes_and_503_naming_the_one_that_fails(checks):
    broker, database = health.Watched("broker", 30), health.Watched("database", 30)
    health.add_check("broker", broker)
    health.add_check("database", database)
    client = Client(health.make_app("intake"))
    assert client.get("/readyz").status_code == 503  # nothing checked yet
    broker.record(None)
    database.record(None)
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["status"] == "ready"
    broker.record("RabbitMQ does not answer")
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"] == {
        "broker": {"status": "failing", "detail": "RabbitMQ does not answer"},
        "database": {"status": "ok"}}
    assert client.get("/healthz").status_code == 200
    assert b"# HELP" in client.get("/metrics").data


def test_a_watcher_silent_too_long_fails_its_check():
    watched = health.Watched("database", fresh_seconds=0.05)
    watched.record(None)
    assert watched() is None
    time.sleep(0.1)
    assert "not checked for" in watched()


def test_queue_type_arguments():
    assert queues.durable_arguments({"QUEUE_TYPE": "quorum"}) == {"x-queue-type": "quorum"}
    assert queues.durable_arguments({"QUEUE_TYPE": "classic"}) == {}
    assert queues.durable_arguments({}) == {}
    with pytest.raises(ConfigurationError, match="QUEUE_TYPE"):
        queues.durable_arguments({"QUEUE_TYPE": "mirrored"})


def test_a_json_log_line_carries_the_worker_s_request_actor_and_entity():
    formatter = logs.JsonFormatter(service="intake")
    token = logs._context.set({"request_id": "r-1", "actor": "focal_point:S1", "entity": "UNHCR"})
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "logged %s rows", (3,), None)
    try:
        line = json.loads(formatter.format(record))
    finally:
        logs._context.reset(token)
    assert line["service"] == "intake" and line["message"] == "logged 3 rows"
    assert (line["request_id"], line["actor"], line["entity"]) == ("r-1", "focal_point:S1",
                                                                   "UNHCR")
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_a_request_id_is_taken_when_usable_and_made_otherwise():
    def request(value):
        return Request.from_values(headers={"X-Request-Id": value} if value else {})
    assert logs.chosen_request_id(request("abc-123:x.y_z")) == "abc-123:x.y_z"
    for unusable in (None, "has space", "x" * 129, "caf\u00e9", "a;b"):
        made = logs.chosen_request_id(request(unusable))
        assert made != unusable and len(made) == 32
