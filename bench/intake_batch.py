"""How fast service requests enter through the API, next to raw inserts into the same server.

Posts 100,000 service requests to `POST /api/v1/service-requests/batch` in batches of 10,000
(JSON items), and prints records per second end to end: the time from sending a batch to
receiving its answer, which comes after the rows and their event are committed. After each batch
it reads back the very documents intake stored and inserts them with pymongo `insert_many`, as
one batch, into fresh collections of the same server: one with the index intake's collection
has, one without any secondary index. It prints both raw figures and the ratio of the end-to-end
figure to each.

The machine may be shared, so each raw insert runs right after the API batch it copies, and only
once the platform is quiet again (the batch's event relayed and consumed by reporting): both
figures are taken under the same conditions, and neither pays for the other's background work.

Where it runs: by default on a private stack of its own, started the way the test fixtures do
(a fresh RabbitMQ vhost, an in-memory embedded MongoDB-compatible server, the five services on
free ports), stopped at the end. With `--running` it uses the stack described by the EPUN_*
variables (`epun up`'s defaults: http://127.0.0.1:8000), which must be up; it then writes its
rows under fresh entity codes and drops its raw collections afterwards.

    .venv/bin/python bench/intake_batch.py [--rows 100000] [--batch 10000] [--running]
"""
import argparse
import datetime as dt
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pymongo
import requests
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from epun.client import Client  # noqa: E402
from epun.stack import (Stack, drop_vhost, from_environment, open_vhost,  # noqa: E402
                        private_stack)
from services.intake.store import IntakeUnitOfWork  # noqa: E402

CATEGORIES = ["advice", "financial_disclosure", "retaliation", "training", "outreach", "standards"]
TOPICS = ["outside_activities", "employment", "conflict_of_interest", "gifts_honours_awards",
          "post_employment", "personal_investments", "misconduct_reporting", "other"]
SOURCES = ["headquarters", "offices_away_from_headquarters", "regional_commissions",
           "peacekeeping_operations", "political_missions", "other_entities"]


def rows(entity: str, n: int) -> list[dict]:
    first = dt.date(2010, 8, 1)
    out = []
    for i in range(n):
        category = CATEGORIES[i % len(CATEGORIES)]
        out.append({"entity": entity,
                    "received_on": (first + dt.timedelta(days=i % 1800)).isoformat(),
                    "category": category,
                    "advice_topic": TOPICS[i % len(TOPICS)] if category == "advice" else None,
                    "source": SOURCES[i % len(SOURCES)]})
    return out


def private_bench_stack(state: Path) -> tuple[Stack, str]:
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-bench")
    return private_stack(state, vhost, "b"), vhost


def consumed(stack: Stack, event_type: str) -> float:
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port('reporting')}/metrics",
                        timeout=10).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "epun_events_consumed_total" and s.labels.get("type") == event_type)


def wait_quiet(stack: Stack, batches_before: float, seconds: float = 300):
    """Until reporting has consumed one more batch event than before."""
    deadline = time.monotonic() + seconds
    while consumed(stack, "service_request_batch_logged") < batches_before + 1:
        if time.monotonic() > deadline:
            raise RuntimeError("the batch event did not reach reporting in time")
        time.sleep(0.05)


def timed_insert(collection, docs: list[dict]) -> float:
    started = time.perf_counter()
    collection.insert_many(docs)
    return time.perf_counter() - started


def run(stack: Stack, n: int, batch: int):
    client = Client(stack.base_url, stack.admin_token(), timeout=600)
    mongo: pymongo.MongoClient[dict] = pymongo.MongoClient(stack.mongo_uri, tz_aware=True)
    stored = mongo[f"{stack.db_prefix}_intake"].service_requests
    raw_db = mongo[f"{stack.db_prefix}_bench_raw_{uuid.uuid4().hex[:6]}"]
    indexed, bare = raw_db.indexed, raw_db.bare
    for keys, options in IntakeUnitOfWork.indexes["service_requests"]:
        indexed.create_index(keys, **options)
    run_id = uuid.uuid4().hex[:5].upper()
    api_time = indexed_time = bare_time = 0.0
    try:
        for k, start in enumerate(range(0, n, batch)):
            entity = f"BENCH{run_id}-{k}"
            client.put(f"/entities/{entity}", {"name": "Benchmark office", "category": "other"})
            items = rows(entity, min(batch, n - start))
            before = consumed(stack, "service_request_batch_logged")
            started = time.perf_counter()
            answer = client.post("/service-requests/batch", {"items": items})
            api_time += time.perf_counter() - started
            if answer["accepted"] != len(items):
                raise RuntimeError(f"rows rejected: {answer['rejected'][:3]}")
            wait_quiet(stack, before)
            docs = list(stored.find({"entity": entity}))
            assert len(docs) == len(items), f"{len(docs)} of {len(items)} stored"
            indexed_time += timed_insert(indexed, docs)
            bare_time += timed_insert(bare, docs)
    finally:
        mongo.drop_database(raw_db.name)
    api_rate, indexed_rate, bare_rate = n / api_time, n / indexed_time, n / bare_time
    print(f"service requests: {n:,} in batches of {batch:,}")
    print(f"  end to end (API, accepted and committed): {api_rate:9,.0f} records/s"
          f"  ({api_time:.1f} s)")
    print(f"  raw insert_many, intake's index:          {indexed_rate:9,.0f} records/s"
          f"  ({indexed_time:.1f} s)   ratio {api_rate / indexed_rate:.2f}")
    print(f"  raw insert_many, no secondary index:      {bare_rate:9,.0f} records/s"
          f"  ({bare_time:.1f} s)   ratio {api_rate / bare_rate:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--running", action="store_true",
                        help="use the stack of the EPUN_* variables instead of a private one")
    args = parser.parse_args()
    if args.running:
        run(from_environment(), args.rows, args.batch)
        return
    with tempfile.TemporaryDirectory(prefix="epun-bench-") as state:
        stack, vhost = private_bench_stack(Path(state))
        try:
            stack.up()
            run(stack, args.rows, args.batch)
        finally:
            stack.down()
            drop_vhost(vhost)


if __name__ == "__main__":
    main()
