"""The unit of work: what one use case changes, written at once.

A use case is `(uow, command) -> result`:

    with uow:
        inquiry = uow.inquiries.get(command.id)
        inquiry.decide(command.decision, command.decided_on, uow.clock.today())
        uow.inquiries.save(inquiry)
        uow.audit("decide_inquiry", f"retaliation-inquiries/{inquiry.id}", inquiry.entity)
        uow.commit()

Repositories read committed state and stage their writes in the unit of work; `commit()` writes
the staged state, one outbox record per event the touched aggregates recorded (plus any emitted
directly), the audit entries and, for a consumer, its tracking records, in one transaction.
Leaving the block without `commit()` writes nothing.

`InMemoryUnitOfWork` is the fake the use-case tests run on; `shared.mongo.MongoUnitOfWork` is
the real one. Both pass one repository test suite.
"""
import abc
import copy
import datetime as dt
import functools
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..contracts.common import SYSTEM, Actor
from ..contracts.envelope import Envelope
from .aggregate import Aggregate, RecordedEvent
from .audit import Head, chained
from .clock import Clock, SystemClock
from .errors import StaleState

RETRIES = 8
# writers that keep meeting on one record (members answering one consultation at once) would
# retry in step and meet again: each retry first waits a random while, up to twice the last
BACKOFF_SECONDS = 0.005


@dataclass(frozen=True)
class AuditEntry:
    action: str
    record: str
    entity: str
    detail: str | None = None  # why, where the action alone does not say (a refusal's reason)
    who: str | None = None     # who, where no actor acts (someone signing in)


class AlreadyProcessed(Exception):
    """The consumer has handled this event before: its commit writes nothing."""


class UnitOfWork(abc.ABC):
    def __init__(self, actor: Actor = SYSTEM, clock: Clock | None = None,
                 request_id: str | None = None):
        self.actor, self.clock, self.request_id = actor, clock or SystemClock(), request_id
        self._reset()

    def _reset(self) -> None:
        self._seen: list[Aggregate] = []
        self._events: list[RecordedEvent] = []
        self._audit: list[AuditEntry] = []
        self._tracking: dict[tuple[str, str], None] = {}  # in order, each once
        self._committed = False
        self.published: list[Envelope] = []

    def __enter__(self):
        self._reset()
        return self

    def __exit__(self, *exc):
        if not self._committed:
            self.rollback()

    # what a use case or a repository tells the unit of work

    def seen(self, aggregate):
        """Track an aggregate a repository handed out or was given: its events go at commit."""
        if isinstance(aggregate, Aggregate) and all(a is not aggregate for a in self._seen):
            self._seen.append(aggregate)
        return aggregate

    def emit(self, payload, entity: str):
        """An event that belongs to no aggregate (a batch of records, a reminder)."""
        self._events.append(RecordedEvent(payload, entity))

    def audit(self, action: str, record: str, entity: str | None = None, *,
              detail: str | None = None, who: str | None = None):
        self._audit.append(AuditEntry(action, record, entity or self.actor.entity or "-",
                                      detail, who))

    def audit_many(self, action: str, records: list[tuple[str, str | None]]):
        for record, entity in records:
            self.audit(action, record, entity)

    def processing(self, consumer: str, event_id: str):
        """This unit of work handles event `event_id` for `consumer`: its tracking record is
        written with the changes, and a second delivery commits nothing."""
        self.processing_many(consumer, [event_id])

    def processing_many(self, consumer: str, event_ids: list[str]):
        """The same for several events handled at once (a consumer's group commit): when any
        of them was processed already, the commit writes nothing."""
        self._tracking.update(dict.fromkeys((consumer, event_id) for event_id in event_ids))

    # the end of the use case

    def commit(self) -> bool:
        """Write everything staged; False when a consumer had processed the event already."""
        recorded = [*self._events]
        for aggregate in self._seen:
            recorded += aggregate.take_events()
        envelopes = [self.envelope(e) for e in recorded]
        try:
            self._write(envelopes, list(self._audit), list(self._tracking))
        except AlreadyProcessed:
            self.rollback()
            self._committed = True
            return False
        self._committed = True
        self.published = envelopes
        self._events, self._audit, self._seen = [], [], []
        return True

    def envelope(self, event: RecordedEvent) -> Envelope:
        return Envelope.of(event.payload, entity=event.entity, actor=self.actor,
                           occurred_at=self.clock.now(), request_id=self.request_id)

    def audit_document(self, entry: AuditEntry, at: dt.datetime) -> dict:
        who = entry.who or self.actor.label or self.actor.role.value
        return {"entity": entry.entity, "at": at, "who": who,
                "role": None if entry.who else self.actor.role.value,
                "action": entry.action, "record": entry.record, "detail": entry.detail}

    @abc.abstractmethod
    def _write(self, envelopes: list[Envelope], audit: list[AuditEntry],
               tracking: list[tuple[str, str]]):
        """Write staged state, outbox records, audit entries and tracking in one transaction;
        raise AlreadyProcessed when any of the tracking records exists."""

    @abc.abstractmethod
    def rollback(self):
        """Forget everything staged."""


