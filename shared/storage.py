"""MongoDB for a nameko service: one database per service, indexes made at start, and a unit of
work that writes state, outbox records and the audit log in one transaction.

A service's `store.py` subclasses `Repository`; the `Storage` dependency provider builds it per
worker. Writes go through `Repository.atomically(fn)`: `fn(uow)` runs inside
`session.with_transaction`, which retries transient write conflicts, so `fn` must only write to
the database through `uow`.
"""
import datetime as dt
import logging

import pymongo
from nameko.extensions import DependencyProvider
from pymongo.errors import DuplicateKeyError

from .auth import scope_filter
from .contracts.common import SYSTEM, Actor
from .contracts.envelope import Envelope

log = logging.getLogger(__name__)

OUTBOX = "outbox"
AUDIT = "audit_log"
PROCESSED = "processed_events"


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def connect(uri: str) -> pymongo.MongoClient:
    return pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=10000)


class UnitOfWork:
    """What one transaction may touch: collections bound to the session, the outbox, the audit."""

    def __init__(self, db, session, actor: Actor):
        self.db, self.session, self.actor = db, session, actor
        self.events: list[Envelope] = []

    def __getitem__(self, name):
        return _Bound(self.db[name], self.session)

    def emit(self, payload, entity: str) -> Envelope:
        envelope = Envelope.of(payload, entity=entity, actor=self.actor)
        doc = envelope.model_dump(mode="python")
        doc.update(_id=envelope.event_id, sent=False, created_at=utcnow())
        self.db[OUTBOX].insert_one(doc, session=self.session)
        self.events.append(envelope)
        return envelope

    def audit(self, action: str, record: str, entity: str | None = None):
        self.audit_many(action, [(record, entity)])

    def audit_many(self, action: str, records: list[tuple[str, str | None]]):
        """One audit entry per (record, entity) pair, written with one insert_many."""
        at = utcnow()
        docs = [{"entity": entity or self.actor.entity or "-", "at": at,
                 "who": self.actor.label or self.actor.role.value, "role": self.actor.role.value,
                 "action": action, "record": record} for record, entity in records]
        if docs:
            self.db[AUDIT].insert_many(docs, session=self.session)

    def mark_processed(self, consumer: str, event_id: str) -> bool:
        """Record that `consumer` has handled `event_id`; False when it already had."""
        try:
            self.db[PROCESSED].insert_one(
                {"_id": f"{consumer}:{event_id}", "entity": "-", "consumer": consumer,
                 "event_id": event_id, "at": utcnow()}, session=self.session)
            return True
        except DuplicateKeyError:
            return False


class _Bound:
    """A collection whose calls carry the transaction's session."""

    def __init__(self, collection, session):
        self._collection, self._session = collection, session

    def __getattr__(self, name):
        method = getattr(self._collection, name)
        return lambda *args, **kwargs: method(*args, session=self._session, **kwargs)


class _AlreadyProcessed(Exception):
    pass


class Repository:
    """Base of each service's store: subclasses declare `indexes` and add domain-ish methods."""

    # collection -> list of (keys, options); every key list starts with `entity`
    indexes: dict[str, list] = {}

    def __init__(self, db, client, actor: Actor = SYSTEM, on_commit=None):
        self.db, self.client, self.actor = db, client, actor
        self._on_commit = on_commit

    @classmethod
    def create_indexes(cls, db):
        base = {
            OUTBOX: [([("sent", 1), ("created_at", 1), ("_id", 1)], {})],  # the relay's order
            AUDIT: [([("entity", 1), ("at", 1)], {})],
        }
        for name, specs in {**base, **cls.indexes}.items():
            for keys, options in specs:
                db[name].create_index(keys, **options)

    def as_actor(self, actor: Actor) -> "Repository":
        return type(self)(self.db, self.client, actor, self._on_commit)

    def scoped(self, query: dict | None = None) -> dict:
        """`query` limited to the actor's entity when the actor is entity-scoped."""
        return {**(query or {}), **scope_filter(self.actor)}

    def atomically(self, fn):
        """Run `fn(uow)` in one transaction; returns what `fn` returns."""
        with self.client.start_session() as session:
            result = session.with_transaction(
                lambda s: self._run(fn, s))
        if self._on_commit:
            self._on_commit()
        return result

    def _run(self, fn, session):
        uow = UnitOfWork(self.db, session, self.actor)
        return fn(uow)

    def once(self, consumer: str, event_id: str, fn) -> bool:
        """Apply `fn(uow)` for an event unless `consumer` already did; True when applied."""
        def apply(uow):
            if not uow.mark_processed(consumer, event_id):
                raise _AlreadyProcessed
            fn(uow)
        try:
            self.atomically(apply)
            return True
        except _AlreadyProcessed:
            return False

    def events_since(self, after: str | None, limit: int = 1000) -> list[dict]:
        """This service's own events, in the order they were written, after the event `after`."""
        query = {}
        if after:
            anchor = self.db[OUTBOX].find_one({"_id": after}, {"created_at": 1})
            if anchor:
                query = {"$or": [{"created_at": {"$gt": anchor["created_at"]}},
                                 {"created_at": anchor["created_at"], "_id": {"$gt": after}}]}
        docs = self.db[OUTBOX].find(query).sort([("created_at", 1), ("_id", 1)]).limit(limit)
        return [outbox_to_envelope(doc) for doc in docs]


def outbox_to_envelope(doc) -> dict:
    fields = ("event_id", "type", "schema_version", "occurred_at", "entity", "actor", "payload")
    return Envelope.model_validate({k: doc[k] for k in fields}).model_dump(mode="json")


class Storage(DependencyProvider):
    """Builds the service's repository; its database name comes from the `DATABASE` config key."""

    def __init__(self, repository_cls):
        self.repository_cls = repository_cls
        self.relay = None

    def setup(self):
        from .outbox import OutboxRelay
        config = self.container.config
        self.client = connect(config.get("MONGO_URI", "mongodb://127.0.0.1:27017"))
        self.db = self.client[config["DATABASE"]]
        self.repository_cls.create_indexes(self.db)
        self.relay = OutboxRelay(self.db, config, self.container.service_name)

    def start(self):
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox_relay")

    def stop(self):
        self.relay.running = False
        self.relay.wake()
        self.relay.release()

    def kill(self):
        self.relay.running = False

    def get_dependency(self, worker_ctx):
        on_commit = self.relay.wake if self.relay else None
        return self.repository_cls(self.db, self.client, SYSTEM, on_commit)
