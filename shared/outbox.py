"""The outbox relay: publishes committed outbox records to RabbitMQ with publisher confirms.

Records are marked sent after the broker confirms them and are kept, so the outbox is also the
service's event log (`Repository.events_since`). A record is published at least once: a crash
between the confirm and the mark publishes it again, and consumers are idempotent. The running
relay marks what it published once MARK_DEFERRED records wait for it or once a pass finds
nothing new, not after every pass: a write at a time would otherwise cost a second write to the
database; its passes meanwhile skip the records it published. Only one process
of a service relays at a time (a lease in MongoDB), so competing processes don't publish twice.

The process that commits hands its records to its relay (`committed`). A relay whose last read
of the outbox saw every record committed before it publishes what it was handed without reading
the outbox again; it reads anyway once `idle` seconds have passed since its last read, which
finds what other processes committed and what a pass left for later.
"""
import datetime as dt
import logging
import os
import socket
import time
import uuid

import eventlet
from eventlet.event import Event
from nameko.amqp.publish import Publisher, UndeliverableMessage
from nameko.standalone.events import get_event_exchange
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from .contracts.envelope import Envelope
from .kernel.clock import utcnow
from .metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, RABBITMQ_UP

log = logging.getLogger(__name__)

OUTBOX = "outbox"
ENVELOPE_FIELDS = ("event_id", "type", "schema_version", "occurred_at", "entity", "actor",
                   "payload", "request_id")
LEASE = "outbox_lease"
LEASE_SECONDS = 10
UNROUTABLE_RETRY_SECONDS = 5
BACKLOG_COUNT_SECONDS = 5  # counting a large backlog scans it: at most this often
LEASE_RENEWAL = 250  # records published between two renewals of the lease
MARK_EVERY = 100  # records published between two writes that mark them sent
# a running relay's passes skip what it published and has not marked yet (a $nin the server
# checks against every unsent record): so few that the check stays cheap
MARK_DEFERRED = 8


def outbox_document(envelope: Envelope, created_at) -> dict:
    doc = envelope.model_dump(mode="python")
    doc.update(_id=envelope.event_id, sent=False, created_at=created_at)
    return doc


def outbox_to_envelope(doc) -> dict:
    return Envelope.model_validate({k: doc.get(k) for k in ENVELOPE_FIELDS
                                    if k in doc}).model_dump(mode="json")


def events_since(db, after: str | None, limit: int = 1000) -> list[dict]:
    """A service's own events, in the order they were written, after the event `after`."""
    query = {}
    if after:
        anchor = db[OUTBOX].find_one({"_id": after}, {"created_at": 1})
        if anchor:
            query = {"$or": [{"created_at": {"$gt": anchor["created_at"]}},
                             {"created_at": anchor["created_at"], "_id": {"$gt": after}}]}
    docs = db[OUTBOX].find(query).sort([("created_at", 1), ("_id", 1)]).limit(limit)
    return [outbox_to_envelope(doc) for doc in docs]


def lease_clock() -> float:
    return time.monotonic()