def retrying(use_case: Callable) -> Callable:
    """Run a use case again when what it read changed before it could write (`StaleState`),
    after a random pause that grows with each attempt."""
    def run(uow, *arguments, **options):
        for attempt in range(RETRIES):
            try:
                return use_case(uow, *arguments, **options)
            except StaleState:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** attempt))
    # its name, its docstring and `__wrapped__`: the use case it runs
    return functools.update_wrapper(run, use_case, assigned=("__name__", "__doc__"), updated=())


# ---- the in-memory fake ----

@dataclass
class MemoryState:
    """What an in-memory platform holds across units of work: collections of records, the
    outbox, the audit log, consumers' tracking records."""
    collections: dict[str, dict[Any, Any]] = field(default_factory=dict)
    outbox: list[Envelope] = field(default_factory=list)
    audit_log: list[dict] = field(default_factory=list)  # chained, as the database keeps it
    processed: set[tuple[str, str]] = field(default_factory=set)

    def collection(self, name: str) -> dict:
        return self.collections.setdefault(name, {})

    def events(self, event_type: str | None = None) -> list[Envelope]:
        return [e for e in self.outbox if event_type in (None, e.type)]


class InMemoryUnitOfWork(UnitOfWork):
    """The unit of work over a `MemoryState`: repositories stage `(collection, key, value)`
    writes (value None deletes); commit applies them, appends the outbox and the audit log."""

    def __init__(self, state: MemoryState | None = None, actor: Actor = SYSTEM,
                 clock: Clock | None = None, request_id: str | None = None):
        self.state = state or MemoryState()
        self._staged: list[tuple[str, Any, Any, Callable | None]] = []
        super().__init__(actor, clock, request_id)

    def _reset(self) -> None:
        super()._reset()
        self._staged = []

    def read(self, collection: str, key) -> Any:
        """A copy of a committed record (changing it changes nothing until it is saved)."""
        found = self.state.collection(collection).get(key)
        return copy.deepcopy(found)

    def records(self, collection: str) -> list:
        return [copy.deepcopy(v) for v in self.state.collection(collection).values()]

    def stage(self, collection: str, key, value, expect: Callable[..., bool] | None = None):
        """Write `value` under `key` at commit (None deletes); `expect(current)` must hold then,
        or the commit fails with StaleState (the optimistic check the real store makes)."""
        value = copy.deepcopy(value)
        if isinstance(value, Aggregate):
            value.take_events()  # the events go to the outbox, never into the record
        self._staged.append((collection, key, value, expect))

    def _write(self, envelopes, audit, tracking):
        if any(t in self.state.processed for t in tracking):
            raise AlreadyProcessed
        for collection, key, _, expect in self._staged:
            if expect and not expect(self.state.collection(collection).get(key)):
                raise StaleState(f"{collection}/{key} changed meanwhile")
        for collection, key, value, _ in self._staged:
            records = self.state.collection(collection)
            if value is None:
                records.pop(key, None)
            else:
                records[key] = value
        self.state.processed.update(tracking)
        self.state.outbox += envelopes
        now = self.clock.now()
        log = self.state.audit_log
        head = Head(log[-1]["seq"], log[-1]["hash"]) if log else Head()
        log += chained([self.audit_document(entry, now) for entry in audit], head)[0]
        self._staged = []

    def rollback(self):
        self._staged = []
