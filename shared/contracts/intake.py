"""Intake's contracts: service requests, activities, retaliation inquiries, annual figures.

Event payloads carry everything reporting needs to count without calling back.
"""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import Field, StringConstraints

from .common import MAX_COUNT, Contract, Count, Day, EntityCode, Period
from .envelope import event

MAX_BATCH_ROWS = 10_000
# a count of the annual figures; a negative one is refused by intake's rules, naming its field
Figure = Annotated[int, Field(le=MAX_COUNT)]


class Category(str, Enum):
    advice = "advice"
    financial_disclosure = "financial_disclosure"
    retaliation = "retaliation"
    training = "training"
    outreach = "outreach"
    standards = "standards"


class AdviceTopic(str, Enum):
    outside_activities = "outside_activities"
    employment = "employment"
    conflict_of_interest = "conflict_of_interest"
    gifts_honours_awards = "gifts_honours_awards"
    post_employment = "post_employment"
    personal_investments = "personal_investments"
    misconduct_reporting = "misconduct_reporting"
    other = "other"


class Source(str, Enum):
    headquarters = "headquarters"
    offices_away_from_headquarters = "offices_away_from_headquarters"
    regional_commissions = "regional_commissions"
    peacekeeping_operations = "peacekeeping_operations"
    political_missions = "political_missions"
    other_entities = "other_entities"


class ActivityKind(str, Enum):
    outreach_visit = "outreach_visit"
    training_session = "training_session"
    senior_briefing = "senior_briefing"
    expert_panel_briefing = "expert_panel_briefing"
    leadership_dialogue = "leadership_dialogue"
    online_course = "online_course"
    other = "other"


class InquiryStatus(str, Enum):
    received = "received"
    outside_mandate = "outside_mandate"
    advice_only = "advice_only"
    preliminary_review = "preliminary_review"
    withdrawn = "withdrawn"
    resolved_informally = "resolved_informally"
    not_prima_facie = "not_prima_facie"
    prima_facie_referred = "prima_facie_referred"
    retaliation_established = "retaliation_established"
    retaliation_not_established = "retaliation_not_established"


class ServiceRequestRecord(Contract):
    id: str
    entity: EntityCode
    period: Period
    received_on: dt.date
    category: Category
    advice_topic: Optional[AdviceTopic] = None
    source: Source


@event("intake", "service_request_logged")
class ServiceRequestLogged(ServiceRequestRecord):
    """One service request was logged."""


@event("intake", "service_request_batch_logged")
class ServiceRequestBatchLogged(Contract):
    """The accepted rows of one batch, all of one entity, as one event."""
    entity: EntityCode
    requests: list[ServiceRequestRecord]


class ActivityRecord(Contract):
    id: str
    entity: EntityCode
    period: Period
    held_on: dt.date
    kind: ActivityKind
    participants: int


@event("intake", "activity_recorded")
class ActivityRecorded(ActivityRecord):
    """One outreach, training or education activity was recorded."""


class InquiryReceipt(Contract):
    id: str
    entity: EntityCode
    period: Period  # of received_on: the period the inquiry counts in
    received_on: dt.date


@event("intake", "retaliation_inquiry_received")
class RetaliationInquiryReceived(InquiryReceipt):
    """A request for protection against retaliation arrived; it names no complainant."""


@event("intake", "retaliation_decision_recorded")
class RetaliationDecisionRecorded(Contract):
    id: str
    entity: EntityCode
    period: Period  # of the inquiry's received_on
    decision: InquiryStatus
    decided_on: dt.date
    previous_status: InquiryStatus
    status: InquiryStatus


@event("intake", "retaliation_note_added")
class RetaliationNoteAdded(Contract):
    """A dated note was added to an inquiry's case file (the note itself stays in intake)."""
    id: str
    entity: EntityCode
    period: Period  # of the inquiry's received_on
    noted_on: dt.date


@event("intake", "protection_measure_recorded")
class ProtectionMeasureRecorded(Contract):
    """An interim measure to protect the complainant was decided (its text stays in intake)."""
    id: str
    entity: EntityCode
    period: Period  # of the inquiry's received_on
    decided_on: dt.date


class RetaliationFigures(Contract):
    inquiries: Figure = 0
    preliminary_reviews: Figure = 0
    prima_facie: Figure = 0


