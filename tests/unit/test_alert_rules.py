"""The Prometheus configuration, alert rules and Grafana dashboard in deploy/, checked offline.

promtool (Debian's `prometheus` package, installed by `make test`) checks the configuration and
rules and runs the rules' unit tests; the dashboard's queries are checked as PromQL by promtool too.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from epun import ROOT
from epun.prometheus import config_for
from epun.stack import METRICS_ORDER, Stack

DEPLOY = ROOT / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"

# series the services export (shared/metrics.py and each area's business gauges)
PLATFORM_METRICS = {
    "epun_entrypoint_calls_total", "epun_entrypoint_errors_total",
    "epun_entrypoint_duration_seconds", "epun_events_published_total",
    "epun_events_consumed_total", "epun_outbox_backlog_events",
    "epun_outbox_oldest_unsent_age_seconds", "epun_dead_lettered_messages_total",
    "epun_rabbitmq_connection_up", "epun_service_up",
}
BUSINESS_METRICS = {
    "epun_retaliation_preliminary_reviews_overdue", "epun_fdp_filers_required",
    "epun_fdp_filers_filed", "epun_fdp_filers_not_filed", "epun_fdp_compliance_ratio",
    "epun_fdp_days_to_deadline", "epun_panel_consultations_past_answer_date",
    "epun_annual_figures_missing",
    "epun_notifications_sent_total", "epun_notifications_failed_total",
    "epun_notifications_skipped_total", "epun_notifications_fallback_total",
    "epun_notifications_oldest_queued_age_seconds", "epun_notifications_queued_messages",
}
REQUIRED_ALERTS = {"EpunServiceDown", "EpunDeadLetters", "EpunOutboxBacklogGrowing",
                   "EpunRetaliationPreliminaryReviewOverdue", "EpunFdpComplianceBehindDeadline"}

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is missing: install Debian's 'prometheus' package (make test does)")


def promtool(*args, cwd=PROMETHEUS):
    done = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def alert_rules():
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def dashboard_exprs():
    exprs = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            exprs += [(path.name, panel["title"], t["expr"]) for t in panel.get("targets", [])]
    return exprs


def known(name: str) -> bool:
    base = re.sub(r"_(bucket|sum|count|created)$", "", name)
    return name in PLATFORM_METRICS | BUSINESS_METRICS or base in PLATFORM_METRICS or \
        f"{base}_total" in PLATFORM_METRICS


@needs_promtool
def test_the_deploy_configuration_passes_promtool_check_config():
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml")


@needs_promtool
def test_the_alert_rules_pass_promtool_check_rules():
    assert "SUCCESS" in promtool("check", "rules", "alerts.yml")


@needs_promtool
def test_the_alert_rules_pass_their_unit_tests():
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")


def test_every_alert_is_shown_firing_in_the_unit_tests():
    tests = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", [])
             if case.get("exp_alerts")}
    names = {rule["alert"] for rule in alert_rules()}
    assert REQUIRED_ALERTS <= names
    assert names - fired == set()


def test_every_alert_says_what_happened_and_who_acts():
    for rule in alert_rules():
        assert rule["annotations"].get("summary"), rule["alert"]
        assert len(rule["annotations"].get("description", "")) > 80, rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["labels"]["team"] in {"operations", "ethics-office"}, rule["alert"]


def test_alerts_and_dashboard_query_only_series_the_services_export():
    queries = [rule["expr"] for rule in alert_rules()] + [e for _, _, e in dashboard_exprs()]
    used = {name for expr in queries for name in re.findall(r"\bepun_[a-z_]+\b", expr)}
    assert used and {name for name in used if not known(name)} == set()
    assert BUSINESS_METRICS <= used  # every business gauge is watched somewhere


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path):
    # promtool parses a rule's expression; Grafana's own variables get sample values first
    rules = [{"record": f"dashboard:query_{i}",
              "expr": expr.replace("$__rate_interval", "5m").replace("$__range", "1h")}
             for i, (_, _, expr) in enumerate(dashboard_exprs())]
    assert rules
    path = tmp_path / "dashboard_queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    promtool("check", "rules", str(path))


def test_the_dashboard_is_provisioned_with_the_datasource_it_uses():
    datasources = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"]
    uids = {d["uid"] for d in datasources}
    providers = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/epun.yml").read_text())["providers"]
    assert providers and all(p["type"] == "file" for p in providers)
    boards = [json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))]
    assert boards
    for board in boards:
        assert board["uid"] and board["title"]
        for panel in board["panels"]:
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] in uids, panel["title"]
                assert panel["targets"], panel["title"]
    titles = " ".join(p["title"] for board in boards for p in board["panels"]).lower()
    for topic in ("services", "calls per second", "latency", "backlog", "compliance by entity"):
        assert topic in titles


@needs_promtool
def test_the_stack_configuration_scrapes_the_stack_ports_and_passes_promtool(tmp_path):
    stack = Stack(state_dir=tmp_path, metrics_base=31000, prometheus_interval="1s")
    config = config_for(stack)
    targets = {c["labels"]["service"]: c["targets"]
               for job in config["scrape_configs"] for c in job["static_configs"]}
    assert targets == {s: [f"127.0.0.1:{stack.metrics_port(s)}"] for s in METRICS_ORDER}
    assert config["global"]["scrape_interval"] == config["global"]["evaluation_interval"] == "1s"
    path = Path(tmp_path) / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    promtool("check", "config", str(path), cwd=tmp_path)
