"""Rebuilding reporting's read models from the services' event logs gives the same reports.

A rebuild replaces every read model, so this module runs on a platform of its own (its own
RabbitMQ vhost and in-memory database): what other tests publish straight to the exchanges,
outside any service's event log, stays where they look for it."""
import datetime as dt
import uuid

import pymongo
import pytest

from epun.client import Client
from shared.contracts import EVENTS
from shared.kernel.clock import utcnow

from ..helpers import eventually, platform_of_its_own
from .test_reporting import period_of_year, reports, scenario, scenario_complete

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    with platform_of_its_own(tmp_path_factory.mktemp("rebuild")) as stack:
        mongo = pymongo.MongoClient(stack.mongo_uri, tz_aware=True)
        yield stack, Client(stack.base_url, stack.admin_token()), mongo
        mongo.close()


def write_to_outbox(mongo, stack, envelope):
    """What a service's unit of work does when it emits: its relay publishes the record, and the
    record stays in its event log (`events_since`)."""
    source = EVENTS[envelope.type][0]
    doc = envelope.model_dump(mode="python")
    doc.update(_id=envelope.event_id, sent=False, created_at=utcnow())
    mongo[f"{stack.db_prefix}_{source}"].outbox.insert_one(doc)


def codes(prefix):
    return [f"{prefix}{uuid.uuid4().hex[:7].upper()}" for _ in range(3)]


def finished(api):
    status = api.get("/reports/rebuild")
    return status if not status["running"] else None


def test_the_rebuilt_read_models_give_the_same_reports(own):
    stack, api, mongo = own
    year, entities = 2014, codes("B")
    period = period_of_year(year)
    for envelope in scenario(year, *entities):
        write_to_outbox(mongo, stack, envelope)
    eventually(lambda: scenario_complete(api, period), 60)
    eventually(lambda: api.get(f"/reports/annual/{period}", params={"entity": entities[2]})[
        "service_requests"].get("version") == 2, 30)
    live = reports(api, period, year, *entities)
    before = api.get("/reports/rebuild")
    started = api.call("POST", "/reports/rebuild")
    assert started.status_code == 202 and started.json()["running"] is True
    status = eventually(lambda: finished(api), 120, interval=0.5)
    assert status["error"] is None and status["active"] == before["active"] + 1
    assert status["replayed"] >= len(scenario(year, *entities))
    assert reports(api, period, year, *entities) == live
    database = mongo[f"{stack.db_prefix}_reporting"]
    eventually(lambda: "tallies" not in database.list_collection_names(), 30)  # the old models
    assert "tallies_g1" in database.list_collection_names()


def test_events_that_arrive_during_a_rebuild_are_in_the_rebuilt_models(own):
    stack, api, mongo = own
    first, second = (2015, codes("C")), (2016, codes("D"))
    for envelope in scenario(first[0], *first[1]):
        write_to_outbox(mongo, stack, envelope)
    eventually(lambda: scenario_complete(api, period_of_year(first[0])), 60)
    assert api.call("POST", "/reports/rebuild").status_code == 202
    for envelope in scenario(second[0], *second[1]):
        write_to_outbox(mongo, stack, envelope)
    eventually(lambda: finished(api), 120, interval=0.5)
    for year, entities in (first, second):
        eventually(lambda: scenario_complete(api, period_of_year(year)), 60)
        report = api.get(f"/reports/annual/{period_of_year(year)}",
                         params={"entity": entities[2]})
        assert report["service_requests"]["version"] == 2
    assert api.get(f"/reports/annual/{period_of_year(2015)}")["service_requests"]["total"] == 9


def test_one_rebuild_at_a_time_and_a_stalled_one_is_taken_over(own):
    stack, api, mongo = own
    auditor = api.as_token(api.token_for("auditor"))
    assert auditor.call("POST", "/reports/rebuild").status_code == 403
    assert auditor.get("/reports/rebuild")["running"] is False
    state = mongo[f"{stack.db_prefix}_reporting"].generations
    newest = state.find_one({"_id": "state"})["newest"]
    # as a rebuild that is running elsewhere leaves the state
    state.update_one({"_id": "state"}, {"$set": {"building": newest + 1, "newest": newest + 1,
                                                 "heartbeat": utcnow()}})
    refused = api.call("POST", "/reports/rebuild")
    assert refused.status_code == 409 and "running" in refused.json()["detail"]
    # ... and as it stays when its process died: no progress for longer than allowed
    state.update_one({"_id": "state"}, {"$set": {"heartbeat": utcnow() - dt.timedelta(hours=1)}})
    assert api.call("POST", "/reports/rebuild").status_code == 202
    status = eventually(lambda: finished(api), 120, interval=0.5)
    assert status["error"] is None and status["active"] == newest + 2
    assert api.get(f"/reports/annual/{period_of_year(2014)}")["service_requests"]["total"] == 9
