"""The Panel's use cases: one function per command or question, `(uow, command) -> result`.

A command on a stored record loads it, asks the aggregate to make the move (which records the
event it causes), saves it with the version it was read at, audits and commits; a record changed
meanwhile makes the save stale and the use case runs again (`retrying`). Results are contracts.

Who may call which use case is the service's check (by role); here the actor's entity is checked
again where a member acts for its own entity: its positions, its reports, its comments, and the
chair reviews of its cases, which only its own office may read.
"""
import functools
from dataclasses import dataclass
from typing import Any, Callable

from shared.auth import require_entity, scope_filter
from shared.contracts import panel as c
from shared.contracts.common import ETHICS_OFFICE, Role
from shared.kernel.errors import NotFound
from shared.kernel.ids import new_id
from shared.kernel.pagination import Page, page_size
from shared.kernel.uow import retrying

from . import views
from .domain import (ChairReview, Consultation, Meeting, Membership, ReportReview, day_of,
                     topics_of)


@dataclass(frozen=True)
class Step:
    """A command on one stored record: its id (a member's entity for a membership) and the
    body's contract."""
    id: str
    body: Any


# ---- members ----

@retrying
def join_member(uow, command: Step) -> c.Member:
    """An entity joins the Panel with its head and contacts, or names a new head or new
    contacts; the same again changes nothing."""
    joined_on = _day(uow, command.body.joined_on, "joined_on")
    with uow:
        existing = uow.members.get(command.id)
        contacts = command.body.contacts
        member, changed = Membership.join(
            existing, command.id, command.body.head, joined_on,
            None if contacts is None else [k.model_dump(mode="json") for k in contacts])
        if changed:
            _saved(uow, uow.members, member, "join_member", new=existing is None)
    return views.member(member)


@retrying
def leave_member(uow, command: Step) -> c.Member:
    left_on = _day(uow, command.body.on)
    return views.member(_changed(uow, uow.members, command.id, "leave_member",
                                 lambda m: m.leave(left_on)))


def get_member(uow, entity: str) -> c.Member:
    return views.member(_found(uow.members, entity))


def list_members(uow, query: c.MemberQuery) -> Page:
    return _listed(uow.members, query, views.member, status=query.status)


# ---- meetings ----

def convene_meeting(uow, body: c.MeetingIn) -> c.Meeting:
    convened_on = _day(uow, body.convened_on, "convened_on")
    with uow:
        meeting = Meeting.convene(new_id(), body.kind, body.scheduled_for, body.agenda,
                                  convened_on, uow.members.active())
        _saved(uow, uow.meetings, meeting, "convene_meeting", new=True)
    return views.meeting(meeting)


@retrying
def reschedule_meeting(uow, command: Step) -> c.Meeting:
    return views.meeting(_changed(uow, uow.meetings, command.id, "reschedule_meeting",
                                  lambda m: m.reschedule(command.body.scheduled_for)))


@retrying
def cancel_meeting(uow, command: Step) -> c.Meeting:
    on = _day(uow, command.body.on)
    return views.meeting(_changed(uow, uow.meetings, command.id, "cancel_meeting",
                                  lambda m: m.cancel(on)))


@retrying
def record_meeting(uow, command: Step) -> c.Meeting:
    """The chair records the meeting held, or corrects the record until it is approved."""
    body, members, today = command.body, uow.members.active(), uow.clock.today()

    def record(meeting: Meeting):
        meeting.record(body.held_on, body.attendees, body.decisions, body.minutes, members,
                       today)
    return views.meeting(_changed(uow, uow.meetings, command.id, "record_meeting", record))


@retrying
def approve_meeting(uow, command: Step) -> c.Meeting:
    on = _day(uow, command.body.on)
    return views.meeting(_changed(uow, uow.meetings, command.id, "approve_meeting",
                                  lambda m: m.approve(on)))


def get_meeting(uow, meeting_id: str) -> c.Meeting:
    return views.meeting(_found(uow.meetings, meeting_id))


def list_meetings(uow, query: c.MeetingQuery) -> Page:
    return _listed(uow.meetings, query, views.meeting, period=query.period, kind=query.kind,
                   status=query.status)


# ---- consultations ----

