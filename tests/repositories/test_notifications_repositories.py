"""The notifications' repositories: the fake and the database keep the same promises."""
import datetime as dt

import pytest
from conftest import backends

from services.notifications.domain import Cycle
from services.notifications.memory import MemoryNotificationsUnitOfWork
from services.notifications.store import NotificationsUnitOfWork
from shared.kernel.errors import StaleState

backend = backends(MemoryNotificationsUnitOfWork, NotificationsUnitOfWork)
AT = dt.datetime(2015, 7, 31, 12, tzinfo=dt.timezone.utc)


def delivery(n: int, entity="UNHCR", kind="filing_reminder", at=AT, year=2015) -> dict:
    return {"_id": f"m{n:04d}", "seq": f"{n:024x}", "entity": entity, "kind": kind,
            "recipient": f"p{n}@x.org", "name": "", "language": "en", "subject": f"S{n}",
            "values": {}, "calendar": None, "year": year, "cause": "c", "state": "queued",
            "reason": None, "attempts": 0, "queued_at": at, "sent_at": None, "next_at": at}


def test_people_focal_points_and_active_members(backend):
    with backend.uow() as uow:
        uow.people.set_focal_points("UNHCR", [{"name": "A", "email": "a@x.org"}])
        uow.people.set_member("UNDP", [{"name": "H", "email": "h@undp.org"}], True)
        uow.people.set_member("UNICEF", [{"name": "U", "email": "u@unicef.org"}], True)
        uow.commit()
    with backend.uow() as uow:
        uow.people.set_member("UNICEF", None, False)  # left: its contacts stay, it gets nothing
        uow.commit()
    uow = backend.uow()
    assert uow.people.participants() == ["UNHCR"]
    assert uow.people.focal_points("UNHCR") == [{"name": "A", "email": "a@x.org"}]
    assert uow.people.focal_points("UNDP") == []
    assert list(uow.people.members(None)) == ["UNDP"]
    assert uow.people.members(["UNICEF"]) == {}


def test_filers_keep_their_state_whatever_order_the_events_come_in(backend):
    with backend.uow() as uow:
        uow.filers.mark([(2015, "S2", "UNHCR", "filed")])  # filed before its enrolment arrived
        uow.commit()
    with backend.uow() as uow:
        uow.filers.enrol(2015, [{"year": 2015, "staff_id": f"S{n}", "entity": "UNHCR",
                                 "email": f"s{n}@x.org", "language": "en"} for n in (1, 2, 3)])
        uow.commit()
    with backend.uow() as uow:
        uow.filers.mark([(2015, "S3", "UNHCR", "filed"), (2015, "S3", "UNHCR", "exempt")])
        uow.filers.enrol(2015, [{"year": 2015, "staff_id": "S1", "entity": "UNHCR",
                                 "email": "new@x.org", "language": "zh"}])
        uow.commit()
    uow = backend.uow()
    assert [f["staff_id"] for f in uow.filers.outstanding(2015)] == ["S1"]
    assert uow.filers.get(2015, "S1")["email"] == "new@x.org"
    assert uow.filers.counts(2015, "UNHCR") == {"required": 2, "filed": 1, "outstanding": 1}
    assert uow.filers.outstanding(2015, "UNDP") == []
    assert uow.filers.get(2015, "S3")["state"] == "exempt"  # of two marks, the last
    assert sorted(uow.filers.many(2015, ["S1", "S3", "S9"])) == ["S1", "S3"]


def test_cycles_meetings_and_consultations(backend):
    with backend.uow() as uow:
        uow.cycles.save(Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 4, 30)))
        uow.cycles.save(Cycle(2014, dt.date(2014, 3, 1), dt.date(2014, 4, 30), closed=True))
        uow.consultations.save({"id": "C1", "topic": "T", "respond_by": "2015-08-01",
                                "answered": [], "concluded": False})
        uow.meetings.save({"id": "M1", "sequence": 0, "day": "2015-08-01"})
        uow.commit()
    uow = backend.uow()
    assert [c.year for c in uow.cycles.all()] == [2014, 2015]
    assert uow.cycles.get(2014).closed and uow.cycles.get(2016) is None
    assert uow.meetings.get("M1")["sequence"] == 0
    assert [c["id"] for c in uow.consultations.open()] == ["C1"]


def test_of_two_units_of_work_taking_a_cycles_turn_the_second_runs_again(backend):
    opening, enrolment = backend.uow(), backend.uow()
    with opening, enrolment:
        assert opening.cycles.get(2015) is None and enrolment.cycles.get(2015) is None
        opening.cycles.save(Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 5, 31)))
        opening.cycles.take_turn(2015)
        enrolment.cycles.take_turn(2015)
        opening.commit()
        with pytest.raises(StaleState):
            enrolment.commit()
    with backend.uow() as again:  # read again, it sees the opening and may take the next turn
        assert again.cycles.get(2015).deadline == dt.date(2015, 5, 31)
        again.cycles.take_turn(2015)
        again.commit()


def test_deliveries_once_each_newest_first_by_cursor_and_the_last_reminder(backend):
    docs = [delivery(n, at=AT + dt.timedelta(minutes=n)) for n in range(5)]
    with backend.uow() as uow:
        uow.deliveries.queue(docs[:3])
        uow.commit()
    with backend.uow() as uow:
        fresh = uow.deliveries.new_only(docs)
        assert [d["_id"] for d in fresh] == ["m0003", "m0004"]
        uow.deliveries.queue(fresh + [delivery(9, entity="UNDP", kind="meeting_invitation")])
        uow.commit()
    uow = backend.uow()
    first = uow.deliveries.page(None, None, None, None, 3)
    assert [d["_id"] for d in first] == ["m0009", "m0004", "m0003"]
    rest = uow.deliveries.page(None, None, None, first[-1]["seq"], 3)
    assert [d["_id"] for d in rest] == ["m0002", "m0001", "m0000"]
    assert [d["_id"] for d in uow.deliveries.page("P2@x.org", None, None, None, 5)] == ["m0002"]
    assert [d["_id"] for d in uow.deliveries.page(None, "meeting_invitation", None, None, 5)] \
        == ["m0009"]
    since = uow.deliveries.page(None, "filing_reminder", AT + dt.timedelta(minutes=3), None, 9)
    assert [d["_id"] for d in since] == ["m0004", "m0003"]
    assert uow.deliveries.last_queued(2015, "UNHCR", ["filing_reminder"]) == \
        AT + dt.timedelta(minutes=4)
    assert uow.deliveries.last_queued(2015, "UNDP", ["filing_reminder"]) is None
