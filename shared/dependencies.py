"""The nameko dependency providers every service uses.

`UnitOfWork(SomeMongoUnitOfWork)` connects to the service's database (`DATABASE` config key),
makes its indexes, runs the outbox relay, and hands each worker a factory of units of work:
`self.uow(actor)` in an entrypoint. The request id of the call (set by the gateway, carried in
nameko's context data) goes into every event the unit of work writes. It also gives the service's
readiness checks `database` (a ping every few seconds) and `relay` (the relay's last pass).
"""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from pymongo.errors import PyMongoError

from . import answers, health, queues  # noqa: F401  (queues: the declared queues' type,
# QUEUE_TYPE; answers: a redelivered RPC call that wrote gets its first answer)
from .logs import REQUEST_ID

from .contracts.common import SYSTEM, Actor
from .kernel.clock import Clock, SystemClock
from .metrics import Metrics  # noqa: F401  (a provider too, served from here)
from .mongo import CallClaim, MongoUnitOfWork, connect, create_indexes
from .outbox import OUTBOX, OutboxRelay, events_since

log = logging.getLogger(__name__)

DATABASE_CHECK_SECONDS = 5
STALE_AFTER_SECONDS = 30  # a check's result, or a relay pass, older than this: not ready
RELAY_STALL_SECONDS = 120  # a pass publishes up to 2,000 records: it may take a while


class UnitsOfWork:
    """What a worker holds: `uow(actor)` makes a unit of work acting for `actor`."""

    def __init__(self, provider: "UnitOfWork", worker_data: dict,
                 call_claim: CallClaim | None = None):
        self._provider, self._data = provider, worker_data
        self.db, self.client = provider.db, provider.client
        self.wrote = False  # a unit of work of this worker committed events
        self.call_claim = call_claim  # an RPC call's with a client key

    @property
    def request_id(self) -> str | None:
        """Read when a unit of work is made: the log context may set it after injection."""
        return self._data.get(REQUEST_ID)

    def __call__(self, actor: Actor = SYSTEM, request_id: str | None = None) -> MongoUnitOfWork:
        provider = self._provider
        uow = provider.uow_cls(self.db, self.client, actor, provider.clock,
                               request_id or self.request_id, self._committed,
                               **provider.extra)
        uow.call_claim = self.call_claim
        return uow

    def _committed(self, records: list[dict]):
        self.wrote = True
        self._provider.relay_committed(records)

    def events_since(self, after: str | None, limit: int) -> list[dict]:
        return events_since(self.db, after, limit)

    def backlog(self) -> int:
        return self.db[OUTBOX].count_documents({"sent": False})


class UnitOfWork(DependencyProvider):
    def __init__(self, uow_cls: type[MongoUnitOfWork], clock: Clock | None = None, **extra):
        self.uow_cls, self.clock, self.extra = uow_cls, clock or SystemClock(), extra
        self.relay = None
        self.workers: dict[object, UnitsOfWork] = {}

    def setup(self):
        config = self.container.config
        self.client = connect(config.get("MONGO_URI", "mongodb://127.0.0.1:27017"),
                              float(config.get("SLOW_COMMAND_MS") or 0))
        self.db = self.client[config["DATABASE"]]
        create_indexes(self.db, self.uow_cls.indexes)
        answers.create_index(self.db)
        self.relay = OutboxRelay(self.db, config, self.container.service_name)
        self.database = health.Watched("database", STALE_AFTER_SECONDS)
        health.add_check("database", self.database)
        health.add_check("relay", lambda: self.relay.stalled(RELAY_STALL_SECONDS))

    def start(self):
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox_relay")
        self.container.spawn_managed_thread(self._watch_database, identifier="uow.watch_database")

    def _watch_database(self):
        reachable = None
        while True:
            try:
                self.client.admin.command("ping")
                problem = None
            except PyMongoError as exc:
                problem = "MongoDB does not answer"
                if reachable is not False:
                    log.warning("MongoDB unreachable from %s: %s", self.container.service_name,
                                exc)
            reachable = problem is None
            self.database.record(problem)
            eventlet.sleep(DATABASE_CHECK_SECONDS)

    def stop(self):
        self.relay.running = False
        self.relay.wake()
        self.relay.release()

    def kill(self):
        self.relay.running = False

    def relay_committed(self, records: list[dict]):
        if self.relay:
            self.relay.committed(records)

    def get_dependency(self, worker_ctx):
        units = UnitsOfWork(self, worker_ctx.data, answers.claim_for(worker_ctx))
        self.workers[worker_ctx] = units
        return units

    def worker_teardown(self, worker_ctx):
        self.workers.pop(worker_ctx, None)

    def wrote(self, worker_ctx) -> bool:
        """Whether the worker committed events, or took its call's claim."""
        units = self.workers.get(worker_ctx)
        claim = units.call_claim if units else None
        return bool(units and (units.wrote or (claim and claim.taken)))
