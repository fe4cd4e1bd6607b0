"""MongoDB for the services: one database per service, indexes made at start, and the unit of
work that writes a use case's state, its events (as outbox records), its audit entries and, for
a consumer, its tracking record, in one transaction.

Repositories read committed state without a transaction and stage their writes; the
transaction runs at `commit()`, through `session.with_transaction`, which retries transient
write conflicts, so staged writes must be safe to apply again. A write that must find the record
as it was read says so with a filter (`expect`): when nothing matches, the commit fails with
`StaleState` and `retrying` runs the use case again on fresh state.
"""
import logging
import threading
from collections import defaultdict
from typing import Callable

import pymongo
from pymongo import monitoring
from pymongo.errors import BulkWriteError, DuplicateKeyError

from .contracts.common import SYSTEM, Actor
from .kernel.audit import Head, chained
from .kernel.batch import chunks, pause
from .kernel.clock import Clock
from .kernel.errors import StaleState
from .kernel.uow import AlreadyProcessed, UnitOfWork
from .outbox import OUTBOX, outbox_document

ANSWERS = "rpc_answers"  # the answers of RPC calls that wrote (see shared.answers)

log = logging.getLogger(__name__)

AUDIT = "audit_log"
AUDIT_HEAD = "audit_chain"  # one document: the last entry's number and hash
HEAD_ID = "head"
PROCESSED = "processed_events"
BASE_INDEXES: dict[str, list] = {
    OUTBOX: [([("sent", 1), ("created_at", 1), ("_id", 1)], {})],  # the relay's order
    AUDIT: [([("entity", 1), ("at", 1)], {}), ([("entity", 1), ("_id", 1)], {})],
}

Write = Callable[[object], None]  # staged: called with the transaction's session
# Commits that extend a database's audit chain wait for each other within a process (green
# locks under eventlet): they would conflict on the chain's head anyway, and a conflict costs a
# whole transaction run again; across processes the head's write conflict still serialises.
_CHAIN_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
# per database, the audit chain's head as this process last committed it: the next commit
# extends the chain from it without reading it (its update checks the head is still that one)
_HEADS: dict[str, Head] = {}


def tracking_id(consumer: str, event_id: str) -> str:
    """The `_id` of a consumer's tracking record of an event, in `processed_events`."""
    return f"{consumer}:{event_id}"


def connect(uri: str, slow_command_ms: float = 0) -> pymongo.MongoClient:
    """A client; with `slow_command_ms`, every command slower than that is logged."""
    listeners = [SlowCommands(slow_command_ms)] if slow_command_ms else []
    return pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=10000,
                               event_listeners=listeners)


class SlowCommands(monitoring.CommandListener):
    """Logs the commands that took longer than `threshold_ms`, with the shape of their filter
    (field names and operators, never values), to find where a database's time goes."""

    def __init__(self, threshold_ms: float):
        self.threshold_ms = threshold_ms
        self.shapes: dict[tuple, str] = {}

    def started(self, event):
        if event.command_name in ("find", "update", "delete", "aggregate", "count", "insert"):
            self.shapes[(event.connection_id, event.request_id)] = command_shape(event.command)

    def succeeded(self, event):
        self._done(event, "")

    def failed(self, event):
        self._done(event, " (failed)")

    def _done(self, event, outcome: str):
        shape = self.shapes.pop((event.connection_id, event.request_id), "")
        took = event.duration_micros / 1000
        if took >= self.threshold_ms:
            log.warning("slow command%s: %s %s in %.0f ms", outcome, event.command_name, shape,
                        took)


def command_shape(command: dict) -> str:
    """`collection {field: {$op}}`: a command's target and the shape of its first filter."""
    name = next(iter(command.values()), "")
    body = command.get("filter") or next(
        (part[0].get("q") for part in (command.get("updates"), command.get("deletes")) if part),
        None) or command.get("pipeline") or command.get("query") or {}
    size = len(command.get("documents") or command.get("updates") or [])
    return f"{name} {_shape(body)}" + (f" x{size}" if size > 1 else "")


