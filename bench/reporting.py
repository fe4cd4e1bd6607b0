"""How fast reporting consumes events, how soon a write shows in the report, and how fast the
annual report renders, at the size of ten years of a large programme.

Loads, as events published straight to the services' exchanges (batch events where the
contracts have them): 200 entities; 1,000,000 service requests over 10 periods (one
`service_request_batch_logged` event per entity, all its rows); 100,000 filers over 10 cycles
(`filers_enrolled` events of 1,000); then the statements, reviews and public-disclosure
decisions of the latest cycle's filers, in `filer_changes_recorded` events of 1,000 changes,
and those of its last 2,000 filers one event each. It prints events (and rows) consumed per
second for each kind, measured until the report shows them all.

Then it publishes single service requests at a steady rate (200 a second) and polls the
entity's annual report: the lag of the k-th write is the time from its publication to the first
report counting k requests; it prints the median and the 99th percentile. Then the time to
render the Ethics Office's annual report as JSON and as HTML through the HTTP API. Last, issuing
that report as of its period's last day, serving the issued version against the live JSON (and
the live JSON as of that day), and the PDF and Word documents.

It runs on a private stack of its own (fresh RabbitMQ vhost, in-memory database, the five
services on free ports), stopped at the end.

    .venv/bin/python bench/reporting.py [--requests 1000000] [--filers 100000]
                                        [--single-filers 2000]
"""
import argparse
import datetime as dt
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from functools import partial
from pathlib import Path

import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nameko.amqp.publish import Publisher  # noqa: E402
from nameko.standalone.events import get_event_exchange  # noqa: E402

from epun.client import Client  # noqa: E402
from epun.stack import Stack, drop_vhost, open_vhost, private_stack  # noqa: E402
from shared.contracts import EVENTS  # noqa: E402
from shared.contracts.common import Actor, Role  # noqa: E402

ACTOR = Actor(role=Role.admin, label="bench").model_dump(mode="json")
CATEGORIES = ["advice", "financial_disclosure", "retaliation", "training", "outreach", "standards"]
TOPICS = ["outside_activities", "employment", "conflict_of_interest", "gifts_honours_awards",
          "post_employment", "personal_investments", "misconduct_reporting", "other"]
SOURCES = ["headquarters", "offices_away_from_headquarters", "regional_commissions",
           "peacekeeping_operations", "political_missions", "other_entities"]
GRADES = ["P-5", "D-1", "D-2", "ASG", "USG"]
FIRST_YEAR = 2005


