"""The outbox relay, driven directly: a crash between commit and publish loses nothing."""
import time
import uuid

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from shared.contracts.common import Actor, Role
from shared.contracts.directory import EntityRegistered
from shared.mongo import MongoUnitOfWork, create_indexes
from shared import outbox
from shared.outbox import LEASE_SECONDS, OutboxRelay

pytestmark = pytest.mark.integration


@pytest.fixture
def relay_setup(stack, mongo):
    service = f"relaytest{uuid.uuid4().hex[:6]}"
    db = mongo[f"{stack.db_prefix}_{service}"]
    create_indexes(db, {})
    exchange = get_event_exchange(service, {})
    queue = Queue(f"{service}-listener", exchange=exchange, routing_key="entity_registered",
                  durable=False, auto_delete=False)
    with Connection(stack.amqp_uri.replace("pyamqp", "amqp")) as conn:
        queue(conn.channel()).declare()
    yield service, db, queue
    with Connection(stack.amqp_uri.replace("pyamqp", "amqp")) as conn:
        queue(conn.channel()).delete()


def commit_without_publishing(db, mongo, code, on_commit=None):
    """A service's write path that dies right after its transaction commits (or, with
    `on_commit`, hands its records on)."""
    with MongoUnitOfWork(db, mongo, Actor(role=Role.admin, label="test"),
                         on_commit=on_commit) as uow:
        uow.insert("entities", {"entity": code, "name": "Crash"})
        uow.emit(EntityRegistered(code=code, name="Crash", category="other"), entity=code)
        uow.commit()
    return uow.published[0]


def drain(stack, queue) -> list:
    got = []
    with Connection(stack.amqp_uri.replace("pyamqp", "amqp")) as conn:
        bound = queue(conn.channel())
        while (message := bound.get(no_ack=True)) is not None:
            got.append(message.payload)
    return got


def test_an_event_committed_before_a_crash_is_published_once_after_restart(
        stack, mongo, relay_setup):
    service, db, queue = relay_setup
    envelope = commit_without_publishing(db, mongo, "CRASH")
    assert db.outbox.find_one({"_id": envelope.event_id})["sent"] is False
    assert drain(stack, queue) == []

    restarted = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    assert restarted.hold_lease()
    assert restarted.relay_once() == 1
    assert restarted.relay_once() == 0

    messages = drain(stack, queue)
    assert [m["event_id"] for m in messages] == [envelope.event_id]
    assert messages[0]["payload"]["code"] == "CRASH"
    assert db.outbox.find_one({"_id": envelope.event_id})["sent"] is True


def test_a_running_relay_marks_what_it_published_later_and_never_publishes_it_twice(
        stack, mongo, relay_setup):
    service, db, queue = relay_setup
    first = commit_without_publishing(db, mongo, "LATER")
    relay = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    assert relay.hold_lease()
    assert relay.relay_once(defer=True) == 1
    assert db.outbox.find_one({"_id": first.event_id})["sent"] is False
    second = commit_without_publishing(db, mongo, "NEXT")
    assert relay.relay_once(defer=True) == 1  # the second record only
    assert [m["event_id"] for m in drain(stack, queue)] == [first.event_id, second.event_id]
    relay.mark_published()
    assert {d["sent"] for d in db.outbox.find({"_id": {"$in": [first.event_id,
                                                              second.event_id]}})} == {True}
    assert relay.relay_once(defer=True) == 0 and drain(stack, queue) == []


def test_a_caught_up_relay_publishes_what_its_process_committed_without_reading_the_outbox(
        stack, mongo, relay_setup):
    service, db, queue = relay_setup
    relay = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service, idle=3600)
    assert relay.hold_lease() and relay.relay_once() == 0  # it read: nothing is unsent
    elsewhere = commit_without_publishing(db, mongo, "ELSEWHERE")  # another process's
    here = commit_without_publishing(db, mongo, "HERE", on_commit=relay.committed)
    assert relay.relay_once(defer=True) == 1
    assert [m["event_id"] for m in drain(stack, queue)] == [here.event_id]
    relay.idle = 0  # its last read is old now: the next pass reads
    assert relay.relay_once() == 1
    assert [m["event_id"] for m in drain(stack, queue)] == [elsewhere.event_id]
    assert {d["sent"] for d in db.outbox.find()} == {True}


def test_a_record_handed_after_a_read_found_it_is_published_once(stack, mongo, relay_setup):
    service, db, queue = relay_setup
    relay = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service, idle=3600)
    assert relay.hold_lease() and relay.relay_once() == 0
    records = []
    late = commit_without_publishing(db, mongo, "LATE", on_commit=records.extend)
    relay.idle = 0
    assert relay.relay_once(defer=True) == 1  # the read found it before it was handed
    relay.idle = 3600
    relay.committed(records)
    assert relay.relay_once(defer=True) == 0
    assert [m["event_id"] for m in drain(stack, queue)] == [late.event_id]


def test_a_relay_without_the_lease_keeps_nothing_it_is_handed(stack, mongo, relay_setup):
    service, db, _ = relay_setup
    holder = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    other = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    assert holder.hold_lease() and not other.hold_lease()
    commit_without_publishing(db, mongo, "KEPT", on_commit=other.committed)
    assert other._handed == []
    holder.release()


def test_only_one_process_relays_at_a_time(stack, mongo, relay_setup):
    service, db, _ = relay_setup
    first = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    second = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    assert first.hold_lease() and not second.hold_lease()
    first.release()
    assert second.hold_lease()


def test_an_event_nobody_listens_to_yet_stays_in_the_outbox(stack, mongo):
    service = f"nolistener{uuid.uuid4().hex[:6]}"
    db = mongo[f"{stack.db_prefix}_{service}"]
    envelope = commit_without_publishing(db, mongo, "NOBODY")
    relay = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    assert relay.hold_lease()
    assert relay.relay_once() == 0
    assert db.outbox.find_one({"_id": envelope.event_id})["sent"] is False


def test_a_held_lease_is_renewed_in_the_database_only_after_half_of_it(stack, mongo,
                                                                        relay_setup,
                                                                        monkeypatch):
    service, db, _ = relay_setup
    relay = OutboxRelay(db, {"AMQP_URI": stack.amqp_uri}, service)
    assert relay.hold_lease()
    until = db.outbox_lease.find_one({"_id": "relay"})["until"]
    assert relay.hold_lease()  # no second write: the stored lease is the first one's
    assert db.outbox_lease.find_one({"_id": "relay"})["until"] == until
    later = time.monotonic() + LEASE_SECONDS / 2 + 0.1
    monkeypatch.setattr(outbox, "lease_clock", lambda: later)
    assert relay.hold_lease()
    assert db.outbox_lease.find_one({"_id": "relay"})["until"] > until
    relay.release()
