"""The Ethics Panel's contracts: members, meetings, consultations, report and chair reviews."""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo,
                      field_validator)

from .common import Contract, EntityCode, Period
from .contacts import Contact
from .envelope import event


class MeetingKind(str, Enum):
    formal = "formal"
    informal = "informal"


class ChairReviewOutcome(str, Enum):
    upheld = "upheld"
    different_determination = "different_determination"


@event("panel", "panel_member_joined")
class PanelMemberJoined(Contract):
    entity: EntityCode
    head: str
    joined_on: Optional[dt.date] = None  # the day the membership began (None: the event's day)
    contacts: list[Contact] = []  # the head of the office and others, for the notices


@event("panel", "panel_member_contacts_changed")
class PanelMemberContactsChanged(Contract):
    """A member's contacts replaced (on `PUT /panel/members/{entity}` of an existing member)."""
    entity: EntityCode
    contacts: list[Contact]


@event("panel", "panel_member_left")
class PanelMemberLeft(Contract):
    entity: EntityCode
    left_on: Optional[dt.date] = None  # the day the membership ended (None: the event's day)


@event("panel", "meeting_convened")
class MeetingConvened(Contract):
    id: str
    kind: MeetingKind
    scheduled_for: dt.date
    agenda: list[str]
    invited: list[EntityCode]


@event("panel", "meeting_rescheduled")
class MeetingRescheduled(Contract):
    id: str
    scheduled_for: dt.date


@event("panel", "meeting_cancelled")
class MeetingCancelled(Contract):
    id: str


@event("panel", "meeting_recorded")
class MeetingRecorded(Contract):
    id: str
    kind: MeetingKind
    held_on: dt.date
    period: Period
    attendees: list[EntityCode]
    decisions: int  # how many decisions were taken


@event("panel", "meeting_record_approved")
class MeetingRecordApproved(Contract):
    id: str


@event("panel", "consultation_opened")
class ConsultationOpened(Contract):
    id: str
    topic: str
    tags: list[str] = []
    respond_by: dt.date
    opened_on: dt.date
    period: Period


@event("panel", "position_submitted")
class PositionSubmitted(Contract):
    consultation_id: str
    entity: EntityCode
    amended: bool
    submitted_on: Optional[dt.date] = None


@event("panel", "consultation_extended")
class ConsultationExtended(Contract):
    id: str
    respond_by: dt.date


@event("panel", "consultation_concluded")
class ConsultationConcluded(Contract):
    id: str
    topic: str
    period: Period
    concluded_on: dt.date
    answered: list[EntityCode]
    not_answered: list[EntityCode]
    outcome: str = ""
    guidance: str = ""  # the Panel's guidance, sent with the conclusion to every member


@event("panel", "report_review_submitted")
class ReportReviewSubmitted(Contract):
    id: str
    entity: EntityCode
    period: Period  # the period the member's annual report covers
    submitted_on: Optional[dt.date] = None


@event("panel", "report_review_concluded")
class ReportReviewConcluded(Contract):
    id: str
    entity: EntityCode
    period: Period
    concluded_on: Optional[dt.date] = None


@event("panel", "chair_review_requested")
class ChairReviewRequested(Contract):
    id: str
    entity: EntityCode
    requested_on: dt.date
    period: Period


@event("panel", "chair_review_concluded")
class ChairReviewConcluded(Contract):
    id: str
    entity: EntityCode
    period: Period
    outcome: ChairReviewOutcome
    concluded_on: Optional[dt.date] = None
    due_on: Optional[dt.date] = None


# ---- requests and answers of the HTTP API (and of the panel service's RPC) ----

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                       pattern=r"^[a-z0-9][a-z0-9 _-]{0,39}$")]


class MemberStatus(str, Enum):
    active = "active"
    left = "left"


class MeetingStatus(str, Enum):
    convened = "convened"
    held = "held"          # recorded; the record may still be corrected
    approved = "approved"  # the chair approved the record: it can no longer change
    cancelled = "cancelled"


class ConsultationStatus(str, Enum):
    proposed = "proposed"  # proposed by a member, awaiting the chair's acceptance
    declined = "declined"
    open = "open"
    concluded = "concluded"


class ReportReviewStatus(str, Enum):
    submitted = "submitted"
    commented = "commented"
    concluded = "concluded"


class ChairReviewStatus(str, Enum):
    requested = "requested"
    under_review = "under_review"
    concluded = "concluded"


class MemberIn(Contract):
    head: Line
    joined_on: Optional[dt.date] = None  # default today; an earlier date only for the chair
    # who the Panel's notices go to (the head of the office and others); None keeps them
    contacts: Optional[list[Contact]] = Field(default=None, max_length=20)


class Member(Contract):
    entity: EntityCode
    head: str
    status: MemberStatus
    joined_on: dt.date
    left_on: Optional[dt.date] = None
    contacts: list[Contact] = []


class MeetingIn(Contract):
    scheduled_for: dt.date
    kind: MeetingKind
    agenda: list[Line] = Field(min_length=1)
    convened_on: Optional[dt.date] = None  # default today


class MeetingReschedule(Contract):
    scheduled_for: dt.date


class MeetingRecordIn(Contract):
    held_on: dt.date
    attendees: list[EntityCode] = Field(min_length=1)
    decisions: list[Line] = []
    minutes: Text


class StepDate(Contract):
    """The optional body of a chair's step (cancel, approve, accept, start a review): its date."""
    on: Optional[dt.date] = None


class Meeting(Contract):
    id: str
    kind: MeetingKind
    status: MeetingStatus
    scheduled_for: dt.date
    agenda: list[str]
    convened_on: dt.date
    invited: list[EntityCode]
    period: Period
    held_on: Optional[dt.date] = None
    attendees: list[EntityCode] = []
    decisions: list[str] = []
    minutes: Optional[str] = None
    approved_on: Optional[dt.date] = None
    cancelled_on: Optional[dt.date] = None


