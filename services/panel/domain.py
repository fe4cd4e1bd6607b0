"""The Ethics Panel's rules and state machines, in plain Python.

Each state machine lists its moves in a table (state -> move -> next state); a move that is not
in the current state's row is a Conflict. Each record is an aggregate that records the events its
moves cause. Nothing here reads a clock: the day a step happens is passed in, so historical
records (the 2014-15 Panel) load like today's.

Problems name the field of the command at fault (`["respond_by"]`); the service's boundary says
where it came from (the body).
"""
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Optional

from shared.contracts import panel as events
from shared.contracts.common import ETHICS_OFFICE, Actor, Role, period_bounds, period_of
from shared.contracts.panel import (ChairReviewOutcome, ChairReviewStatus, ConsultationStatus,
                                    MeetingKind, MeetingStatus, MemberStatus, ReportReviewStatus)
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Conflict, Forbidden, Invalid

# who may record a step on another day than today: those who load past records
MAY_BACKDATE = frozenset({Role.admin, Role.ethics_office, Role.panel_chair})


def moved(record: str, moves: dict, state, move: str):
    """The state `move` leads to from `state`, or a Conflict naming both."""
    row = moves.get(state, {})
    if move not in row:
        allowed = ", ".join(sorted(row)) or "nothing"
        raise Conflict(f"cannot {move} a {record} that is {state.value} (allowed: {allowed})")
    return row[move]


def invalid(field_name: str, msg: str) -> Invalid:
    return Invalid.field(field_name, msg)


def day_of_step(given: Optional[dt.date], today: dt.date, may_backdate: bool,
                field_name: str) -> dt.date:
    """The day a step happened: today unless `given`; never later than today, and another day
    than today only for those who may load past records (the chair, the Ethics Office)."""
    if given is None:
        return today
    if given > today:
        raise invalid(field_name, f"cannot be later than today ({today})")
    if given != today and not may_backdate:
        raise Forbidden("only the chair may record a step on another day than today "
                        f"({field_name})")
    return given


def day_of(given: Optional[dt.date], actor: Actor, today: dt.date,
           field_name: str = "on") -> dt.date:
    """The day of a step `actor` takes: `day_of_step` with the backdating the actor may do."""
    return day_of_step(given, today, actor.role in MAY_BACKDATE, field_name)


def not_before(day: dt.date, earliest: dt.date | None, field_name: str, what: str):
    """`day` is not before `earliest` (a day not recorded yet bounds nothing)."""
    if earliest is not None and day < earliest:
        raise invalid(field_name, f"cannot be before {what} ({earliest})")


def must_be_member(entity: str, members: Iterable[str]):
    if entity not in set(members):
        raise Forbidden(f"{entity} is not a member of the Ethics Panel")


@dataclass
class Record(Aggregate):
    """A record of the Panel. `version` is the stored version it was read at (0: not stored
    yet); a save finding another version stored is stale."""
    version: int = field(default=0, kw_only=True, compare=False, repr=False)

    if TYPE_CHECKING:  # every record has them, as a field, a property or a class attribute
        @property
        def id(self) -> str: ...

        @property
        def entity(self) -> str: ...


# ---- membership ----

MEMBERSHIP_MOVES = {
    MemberStatus.active: {"leave": MemberStatus.left},
    MemberStatus.left: {"join": MemberStatus.active},
}


@dataclass
class Membership(Record):
    entity: str
    head: str
    joined_on: dt.date
    status: MemberStatus = MemberStatus.active
    left_on: Optional[dt.date] = None
    contacts: list[dict] = field(default_factory=list)  # {name, email, language}

    @property
    def id(self) -> str:
        return self.entity

    @classmethod
    def join(cls, existing: Optional["Membership"], entity: str, head: str, on: dt.date,
             contacts: Optional[list[dict]] = None) -> tuple["Membership", bool]:
        """The membership after `entity` joins with `head` and `contacts` (None: the ones it
        has), and whether anything changed: an active member naming a new head changes it
        (`panel_member_joined` again), new contacts only replace them
        (`panel_member_contacts_changed`), the same request again changes nothing."""
        if existing is None:
            member = cls(entity, head, on, contacts=list(contacts or []))
        elif existing.status is MemberStatus.active:
            member = existing
            new_contacts = member.contacts if contacts is None else list(contacts)
            if member.head == head:
                if new_contacts == member.contacts:
                    return member, False
                member.contacts = new_contacts
                member.record(events.PanelMemberContactsChanged(
                    entity=entity, contacts=member.contacts), entity)
                return member, True
            member.head, member.contacts = head, new_contacts
        else:
            member = existing
            member.status = moved("membership", MEMBERSHIP_MOVES, member.status, "join")
            member.head, member.joined_on, member.left_on = head, on, None
            if contacts is not None:
                member.contacts = list(contacts)
        member.record(events.PanelMemberJoined(entity=entity, head=head,
                                              joined_on=member.joined_on,
                                              contacts=member.contacts), entity)
        return member, True

    def leave(self, on: dt.date):
        status = moved("membership", MEMBERSHIP_MOVES, self.status, "leave")
        not_before(on, self.joined_on, "on", "the day the member joined")
        self.status, self.left_on = status, on
        self.record(events.PanelMemberLeft(entity=self.entity, left_on=on), self.entity)


