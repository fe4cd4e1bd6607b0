"""The Ethics Panel's contracts: members, meetings, consultations, report and chair reviews."""
import datetime as dt
from enum import Enum
from typing import Optional

from .common import Contract, EntityCode, Period
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


@event("panel", "panel_member_left")
class PanelMemberLeft(Contract):
    entity: EntityCode


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


@event("panel", "report_review_submitted")
class ReportReviewSubmitted(Contract):
    id: str
    entity: EntityCode
    period: Period


@event("panel", "report_review_concluded")
class ReportReviewConcluded(Contract):
    id: str
    entity: EntityCode
    period: Period


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