def _shape(value, depth: int = 0):
    if depth > 3:
        return "..."
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shape(v, depth + 1)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return f"[{_shape(value[0], depth + 1)} x{len(value)}]" if value else "[]"
    return type(value).__name__


def create_indexes(db, indexes: dict[str, list]):
    """`indexes`: collection -> [(keys, options)]; every key list starts with `entity`, ready to
    be a shard key."""
    for name, specs in {**BASE_INDEXES, **indexes}.items():
        for keys, options in specs:
            db[name].create_index(keys, **options)
    db[AUDIT_HEAD].update_one({"_id": HEAD_ID}, {"$setOnInsert": {
        "entity": "-", "seq": Head().seq, "hash": Head().hash}}, upsert=True)


def audit_head(db, session=None) -> Head:
    found = db[AUDIT_HEAD].find_one({"_id": HEAD_ID}, session=session)
    return Head(found["seq"], found["hash"]) if found else Head()


def append_audit(db, session, entries: list[dict], known: Head | None = None) -> Head:
    """Extend the database's audit chain by `entries`, in the transaction of `session`; the
    new head.

    The head moves first: two commits that read the same head conflict on it (a write
    conflict, which `with_transaction` retries on the new head), so the chain never forks.
    With `known`, the head this process last committed, the chain is extended from it without
    reading it, if the head is still that one (the update names it); else it is read."""
    if known is not None:
        linked, head = chained(entries, known)
        moved = db[AUDIT_HEAD].update_one(
            {"_id": HEAD_ID, "seq": known.seq, "hash": known.hash},
            {"$set": {"entity": "-", "seq": head.seq, "hash": head.hash}}, session=session)
        known = known if moved.matched_count else None
    if known is None:
        linked, head = chained(entries, audit_head(db, session))
        db[AUDIT_HEAD].update_one({"_id": HEAD_ID}, {"$set": {
            "entity": "-", "seq": head.seq, "hash": head.hash}}, upsert=True, session=session)
    db[AUDIT].insert_many([{"_id": entry["seq"], **entry} for entry in linked],
                          session=session)
    return head


class CallClaim:
    """The record an RPC call sent with a client's key takes in its first transaction, under
    the id its answer is kept with: a second delivery or a repeated request of the same call,
    run at the same time in any process, finds it taken when it commits, and writes nothing."""

    def __init__(self, call_id: str):
        self.id, self.taken = call_id, False


class CallTaken(Exception):
    """This call's claim was taken by another run of it; its answer comes from that run."""