class OutboxRelay:
    def __init__(self, db, config: dict, service: str, batch: int = 2000, idle: float = 0.5):
        self.db, self.service, self.batch, self.idle = db, service, batch, idle
        # the exchange nameko's `event_handler(service, type)` binds to
        exchange = get_event_exchange(service, config)
        self.publisher = Publisher(config["AMQP_URI"], exchange=exchange, declare=[exchange],
                                   use_confirms=True, mandatory=True)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._wake = Event()
        self.running = True
        self._unroutable: dict[str, float] = {}  # event type -> when to try it again
        self._counted_at = 0.0
        self.beat = time.monotonic()  # the start of the last pass: the readiness check `relay`
        self._held_until = 0.0  # the lease is ours without asking until then (monotonic)
        self._unmarked: list = []  # ids published by this relay and not yet marked sent
        self._handed: list = []  # records this process committed since the last pass
        self._caught_up = False  # the last read left nothing committed before it unpublished
        self._read_at = 0.0  # when the outbox was last read (monotonic)
        self._read_ids: set = set()  # what that read found

    def wake(self):
        if not self._wake.ready():
            self._wake.send(True)

    def committed(self, records: list[dict]):
        """Outbox records this process has just committed. Kept for the next pass only while
        this relay holds the lease and is caught up; else its next read finds them."""
        if self._caught_up and lease_clock() < self._held_until:
            if len(self._handed) + len(records) > self.batch:
                self._fall_behind()
            else:
                self._handed += records
        self.wake()

    def _fall_behind(self):
        """Forget what was handed: the next pass reads the outbox, which finds it."""
        self._caught_up, self._handed = False, []

    def run(self):
        while self.running:
            self.beat = time.monotonic()
            try:
                published = self.relay_once(defer=True) if self.hold_lease() else 0
                if not published:
                    self.mark_published()
            except Exception:  # keep relaying: the next pass retries whatever failed
                log.exception("outbox relay pass failed")
                published = 0
            # a pass that found less than a batch saw every record committed before it began;
            # a commit since then has woken the relay already
            if published < self.batch:
                self._wake.wait(timeout=self.idle)
                self._wake = Event()

    def stalled(self, seconds: float) -> str | None:
        """What is wrong when the relay stopped or has not begun a pass for `seconds`."""
        if not self.running:
            return "the outbox relay is stopped"
        idle = time.monotonic() - self.beat
        return f"the outbox relay has not run for {idle:.0f} s" if idle > seconds else None

    def hold_lease(self) -> bool:
        """Whether this process may relay: the lease is renewed in the database once half of
        it has run, and no other process takes it before all of it has."""
        if lease_clock() < self._held_until:
            return True
        renewed_at, now = lease_clock(), utcnow()
        until = now + dt.timedelta(seconds=LEASE_SECONDS)
        try:
            doc = self.db[LEASE].find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "until": until, "entity": "-"}},
                upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # another process holds a live lease
            doc = None
        held = doc is not None and doc["owner"] == self.owner
        self._held_until = renewed_at + LEASE_SECONDS / 2 if held else 0.0
        if not held:  # whoever holds the lease reads what this process committed
            self._fall_behind()
        return held

    def release(self):
        """Give the lease up at shutdown, so a restarted process relays at once."""
        self._held_until = 0.0
        try:
            self.mark_published()
            self.db[LEASE].delete_one({"_id": "relay", "owner": self.owner})
        except PyMongoError:
            pass

    def relay_once(self, defer: bool = False) -> int:
        """Publish up to `batch` unsent records in order; returns how many were published.
        They are marked sent by the end of the pass, or with `defer` once MARK_DEFERRED wait."""
        now = time.monotonic()
        waiting = [t for t, retry_at in self._unroutable.items() if retry_at > now]
        pending = self._take_handed(now)
        if pending is None:
            pending = self._read_unsent(waiting, now)
        published = 0
        try:
            published = self._publish_all(pending, waiting, now)
        finally:  # whatever stopped the pass, what it published is marked sent
            if not defer or len(self._unmarked) >= MARK_DEFERRED:
                self.mark_published()
        return published

    def _take_handed(self, now: float) -> list | None:
        """The records handed since the last pass, when they are all there is to publish."""
        if not (self._caught_up and self._handed) or now - self._read_at >= self.idle:
            return None
        handed, self._handed = self._handed, []
        return [doc for doc in handed if doc["_id"] not in self._read_ids]

    def _read_unsent(self, waiting: list, now: float) -> list:
        self._handed, self._read_at = [], now  # committed before this read: it finds them
        unsent: dict = {"sent": False, "type": {"$nin": waiting}}
        if self._unmarked:
            unsent["_id"] = {"$nin": self._unmarked}
        pending = list(self.db[OUTBOX].find(unsent)
                       .sort([("created_at", 1), ("_id", 1)]).limit(self.batch))
        self._read_ids = {doc["_id"] for doc in pending}
        self._caught_up = len(pending) < self.batch
        self._measure_backlog(pending)
        return pending

    def mark_published(self):
        """One write marks the records published since the last mark."""
        if self._unmarked:
            self.db[OUTBOX].update_many({"_id": {"$in": self._unmarked}},
                                        {"$set": {"sent": True, "sent_at": utcnow()}})
            self._unmarked = []

    def _publish_all(self, pending: list, waiting: list, now: float) -> int:
        """Publish `pending` in order; how many it published."""
        published = 0
        for n, doc in enumerate(pending, start=1):
            if n % LEASE_RENEWAL == 0 and not self.hold_lease():
                break  # a long pass keeps its lease, or stops where another relay took over
            if doc["type"] in waiting:
                continue
            try:
                self.publish(doc)
            except UndeliverableMessage:
                # no queue is bound for this type yet: keep it (and its type) for a later pass
                log.warning("no consumer queue for %s yet; will retry", doc["type"])
                self._unroutable[doc["type"]] = now + UNROUTABLE_RETRY_SECONDS
                waiting.append(doc["type"])
                continue
            except (OSError, ConnectionError) as exc:
                RABBITMQ_UP.labels(self.service).set(0)
                log.warning("RabbitMQ unreachable (%s); will retry", exc)
                self._fall_behind()
                eventlet.sleep(1)
                break
            self._unmarked.append(doc["_id"])
            published += 1
            if len(self._unmarked) >= MARK_EVERY:  # a crash re-publishes at most this many
                self.mark_published()
        return published

    def publish(self, doc):
        self.publisher.publish(outbox_to_envelope(doc), routing_key=doc["type"],
                               message_id=doc["_id"])
        RABBITMQ_UP.labels(self.service).set(1)
        EVENTS_PUBLISHED.labels(self.service, doc["type"]).inc()

    def _measure_backlog(self, pending):
        now = time.monotonic()
        if not pending or now - self._counted_at >= BACKLOG_COUNT_SECONDS:
            try:
                backlog = self.db[OUTBOX].count_documents({"sent": False}) if pending else 0
            except PyMongoError:
                return
            self._counted_at = now
            OUTBOX_BACKLOG.labels(self.service).set(max(backlog - len(self._unmarked), 0))
        age = (utcnow() - pending[0]["created_at"]).total_seconds() if pending else 0
        OUTBOX_OLDEST_AGE.labels(self.service).set(max(age, 0))
