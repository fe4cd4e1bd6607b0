"""The audit log every unit of work writes: on both stores each commit extends one hash chain;
on the database, commits running at once never fork it, and the log reads back in pages."""
import datetime as dt
import threading

import eventlet
import pytest
from conftest import ACTOR, backends

from shared.audit_log import audit_page, verify_chain
from shared.contracts.audit import ServiceAuditQuery
from shared.kernel.audit import breaks
from shared.kernel.uow import InMemoryUnitOfWork
from shared.mongo import AUDIT, MongoUnitOfWork


class PlainUnitOfWork(MongoUnitOfWork):
    """A unit of work with no repositories of its own: audit entries only."""


backend = backends(InMemoryUnitOfWork, PlainUnitOfWork)


def audited(backend, *records, entity="UNHCR", **extra):
    with backend.uow() as uow:
        for record in records:
            uow.audit("read_statement", record, entity, **extra)
        uow.commit()


def test_each_commit_extends_one_chain(backend):
    audited(backend, "a", "b")
    audited(backend, "c", detail="a reason")
    log = sorted(backend.audit(), key=lambda e: e["seq"])
    assert [(e["seq"], e["record"]) for e in log] == [(1, "a"), (2, "b"), (3, "c")]
    assert log[2]["detail"] == "a reason" and log[0]["who"] == ACTOR.label
    assert breaks(log, None) == []


def test_an_entry_may_name_who_acted_where_no_actor_does(backend):
    audited(backend, "people/x@example.org", who="x@example.org", detail="wrong_password")
    [entry] = backend.audit()
    assert (entry["who"], entry["role"], entry["detail"]) == ("x@example.org", None,
                                                            "wrong_password")


class NoLocks(dict):
    """Every commit its own lock: as if each ran in a process of its own."""

    def __getitem__(self, name):
        return threading.Lock()


@pytest.mark.integration
@pytest.mark.parametrize("processes", ["one process", "as many processes as commits"])
def test_commits_at_once_never_fork_the_chain_and_a_changed_entry_is_named(
        mongo_uri, monkeypatch, processes):
    import shared.mongo
    from shared.mongo import connect, create_indexes
    if processes != "one process":  # only the head's write conflict keeps them in line
        monkeypatch.setattr(shared.mongo, "_CHAIN_LOCKS", NoLocks())
    client = connect(mongo_uri)
    db = client["auditchain"]
    client.drop_database(db.name)
    create_indexes(db, {})

    def commit(n):
        uow = PlainUnitOfWork(db, client, ACTOR)
        with uow:
            uow.audit("log_service_requests", f"service-requests/{n}", "EO")
            uow.commit()
    pool = eventlet.GreenPool(10)
    list(pool.imap(commit, range(30)))
    assert db[AUDIT].count_documents({}) == 30
    assert verify_chain(db) == {"entries": 30, "breaks": []}

    first = audit_page(db, "intake", ServiceAuditQuery(limit=20))
    rest = audit_page(db, "intake", ServiceAuditQuery(after=first["items"][-1]["seq"]))
    assert first["more"] and not rest["more"]
    assert [e["seq"] for e in first["items"] + rest["items"]] == list(range(1, 31))
    only = audit_page(db, "intake", ServiceAuditQuery(action="log_service_requests",
                                                      entity="EO", limit=5))
    assert len(only["items"]) == 5 and only["items"][0]["service"] == "intake"

    db[AUDIT].update_one({"_id": 17}, {"$set": {"who": "someone else"}})
    result = verify_chain(db)
    assert [b["seq"] for b in result["breaks"]] == [17]
    client.drop_database(db.name)
    client.close()


@pytest.mark.integration
def test_a_commit_extends_the_head_it_knows_and_reads_it_when_another_process_moved_it(
        mongo_uri, monkeypatch):
    import shared.mongo
    from shared.mongo import append_audit, connect, create_indexes
    client = connect(mongo_uri)
    db = client["auditknown"]
    client.drop_database(db.name)
    create_indexes(db, {})
    reads = []
    read_head = shared.mongo.audit_head
    monkeypatch.setattr(shared.mongo, "audit_head",
                        lambda *a, **k: reads.append(1) or read_head(*a, **k))

    def commit(record):
        with PlainUnitOfWork(db, client, ACTOR) as uow:
            uow.audit("read_statement", record, "EO")
            uow.commit()
    commit("a")
    commit("b")
    assert len(reads) <= 1  # the second commit knew the head: it did not read it
    with client.start_session() as session:  # another process extends the chain
        session.with_transaction(lambda s: append_audit(db, s, [
            {"at": dt.datetime.now(dt.timezone.utc), "who": "other", "role": None,
             "action": "x", "record": "other", "entity": "EO", "detail": None}]))
    before = len(reads)
    commit("c")
    assert len(reads) == before + 1  # the head it knew had moved: read again
    assert verify_chain(db) == {"entries": 4, "breaks": []}
    assert [e["record"] for e in db[AUDIT].find().sort("seq", 1)] == ["a", "b", "other", "c"]
    client.drop_database(db.name)
    client.close()