class DisclosureFigures(Contract):
    filers: Figure = 0
    filed: Figure = 0


class ActivityFigures(Contract):
    total: Figure = 0
    participants: Figure = 0


class AnnualFigures(Contract):
    """What a member entity's ethics office reports for a period (docs/domain.md)."""
    total_requests: Optional[Figure] = None
    requests_by_category: dict[Category, Figure] = {}
    advice_by_topic: dict[AdviceTopic, Figure] = {}
    requests_by_source: dict[Source, Figure] = {}
    retaliation: RetaliationFigures = RetaliationFigures()
    disclosure: DisclosureFigures = DisclosureFigures()
    activities: ActivityFigures = ActivityFigures()


@event("intake", "annual_figures_submitted")
class AnnualFiguresSubmitted(Contract):
    entity: EntityCode
    period: Period
    version: int
    figures: AnnualFigures
    submitted_on: Optional[dt.date] = None  # the day they were submitted (None: the event's day)


# Requests and answers of the HTTP API (the gateway validates bodies against these).

class ServiceRequestIn(Contract):
    entity: EntityCode
    received_on: Day
    category: Category
    advice_topic: Optional[AdviceTopic] = None
    source: Source


class ActivityIn(Contract):
    entity: EntityCode
    held_on: Day
    kind: ActivityKind
    participants: Count


class InquiryIn(Contract):
    """A retaliation inquiry as received: no complainant name, the id identifies it."""
    entity: EntityCode
    received_on: Day


class DecisionIn(Contract):
    decision: InquiryStatus
    decided_on: Day


MAX_CASE_TEXT = 4000
CaseText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_CASE_TEXT)]


class NoteIn(Contract):
    """A note on the case file; who wrote it is the signed-in actor."""
    text: CaseText
    noted_on: Day


class ProtectionMeasureIn(Contract):
    """An interim protection measure (e.g. a temporary reassignment) and the day it was decided."""
    measure: CaseText
    decided_on: Day


Cursor = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]


class ListQuery(Contract):
    """`?entity=&period=&limit=&cursor=`: lists page in the order records were made."""
    entity: Optional[EntityCode] = None
    period: Optional[Period] = None
    limit: Annotated[int, Field(ge=1)] = 100  # at most 1000 are returned
    cursor: Optional[Cursor] = None


class ServiceRequestQuery(ListQuery):
    category: Optional[Category] = None


class ActivityQuery(ListQuery):
    kind: Optional[ActivityKind] = None


class InquiryQuery(ListQuery):
    status: Optional[InquiryStatus] = None
    overdue: Optional[bool] = None  # true: preliminary reviews open more than 45 days


class Created(Contract):
    id: str


class InquiryCreated(Created):
    status: InquiryStatus


class Decision(Contract):
    decision: InquiryStatus
    decided_on: dt.date
    previous_status: InquiryStatus


class Note(Contract):
    text: str
    noted_on: dt.date
    by: str  # who wrote it: the label of the signed-in actor


class ProtectionMeasure(Contract):
    measure: str
    decided_on: dt.date


class RetaliationInquiry(InquiryReceipt):
    status: InquiryStatus
    decisions: list[Decision] = []
    review_opened_on: Optional[dt.date] = None  # when the preliminary review began
    due_on: Optional[dt.date] = None  # the preliminary review's 45th day, while it is open
    days_left: Optional[int] = None  # until due_on; negative once overdue
    due_soon: bool = False  # due within 10 days, not yet overdue
    overdue: bool = False  # a preliminary review open more than 45 days
    closed: bool = False  # no decision can follow the last one
    next_decisions: list[InquiryStatus] = []  # the decisions its status allows
    notes: list[Note] = []  # oldest first
    protection_measures: list[ProtectionMeasure] = []  # oldest first


class ServiceRequestPage(Contract):
    items: list[ServiceRequestRecord]
    next_cursor: Optional[str] = None


class ActivityPage(Contract):
    items: list[ActivityRecord]
    next_cursor: Optional[str] = None


class InquiryPage(Contract):
    items: list[RetaliationInquiry]
    next_cursor: Optional[str] = None


class FiguresVersion(Contract):
    version: int


class SubmittedFigures(Contract):
    entity: EntityCode
    period: Period
    version: int
    submitted_at: dt.datetime
    figures: AnnualFigures