# ---- meetings ----

MEETING_MOVES = {
    MeetingStatus.convened: {"reschedule": MeetingStatus.convened,
                             "cancel": MeetingStatus.cancelled,
                             "record": MeetingStatus.held},
    # a record may be corrected until the chair approves it
    MeetingStatus.held: {"record": MeetingStatus.held, "approve": MeetingStatus.approved},
    MeetingStatus.approved: {},
    MeetingStatus.cancelled: {},
}


@dataclass
class Meeting(Record):
    """A meeting of the Panel: a record of the chair's office."""
    id: str
    kind: MeetingKind
    scheduled_for: dt.date
    agenda: list[str]
    convened_on: dt.date
    invited: list[str]
    status: MeetingStatus = MeetingStatus.convened
    held_on: Optional[dt.date] = None
    attendees: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    minutes: Optional[str] = None
    approved_on: Optional[dt.date] = None
    cancelled_on: Optional[dt.date] = None
    entity: ClassVar[str] = ETHICS_OFFICE

    @classmethod
    def convene(cls, id: str, kind: MeetingKind, scheduled_for: dt.date, agenda: list[str],
                convened_on: dt.date, members: Iterable[str]) -> "Meeting":
        """A meeting convened by the chair; every current member is invited."""
        not_before(scheduled_for, convened_on, "scheduled_for", "the day it is convened")
        meeting = cls(id, MeetingKind(kind), scheduled_for, list(agenda), convened_on,
                      sorted(set(members)))
        meeting.happened(events.MeetingConvened(
            id=id, kind=meeting.kind, scheduled_for=scheduled_for, agenda=meeting.agenda,
            invited=meeting.invited))
        return meeting

    @property
    def period(self) -> str:
        return period_of(self.held_on or self.scheduled_for)

    def happened(self, payload):
        """Record an event of the meeting (`record` is a move here: the chair records the
        meeting held)."""
        Aggregate.record(self, payload, ETHICS_OFFICE)

    def _next(self, move: str) -> MeetingStatus:
        return moved("meeting", MEETING_MOVES, self.status, move)

    def reschedule(self, scheduled_for: dt.date):
        status = self._next("reschedule")
        not_before(scheduled_for, self.convened_on, "scheduled_for", "the day it was convened")
        self.status, self.scheduled_for = status, scheduled_for
        self.happened(events.MeetingRescheduled(id=self.id, scheduled_for=scheduled_for))

    def cancel(self, on: dt.date):
        status = self._next("cancel")
        not_before(on, self.convened_on, "on", "the day it was convened")
        self.status, self.cancelled_on = status, on
        self.happened(events.MeetingCancelled(id=self.id))

    # `record` is the chair's move here; the meeting's events go through `happened`
    def record(self, held_on: dt.date, attendees: list[str],  # type: ignore[override]
               decisions: list[str], minutes: str, members: Iterable[str], today: dt.date):
        """Record (or correct the record of) the meeting held; attendees must be members."""
        status = self._next("record")
        strangers = sorted(set(attendees) - set(members) - set(self.invited))
        if strangers:
            raise invalid("attendees", f"not members of the Panel: {', '.join(strangers)}")
        if held_on > today:
            raise invalid("held_on", f"a meeting is recorded once held: not after today ({today})")
        not_before(held_on, self.convened_on, "held_on", "the day it was convened")
        self.status, self.held_on, self.attendees = status, held_on, sorted(set(attendees))
        self.decisions, self.minutes = list(decisions), minutes
        self.happened(events.MeetingRecorded(
            id=self.id, kind=self.kind, held_on=held_on, period=self.period,
            attendees=self.attendees, decisions=len(self.decisions)))

    def approve(self, on: dt.date):
        status = self._next("approve")
        not_before(on, self.held_on, "on", "the day the meeting was held")
        self.status, self.approved_on = status, on
        self.happened(events.MeetingRecordApproved(id=self.id))