def open_consultation(uow, body: c.ConsultationIn) -> c.Consultation:
    """The chair opens a consultation; a member's is a proposal the chair may accept."""
    on = _day(uow, body.opened_on, "opened_on")
    with uow:
        members, actor = uow.members.active(), uow.actor
        if actor.role is Role.panel_member:
            consultation = Consultation.propose(new_id(), body.topic, body.question,
                                                body.respond_by, body.tags, actor.entity, on,
                                                members)
        else:
            consultation = Consultation.open_by_chair(new_id(), body.topic, body.question,
                                                      body.respond_by, body.tags, on, members)
        _saved(uow, uow.consultations, consultation, "open_consultation", new=True)
    return views.consultation(consultation, uow.clock.today())


@retrying
def accept_consultation(uow, command: Step) -> c.Consultation:
    on, members = _day(uow, command.body.on), uow.members.active()
    return _consultation_changed(uow, command, "accept_consultation",
                                 lambda x: x.accept(on, members, command.body.respond_by))


@retrying
def decline_consultation(uow, command: Step) -> c.Consultation:
    on = _day(uow, command.body.on)
    return _consultation_changed(uow, command, "decline_consultation", lambda x: x.decline(on))


@retrying
def submit_position(uow, command: Step) -> c.PositionRecorded:
    """A member's position, or its amendment, until the date to answer by."""
    body = command.body
    require_entity(uow.actor, body.entity)
    on, members = _day(uow, body.submitted_on, "submitted_on"), uow.members.active()
    with uow:
        consultation = _found(uow.consultations, command.id)
        expected = list(consultation.expected)
        consultation.answer(body.entity, body.position, on, members)
        save = None  # a member not asked when it opened answers: the members asked change too
        if consultation.expected == expected:  # only the answer changed
            save = functools.partial(uow.consultations.save_answer, entity=body.entity)
        _saved(uow, uow.consultations, consultation, "submit_position", save=save)
    return views.position(consultation, body.entity)


@retrying
def extend_consultation(uow, command: Step) -> c.Consultation:
    return _consultation_changed(uow, command, "extend_consultation",
                                 lambda x: x.extend(command.body.respond_by))


@retrying
def conclude_consultation(uow, command: Step) -> c.Consultation:
    body = command.body
    on = _day(uow, body.concluded_on, "concluded_on")
    return _consultation_changed(uow, command, "conclude_consultation",
                                 lambda x: x.conclude(body.outcome, body.guidance, on))


def get_consultation(uow, consultation_id: str) -> c.Consultation:
    return views.consultation(_found(uow.consultations, consultation_id), uow.clock.today(),
                              with_positions=True)


def list_consultations(uow, query: c.ConsultationQuery) -> Page:
    today = uow.clock.today()
    tag = query.tag.strip().lower() if query.tag else None
    return _listed(uow.consultations, query, lambda x: views.consultation(x, today),
                   period=query.period, status=query.status, tags=tag)


def topics(uow, query: c.PeriodQuery) -> list[c.TopicOfPeriod]:
    """The topics the Panel consulted on in a period, with their tags."""
    return [c.TopicOfPeriod(**t) for t in topics_of(uow.consultations.of_period(query.period))]


def consultations_past_answer_date(uow) -> int:
    """Open consultations whose date to answer by has passed today (a gauge)."""
    return uow.consultations.count_past_answer_date(uow.clock.today())


def _consultation_changed(uow, command: Step, action: str, move) -> c.Consultation:
    consultation = _changed(uow, uow.consultations, command.id, action, move)
    return views.consultation(consultation, uow.clock.today())


# ---- reviews of members' annual reports ----

@retrying
def submit_report_review(uow, body: c.ReportReviewIn) -> c.ReportReview:
    """A member office's annual report for a period, submitted once for the Panel's review."""
    require_entity(uow.actor, body.entity)
    on = _day(uow, body.submitted_on, "submitted_on")
    with uow:
        review = ReportReview.submit(new_id(), body.entity, body.period, body.document,
                                     body.figures_version, on, uow.members.active())
        _saved(uow, uow.report_reviews, review, "submit_report_review", new=True)
    return views.report_review(review)


