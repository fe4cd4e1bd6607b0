"""Panel's repositories and unit of work: the fake and the database keep the same promises."""
import datetime as dt

import pytest
from conftest import backends

from services.panel.domain import (ChairReview, Consultation, Meeting, Membership,
                                   ReportReview)
from services.panel.memory import PanelMemory
from services.panel.store import PanelUnitOfWork
from shared.contracts.panel import ConsultationStatus, MeetingKind, MemberStatus
from shared.kernel.errors import Conflict, StaleState

backend = backends(PanelMemory, PanelUnitOfWork)
D = dt.date
MEMBERS = {"EO", "UNDP", "UNICEF"}


def ident(n: int) -> str:
    return f"{n:024x}"


def added(backend, *records):
    with backend.uow() as uow:
        for record in records:
            getattr(uow, _repository(record)).add(record)
        uow.commit()


def _repository(record) -> str:
    return {Membership: "members", Meeting: "meetings", Consultation: "consultations",
            ReportReview: "report_reviews", ChairReview: "chair_reviews"}[type(record)]


def meeting(n: int, kind=MeetingKind.formal, on=D(2015, 3, 1)) -> Meeting:
    return Meeting.convene(ident(n), kind, on, ["Agenda"], D(2015, 2, 1), MEMBERS)


def consultation(n: int, respond_by=D(2015, 7, 1), tags=("policy",)) -> Consultation:
    return Consultation.open_by_chair(ident(n), f"Topic {n}", "q", respond_by, list(tags),
                                      D(2015, 6, 1), MEMBERS)


def test_a_commit_writes_the_record_its_events_and_audit(backend):
    member, _ = Membership.join(None, "UNDP", "Head", D(2014, 8, 1))
    with backend.uow() as uow:
        uow.members.add(member)
        uow.audit("join_member", "members/UNDP", "UNDP")
    assert backend.uow().members.get("UNDP") is None and backend.outbox() == []
    added(backend, member)
    stored = backend.uow().members.get("UNDP")
    assert stored == member and stored.version == 1
    [event] = backend.outbox()
    assert (event["type"], event["entity"], event["payload"]["head"]) == (
        "panel_member_joined", "UNDP", "Head")


def test_a_save_over_a_record_changed_meanwhile_is_stale(backend):
    added(backend, meeting(1))
    first, second = backend.uow().meetings.get(ident(1)), backend.uow().meetings.get(ident(1))
    with backend.uow() as uow:
        first.reschedule(D(2015, 3, 8))
        uow.meetings.save(first)
        uow.commit()
    with pytest.raises(StaleState):
        with backend.uow() as uow:
            second.cancel(D(2015, 2, 20))
            uow.meetings.save(second)
            uow.commit()
    stored = backend.uow().meetings.get(ident(1))
    assert stored.scheduled_for == D(2015, 3, 8) and stored.status.value == "convened"
    assert stored.version == 2
    assert [e["type"] for e in backend.outbox()] == ["meeting_convened", "meeting_rescheduled"]


def test_a_member_added_twice_is_stale_and_unique_reviews_conflict(backend):
    added(backend, Membership.join(None, "UNDP", "Head", D(2014, 8, 1))[0])
    with pytest.raises(StaleState):
        added(backend, Membership.join(None, "UNDP", "Other", D(2014, 8, 1))[0])
    review = ReportReview.submit(ident(2), "UNDP", "2013-14", "doc", None, D(2014, 9, 1), MEMBERS)
    added(backend, review)
    with pytest.raises(Conflict) as again:
        added(backend, ReportReview.submit(ident(3), "UNDP", "2013-14", "doc", None,
                                           D(2014, 9, 2), MEMBERS))
    assert "already recorded" in again.value.detail
    case = ChairReview.request(ident(4), "UNDP", "ref", D(2015, 1, 5), None, MEMBERS,
                               D(2015, 7, 31))
    added(backend, case)
    with pytest.raises(Conflict):
        added(backend, ChairReview.request(ident(5), "UNDP", "ref", D(2015, 1, 6), None,
                                           MEMBERS, D(2015, 7, 31)))
    uow = backend.uow()
    assert uow.report_reviews.get(ident(3)) is None and uow.chair_reviews.get(ident(5)) is None
    assert uow.members.get("UNDP").head == "Head"


def test_pages_in_id_order_with_filters(backend):
    added(backend, meeting(3), meeting(1, MeetingKind.informal), meeting(2),
          meeting(4, on=D(2015, 9, 1)))
    uow = backend.uow()
    first = uow.meetings.page({"kind": "formal"}, 2, None)
    rest = uow.meetings.page({"kind": "formal"}, 2, first.next_cursor)
    assert [m.id for m in first.items + rest.items] == [ident(2), ident(3), ident(4)]
    assert rest.next_cursor is None
    assert [m.id for m in uow.meetings.page({"period": "2015-16"}, 10, None).items] == [
        ident(4)]
    assert uow.meetings.page({"status": "held"}, 10, None).items == []


def test_members_are_keyed_by_entity_and_the_active_ones_known(backend):
    unicef, _ = Membership.join(None, "UNICEF", "Head", D(2014, 8, 1))
    undp, _ = Membership.join(None, "UNDP", "Head", D(2014, 8, 1))
    added(backend, unicef, undp)
    left = backend.uow().members.get("UNICEF")
    left.leave(D(2015, 1, 1))
    with backend.uow() as uow:
        uow.members.save(left)
        uow.commit()
    uow = backend.uow()
    assert uow.members.active() == {"UNDP"}
    assert [m.entity for m in uow.members.page({}, 10, None).items] == ["UNDP", "UNICEF"]
    assert [m.entity for m in uow.members.page(
        {"status": MemberStatus.left.value}, 10, None).items] == ["UNICEF"]


def test_consultations_by_tag_by_period_and_past_their_answer_date(backend):
    late, on_time = consultation(1, D(2015, 7, 1)), consultation(2, D(2015, 8, 15), ["other"])
    proposed = Consultation.propose(ident(3), "Proposed", "q", D(2015, 8, 1), [], "UNDP",
                                    D(2015, 6, 1), MEMBERS)
    added(backend, late, on_time, proposed)
    uow = backend.uow()
    assert [x.id for x in uow.consultations.page({"tags": "policy"}, 10, None).items] == [
        ident(1)]
    assert [x.id for x in uow.consultations.page(
        {"status": ConsultationStatus.proposed.value}, 10, None).items] == [ident(3)]
    assert [x.id for x in uow.consultations.of_period("2014-15")] == [ident(1), ident(2)]
    assert uow.consultations.count_past_answer_date(D(2015, 7, 31)) == 1
    assert uow.consultations.count_past_answer_date(D(2015, 7, 1)) == 0
    stored = uow.consultations.get(ident(1))
    assert stored == late and stored.positions == {}
