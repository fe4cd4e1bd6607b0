"""Intake's repositories and unit of work: the fake and the database keep the same promises."""
import datetime as dt

import pytest
from conftest import backends

from services.intake.domain import (DirectoryEntry, FiguresVersion, Inquiry, RequestLog)
from services.intake.memory import IntakeMemory
from services.intake.store import IntakeUnitOfWork
from shared.contracts.directory import Entity
from shared.contracts.intake import AnnualFigures, InquiryStatus, ServiceRequestIn
from shared.kernel.errors import Conflict, StaleState

backend = backends(IntakeMemory, IntakeUnitOfWork)
S = InquiryStatus


def entry(code: str, name: str | None = None) -> DirectoryEntry:
    return DirectoryEntry.register(None, Entity(code=code, name=name or code,
                                                category="other"))


def saved(backend, *entries):
    with backend.uow() as uow:
        for e in entries:
            uow.entities.save(e)
        uow.commit()


def test_nothing_is_written_without_commit(backend):
    with backend.uow() as uow:
        uow.entities.save(entry("UNDP"))
        uow.audit("register_entity", "entities/UNDP", "UNDP")
    assert backend.uow().entities.get("UNDP") is None
    assert backend.outbox() == [] and backend.audit() == []


def test_a_commit_writes_state_events_and_audit_together(backend):
    with backend.uow() as uow:
        uow.entities.save(entry("UNDP"))
        uow.audit("register_entity", "entities/UNDP", "UNDP")
        assert uow.commit() is True
    assert backend.uow().entities.get("UNDP").name == "UNDP"
    [event] = backend.outbox()
    assert event["type"] == "entity_registered" and event["entity"] == "UNDP"
    assert event["payload"]["code"] == "UNDP"
    [audit] = backend.audit()
    assert (audit["action"], audit["record"], audit["who"]) == (
        "register_entity", "entities/UNDP", "repository suite")


def test_a_consumer_commits_an_event_once(backend):
    for _ in range(2):
        with backend.uow() as uow:
            uow.processing("reporting", "event-1")
            uow.entities.save(entry("UNDP", "first"))
            first = uow.commit()
    assert first is False and backend.processed() == 1
    assert len(backend.outbox()) == 1


def test_entities_are_listed_by_code(backend):
    saved(backend, entry("UNHCR"), entry("EO"), entry("UNDP"))
    uow = backend.uow()
    assert [e.code for e in uow.entities.all()] == ["EO", "UNDP", "UNHCR"]
    assert uow.entities.codes() == {"EO", "UNDP", "UNHCR"}
    saved(backend, entry("UNDP", "renamed"))
    assert backend.uow().entities.get("UNDP").name == "renamed"


def request(entity: str, day: str = "2014-09-01") -> ServiceRequestIn:
    return ServiceRequestIn(entity=entity, received_on=day, category="training",
                            source="other_entities")


def test_requests_page_in_id_order_with_filters(backend):
    log = RequestLog.of([request(e) for e in ("EO", "UNDP", "EO", "EO")],
                        [f"{n:024x}" for n in range(1, 5)])
    with backend.uow() as uow:
        uow.requests.add(log)
        uow.commit()
    uow = backend.uow()
    first = uow.requests.page({"entity": "EO"}, 2, None)
    rest = uow.requests.page({"entity": "EO"}, 2, first.next_cursor)
    assert [r.id for r in first.items + rest.items] == [f"{n:024x}" for n in (1, 3, 4)]
    assert rest.next_cursor is None
    assert uow.requests.page({"category": "training", "period": "2014-15"}, 10,
                             None).items[1].entity == "UNDP"
    assert uow.requests.get(f"{2:024x}").entity == "UNDP" and uow.requests.get("x") is None
    assert {e["type"] for e in backend.outbox()} == {"service_request_batch_logged"}