class ConsultationIn(Contract):
    topic: Line
    question: Text
    respond_by: dt.date
    tags: list[Tag] = []
    opened_on: Optional[dt.date] = None  # default today; an earlier date only for the chair


class ConsultationAcceptance(Contract):
    on: Optional[dt.date] = None
    respond_by: Optional[dt.date] = None  # a new date to answer by, if the proposal's won't do


class PositionIn(Contract):
    entity: EntityCode
    position: Text
    submitted_on: Optional[dt.date] = None  # default today; an earlier date only for the chair


class ConsultationExtension(Contract):
    respond_by: dt.date


class ConsultationConclusionIn(Contract):
    outcome: Text
    guidance: Text
    concluded_on: Optional[dt.date] = None


class Position(Contract):
    entity: EntityCode
    position: str
    first_submitted_on: dt.date
    submitted_on: dt.date
    versions: int


class PositionRecorded(Contract):
    consultation_id: str
    entity: EntityCode
    amended: bool
    submitted_on: dt.date
    versions: int
    respond_by: dt.date


class Consultation(Contract):
    id: str
    topic: str
    tags: list[str]
    question: str
    status: ConsultationStatus
    respond_by: dt.date
    proposed_by: Optional[EntityCode] = None
    proposed_on: Optional[dt.date] = None
    opened_on: Optional[dt.date] = None
    period: Optional[Period] = None
    past_answer_date: bool = False
    answered: list[EntityCode] = []
    not_answered: list[EntityCode] = []
    outcome: Optional[str] = None
    guidance: Optional[str] = None
    concluded_on: Optional[dt.date] = None
    positions: Optional[list[Position]] = None  # in the answer about one consultation only


class TopicOfPeriod(Contract):
    topic: str
    tags: list[str]
    consultations: int
    concluded: int


class ReportReviewIn(Contract):
    entity: EntityCode
    period: Period
    document: Line  # a reference to the report (symbol, file name or address)
    figures_version: Optional[int] = Field(None, ge=1)  # its annual figures' version in intake
    submitted_on: Optional[dt.date] = None


class ReportReviewComment(Contract):
    comment: Text
    by: Optional[EntityCode] = None  # the commenting member; default the actor's entity or EO
    commented_on: Optional[dt.date] = None


class ReportReviewConclusionIn(Contract):
    summary: Optional[Text] = None
    concluded_on: Optional[dt.date] = None


class Comment(Contract):
    by: EntityCode
    comment: str
    on: dt.date


class ReportReview(Contract):
    id: str
    entity: EntityCode
    period: Period
    document: str
    figures_version: Optional[int] = None
    status: ReportReviewStatus
    submitted_on: dt.date
    comments: list[Comment] = []
    summary: Optional[str] = None
    concluded_on: Optional[dt.date] = None


class ChairReviewIn(Contract):
    entity: EntityCode
    case_ref: Line
    requested_on: dt.date
    determination_notified_on: Optional[dt.date] = None


class ChairReviewConclusionIn(Contract):
    outcome: ChairReviewOutcome
    reasons: Optional[Text] = Field(None, validate_default=True)
    concluded_on: Optional[dt.date] = None

    @field_validator("reasons")
    @classmethod
    def _reasons_of_a_different_determination(cls, value, info: ValidationInfo):
        if info.data.get("outcome") == ChairReviewOutcome.different_determination and not value:
            raise ValueError("a different determination needs its reasons")
        return value


class ChairReview(Contract):
    id: str
    entity: EntityCode
    case_ref: str
    status: ChairReviewStatus
    requested_on: dt.date
    period: Period
    determination_notified_on: Optional[dt.date] = None
    requested_in_time: Optional[bool] = None
    due_on: dt.date
    overdue: bool
    review_started_on: Optional[dt.date] = None
    outcome: Optional[ChairReviewOutcome] = None
    reasons: Optional[str] = None
    concluded_on: Optional[dt.date] = None
    concluded_in_time: Optional[bool] = None


# ---- the questions of the lists: `?limit=&cursor=` and each list's filters ----

class ListQuery(BaseModel):
    """A page of a list, `limit` records after `cursor` (the `next_cursor` of the page before);
    query parameters a list does not know are ignored."""
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(100, ge=1, le=1000)
    cursor: Optional[str] = None


class MemberQuery(ListQuery):
    status: Optional[MemberStatus] = None


class MeetingQuery(ListQuery):
    period: Optional[Period] = None
    kind: Optional[MeetingKind] = None
    status: Optional[MeetingStatus] = None


class ConsultationQuery(ListQuery):
    period: Optional[Period] = None
    status: Optional[ConsultationStatus] = None
    tag: Optional[str] = None


class ReportReviewQuery(ListQuery):
    entity: Optional[EntityCode] = None
    period: Optional[Period] = None
    status: Optional[ReportReviewStatus] = None


class ChairReviewQuery(ListQuery):
    entity: Optional[EntityCode] = None
    status: Optional[ChairReviewStatus] = None


class PeriodQuery(BaseModel):
    """`?period=`, required: the topics of a period."""
    model_config = ConfigDict(extra="ignore")
    period: Period


class Page(Contract):
    next_cursor: Optional[str] = None


class MemberPage(Page):
    items: list[Member]


class MeetingPage(Page):
    items: list[Meeting]


class ConsultationPage(Page):
    items: list[Consultation]


class ReportReviewPage(Page):
    items: list[ReportReview]


class ChairReviewPage(Page):
    items: list[ChairReview]
