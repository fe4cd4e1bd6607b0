"""Alertmanager as `epun up --with-prometheus` starts it: an alert that fires in Prometheus
reaches the SMTP server it routes to (an aiosmtpd server in this process), with its labels."""
import dataclasses
import datetime as dt
import email
import email.policy
import shutil
import threading

import pytest
import requests
from aiosmtpd.controller import Controller

from epun.alertmanager import AlertRouting, alertmanager_url
from epun.cli_stack import up
from epun.prometheus import prometheus_url

from ..helpers import eventually, free_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not shutil.which("prometheus") or not (
        shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")),
        reason="Prometheus or Alertmanager is missing: install Debian's 'prometheus' and "
               "'prometheus-alertmanager' packages (make test does)"),
]


class Inbox:
    """An SMTP server's handler keeping every message it is given."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def matching(self, text: str) -> list:
        with self.lock:
            return [(to, m) for to, m in self.messages if text in _body(m)]


def _body(message) -> str:
    return "\n".join(part.get_content() for part in message.walk()
                     if part.get_content_type() in ("text/plain", "text/html"))


@pytest.fixture(scope="module")
def inbox():
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    yield handler, server.port
    server.stop()


@pytest.fixture(scope="module")
def alerting(stack, inbox):
    _, smtp_port = inbox
    watched = dataclasses.replace(stack, prometheus_port=free_port(), prometheus_interval="1s",
                                  alertmanager_port=free_port())
    routing = AlertRouting(smtp_url=f"smtp://127.0.0.1:{smtp_port}",
                           email_to="ethics-ops@example.org", group_wait="1s")
    up(watched, with_prometheus=True, routing=routing)  # what `epun up --with-prometheus` runs
    try:
        yield watched
    finally:
        watched.stop_process("prometheus")
        watched.stop_process("alertmanager")


def test_prometheus_sends_its_alerts_to_the_alertmanager_started_with_it(alerting):
    def discovered():
        answer = requests.get(f"{prometheus_url(alerting)}/api/v1/alertmanagers", timeout=5)
        return [a["url"] for a in answer.json()["data"]["activeAlertmanagers"]]
    urls = eventually(discovered, 30)
    assert urls == [f"{alertmanager_url(alerting)}/api/v2/alerts"]


def test_a_firing_alert_reaches_the_smtp_server_with_its_labels(alerting, inbox, api,
                                                               unique_code):
    handler, _ = inbox
    entity = unique_code("ALR")
    api.put(f"/entities/{entity}", {"name": "An office late with its review",
                                    "category": "other"})
    today = dt.date.today()
    inquiry = api.post("/retaliation-inquiries", {
        "entity": entity, "received_on": (today - dt.timedelta(days=60)).isoformat()})["id"]
    api.post(f"/retaliation-inquiries/{inquiry}/decisions", {
        "decision": "preliminary_review",
        "decided_on": (today - dt.timedelta(days=46)).isoformat()})

    (recipients, mail), *_ = eventually(lambda: handler.matching(entity), 90, interval=0.5)
    assert recipients == ["ethics-ops@example.org"]
    assert "EpunRetaliationPreliminaryReviewOverdue" in mail["Subject"]
    body = _body(mail)
    for label in ("alertname = EpunRetaliationPreliminaryReviewOverdue", f"entity = {entity}",
                  "team = ethics-office", "severity = warning"):
        assert label in body, f"{label!r} not in the mail"
    assert f"1 retaliation preliminary review(s) of {entity} overdue" in body