class MongoUnitOfWork(UnitOfWork):
    """Subclasses name their repositories in `repositories` (attribute -> class) and their
    collections' indexes in `indexes`."""

    repositories: dict[str, type] = {}
    indexes: dict[str, list] = {}

    def __init__(self, db, client, actor: Actor = SYSTEM, clock: Clock | None = None,
                 request_id: str | None = None,
                 on_commit: Callable[[list[dict]], None] | None = None):
        self.db, self.client, self._on_commit = db, client, on_commit
        self._writes: list[Write] = []
        self._one_document = True  # every staged write changes one document
        self.call_claim: CallClaim | None = None  # set by the worker for a call with a key
        super().__init__(actor, clock, request_id)
        for name, repository in self.repositories.items():
            setattr(self, name, repository(self))

    def _reset(self):
        super()._reset()
        self._forget_writes()

    def _forget_writes(self):
        self._writes, self._one_document = [], True

    def stage(self, write: Write, one_document: bool = False):
        """`write` runs in the commit's transaction; with `one_document` (it changes a single
        document, atomically on its own), a commit of that write alone needs no transaction."""
        self._writes.append(write)
        self._one_document = self._one_document and one_document

    # the writes repositories stage most

    def insert(self, collection: str, *docs: dict):
        if docs:
            self.stage(lambda s: self.db[collection].insert_many(list(docs), session=s),
                       one_document=len(docs) == 1)

    def replace(self, collection: str, query: dict, doc: dict, upsert: bool = True):
        self.stage(lambda s: self.db[collection].replace_one(query, doc, upsert=upsert,
                                                             session=s), one_document=True)

    def update(self, collection: str, query: dict, change: dict, expect: bool = False,
               upsert: bool = False):
        """`change` to the document `query` finds; with `expect`, finding none is StaleState."""
        def write(session):
            result = self.db[collection].update_one(query, change, upsert=upsert,
                                                    session=session)
            if expect and result.matched_count == 0:
                raise StaleState(f"{collection} changed meanwhile; read it again")
        self.stage(write, one_document=True)

    def bulk(self, collection: str, operations: list, expect: bool = False):
        def write(session):
            result = self.db[collection].bulk_write(operations, ordered=False, session=session)
            if expect and result.matched_count + result.upserted_count < len(operations):
                raise StaleState(f"some of these {collection} changed meanwhile")
        if operations:
            self.stage(write)

    # the transaction

    def _write(self, envelopes, audit, tracking):
        if not (self._writes or envelopes or audit or tracking):
            return
        now = self.clock.now()
        outbox = [outbox_document(e, now) for e in envelopes]
        audited = [self.audit_document(entry, now) for entry in audit]
        marks = [{"_id": tracking_id(consumer, event_id), "entity": "-", "consumer": consumer,
                  "event_id": event_id, "at": now} for consumer, event_id in tracking]
        claim = self.call_claim if self.call_claim and not self.call_claim.taken else None
        if not (envelopes or audit or tracking or claim) and len(self._writes) == 1 \
                and self._one_document:
            write = self._writes[0]
            self._forget_writes()
            write(None)  # one document's write is atomic on its own: no transaction to run
            return

        def transaction(session):
            if claim:
                try:
                    self.db[ANSWERS].insert_one({"_id": claim.id, "at": now},
                                                session=session)
                except DuplicateKeyError:
                    raise CallTaken(claim.id)
            if marks:
                try:
                    self.db[PROCESSED].insert_many(marks, session=session)
                except DuplicateKeyError:
                    raise AlreadyProcessed
                except BulkWriteError as exc:
                    if {e.get("code") for e in exc.details.get("writeErrors", [])} != {11000}:
                        raise
                    raise AlreadyProcessed
            for write in self._writes:
                write(session)
            if outbox:
                self.db[OUTBOX].insert_many(outbox, session=session)
            if audited:
                heads[:] = [append_audit(self.db, session, audited,
                                         _HEADS.get(self.db.name))]

        heads = []  # the chain's new head, once the transaction ran
        lock = _CHAIN_LOCKS[self.db.name] if audited else None
        with self.client.start_session() as session:
            if lock is None:
                session.with_transaction(transaction)
            else:
                with lock:
                    try:
                        session.with_transaction(transaction)
                    except BaseException:
                        _HEADS.pop(self.db.name, None)
                        raise
                    _HEADS[self.db.name] = heads[0]
        self._forget_writes()
        if claim:
            claim.taken = True
        if outbox and self._on_commit:
            self._on_commit(outbox)

    def rollback(self):
        self._forget_writes()


ID_LOOKUP_CHUNK = 50  # ids per $in: the embedded server matches an $in list linearly per key


def find_ids(collection, ids: list, projection=None) -> list[dict]:
    """The documents of `ids` that exist, looked up in chunks (outside any transaction)."""
    out: list[dict] = []
    for n, part in enumerate(chunks(ids, ID_LOOKUP_CHUNK)):
        out += collection.find({"_id": {"$in": list(part)}}, projection)
        if n % 20 == 19:
            pause()
    return out


class MongoRepository:
    """Base of a service's repositories: reads on `self.db`, writes staged on `self.uow`."""

    def __init__(self, uow: MongoUnitOfWork):
        self.uow, self.db = uow, uow.db

    @property
    def actor(self) -> Actor:
        return self.uow.actor