# ---- consultations ----

CONSULTATION_MOVES = {
    ConsultationStatus.proposed: {"accept": ConsultationStatus.open,
                                  "decline": ConsultationStatus.declined},
    ConsultationStatus.open: {"answer": ConsultationStatus.open,
                              "extend": ConsultationStatus.open,
                              "conclude": ConsultationStatus.concluded},
    ConsultationStatus.declined: {},
    ConsultationStatus.concluded: {},
}


@dataclass
class MemberPosition:
    position: str
    first_submitted_on: dt.date
    submitted_on: dt.date
    versions: int = 1


@dataclass
class Consultation(Record):
    """A consultation of the Panel's members: a record of the chair's office."""
    id: str
    topic: str
    question: str
    respond_by: dt.date
    tags: list[str] = field(default_factory=list)
    status: ConsultationStatus = ConsultationStatus.open
    proposed_by: Optional[str] = None
    proposed_on: Optional[dt.date] = None
    opened_on: Optional[dt.date] = None
    # the members asked: those of the Panel when it opened, and any member that answered since
    expected: list[str] = field(default_factory=list)
    positions: dict[str, MemberPosition] = field(default_factory=dict)
    extended_from: list[dt.date] = field(default_factory=list)
    outcome: Optional[str] = None
    guidance: Optional[str] = None
    concluded_on: Optional[dt.date] = None
    entity: ClassVar[str] = ETHICS_OFFICE

    @classmethod
    def open_by_chair(cls, id: str, topic: str, question: str, respond_by: dt.date,
                      tags: list[str], opened_on: dt.date, members: Iterable[str]):
        not_before(respond_by, opened_on, "respond_by", "the day it opens")
        consultation = cls(id, topic, question, respond_by, _tags(tags), opened_on=opened_on,
                           expected=sorted(set(members)))
        consultation._opened()
        return consultation

    @classmethod
    def propose(cls, id: str, topic: str, question: str, respond_by: dt.date, tags: list[str],
                by: str, on: dt.date, members: Iterable[str]):
        """A member's proposal, which opens when the chair accepts it."""
        must_be_member(by, members)
        not_before(respond_by, on, "respond_by", "the day it is proposed")
        return cls(id, topic, question, respond_by, _tags(tags),
                   status=ConsultationStatus.proposed, proposed_by=by, proposed_on=on)

    @property
    def period(self) -> Optional[str]:
        return period_of(self.opened_on) if self.opened_on else None

    @property
    def answered(self) -> list[str]:
        return sorted(self.positions)

    @property
    def not_answered(self) -> list[str]:
        return sorted(set(self.expected) - set(self.positions))

    def past_answer_date(self, today: dt.date) -> bool:
        return self.status is ConsultationStatus.open and today > self.respond_by

    def _next(self, move: str) -> ConsultationStatus:
        return moved("consultation", CONSULTATION_MOVES, self.status, move)

    def _opened(self):
        self.record(events.ConsultationOpened(
            id=self.id, topic=self.topic, tags=self.tags, respond_by=self.respond_by,
            opened_on=self.opened_on, period=self.period), ETHICS_OFFICE)

    def accept(self, on: dt.date, members: Iterable[str], respond_by: Optional[dt.date] = None):
        status = self._next("accept")
        not_before(on, self.proposed_on, "on", "the day it was proposed")
        respond_by = respond_by or self.respond_by
        not_before(respond_by, on, "respond_by", "the day it opens")
        self.status, self.opened_on, self.respond_by = status, on, respond_by
        self.expected = sorted(set(members))
        self._opened()

    def decline(self, on: dt.date):
        status = self._next("decline")
        not_before(on, self.proposed_on, "on", "the day it was proposed")
        self.status, self.concluded_on = status, on

    def answer(self, entity: str, position: str, on: dt.date, members: Iterable[str]) -> bool:
        """Take a member's position, or its amendment; True when it amends an earlier one.

        Positions are taken until the date to answer by (inclusive); after it, only an extension
        by the chair lets members answer again."""
        must_be_member(entity, members)
        self._next("answer")
        not_before(on, self.opened_on, "submitted_on", "the day the consultation opened")
        if on > self.respond_by:
            raise Conflict(f"the date to answer by ({self.respond_by}) has passed; "
                           "only the chair can extend it")
        earlier = self.positions.get(entity)
        if earlier:
            not_before(on, earlier.submitted_on, "submitted_on", "the position it amends")
            earlier.position, earlier.submitted_on = position, on
            earlier.versions += 1
        else:
            self.positions[entity] = MemberPosition(position, on, on)
            if entity not in self.expected:
                self.expected = sorted([*self.expected, entity])
        amended = earlier is not None
        self.record(events.PositionSubmitted(consultation_id=self.id, entity=entity,
                                             amended=amended, submitted_on=on), entity)
        return amended

    def extend(self, respond_by: dt.date):
        self._next("extend")
        if respond_by <= self.respond_by:
            raise invalid("respond_by",
                          f"must be later than the current date to answer by ({self.respond_by})")
        self.extended_from.append(self.respond_by)
        self.respond_by = respond_by
        self.record(events.ConsultationExtended(id=self.id, respond_by=respond_by),
                    ETHICS_OFFICE)

    def conclude(self, outcome: str, guidance: str, on: dt.date):
        status = self._next("conclude")
        not_before(on, self.opened_on, "concluded_on", "the day it opened")
        self.status, self.outcome, self.guidance, self.concluded_on = status, outcome, guidance, on
        self.record(events.ConsultationConcluded(
            id=self.id, topic=self.topic, period=self.period, concluded_on=on,
            answered=self.answered, not_answered=self.not_answered, outcome=outcome,
            guidance=guidance or ""), ETHICS_OFFICE)


