"""A financial disclosure cycle of 100,000 filers through the HTTP API: enrol, file, review, and
the compliance view by entity, timed next to a raw MongoDB aggregation over the same documents.

Steps, each timed end to end (from sending the first batch to the last answer, which comes
after the rows, their counters and their events are committed):
1. enrol the filers, 10,000 rows a call, over 50 entities and 20 duty stations;
2. file their statements (encrypted at rest), `--batch` rows a call;
3. review them (3.5% with conflicts, as in the 2014 cycle), `--batch` rows a call;
4. `GET /disclosure/cycles/{year}/compliance?by=entity` (also by duty station and category),
   answered from counters kept with every change; printed next to the `$group` aggregation
   MongoDB would need to compute the same rows from the 100,000 filer documents, whose answer
   must be the same.

The reporting service consumes every event and shares the one embedded database server; by
default it is stopped once the stack is up, so the figures are the disclosure service's (its
outbox relay still publishes every event, into reporting's queues). `--with-reporting` keeps it.

It runs on a private stack of its own (a fresh RabbitMQ vhost, an in-memory embedded
MongoDB-compatible server, the five services on free ports), stopped at the end.

    .venv/bin/python bench/disclosure_cycle.py [--filers 100000] [--batch 5000] [--with-reporting]
"""
import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from epun.client import Client  # noqa: E402
from epun.stack import Stack, drop_vhost, open_vhost, private_stack  # noqa: E402

ENTITIES, DUTY_STATIONS = 50, 20
ENROL_BATCH = 10_000
GRADES = ["P-3", "P-4", "P-5", "G-7", "P-4", "D-1", "P-2", "D-2", "ASG", "P-4"]
CONFLICT_EVERY = 29  # about 3.5% of filers
FILED = ["filed", "under_review", "cleared", "conflicts_found", "mitigated"]


def private_bench_stack(state: Path) -> tuple[Stack, str]:
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-bench")
    return private_stack(state, vhost, "b"), vhost


def filer(run_id: str, i: int) -> dict:
    grade = GRADES[i % len(GRADES)]
    senior = grade in ("D-1", "D-2", "ASG")
    return {"staff_id": f"{run_id}{i:07d}", "entity": f"B{run_id}-{i % ENTITIES}",
            "duty_station": f"Duty station {i % DUTY_STATIONS}", "grade": grade,
            "designation": "senior_official" if senior else "procurement"}


STATEMENT = {"assets": [{"description": "Bank accounts", "value_usd": 25000}],
             "liabilities": [{"description": "Mortgage"}],
             "outside_interests": [], "relatives_in_un": [], "certified": True}


def review(staff_id: str, i: int) -> dict:
    if i % CONFLICT_EVERY:
        return {"staff_id": staff_id, "outcome": "cleared"}
    return {"staff_id": staff_id, "outcome": "conflicts_found", "conflicts": [
        {"type": "financial_holding", "recommendation": "Divest the holding"}]}


def step(name: str, client: Client, path: str, rows: list[dict], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        answer = client.post(path, {"items": rows[start:start + batch]})
        if answer["accepted"] != len(rows[start:start + batch]):
            raise RuntimeError(f"{name}: rows rejected: {answer['rejected'][:3]}")
    elapsed = time.perf_counter() - started
    print(f"  {name:<34} {len(rows):>8,} rows {elapsed:8.1f} s {len(rows) / elapsed:9,.0f} rows/s",
          flush=True)
    return elapsed


def timed(fn, repeat: int = 5) -> tuple[float, dict]:
    times: list[float] = []
    result: dict = {}
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def raw_compliance(filers, year: int) -> dict:
    """What the compliance view by entity would cost computed from the filer documents."""
    rows = filers.aggregate([
        {"$match": {"year": year}},
        {"$group": {"_id": "$entity",
                    "required": {"$sum": {"$cond": [{"$ne": ["$status", "exempted"]}, 1, 0]}},
                    "filed": {"$sum": {"$cond": [{"$in": ["$status", FILED]}, 1, 0]}}}}])
    return {r["_id"]: (r["required"], r["filed"]) for r in rows}


def run(stack: Stack, n: int, batch: int):
    client = Client(stack.base_url, stack.admin_token(), timeout=900)
    mongo: pymongo.MongoClient[dict] = pymongo.MongoClient(stack.mongo_uri, tz_aware=True)
    db = mongo[f"{stack.db_prefix}_disclosure"]
    run_id = uuid.uuid4().hex[:5].upper()
    for k in range(ENTITIES):
        code = f"B{run_id}-{k}"
        category = ("secretariat", "peacekeeping", "other")[k % 3]
        client.put(f"/entities/{code}", {"name": f"Benchmark entity {k}", "category": category})
        client.put(f"/disclosure/participants/{code}", {"cost_sharing": True})
    taken = {c["year"] for c in client.get("/disclosure/cycles")}
    year = next(y for y in range(2000, dt.date.today().year) if y not in taken)
    client.post("/disclosure/cycles", {"year": year, "deadline": f"{year}-05-31",
                                       "programme_cost": 2_000_000})
    filers = [filer(run_id, i) for i in range(n)]
    base = f"/disclosure/cycles/{year}"
    print(f"financial disclosure cycle {year}: {n:,} filers, {ENTITIES} entities, "
          f"{DUTY_STATIONS} duty stations")
    step("enrol (10,000 a call)", client, f"{base}/filers", filers, ENROL_BATCH)
    ids = [f["staff_id"] for f in filers]
    step(f"file statements ({batch:,} a call)", client, f"{base}/statements",
         [{"staff_id": s, **STATEMENT} for s in ids], batch)
    step(f"review ({batch:,} a call)", client, f"{base}/reviews",
         [review(s, i) for i, s in enumerate(ids)], batch)

    print("compliance view, median of 5:")
    answers = {}
    for by in ("entity", "duty_station", "category"):
        seconds, answers[by] = timed(lambda: client.get(f"{base}/compliance", params={"by": by}))
        print(f"  GET {base}/compliance?by={by:<13} {seconds * 1000:8.0f} ms "
              f"({len(answers[by]['rows'])} rows, {answers[by]['total']['required']:,} required)")
    seconds, raw = timed(lambda: raw_compliance(db.filers, year), repeat=3)
    print(f"  raw $group over the {db.filers.count_documents({'year': year}):,} filer documents"
          f"{'':>2} {seconds * 1000:8.0f} ms (median of 3)")
    api = {r["key"]: (r["required"], r["filed"]) for r in answers["entity"]["rows"]}
    print(f"  same rows: {api == raw}")
    backlog = db.outbox.count_documents({"sent": False})
    print(f"outbox: {db.outbox.count_documents({}):,} events written, {backlog:,} not yet "
          "published when the steps ended")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000,
                        help="statements and reviews per call (at most 10000)")
    parser.add_argument("--with-reporting", action="store_true",
                        help="keep the reporting service consuming during the run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="epun-bench-") as state:
        stack, vhost = private_bench_stack(Path(state))
        try:
            stack.up()
            if not args.with_reporting:
                stack.stop_process("reporting")
                print("the reporting service is stopped for this run (--with-reporting keeps it)")
            run(stack, args.filers, args.batch)
        finally:
            stack.down()
            drop_vhost(vhost)


if __name__ == "__main__":
    main()
