"""What a commit asks of the database: a write of one document alone runs without a
transaction; anything more (several documents, an event, an audit entry) runs in one."""
import datetime as dt
import uuid

import pymongo
import pytest
from pymongo import monitoring

from services.reporting import use_cases as reporting
from services.reporting.store import ReportingUnitOfWork
from shared.contracts.common import Actor, Role
from shared.contracts.directory import EntityRegistered
from shared.contracts.envelope import Envelope
from shared.contracts.intake import ServiceRequestLogged
from shared.kernel.clock import FixedClock
from shared.mongo import PROCESSED, MongoUnitOfWork, connect, create_indexes

pytestmark = pytest.mark.integration


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.names: list[str] = []
        self.targets: list[tuple[str, object]] = []  # (command, collection)

    def started(self, event):
        self.names.append(event.command_name)
        self.targets.append((event.command_name, event.command.get(event.command_name)))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


@pytest.fixture
def database(mongo_uri):
    commands = Commands()
    client = connect(mongo_uri)
    watched = pymongo.MongoClient(mongo_uri, event_listeners=[commands], tz_aware=True)
    db = watched[f"uow{uuid.uuid4().hex[:10]}"]
    create_indexes(db, {})
    commands.names.clear()
    yield db, watched, commands
    client.drop_database(db.name)
    watched.close()
    client.close()


def committed(db, client, stage):
    with MongoUnitOfWork(db, client) as uow:
        stage(uow)
        uow.commit()


def test_one_document_alone_is_written_without_a_transaction(database):
    db, client, commands = database
    committed(db, client, lambda uow: uow.insert("things", {"_id": "a", "n": 1}))
    committed(db, client, lambda uow: uow.update("things", {"_id": "a"}, {"$set": {"n": 2}},
                                                 expect=True))
    assert commands.names == ["insert", "update"]
    assert db.things.find_one({"_id": "a"})["n"] == 2


def test_several_documents_or_an_event_are_written_in_one_transaction(database):
    db, client, commands = database
    committed(db, client, lambda uow: uow.insert("things", {"_id": "b"}, {"_id": "c"}))
    assert commands.names[-1] == "commitTransaction"
    commands.names.clear()

    def with_event(uow):
        uow.update("things", {"_id": "b"}, {"$set": {"n": 1}})
        uow.emit(EntityRegistered(code="BB", name="B office", category="other"), entity="BB")
    committed(db, client, with_event)
    assert commands.names == ["update", "insert", "commitTransaction"]
    assert db.outbox.count_documents({}) == 1


def test_a_new_event_reaches_the_reports_without_reading_what_they_hold(database):
    """Reporting writes a delivery at once; only a redelivery, refused by its tracking record,
    costs a read of the events the generations hold."""
    db, client, commands = database
    create_indexes(db, ReportingUnitOfWork.indexes)
    actor = Actor(role=Role.ethics_office, entity="EO")
    logged = ServiceRequestLogged(id="R1", entity="EO", period="2014-15",
                                  received_on=dt.date(2014, 9, 1), category="advice",
                                  advice_topic="employment", source="headquarters")
    delivered = (Envelope.of(logged, entity="EO", actor=actor), logged)

    def deliver():
        commands.targets.clear()
        uow = ReportingUnitOfWork(db, client, actor, FixedClock(dt.date(2015, 1, 1)))
        return reporting.apply_events(uow, [delivered])
    assert deliver() == {delivered[0].event_id}
    assert ("find", PROCESSED) not in commands.targets
    assert ("insert", PROCESSED) in commands.targets
    assert deliver() == set()
    assert ("find", PROCESSED) in commands.targets
    assert db[PROCESSED].count_documents({}) == 1