def _tags(tags: Iterable[str]) -> list[str]:
    return sorted({t.strip().lower() for t in tags if t.strip()})


def topics_of(consultations: Iterable[Consultation]) -> list[dict]:
    """The year's topics: each topic once, with its tags and how many consultations it had."""
    topics: dict[str, dict] = {}
    for c in consultations:
        if c.opened_on is None:
            continue
        entry = topics.setdefault(c.topic.casefold(), {
            "topic": c.topic, "tags": set(), "consultations": 0, "concluded": 0})
        entry["tags"].update(c.tags)
        entry["consultations"] += 1
        entry["concluded"] += c.status is ConsultationStatus.concluded
    return [{**t, "tags": sorted(t["tags"])} for _, t in sorted(topics.items())]


# ---- reviews of members' annual reports ----

REPORT_REVIEW_MOVES = {
    ReportReviewStatus.submitted: {"comment": ReportReviewStatus.commented},
    ReportReviewStatus.commented: {"comment": ReportReviewStatus.commented,
                                   "conclude": ReportReviewStatus.concluded},
    ReportReviewStatus.concluded: {},
}


@dataclass
class ReportComment:
    by: str
    comment: str
    on: dt.date


@dataclass
class ReportReview(Record):
    id: str
    entity: str
    period: str
    document: str
    submitted_on: dt.date
    figures_version: Optional[int] = None
    status: ReportReviewStatus = ReportReviewStatus.submitted
    comments: list[ReportComment] = field(default_factory=list)
    summary: Optional[str] = None
    concluded_on: Optional[dt.date] = None

    @classmethod
    def submit(cls, id: str, entity: str, period: str, document: str,
               figures_version: Optional[int], on: dt.date, members: Iterable[str]):
        """A member office's annual report for `period`, submitted for the Panel's review."""
        must_be_member(entity, members)
        if period_bounds(period)[0] > on:
            raise invalid("period", f"the period {period} had not begun on {on}")
        review = cls(id, entity, period, document, on, figures_version)
        review.record(events.ReportReviewSubmitted(id=id, entity=entity, period=period,
                                                   submitted_on=on), entity)
        return review

    def _next(self, move: str) -> ReportReviewStatus:
        return moved("report review", REPORT_REVIEW_MOVES, self.status, move)

    def comment(self, by: str, comment: str, on: dt.date, members: Iterable[str]):
        """A comment of the Panel: of a member, or of the chair's office."""
        if by != ETHICS_OFFICE:
            must_be_member(by, members)
        status = self._next("comment")
        not_before(on, self.submitted_on, "commented_on", "the day the report was submitted")
        self.status = status
        self.comments.append(ReportComment(by, comment, on))

    def conclude(self, summary: Optional[str], on: dt.date):
        status = self._next("conclude")
        not_before(on, max(c.on for c in self.comments), "concluded_on", "the last comment")
        self.status, self.summary, self.concluded_on = status, summary, on
        self.record(events.ReportReviewConcluded(id=self.id, entity=self.entity,
                                                 period=self.period, concluded_on=on),
                    self.entity)


