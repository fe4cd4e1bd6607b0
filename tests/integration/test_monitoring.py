"""Each service's /metrics, read with prometheus_client's parser while the test drives the API."""
import datetime as dt

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from epun.stack import SERVICES

from ..helpers import eventually

pytestmark = pytest.mark.integration

# counter families are named without `_total` by the parser
DECLARED_EVERYWHERE = {
    "epun_entrypoint_calls", "epun_entrypoint_errors", "epun_entrypoint_duration_seconds",
    "epun_events_published", "epun_events_consumed", "epun_outbox_backlog_events",
    "epun_outbox_oldest_unsent_age_seconds", "epun_dead_lettered_messages",
    "epun_rabbitmq_connection_up", "epun_service_up",
}


def families(stack, service) -> list:
    """The metric families the service exports, parsed as Prometheus would."""
    response = requests.get(f"http://127.0.0.1:{stack.metrics_port(service)}/metrics", timeout=5)
    response.raise_for_status()
    return list(text_string_to_metric_families(response.text))


def scrape(stack, service) -> list:
    return [(family.name, sample) for family in families(stack, service)
            for sample in family.samples]


def value(stack, source, name, **labels) -> float:
    """The sum of the samples called `name` that `source` exports with `labels` (0 when none)."""
    return sum(s.value for _, s in scrape(stack, source)
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def has_sample(stack, source, name, **labels) -> bool:
    return any(s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
               for _, s in scrape(stack, source))


def test_every_service_exports_the_platform_series(stack):
    requests.get(f"{stack.base_url}/api/v1/health", timeout=10).raise_for_status()
    for service in SERVICES:
        declared = {family.name for family in families(stack, service)}
        assert DECLARED_EVERYWHERE <= declared, service
        assert value(stack, service, "epun_service_up", service=service) == 1
        # the broker check runs every few seconds from the start of the service
        eventually(lambda: value(stack, service, "epun_rabbitmq_connection_up",
                                 service=service) == 1)
        assert has_sample(stack, service, "epun_outbox_backlog_events", service=service)
        assert has_sample(stack, service, "epun_outbox_oldest_unsent_age_seconds",
                          service=service)
        assert value(stack, service, "epun_entrypoint_calls_total", service=service) > 0
        assert value(stack, service, "epun_entrypoint_duration_seconds_count",
                     service=service) > 0
        assert has_sample(stack, service, "epun_entrypoint_duration_seconds_bucket",
                          service=service, le="+Inf")


def test_registering_an_entity_moves_calls_latency_and_event_counters(stack, api, unique_code):
    def counters():
        return {
            "gateway calls": value(stack, "gateway", "epun_entrypoint_calls_total",
                                   entrypoint="put_entity"),
            "intake calls": value(stack, "intake", "epun_entrypoint_calls_total",
                                  entrypoint="register_entity"),
            "intake timed": value(stack, "intake", "epun_entrypoint_duration_seconds_count",
                                  entrypoint="register_entity"),
            "published": value(stack, "intake", "epun_events_published_total",
                               type="entity_registered"),
            "consumed": value(stack, "reporting", "epun_events_consumed_total",
                              type="entity_registered", outcome="ok"),
        }
    before = counters()
    api.put(f"/entities/{unique_code('MET')}", {"name": "Counted", "category": "other"})
    expected = {name: count + 1 for name, count in before.items()}
    # other tests share the stack, so counters may move by more than this test's one call
    eventually(lambda: all(count >= expected[n] for n, count in counters().items()))


def test_an_entrypoint_that_raises_is_counted_by_its_error(stack, api, unique_code):
    def not_found():
        return value(stack, "intake", "epun_entrypoint_errors_total",
                     entrypoint="get_entity", error="NotFound")
    before = not_found()
    assert api.call("GET", f"/entities/{unique_code('NONE')}").status_code == 404
    eventually(lambda: not_found() >= before + 1)


def enrolled_filer(api, unique_code) -> tuple[int, str, str]:
    """A filer of a fresh participant, enrolled in the newest open cycle (the one the business
    gauges describe); opens this year's cycle when none is open. Returns (year, entity, staff)."""
    open_years = [c["year"] for c in api.get("/disclosure/cycles") if c["status"] != "closed"]
    year = max(open_years, default=dt.date.today().year)
    if not open_years:
        api.post("/disclosure/cycles", {"year": year, "opens_on": f"{year}-01-01",
                                        "deadline": f"{year}-12-31", "programme_cost": 1000.0})
    entity = unique_code("MON")
    api.put(f"/entities/{entity}", {"name": f"Entity {entity}", "category": "other"})
    api.put(f"/disclosure/participants/{entity}", {"cost_sharing": True})
    staff_id = f"{entity}-1"
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [{
        "staff_id": staff_id, "entity": entity, "duty_station": "Geneva", "grade": "P-4",
        "designation": "procurement"}]})
    return year, entity, staff_id


def file_statement(client_as, year, staff_id):
    client_as("filer", staff_id=staff_id).post(
        f"/disclosure/cycles/{year}/filers/{staff_id}/statement",
        {"assets": [{"description": "shares", "value_usd": 1000}], "certified": True})


def test_filing_a_statement_moves_the_entitys_filed_gauge_up_by_one(stack, api, client_as,
                                                                    unique_code):
    year, entity, staff_id = enrolled_filer(api, unique_code)

    def gauges():
        return {name: value(stack, "disclosure", f"epun_fdp_filers_{name}", entity=entity)
                for name in ("required", "filed", "not_filed")}
    eventually(lambda: gauges()["required"] == 1)
    before = gauges()
    assert before == {"required": 1, "filed": 0, "not_filed": 1}
    file_statement(client_as, year, staff_id)
    eventually(lambda: gauges() == {"required": 1, "filed": before["filed"] + 1,
                                    "not_filed": 0})
    assert 0 < value(stack, "disclosure", "epun_fdp_compliance_ratio") <= 1
    assert has_sample(stack, "disclosure", "epun_fdp_days_to_deadline")


def test_each_service_exports_its_business_gauges(stack, api, unique_code):
    enrolled_filer(api, unique_code)  # the programme gauges describe an open cycle
    declared = {
        "intake": {"epun_retaliation_preliminary_reviews_overdue"},
        "disclosure": {"epun_fdp_filers_required", "epun_fdp_filers_filed",
                       "epun_fdp_filers_not_filed", "epun_fdp_compliance_ratio",
                       "epun_fdp_days_to_deadline"},
        "panel": {"epun_panel_consultations_past_answer_date"},
        "reporting": {"epun_annual_figures_missing"},
    }
    for service, names in declared.items():
        assert names <= {family.name for family in families(stack, service)}, service