def period(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def envelope(event_type: str, payload: dict, entity: str = "EO") -> dict:
    """An envelope as the outbox relay publishes it (the payload checked against its model)."""
    EVENTS[event_type][1].model_validate(payload)
    return {"event_id": str(uuid.uuid4()), "type": event_type, "schema_version": 1,
            "occurred_at": dt.datetime.now(dt.timezone.utc).isoformat(), "entity": entity,
            "actor": ACTOR, "payload": payload}


class Bus:
    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.publishers: dict[str, Publisher] = {}

    def publish(self, body: dict):
        source = EVENTS[body["type"]][0]
        if source not in self.publishers:
            exchange = get_event_exchange(source, {})
            self.publishers[source] = Publisher(self.amqp_uri, exchange=exchange,
                                                declare=[exchange], use_confirms=True)
        self.publishers[source].publish(body, routing_key=body["type"])


def entities(n: int) -> list[str]:
    return ["EO"] + [f"E{i:03d}" for i in range(1, n)]


def request_batches(codes: list[str], total: int, periods: int) -> list[dict]:
    per_entity = total // len(codes)
    batches = []
    for e, code in enumerate(codes):
        rows = []
        for i in range(per_entity):
            year = FIRST_YEAR + i % periods
            category = CATEGORIES[(i + e) % len(CATEGORIES)]
            rows.append({"id": f"{code}-{i}", "entity": code, "period": period(year),
                         "received_on": f"{year}-09-01", "category": category,
                         "advice_topic": TOPICS[i % len(TOPICS)] if category == "advice" else None,
                         "source": SOURCES[i % len(SOURCES)]})
        batches.append(envelope("service_request_batch_logged",
                                {"entity": code, "requests": rows}, code))
    return batches


def filer_batches(codes: list[str], total: int, cycles: int, size: int = 1000) -> tuple:
    per_cycle = total // cycles
    filers = {}
    batches = []
    for c in range(cycles):
        year = FIRST_YEAR + c
        cycle = [{"staff_id": f"S{year}-{i}", "entity": codes[i % len(codes)],
                  "duty_station": "New York", "grade": GRADES[i % len(GRADES)],
                  "designation": "senior_official", "first_time": i % 5 == 0}
                 for i in range(per_cycle)]
        filers[year] = cycle
        batches += [envelope("filers_enrolled", {"year": year, "filers": cycle[i:i + size]})
                    for i in range(0, len(cycle), size)]
    return batches, filers


def filer_changes(year: int, filers: list[dict]) -> list[tuple]:
    """(type, payload) of each filer's filing, and of some reviews and public disclosures."""
    changes = []
    for i, f in enumerate(filers):
        ref = {"year": year, "staff_id": f["staff_id"], "entity": f["entity"]}
        changes.append(("statement_filed", {**ref, "filed_on": f"{year}-05-01"}))
        if i % 20 == 0:
            changes.append(("review_recorded", {**ref, "outcome": "conflicts_found",
                                                "conflicts": {"financial_holding": 1}}))
        if f["grade"] in ("ASG", "USG") and i % 3 == 0:
            changes.append(("public_disclosure_decided", {**ref, "publish": True}))
    return changes


def change_batches(year: int, changes: list[tuple], size: int = 1000) -> list[dict]:
    return [envelope("filer_changes_recorded", {"year": year, "changes": [
        {"type": t, "payload": p} for t, p in changes[i:i + size]]})
        for i in range(0, len(changes), size)]


def single_events(changes: list[tuple]) -> list[dict]:
    return [envelope(t, p, p["entity"]) for t, p in changes]


def wait_until(check, what: str, timeout: float = 900, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise RuntimeError(f"gave up waiting for {what}")


def consume(bus, client, events: list[dict], done, what: str, rows: int | None = None):
    started = time.perf_counter()
    for body in events:
        bus.publish(body)
    published = time.perf_counter() - started
    wait_until(done, what)
    elapsed = time.perf_counter() - started
    line = f"  {what:<30} {len(events):>7,} events in {elapsed:6.1f} s: " \
           f"{len(events) / elapsed:7,.1f} events/s"
    if rows:
        line += f", {rows / elapsed:7,.0f} rows/s"
    print(line + f"  (publishing took {published:.1f} s; all in the report "
                 f"{elapsed - published:.1f} s after the last was published)", flush=True)


def steady_lag(bus, client, rate: float, seconds: float) -> list[float]:
    """Publish `rate` single requests a second for `seconds`; lag of each, from the report."""
    entity, year = "LAG", 2030
    count = int(rate * seconds)
    sent: list[float] = []
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            total = client.get(f"/reports/annual/{period(year)}",
                               params={"entity": entity})["service_requests"]["total"]
            seen.append((time.perf_counter(), total))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    started = time.perf_counter()
    for k in range(count):
        due = started + k / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        bus.publish(envelope("service_request_logged", {
            "id": f"LAG-{k}", "entity": entity, "period": period(year),
            "received_on": f"{year}-09-01", "category": "training", "advice_topic": None,
            "source": "headquarters"}, entity))
        sent.append(time.perf_counter())
    wait_until(lambda: seen and seen[-1][1] >= count, "the steady writes", 300, 0.2)
    stop.set()
    poller.join()
    lags, i = [], 0
    for k, at in enumerate(sent, 1):
        while seen[i][1] < k:
            i += 1
        lags.append(max(seen[i][0] - at, 0))
    return lags


def timed(fn, times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def run(stack: Stack, args):
    client = Client(stack.base_url, stack.admin_token(), timeout=600)
    bus = Bus(stack.amqp_uri)
    codes = entities(args.entities)
    last_year = FIRST_YEAR + args.periods - 1
    report = lambda: client.get(f"/reports/annual/{period(last_year)}")  # noqa: E731
    print(f"reporting: {args.requests:,} service requests and {args.filers:,} filers over "
          f"{args.periods} periods and {len(codes)} entities", flush=True)

    categories = ["secretariat", "peacekeeping", "other"]
    directory = [envelope("entity_registered", {"code": code, "name": f"Entity {code}",
                                                "category": categories[i % 3]}, code)
                 for i, code in enumerate(codes)]
    # every entity a Panel member since the first period: the roll-up has a row for each
    directory += [envelope("panel_member_joined", {"entity": code, "head": "Head",
                                                   "joined_on": f"{FIRST_YEAR}-08-01"}, code)
                  for code in codes[1:]]
    mongo: pymongo.MongoClient[dict] = pymongo.MongoClient(stack.mongo_uri)
    reporting_db = mongo[f"{stack.db_prefix}_reporting"]
    consume(bus, client, directory,
            lambda: reporting_db.directory.count_documents({}) >= len(codes), "entity_registered")

    batches = request_batches(codes, args.requests, args.periods)
    total_rows = sum(len(b["payload"]["requests"]) for b in batches)
    consume(bus, client, batches, lambda: _system_requests(client, codes, args.periods) >=
            total_rows, "service_request_batch_logged", total_rows)

    def changes_in(kinds: Counter) -> bool:
        fd = report()["financial_disclosure"]
        return (fd["filed"] >= kinds.get("statement_filed", 0)
                and fd["conflicts"]["filers"] >= kinds.get("review_recorded", 0)
                and fd["public_disclosure"]["published"] >= kinds.get(
                    "public_disclosure_decided", 0))

    filer_events, filers = filer_batches(codes, args.filers, args.periods)
    consume(bus, client, filer_events, lambda: sum(
        row["total"] for row in client.get("/reports/disclosure/participation", params={
            "from": FIRST_YEAR, "to": last_year})["rows"]) >= args.filers,
        "filers_enrolled", args.filers)

    # the latest cycle's filings, reviews and public disclosures: most as batch events (what a
    # batch request to the disclosure service emits), the last filers' one event each
    latest = filers[last_year]
    batched = filer_changes(last_year, latest[:len(latest) - args.single_filers])
    singles = filer_changes(last_year, latest[len(latest) - args.single_filers:])
    kinds = Counter(t for t, _ in batched)
    consume(bus, client, change_batches(last_year, batched), partial(changes_in, kinds),
            "filer_changes_recorded", len(batched))
    kinds.update(t for t, _ in singles)
    consume(bus, client, single_events(singles), partial(changes_in, kinds),
            "single disclosure events")

    lags = sorted(steady_lag(bus, client, args.rate, args.seconds))
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    print(f"  write -> report lag at {args.rate:.0f} writes/s for {args.seconds:.0f} s: "
          f"median {statistics.median(lags) * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms",
          flush=True)

    as_json = timed(report, 20)
    print(f"  annual report of EO, JSON: median {statistics.median(as_json) * 1000:,.0f} ms, "
          f"max {max(as_json) * 1000:,.0f} ms (20 requests)", flush=True)
    for fmt, times in (("html", 3), ("xlsx", 3), ("csv", 3)):
        took = timed(lambda: client.call("GET", f"/reports/annual/{period(last_year)}",
                                         params={"format": fmt}).raise_for_status(), times)
        print(f"  annual report of EO, {fmt.upper()}: median "
              f"{statistics.median(took) * 1000:,.0f} ms ({times} requests)", flush=True)
    system = timed(lambda: client.get(f"/reports/system-wide/{period(last_year)}"), 5)
    print(f"  system-wide report, JSON:  median {statistics.median(system) * 1000:,.0f} ms "
          f"(5 requests)", flush=True)
    issued_versions(client, period(last_year), statistics.median(as_json))


def issued_versions(client, key: str, live_json: float):
    """Issuing the annual report as of its period's last day, serving the issued version
    against the live JSON, and the PDF and Word documents."""
    path = f"/reports/annual/{key}"
    as_of = f"20{key[-2:]}-07-31"
    started = time.perf_counter()
    answer = client.call("POST", f"{path}/issues", json={"as_of": as_of, "symbol": "A/BENCH/1"})
    answer.raise_for_status()
    issue = time.perf_counter() - started
    version = answer.json()["version"]
    again = timed(lambda: client.call("POST", f"{path}/issues", json={
        "as_of": as_of, "symbol": "A/BENCH/1"}).raise_for_status(), 3)
    print(f"  issuing the annual report as of {as_of}: {issue * 1000:,.0f} ms; issuing it "
          f"again (nothing new): median {statistics.median(again) * 1000:,.0f} ms", flush=True)
    frozen = timed(lambda: client.get(path, params={"version": version}), 20)
    as_of_day = timed(lambda: client.get(path, params={"as_of": as_of}), 20)
    print(f"  issued version, JSON: median {statistics.median(frozen) * 1000:,.0f} ms; live "
          f"JSON as of {as_of}: median {statistics.median(as_of_day) * 1000:,.0f} ms; live "
          f"JSON: median {live_json * 1000:,.0f} ms (issued / live: "
          f"{statistics.median(frozen) / live_json:.2f})", flush=True)
    for fmt, params in (("pdf", {}), ("pdf", {"version": version}), ("docx", {})):
        took = timed(lambda: client.call("GET", path, params={"format": fmt, **params}
                                         ).raise_for_status(), 3)
        what = "issued version" if params else "live"
        print(f"  annual report of EO, {fmt.upper()} ({what}): median "
              f"{statistics.median(took) * 1000:,.0f} ms (3 requests)", flush=True)


def _system_requests(client, codes, periods) -> int:
    """The requests the roll-ups hold in records (members submitted no figures here)."""
    return sum(row["records_total"] for p in range(periods)
               for row in client.get(f"/reports/system-wide/{period(FIRST_YEAR + p)}")["rows"])


def private_bench_stack(state: Path) -> tuple[Stack, str]:
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-bench")
    return private_stack(state, vhost, "b"), vhost


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--filers", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--single-filers", type=int, default=2_000,
                        help="filers of the latest cycle whose changes go one event each")
    parser.add_argument("--rate", type=float, default=200, help="steady writes a second")
    parser.add_argument("--seconds", type=float, default=30, help="how long to write steadily")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # stop the stack on the way out
    random.seed(1)
    with tempfile.TemporaryDirectory(prefix="epun-bench-") as state:
        stack, vhost = private_bench_stack(Path(state))
        try:
            stack.up()
            run(stack, args)
        finally:
            stack.down()
            drop_vhost(vhost)


if __name__ == "__main__":
    main()
