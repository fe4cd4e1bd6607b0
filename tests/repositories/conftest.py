"""One repository suite, two stores: every test here runs against the in-memory fake and against
a real MongoDB-compatible server (the eventsourcing library's pattern), so both keep the same
promises. The database half is marked `integration` (`make unit` runs the fake half only)."""
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Callable

import pytest

from epun.stack import Stack, free_port
from shared.contracts.common import Actor, Role
from shared.kernel.clock import FixedClock
from shared.kernel.uow import MemoryState
from shared.mongo import AUDIT, PROCESSED, connect, create_indexes
from shared.outbox import OUTBOX

ACTOR = Actor(role=Role.ethics_office, label="repository suite")


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    """A database server of the suite's own: MONGO_URI's, or an embedded in-memory one."""
    server = Stack(state_dir=tmp_path_factory.mktemp("db"), mongo_port=free_port(),
                   mongo_storage=":memory:")
    server.run_dir.mkdir(parents=True, exist_ok=True)
    server.log_dir.mkdir(parents=True, exist_ok=True)
    server.ensure_mongo()
    yield server.mongo_uri
    server.stop_process("mongo")


@dataclass
class Backend:
    """A store under test: `uow(actor)` makes units of work; the rest reads what they wrote."""
    uow: Callable
    outbox: Callable[[], list[dict]]
    audit: Callable[[], list[dict]]
    processed: Callable[[], int]


def backends(memory_cls, mongo_cls):
    """The `backend` fixture of a service's suite: its fake and its Mongo unit of work."""
    @pytest.fixture(params=["memory", pytest.param("mongo", marks=pytest.mark.integration)])
    def backend(request):
        clock = FixedClock(dt.date(2015, 7, 31))
        if request.param == "memory":
            state = MemoryState()
            yield Backend(lambda actor=ACTOR: memory_cls(state, actor, clock),
                          lambda: [e.model_dump(mode="json") for e in state.outbox],
                          lambda: state.audit_log, lambda: len(state.processed))
            return
        client = connect(request.getfixturevalue("mongo_uri"))
        db = client[f"repo{uuid.uuid4().hex[:10]}"]
        create_indexes(db, mongo_cls.indexes)
        yield Backend(lambda actor=ACTOR: mongo_cls(db, client, actor, clock),
                      lambda: list(db[OUTBOX].find({}, {"_id": 0}).sort("created_at", 1)),
                      lambda: list(db[AUDIT].find({}, {"_id": 0})),
                      lambda: db[PROCESSED].count_documents({}))
        client.drop_database(db.name)
        client.close()
    return backend