def test_an_inquiry_saved_over_a_state_that_changed_is_stale(backend):
    inquiry = Inquiry.receive(f"{7:024x}", "EO", dt.date(2015, 5, 1))
    with backend.uow() as uow:
        uow.inquiries.add(inquiry)
        uow.commit()
    before = backend.uow().inquiries.get(inquiry.id)
    assert before == inquiry
    for decision in (S.preliminary_review, S.advice_only):
        uow = backend.uow()
        with uow:
            uow.inquiries.save(before, before.decide(decision, dt.date(2015, 5, 2),
                                                     dt.date(2015, 7, 31)))
            if decision == S.advice_only:
                with pytest.raises(StaleState):
                    uow.commit()
            else:
                uow.commit()
    stored = backend.uow().inquiries.get(inquiry.id)
    assert stored.status == S.preliminary_review and stored.review_opened_on == dt.date(2015, 5, 2)
    assert backend.uow().inquiries.open_reviews() == []  # EO is not in this directory
    saved(backend, entry("EO"))
    assert backend.uow().inquiries.open_reviews() == [("EO", dt.date(2015, 5, 2))]
    late = backend.uow().inquiries.page({}, 10, None, True, dt.date(2015, 6, 1))
    on_time = backend.uow().inquiries.page({}, 10, None, False, dt.date(2015, 6, 1))
    assert [i.id for i in late.items] == [inquiry.id] and on_time.items == []


def test_an_inquiry_s_case_file_is_kept_and_read_back_by_status(backend):
    today = dt.date(2015, 7, 31)
    inquiry = Inquiry.receive(f"{8:024x}", "EO", dt.date(2015, 5, 1))
    with backend.uow() as uow:
        uow.inquiries.add(inquiry)
        uow.commit()
    before = backend.uow().inquiries.get(inquiry.id)
    protected = before.protect("Temporary reassignment", dt.date(2015, 5, 3), today)
    noted = protected.add_note("Spoke to the manager", dt.date(2015, 5, 4), "eo", today)
    with backend.uow() as uow:
        uow.inquiries.add_to_file(before, noted)
        uow.commit()
    stored = backend.uow().inquiries.get(inquiry.id)
    assert (stored.measures, stored.notes) == (noted.measures, noted.notes)
    closed = stored.decide(S.advice_only, dt.date(2015, 5, 5), today)
    with backend.uow() as uow:
        uow.inquiries.save(stored, closed)
        uow.commit()
    uow = backend.uow()
    with uow:  # a file added to over a status that changed meanwhile
        uow.inquiries.add_to_file(stored, stored.add_note("Late", dt.date(2015, 5, 6), "eo",
                                                          today))
        with pytest.raises(StaleState):
            uow.commit()
    inquiries = backend.uow().inquiries
    assert [i.id for i in inquiries.of_statuses({S.advice_only}, {}, 10)] == [inquiry.id]
    assert inquiries.of_statuses({S.received}, {"entity": "EO"}, 10) == []
    assert inquiries.get(inquiry.id).notes == noted.notes


def test_figures_keep_every_version_and_refuse_a_duplicate(backend):
    at = dt.datetime(2015, 7, 1, tzinfo=dt.timezone.utc)
    figures = AnnualFigures(total_requests=5)
    one = FiguresVersion.submit(None, "UNDP", "2014-15", figures, dt.date(2015, 7, 31), at, "x")
    two = FiguresVersion.submit(one, "UNDP", "2014-15", AnnualFigures(total_requests=6),
                                dt.date(2015, 7, 31), at, "x")
    for version in (one, two):
        with backend.uow() as uow:
            uow.figures.add(version)
            uow.commit()
    uow = backend.uow()
    assert [v.version for v in uow.figures.versions("UNDP", "2014-15")] == [1, 2]
    assert uow.figures.latest("UNDP", "2014-15").figures.total_requests == 6
    assert uow.figures.latest("UNDP", "2013-14") is None
    with pytest.raises(Conflict):
        with backend.uow() as uow:
            uow.figures.add(two)
            uow.commit()
