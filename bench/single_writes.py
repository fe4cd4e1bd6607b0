"""Single-record writes and reads through the API, beside the raw limits of the same machine.

On a private platform (a fresh RabbitMQ vhost, the embedded in-memory database server or
MONGO_URI's, the services on free ports), at 1, 4 and 16 concurrent clients, each client one
request at a time with its own Idempotency-Key:

- writes: `POST /service-requests`, filing a statement (each for a filer of its own, all in one
  entity, as on a deadline day), enrolling one filer, a consultation position (16 member
  entities, each filing its position, then amending it);
- reads: `GET` of one service request, of a list of 100, of a cycle's compliance summary;
- raw limits, in the same run: a transaction of two inserts (a record and its outbox entry) on
  the same database server, a nameko RPC round trip (`health`, one count on the database) and
  an HTTP round trip the gateway answers without a worker (a path of no route, 404).

For each: operations a second and p50/p95/p99 latency; then the ratios the targets name: a
write at one client against the raw transaction at one, at 16 against the raw transaction at
16, and statements at 16 clients against statements at 1.

With `--stored 1000000`, the same after that many records were stored where a write looks
(service requests, idempotency records, outbox records, kept answers): a write that scans
would show it.

    .venv/bin/python bench/single_writes.py [--calls 300] [--clients 1,4,16] [--stored N]
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # nameko's standalone RPC proxy needs it

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import itertools  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import pymongo  # noqa: E402
import requests  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from epun.client import Client  # noqa: E402
from epun.stack import (Stack, cpu_seconds, drop_vhost, open_vhost,  # noqa: E402
                        private_stack, processes)

SETTLE_SECONDS = 1.0  # how long after a measurement its events' consumers have to finish
MEMBERS = 16  # the Panel's member entities answering the benchmark's consultation
STATEMENT = {"assets": [{"description": "Bank accounts", "value_usd": 25000}],
             "liabilities": [], "outside_interests": [], "relatives_in_un": [], "certified": True}


@dataclass
class Measured:
    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0
    cpu_ms: dict[str, float] = field(default_factory=dict)  # a process's processor time a call
    operations: dict[str, float] = field(default_factory=dict)  # the database's, a call

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered \
            else 0.0

    def line(self) -> str:
        failed = f"  ({self.failures} failed)" if self.failures else ""
        cpu = ", ".join(f"{name} {ms:.1f}" for name, ms in self.cpu_ms.items() if ms >= 0.1)
        operations = ", ".join(f"{op} {n:.2f}" for op, n in self.operations.items() if n >= 0.01)
        return (f"  {self.name:<34} {self.clients:>3} clients {self.rate:8.1f}/s   p50 "
                f"{self.ms(50):7.1f} ms  p95 {self.ms(95):7.1f} ms  p99 {self.ms(99):7.1f} ms"
                f"{failed}" + (f"\n{'':>40}processor ms a call: {cpu}" if cpu else "")
                + (f"\n{'':>40}database operations a call: {operations}" if operations
                   else ""))


@dataclass
class Watched:
    """The platform's processes and its database server, read before and after a measurement:
    the processor time each process spent and the operations the server counted."""
    pids: dict[str, int]
    database: pymongo.MongoClient

    def reading(self) -> tuple[dict[str, float], dict[str, int]]:
        counters = self.database.admin.command("serverStatus")["opcounters"]
        return {n: cpu_seconds(pid) for n, pid in self.pids.items()}, counters

    def per_call(self, before, calls: int) -> tuple[dict[str, float], dict[str, float]]:
        (cpu, counters), (cpu_before, counters_before) = self.reading(), before
        return ({n: (cpu[n] - cpu_before[n]) * 1000 / calls for n in cpu},
                {op: (counters[op] - counters_before.get(op, 0)) / calls for op in counters})


def measure(name: str, clients: int, calls: int, call: Callable[[int], bool],
            watched: Watched | None = None) -> Measured:
    """`call(i)` for i in range(calls), from `clients` threads; a call answers whether it
    succeeded. With `watched`, the processor time each process spent a call and the database
    operations a call, read SETTLE_SECONDS after the last call (the events' consumers work on
    after it: their share is a floor; the relay's idle reads count too, a few a second)."""
    result, numbers, lock = Measured(name, clients), itertools.count(), threading.Lock()
    before = watched.reading() if watched else None

    def client():
        while (i := next(numbers)) < calls:
            started = time.perf_counter()
            ok = call(i)
            with lock:
                if ok:
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.failures += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    if watched:
        time.sleep(SETTLE_SECONDS)
        result.cpu_ms, result.operations = watched.per_call(before, calls)
    return result


class Http:
    """One requests session per thread, with a token."""

    def __init__(self, base_url: str, token: str):
        self.base, self.token, self.local = f"{base_url}/api/v1", token, threading.local()

    def __call__(self, method: str, path: str, body=None, ok=(200, 201)) -> bool:
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        headers = {"Authorization": f"Bearer {self.token}"}
        if method != "GET":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        try:
            return session.request(method, self.base + path, json=body, headers=headers,
                                   timeout=60).status_code in ok
        except requests.RequestException:  # counted as a failure (a timeout, a reset)
            return False


class Platform:
    """The records the workloads need: an entity, a participant, an open cycle, filers."""

    def __init__(self, stack: Stack, filers: int):
        self.watched = Watched(processes(stack), pymongo.MongoClient(stack.mongo_uri))
        self.stack, self.api = stack, Client(stack.base_url, stack.admin_token(), timeout=600)
        self.run_id = uuid.uuid4().hex[:5].upper()
        self.entity = f"SW{self.run_id}"
        self.api.put(f"/entities/{self.entity}", {"name": "Single writes", "category": "other"})
        self.api.put(f"/disclosure/participants/{self.entity}", {"cost_sharing": True})
        self.year = dt.date.today().year
        self.api.post("/disclosure/cycles", {"year": self.year,
                                             "deadline": f"{self.year}-12-31",
                                             "programme_cost": 1_000_000})
        self.cycle = f"/disclosure/cycles/{self.year}"
        self.filers = [self.filer(f"F{i:06d}") for i in range(filers)]
        self.api.post(f"{self.cycle}/filers", {"items": self.filers})
        self.http = Http(stack.base_url, self.api.token_for("ethics_office", label="bench"))
        self.request_body = {"entity": self.entity, "received_on": dt.date.today().isoformat(),
                             "category": "advice", "advice_topic": "outside_activities",
                             "source": "headquarters"}
        self.members = self.panel(MEMBERS)

    def panel(self, size: int) -> list[tuple[str, Http]]:
        """`size` member entities of the Panel, each with a member's token, and a consultation
        open for them to answer."""
        self.api.put("/entities/EO", {"name": "Ethics Office", "category": "secretariat"})
        chair = Client(self.stack.base_url, self.api.token_for("panel_chair", "EO"))
        members = []
        for n in range(size):
            code = f"PM{self.run_id}{n:02d}"
            self.api.put(f"/entities/{code}", {"name": f"Ethics office {n}", "category": "other"})
            chair.put(f"/panel/members/{code}", {"head": f"Head of office {n}"})
            members.append((code, Http(self.stack.base_url,
                                       self.api.token_for("panel_member", code))))
        respond_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        self.consultation = chair.post("/panel/consultations", {
            "topic": "Single writes", "question": "How fast is one position?",
            "respond_by": respond_by, "tags": ["bench"]})["id"]
        return members

    def filer(self, staff_id: str) -> dict:
        return {"staff_id": f"{self.run_id}{staff_id}", "entity": self.entity,
                "duty_station": "New York", "grade": "P-4", "designation": "procurement"}


def writes(p: Platform, calls: int, levels: list[int]) -> list[Measured]:
    found = []
    unfiled = iter(p.filers)
    for clients in levels:
        found.append(measure("POST /service-requests", clients, calls, lambda i: p.http(
            "POST", "/service-requests", p.request_body), p.watched))
    for clients in levels:
        batch = [next(unfiled) for _ in range(calls)]
        found.append(measure("file a statement", clients, calls, lambda i: p.http(
            "POST", f"{p.cycle}/filers/{batch[i]['staff_id']}/statement", STATEMENT), p.watched))
    for level, clients in enumerate(levels):
        fresh = [p.filer(f"E{level}{i:06d}") for i in range(calls)]
        found.append(measure("enrol one filer", clients, calls, lambda i: p.http(
            "POST", f"{p.cycle}/filers", {"items": [fresh[i]]}), p.watched))
    for clients in levels:  # each member files its position, then amends it
        found.append(measure("a consultation position", clients, calls, lambda i: position(
            p, *p.members[i % len(p.members)], i), p.watched))
    return found


def position(p: Platform, entity: str, member: Http, n: int) -> bool:
    return member("POST", f"/panel/consultations/{p.consultation}/positions",
                  {"entity": entity, "position": f"Position {n}"}, ok=(200, 201))


COPIED = {"gateway": ["idempotency"], "intake": ["outbox", "rpc_answers"]}
LOAD_BATCH = 10_000


def store_records(p: Platform, count: int):
    """`count` records already stored where a write looks: service requests through the batch
    API, then, beside them, copies (fresh ids) of what one write leaves among the gateway's
    idempotency records and intake's outbox and kept answers."""
    rows = [p.request_body] * LOAD_BATCH
    for start in range(0, count, LOAD_BATCH):
        p.api.post("/service-requests/batch", {"items": rows[:count - start]})
        progress("service requests", start + LOAD_BATCH, count)
    p.http("POST", "/service-requests", p.request_body)  # one write to copy
    mongo: pymongo.MongoClient = pymongo.MongoClient(p.stack.mongo_uri)
    for service, collections in COPIED.items():
        db = mongo[f"{p.stack.db_prefix}_{service}"]
        for name in collections:
            model = db[name].find_one(sort=[("_id", -1)]) or {}
            for start in range(0, count, LOAD_BATCH):
                db[name].insert_many([{**model, "_id": f"copy-{start + n}"}
                                      for n in range(min(LOAD_BATCH, count - start))])
                progress(f"{service}.{name}", start + LOAD_BATCH, count)
    mongo.close()
    print(file=sys.stderr)


def progress(what: str, done: int, total: int):
    done = min(done, total)
    bar = "#" * (30 * done // total)
    print(f"\rstoring {what:<22} [{bar:<30}] {done:>9,}/{total:,}", end="", file=sys.stderr,
          flush=True)


def reads(p: Platform, calls: int, levels: list[int]) -> list[Measured]:
    one = p.api.get("/service-requests", params={"entity": p.entity, "limit": 1})["items"][0]
    found = []
    for clients in levels:
        found.append(measure("GET one service request", clients, calls, lambda i: p.http(
            "GET", f"/service-requests/{one['id']}"), p.watched))
        found.append(measure("GET a list of 100", clients, calls, lambda i: p.http(
            "GET", f"/service-requests?entity={p.entity}&limit=100"), p.watched))
        found.append(measure("GET a cycle's compliance", clients, calls, lambda i: p.http(
            "GET", f"{p.cycle}/compliance"), p.watched))
    return found


def raw_limits(stack: Stack, calls: int, levels: list[int]) -> list[Measured]:
    from nameko.standalone.rpc import ClusterRpcProxy

    mongo: pymongo.MongoClient = pymongo.MongoClient(stack.mongo_uri)
    db = mongo["bench_single_writes"]
    db.records.insert_one({"_id": "warm"})
    db.outbox.insert_one({"_id": "warm"})

    def transaction(i):
        with mongo.start_session() as session, session.start_transaction():
            ref = uuid.uuid4().hex
            db.records.insert_one({"_id": ref, "n": i}, session=session)
            db.outbox.insert_one({"_id": ref, "type": "recorded", "sent": False},
                                 session=session)
        return True

    found = [measure("raw: two-insert transaction", c, calls, transaction) for c in levels]
    proxies, local = [], threading.local()

    def health(i):  # a proxy a thread: one proxy's reply queue is read by one thread only
        if not hasattr(local, "rpc"):
            proxies.append(ClusterRpcProxy({"AMQP_URI": stack.amqp_uri}))
            local.rpc = proxies[-1].start()
        return bool(local.rpc.intake.health())

    health(0)
    found += [measure("raw: nameko RPC round trip", c, calls, health) for c in levels]
    for proxy in proxies:
        proxy.stop()
    trivial = Http(stack.base_url, "")
    found += [measure("raw: HTTP round trip (no worker)", c, calls,
                      lambda i: trivial("GET", "/no-such-route", ok=(404,))) for c in levels]
    mongo.drop_database("bench_single_writes")
    return found


def ratios(all_runs: list[Measured], levels: list[int]):
    by = {(m.name, m.clients): m for m in all_runs}
    low, high = levels[0], levels[-1]
    raw_low, raw_high = by[("raw: two-insert transaction", low)], by[
        ("raw: two-insert transaction", high)]
    print("ratios (targets: p50 within 5x the raw transaction at one client; at least 0.6 of "
          "its rate at 16; statements at 16 at least as fast as at 1):")
    for name in ("POST /service-requests", "file a statement", "enrol one filer",
                 "a consultation position"):
        one, many = by[(name, low)], by[(name, high)]
        print(f"  {name:<26} p50 {one.ms(50) / raw_low.ms(50):6.1f}x the raw transaction's at "
              f"{low}; rate at {high}: {many.rate / raw_high.rate:5.2f} of the raw "
              f"transaction's; {many.rate / one.rate:5.2f} of its own at {low}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls a measurement")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--stored", type=int, default=0,
                        help="records stored before measuring (1000000: the growth check)")
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-bench")
    with tempfile.TemporaryDirectory(prefix="epun-bench-") as state:
        stack = private_stack(Path(state), vhost, "b")
        try:
            stack.up()
            platform = Platform(stack, args.calls * len(levels))
            if args.stored:
                store_records(platform, args.stored)
            print(f"single writes and reads, {args.calls} calls a measurement, "
                  f"{args.stored:,} records stored before")
            runs = raw_limits(stack, args.calls, levels)
            runs += writes(platform, args.calls, levels)
            runs += reads(platform, args.calls, levels)
            for m in runs:
                print(m.line())
            ratios(runs, levels)
        finally:
            stack.down()
            drop_vhost(vhost)


if __name__ == "__main__":
    main()
