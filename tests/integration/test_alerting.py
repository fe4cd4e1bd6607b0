"""Alertmanager as `epun up --with-prometheus` starts it: an alert that fires in Prometheus
reaches the SMTP server it routes to (the platform's own local SMTP server, which keeps what it
receives), with its labels."""
import dataclasses
import datetime as dt
import shutil

import pytest
import requests

from epun.alertmanager import AlertRouting, alertmanager_url
from epun.cli_stack import up
from epun.prometheus import prometheus_url

from ..helpers import eventually, free_port
from .notifications_helpers import mailbox, to

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not shutil.which("prometheus") or not (
        shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")),
        reason="Prometheus or Alertmanager is missing: install Debian's 'prometheus' and "
               "'prometheus-alertmanager' packages (make test does)"),
]

OPERATIONS = "ethics-ops@example.org"


def _body(message) -> str:
    return "\n".join(part.get_content() for part in message.walk()
                     if part.get_content_type() in ("text/plain", "text/html"))


def matching(stack, text: str) -> list:
    return [m for m in mailbox(stack) if to(m) == OPERATIONS and text in _body(m)]


@pytest.fixture(scope="module")
def alerting(stack):
    watched = dataclasses.replace(stack, prometheus_port=free_port(), prometheus_interval="1s",
                                  alertmanager_port=free_port())
    routing = AlertRouting(smtp_url=stack.smtp_url, email_to=OPERATIONS, group_wait="1s")
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


def test_a_firing_alert_reaches_the_smtp_server_with_its_labels(alerting, api, unique_code):
    entity = unique_code("ALR")
    api.put(f"/entities/{entity}", {"name": "An office late with its review",
                                    "category": "other"})
    today = dt.date.today()
    inquiry = api.post("/retaliation-inquiries", {
        "entity": entity, "received_on": (today - dt.timedelta(days=60)).isoformat()})["id"]
    api.post(f"/retaliation-inquiries/{inquiry}/decisions", {
        "decision": "preliminary_review",
        "decided_on": (today - dt.timedelta(days=46)).isoformat()})

    mail, *_ = eventually(lambda: matching(alerting, entity), 90, interval=0.5)
    assert "EpunRetaliationPreliminaryReviewOverdue" in mail["Subject"]
    body = _body(mail)
    for label in ("alertname = EpunRetaliationPreliminaryReviewOverdue", f"entity = {entity}",
                  "team = ethics-office", "severity = warning"):
        assert label in body, f"{label!r} not in the mail"
    assert f"1 retaliation preliminary review(s) of {entity} overdue" in body
