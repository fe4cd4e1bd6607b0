"""A real Prometheus (Debian's server) started as `epun up --with-prometheus` starts it, watching
the test stack: targets up, queries through its HTTP API, alerts firing when made true."""
import dataclasses
import datetime as dt
import json
import shutil
import socket

import pytest
import requests
import yaml
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from epun import ROOT
from epun.cli_stack import up
from epun.prometheus import prometheus_url, start_prometheus
from epun.stack import SERVICES, Stack, StackError

from ..helpers import eventually, free_port
from .test_monitoring import enrolled_filer, file_statement

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("prometheus") is None,
                       reason="the Prometheus server is missing: install Debian's 'prometheus' "
                              "package (make test does)"),
]


class PrometheusApi:
    def __init__(self, url: str):
        self.url = url

    def get(self, path: str, **params):
        response = requests.get(f"{self.url}/api/v1/{path}", params=params, timeout=10)
        response.raise_for_status()
        body = response.json()
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list:
        return self.get("query", query=expr)["result"]

    def scalar(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def firing(self, alertname: str, **labels) -> list:
        return [a for a in self.get("alerts")["alerts"]
                if a["labels"]["alertname"] == alertname and a["state"] == "firing"
                and all(a["labels"].get(k) == v for k, v in labels.items())]

    def rules_evaluated(self) -> bool:
        groups = self.get("rules")["groups"]
        return bool(groups) and all(g["lastEvaluation"] > "2000" for g in groups)


@pytest.fixture(scope="module")
def watched(stack):
    """The test stack with Prometheus on a free port, scraping and evaluating every second."""
    watched = dataclasses.replace(stack, prometheus_port=free_port(), prometheus_interval="1s")
    up(watched, with_prometheus=True)  # what `epun up --with-prometheus` runs
    try:
        yield watched
    finally:
        watched.stop_process("prometheus")
        watched.stop_process("alertmanager")


@pytest.fixture(scope="module")
def prometheus(watched) -> PrometheusApi:
    api = PrometheusApi(prometheus_url(watched))
    eventually(api.rules_evaluated, 30)
    return api


def publish_to(stack, source, event_type, body):
    exchange = get_event_exchange(source, {})
    Publisher(stack.amqp_uri, exchange=exchange, declare=[exchange],
              use_confirms=True).publish(body, routing_key=event_type)


def test_up_with_prometheus_runs_it_on_the_chosen_port_with_every_alert(watched, prometheus):
    assert watched.running("prometheus")
    assert requests.get(f"{prometheus.url}/-/ready", timeout=5).status_code == 200
    loaded = {rule["name"] for group in prometheus.get("rules")["groups"]
              for rule in group["rules"] if rule["type"] == "alerting"}
    in_deploy = {rule["alert"] for group in yaml.safe_load(
        (ROOT / "deploy/prometheus/alerts.yml").read_text())["groups"]
        for rule in group["rules"] if "alert" in rule}
    assert loaded == in_deploy
    assert all(rule["health"] == "ok" for group in prometheus.get("rules")["groups"]
               for rule in group["rules"])


def test_prometheus_sees_every_service_up_on_the_stack_ports(watched, prometheus):
    def targets():
        active = prometheus.get("targets", state="active")["activeTargets"]
        return {t["labels"]["service"]: t for t in active}
    eventually(lambda: set(targets()) == set(SERVICES)
               and all(t["health"] == "up" for t in targets().values()), 30)
    for service, target in targets().items():
        assert target["scrapeUrl"] == f"http://127.0.0.1:{watched.metrics_port(service)}/metrics"
    up = {r["metric"]["service"]: r["value"][1] for r in prometheus.query('up{job="epun"}')}
    assert up == {service: "1" for service in SERVICES}


def test_a_counter_driven_through_the_api_moves_in_prometheus(prometheus, api, unique_code):
    published = 'sum(epun_events_published_total{service="intake", type="entity_registered"})'
    eventually(lambda: prometheus.query('epun_service_up{service="intake"}'), 30)
    before = prometheus.scalar(published) or 0
    api.put(f"/entities/{unique_code('PROM')}", {"name": "Watched", "category": "other"})
    eventually(lambda: (prometheus.scalar(published) or 0) >= before + 1, 30)


def test_a_dead_letter_fires_the_dead_letters_alert(stack, prometheus):
    kind = {"service": "reporting", "type": "entity_registered", "reason": "invalid contract"}
    counted = ('sum(epun_dead_lettered_messages_total{service="reporting", '
               'type="entity_registered"})')
    eventually(lambda: prometheus.query('up{job="epun", service="reporting"} == 1'), 30)
    before = prometheus.scalar(counted) or 0
    # tests share the stack: a dead letter of this kind under 15 minutes old keeps it firing
    already = prometheus.firing("EpunDeadLetters", **kind)
    published_at = dt.datetime.now(dt.timezone.utc)
    publish_to(stack, "intake", "entity_registered", {"type": "entity_registered",
                                                      "payload": "not an envelope"})
    eventually(lambda: (prometheus.scalar(counted) or 0) == before + 1, 30)
    alert = eventually(lambda: prometheus.firing("EpunDeadLetters", **kind), 30)[0]
    assert "dead-lettered entity_registered" in alert["annotations"]["summary"]
    assert alert["annotations"]["description"]
    if not already:
        assert dt.datetime.fromisoformat(alert["activeAt"]) >= published_at


def test_an_overdue_preliminary_review_is_queried_and_fires_its_alert(prometheus, api,
                                                                      unique_code):
    entity = unique_code("OVD")
    api.put(f"/entities/{entity}", {"name": "A late office", "category": "other"})
    today = dt.date.today()
    inquiry = api.post("/retaliation-inquiries", {
        "entity": entity, "received_on": (today - dt.timedelta(days=60)).isoformat()})["id"]
    overdue = f'epun_retaliation_preliminary_reviews_overdue{{entity="{entity}"}}'
    eventually(lambda: prometheus.query('up{job="epun", service="intake"} == 1'), 30)
    assert not prometheus.query(f"{overdue} > 0")
    assert not prometheus.firing("EpunRetaliationPreliminaryReviewOverdue", entity=entity)
    api.post(f"/retaliation-inquiries/{inquiry}/decisions", {
        "decision": "preliminary_review",
        "decided_on": (today - dt.timedelta(days=46)).isoformat()})
    eventually(lambda: prometheus.scalar(overdue) == 1, 30)
    alert = eventually(lambda: prometheus.firing("EpunRetaliationPreliminaryReviewOverdue",
                                                 entity=entity), 30)[0]
    assert alert["labels"]["team"] == "ethics-office"
    assert alert["annotations"]["summary"] == \
        f"1 retaliation preliminary review(s) of {entity} overdue"


def test_the_dashboards_compliance_by_entity_follows_a_filing(prometheus, api, client_as,
                                                              unique_code):
    year, entity, staff_id = enrolled_filer(api, unique_code)
    # the dashboard's "Compliance by entity" query, for this entity
    compliance = (f'epun_fdp_filers_filed{{entity="{entity}"}}'
                  f' / (epun_fdp_filers_required{{entity="{entity}"}} > 0)')
    eventually(lambda: prometheus.scalar(compliance) == 0, 30)
    file_statement(client_as, year, staff_id)
    eventually(lambda: prometheus.scalar(compliance) == 1, 30)


def test_every_dashboard_query_runs_on_the_live_series(prometheus):
    board = json.loads((ROOT / "deploy/grafana/dashboards/epun-platform.json").read_text())
    queries = {panel["title"]: [t["expr"].replace("$__rate_interval", "1m")
                                for t in panel.get("targets", [])]
               for panel in board["panels"]}
    eventually(lambda: len(prometheus.query('up{job="epun"}')) == len(SERVICES), 30)
    for exprs in queries.values():
        for expr in exprs:
            prometheus.query(expr)  # an evaluation error (e.g. vector matching) fails here
    assert len(prometheus.query(queries["Services"][0])) == len(SERVICES)


def test_starting_it_again_reloads_the_running_server(watched, prometheus):
    pid = watched.read_pid("prometheus")
    assert start_prometheus(watched) == prometheus.url
    assert watched.read_pid("prometheus") == pid
    assert prometheus.get("status/config")["yaml"]


def test_a_taken_port_is_refused_with_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        stack = Stack(state_dir=tmp_path, prometheus_port=taken.getsockname()[1])
        with pytest.raises(StackError, match=f"port {stack.prometheus_port} is already taken"):
            start_prometheus(stack)
    assert not stack.running("prometheus")
