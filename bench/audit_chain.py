"""What the audit log's hash chain and the uncached authentication cost.

1. Single writes: a commit of one record and its audit entry through the unit of work (the
   chain: read the head, move it, insert the linked entry, in the transaction) against the same
   commit written raw (the record and a plain audit entry, in one transaction, no chain). One
   writer, then ten at once (the chain's head serialises them: the write conflicts are retried
   by `with_transaction`, counted here as the transactions run again; within one process the
   commits that audit wait for each other instead, so the threads here seldom conflict).
2. Authentication per request: the read of a token by its hash (`_id`), a portal session and its
   person, as every request now makes them (no cache, so a revocation counts at once), against
   the same lookup in a dict (what the former 30-second cache gave on a hit).

It runs on an embedded MongoDB-compatible server of its own (in memory), or on MONGO_URI's.

    .venv/bin/python bench/audit_chain.py [--writes 300] [--writers 10] [--reads 2000]
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shared.mongo as mongo_module  # noqa: E402
from epun.stack import Stack, free_port  # noqa: E402
from services.gateway.domain import AccessToken  # noqa: E402
from services.gateway.domain.sessions import PortalSession  # noqa: E402
from services.gateway.store import GatewayUnitOfWork  # noqa: E402
from shared.auth import token_hash  # noqa: E402
from shared.audit_log import verify_chain  # noqa: E402
from shared.contracts.common import Actor, Role  # noqa: E402
from shared.mongo import AUDIT, MongoUnitOfWork, connect, create_indexes  # noqa: E402

ACTOR = Actor(role=Role.ethics_office, label="bench")


class Records(mongo_module.MongoRepository):
    def add(self, n: int):
        self.uow.insert("records", {"_id": uuid.uuid4().hex, "entity": "EO", "n": n})


class BenchUnitOfWork(MongoUnitOfWork):
    records: Records
    repositories = {"records": Records}
    indexes = {"records": [([("entity", 1), ("n", 1)], {})]}


def chained_commit(db, client, n: int):
    uow = BenchUnitOfWork(db, client, ACTOR)
    with uow:
        uow.records.add(n)
        uow.audit("bench_write", f"records/{n}", "EO")
        uow.commit()


def raw_commit(db, client, n: int):
    now = dt.datetime.now(dt.timezone.utc)

    def transaction(session):
        db.records.insert_one({"_id": uuid.uuid4().hex, "entity": "EO", "n": n},
                              session=session)
        db[AUDIT].insert_one({"entity": "EO", "at": now, "who": "bench",
                              "role": "ethics_office", "action": "bench_write",
                              "record": f"records/{n}"}, session=session)
    with client.start_session() as session:
        session.with_transaction(transaction)


def timed(fn, items, writers: int) -> float:
    """Commits a second."""
    start = time.perf_counter()
    if writers == 1:
        for n in items:
            fn(n)
    else:
        with ThreadPoolExecutor(writers) as pool:
            list(pool.map(fn, items))
    return len(items) / (time.perf_counter() - start)


def writes(client, count: int, writers: int):
    print(f"1. single writes: {count} commits of one record and its audit entry")
    runs = {"moves of the head": 0}
    original = mongo_module.append_audit

    def counting(db, session, entries, known=None):
        runs["moves of the head"] += 1
        return original(db, session, entries, known)
    mongo_module.append_audit = counting
    for writers_now in (1, writers):
        raw_db, chain_db = client[f"raw{uuid.uuid4().hex[:8]}"], client[
            f"chain{uuid.uuid4().hex[:8]}"]
        create_indexes(raw_db, BenchUnitOfWork.indexes)
        create_indexes(chain_db, BenchUnitOfWork.indexes)
        raw = chained = 0.0
        runs["moves of the head"] = 0
        for part in range(4):  # interleaved, so both run under the same conditions
            items = range(part * count // 4, (part + 1) * count // 4)
            raw += len(items) / timed(lambda n: raw_commit(raw_db, client, n), items,
                                      writers_now)
            chained += len(items) / timed(lambda n: chained_commit(chain_db, client, n),
                                          items, writers_now)
        raw, chained = count / raw, count / chained
        retried = runs["moves of the head"] - count
        check = verify_chain(chain_db)
        assert check["breaks"] == [] and check["entries"] == count, check
        print(f"   {writers_now:>2} writer(s): raw {raw:7.1f} commits/s "
              f"({1000 / raw:6.2f} ms each), chained {chained:7.1f} commits/s "
              f"({1000 / chained:6.2f} ms each): {chained / raw:.2f} of raw; "
              f"{retried} transaction(s) run again after a write conflict; "
              f"the chain holds ({check['entries']} entries)")
        client.drop_database(raw_db.name)
        client.drop_database(chain_db.name)
    mongo_module.append_audit = original


def reads(client, count: int):
    print(f"2. authentication: {count} lookups, among 1,000 tokens and 1,000 sessions")
    db = client[f"gw{uuid.uuid4().hex[:8]}"]
    create_indexes(db, GatewayUnitOfWork.indexes)
    now = dt.datetime.now(dt.timezone.utc)
    secrets_ = [f"epun_bench_{i}" for i in range(1000)]
    tokens = [AccessToken.issue(s, ACTOR, now, "bench", token_id=f"t{i}")
              for i, s in enumerate(secrets_)]
    uow = GatewayUnitOfWork(db, client)
    with uow:
        for token in tokens:
            uow.tokens.add(token)
        for i in range(1000):
            uow.sessions.add(PortalSession.start(f"sid-{i}", ACTOR, "password", now))
        uow.commit()
    cache = {t.digest: t for t in tokens}
    reader = GatewayUnitOfWork(db, client)

    def per_call(fn) -> float:
        samples = []
        for i in range(count):
            start = time.perf_counter()
            fn(i % 1000)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1e6
    cached = per_call(lambda i: cache.get(token_hash(secrets_[i])))
    by_hash = per_call(lambda i: reader.tokens.get(token_hash(secrets_[i])))
    session = per_call(lambda i: (reader.sessions.get(f"sid-{i}"),
                                  reader.people.get("bench@example.org")))
    print(f"   a token by its hash: {by_hash:8.1f} µs (median), against {cached:5.1f} µs from "
          f"a dict: {by_hash / cached:,.0f} x, {by_hash / 1000:.2f} ms a request")
    print(f"   a portal session and its person (two reads): {session:8.1f} µs (median)")
    client.drop_database(db.name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()
    server = None
    uri = os.environ.get("MONGO_URI")
    if not uri:
        server = Stack(state_dir=Path(tempfile.mkdtemp(prefix="bench-audit-")),
                       mongo_port=free_port(), mongo_storage=":memory:")
        server.run_dir.mkdir(parents=True, exist_ok=True)
        server.log_dir.mkdir(parents=True, exist_ok=True)
        server.ensure_mongo()
        uri = server.mongo_uri
    client = connect(uri)
    try:
        writes(client, args.writes, args.writers)
        reads(client, args.reads)
    finally:
        client.close()
        if server:
            server.stop_process("mongo")


if __name__ == "__main__":
    main()