# ---- the chair's review of a member office's retaliation determination (ST/SGB/2007/11) ----

# A staff member asks within 30 days of being notified of the member office's determination: the
# window member offices' own policies set (UNDP's, for one). The request is recorded even when
# late (admitting it is the chair's call) and marked `requested_in_time: false`.
REQUEST_WINDOW_DAYS = 30
# The chair's review is tracked against 45 days from the request: the span the Ethics Office has
# for its own preliminary review of a retaliation complaint (ST/SGB/2005/21; the "overdue"
# rule of intake's inquiries), so that both reviews of one kind of case run on the same clock.
REVIEW_DAYS = 45

CHAIR_REVIEW_MOVES = {
    ChairReviewStatus.requested: {"start": ChairReviewStatus.under_review},
    ChairReviewStatus.under_review: {"conclude": ChairReviewStatus.concluded},
    ChairReviewStatus.concluded: {},
}


@dataclass
class ChairReview(Record):
    id: str
    entity: str
    case_ref: str
    requested_on: dt.date
    determination_notified_on: Optional[dt.date] = None
    status: ChairReviewStatus = ChairReviewStatus.requested
    review_started_on: Optional[dt.date] = None
    outcome: Optional[ChairReviewOutcome] = None
    reasons: Optional[str] = None
    concluded_on: Optional[dt.date] = None

    @classmethod
    def request(cls, id: str, entity: str, case_ref: str, requested_on: dt.date,
                notified_on: Optional[dt.date], members: Iterable[str], today: dt.date):
        if entity not in set(members):
            raise invalid("entity", f"{entity} is not a member of the Panel: the chair reviews "
                                    "determinations of member offices")
        if requested_on > today:
            raise invalid("requested_on", f"cannot be later than today ({today})")
        if notified_on and notified_on > requested_on:
            raise invalid("determination_notified_on", "cannot be after the request")
        review = cls(id, entity, case_ref, requested_on, notified_on)
        review.record(events.ChairReviewRequested(id=id, entity=entity,
                                                  requested_on=requested_on,
                                                  period=review.period), entity)
        return review

    @property
    def period(self) -> str:
        return period_of(self.requested_on)

    @property
    def due_on(self) -> dt.date:
        return self.requested_on + dt.timedelta(days=REVIEW_DAYS)

    @property
    def requested_in_time(self) -> Optional[bool]:
        if self.determination_notified_on is None:
            return None
        return (self.requested_on - self.determination_notified_on).days <= REQUEST_WINDOW_DAYS

    @property
    def concluded_in_time(self) -> Optional[bool]:
        return None if self.concluded_on is None else self.concluded_on <= self.due_on

    def overdue(self, today: dt.date) -> bool:
        return self.status is not ChairReviewStatus.concluded and today > self.due_on

    def _next(self, move: str) -> ChairReviewStatus:
        return moved("chair review", CHAIR_REVIEW_MOVES, self.status, move)

    def start(self, on: dt.date):
        status = self._next("start")
        not_before(on, self.requested_on, "on", "the request")
        self.status, self.review_started_on = status, on

    def conclude(self, outcome: ChairReviewOutcome, reasons: Optional[str], on: dt.date):
        status = self._next("conclude")
        outcome = ChairReviewOutcome(outcome)
        if outcome is ChairReviewOutcome.different_determination and not reasons:
            raise invalid("reasons", "a different determination needs its reasons")
        not_before(on, self.review_started_on, "concluded_on", "the start of the review")
        self.status, self.outcome, self.reasons, self.concluded_on = status, outcome, reasons, on
        # a record's period is the one it began in; the event also says when it ended
        self.record(events.ChairReviewConcluded(
            id=self.id, entity=self.entity, period=self.period, outcome=outcome,
            concluded_on=on, due_on=self.due_on), self.entity)