@retrying
def comment_report_review(uow, command: Step) -> c.ReportReview:
    """A comment of a member (its own) or of the chair's office."""
    body = command.body
    by = body.by or uow.actor.entity or ETHICS_OFFICE
    require_entity(uow.actor, by)
    on, members = _day(uow, body.commented_on, "commented_on"), uow.members.active()
    return views.report_review(_changed(uow, uow.report_reviews, command.id,
                                        "comment_report_review",
                                        lambda r: r.comment(by, body.comment, on, members)))


@retrying
def conclude_report_review(uow, command: Step) -> c.ReportReview:
    on = _day(uow, command.body.concluded_on, "concluded_on")
    return views.report_review(_changed(uow, uow.report_reviews, command.id,
                                        "conclude_report_review",
                                        lambda r: r.conclude(command.body.summary, on)))


def get_report_review(uow, review_id: str) -> c.ReportReview:
    return views.report_review(_found(uow.report_reviews, review_id))


def list_report_reviews(uow, query: c.ReportReviewQuery) -> Page:
    return _listed(uow.report_reviews, query, views.report_review, entity=query.entity,
                   period=query.period, status=query.status)


# ---- the chair's reviews of members' retaliation determinations ----

@retrying
def request_chair_review(uow, body: c.ChairReviewIn) -> c.ChairReview:
    today = uow.clock.today()
    with uow:
        review = ChairReview.request(new_id(), body.entity, body.case_ref, body.requested_on,
                                     body.determination_notified_on, uow.members.active(),
                                     today)
        _saved(uow, uow.chair_reviews, review, "request_chair_review", new=True)
    return views.chair_review(review, today)


@retrying
def start_chair_review(uow, command: Step) -> c.ChairReview:
    on = _day(uow, command.body.on)
    return _chair_review_changed(uow, command, "start_chair_review", lambda r: r.start(on))


@retrying
def conclude_chair_review(uow, command: Step) -> c.ChairReview:
    body = command.body
    on = _day(uow, body.concluded_on, "concluded_on")
    return _chair_review_changed(uow, command, "conclude_chair_review",
                                 lambda r: r.conclude(body.outcome, body.reasons, on))


def get_chair_review(uow, review_id: str) -> c.ChairReview:
    """Forbidden to a member for another office's case."""
    review = _found(uow.chair_reviews, review_id)
    require_entity(uow.actor, review.entity)
    return views.chair_review(review, uow.clock.today())


def list_chair_reviews(uow, query: c.ChairReviewQuery) -> Page:
    """A member sees its own office's cases only, whatever entity it asks for."""
    today = uow.clock.today()
    entity = scope_filter(uow.actor).get("entity", query.entity)
    return _listed(uow.chair_reviews, query, lambda r: views.chair_review(r, today),
                   entity=entity, status=query.status)


def _chair_review_changed(uow, command: Step, action: str, move) -> c.ChairReview:
    review = _changed(uow, uow.chair_reviews, command.id, action, move)
    return views.chair_review(review, uow.clock.today())


# ---- the steps every use case takes ----

def _day(uow, given, field_name: str = "on"):
    """The day of the actor's step: today unless given, another day only for the chair."""
    return day_of(given, uow.actor, uow.clock.today(), field_name)


def _found(records, record_id: str):
    record = records.get(record_id)
    if record is None:
        raise NotFound(f"no {records.name} {record_id}")
    return record


def _changed(uow, records, record_id: str, action: str, move: Callable):
    """Load a record, make `move(record)`, save it with its events and an audit entry."""
    with uow:
        record = _found(records, record_id)
        move(record)
        _saved(uow, records, record, action)
    return record


def _saved(uow, records, record, action: str, new: bool = False,
           save: Callable | None = None):
    (save or (records.add if new else records.save))(record)
    uow.audit(action, f"{records.collection}/{record.id}", entity=record.entity)
    uow.commit()


def _listed(records, query, show: Callable, **filters) -> Page:
    """A page of `records` matching the filters given (enums by their values), each shown."""
    wanted = {k: getattr(v, "value", v) for k, v in filters.items() if v is not None}
    page = records.page(wanted, page_size(query.limit), query.cursor)
    return Page([show(r) for r in page.items], page.next_cursor)
