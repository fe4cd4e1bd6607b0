"""The financial disclosure programme's contracts. No event carries a statement's contents."""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import (AfterValidator, BeforeValidator, Field, StringConstraints, create_model,
                      model_validator)

from .common import Contract, EntityCode, Money
from .contacts import Address, Contact, Language
from .envelope import event
from .people import Email


class Designation(str, Enum):
    senior_official = "senior_official"
    procurement = "procurement"
    investment = "investment"
    other = "other"


class FilingStatus(str, Enum):
    invited = "invited"
    filed = "filed"
    under_review = "under_review"
    cleared = "cleared"
    conflicts_found = "conflicts_found"
    mitigated = "mitigated"
    exempted = "exempted"


# the statuses of a filer who has filed the confidential statement
FILED_STATUSES = frozenset({FilingStatus.filed, FilingStatus.under_review, FilingStatus.cleared,
                            FilingStatus.conflicts_found, FilingStatus.mitigated})


class CycleStatus(str, Enum):
    """A cycle's state by its dates: before it opens, open, past its deadline with filers still
    outstanding, and closed by the Ethics Office."""
    scheduled = "scheduled"
    open = "open"
    overdue = "overdue"
    closed = "closed"


class ExemptionReason(str, Enum):
    separated = "separated"
    on_leave = "on_leave"
    medical = "medical"
    other = "other"


class ConflictType(str, Enum):
    financial_holding = "financial_holding"
    outside_activity = "outside_activity"
    family_relationship = "family_relationship"
    other = "other"


class DeclineReason(str, Enum):
    security = "security"
    cultural = "cultural"
    religious = "religious"
    other = "other"


class MitigationMeasure(str, Enum):
    """What the filer and the reviewer agreed to resolve the conflicts found."""
    divestiture = "divestiture"
    recusal = "recusal"
    waiver = "waiver"
    other = "other"


class PublicReview(str, Enum):
    """Where a summary to publish stands with the Ethics Office: public once approved."""
    pending = "pending"
    approved = "approved"
    returned = "returned"


@event("disclosure", "participant_enrolled")
class ParticipantEnrolled(Contract):
    entity: EntityCode
    cost_sharing: bool
    focal_points: int  # how many
    contacts: list[Contact] = []  # the focal points with an address, for the notices


@event("disclosure", "cycle_opened")
class CycleOpened(Contract):
    year: int
    opens_on: dt.date
    deadline: dt.date
    programme_cost: float


@event("disclosure", "cycle_closed")
class CycleClosed(Contract):
    year: int
    closed_on: dt.date


class EnrolledFiler(Contract):
    staff_id: str
    entity: EntityCode
    duty_station: str
    grade: str
    designation: Designation
    first_time: bool
    enrolled_on: Optional[dt.date] = None  # the day the filer was enrolled (None: the event's day)
    email: Optional[Email] = None  # where the filer's notices go (None: the filer gets none)
    language: Language = Language.en


@event("disclosure", "filers_enrolled")
class FilersEnrolled(Contract):
    """The filers one batch enrolled in a cycle (all accepted rows, maybe of several entities)."""
    year: int
    filers: list[EnrolledFiler]


class FilerRef(Contract):
    year: int
    staff_id: str
    entity: EntityCode


@event("disclosure", "statement_filed")
class StatementFiled(FilerRef):
    filed_on: dt.date
    late: bool = False  # after the cycle's deadline


@event("disclosure", "review_recorded")
class ReviewRecorded(FilerRef):
    outcome: FilingStatus  # cleared or conflicts_found
    conflicts: dict[ConflictType, int] = {}  # matters found, by type


@event("disclosure", "mitigation_recorded")
class MitigationRecorded(FilerRef):
    measure: Optional[MitigationMeasure] = None  # none when recorded without its detail
    agreed_on: Optional[dt.date] = None


@event("disclosure", "recommendation_acknowledged")
class RecommendationAcknowledged(FilerRef):
    """The filer answered the reviewer's recommendation (its comment stays confidential)."""
    acknowledged_on: dt.date


@event("disclosure", "filer_exempted")
class FilerExempted(FilerRef):
    reason: ExemptionReason


@event("disclosure", "verification_sample_drawn")
class VerificationSampleDrawn(Contract):
    year: int
    size: int
    seed: str
    strata: list[str]
    by_entity: dict[str, int]  # how many of the sample each entity holds


@event("disclosure", "verification_recorded")
class VerificationRecorded(FilerRef):
    outcome: str


@event("disclosure", "public_disclosure_decided")
class PublicDisclosureDecided(FilerRef):
    publish: bool
    declined_reason: Optional[DeclineReason] = None


@event("disclosure", "public_disclosure_approved")
class PublicDisclosureApproved(FilerRef):
    """The Ethics Office approved the summary: it is public from `approved_on`."""
    approved_on: dt.date


@event("disclosure", "public_disclosure_returned")
class PublicDisclosureReturned(FilerRef):
    """The Ethics Office returned the summary to its filer, saying what to change."""
    returned_on: dt.date
    reason: str


@event("disclosure", "compliance_reminder_due")
class ComplianceReminderDue(Contract):
    year: int
    entity: EntityCode
    deadline: dt.date
    days_before: int
    non_filers: list[str]  # staff ids the focal point should chase
    staff_id: Optional[str] = None  # a reminder of this one filer (not of the entity's)


# requests and answers of the disclosure API (the events above stay free of confidential content)

MAX_BATCH_ROWS = 10_000

# G-1..G-7, P-1..P-5, D-1, D-2, ASG, USG and the like, lowest first
GRADES = (
    *(f"G-{n}" for n in range(1, 8)), *(f"NO-{c}" for c in "ABCDE"),
    *(f"FS-{n}" for n in range(1, 8)), *(f"P-{n}" for n in range(1, 6)),
    "D-1", "D-2", "ASG", "USG", "DSG", "SG",
)


def grade_rank(grade: str) -> int:
    return GRADES.index(grade)


def is_senior_official(grade: str | None) -> bool:
    """D-1 and above: every such staff member files, designated a senior official."""
    return grade in GRADES and grade_rank(grade) >= grade_rank("D-1")


def is_asg_or_above(grade: str | None) -> bool:
    """Assistant Secretary-General and above: the officials who may disclose publicly (a grade
    that is not one of GRADES is not)."""
    return grade in GRADES and grade_rank(grade) >= grade_rank("ASG")


def public_disclosure_eligible(grade: str, status: str) -> bool:
    """Voluntary public disclosure is open to ASG and above who completed the confidential
    filing."""
    return is_asg_or_above(grade) and FilingStatus(status) in FILED_STATUSES


def _check_grade(value: str) -> str:
    if value not in GRADES:
        raise ValueError("a grade is one of G-1..G-7, NO-A..NO-E, FS-1..FS-7, P-1..P-5, "
                         "D-1, D-2, ASG, USG, DSG, SG")
    return value


Grade = Annotated[str, AfterValidator(_check_grade)]
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=4000)]
Year = Annotated[int, Field(ge=2000, le=2100)]


class FocalPoint(Contract):
    name: Text
    email: Optional[Address] = None  # a focal point without one gets no notices
    language: Optional[Language] = None  # the language of its notices (None: English)

    def contact(self) -> Optional[Contact]:
        """Where its notices go, when it has an address."""
        if self.email is None:
            return None
        return Contact(name=self.name, email=self.email,
                       language=self.language or Language.en)


class ParticipantIn(Contract):
    cost_sharing: bool
    focal_points: list[FocalPoint] = Field(default_factory=list, max_length=50)


class Participant(ParticipantIn):
    entity: EntityCode
    category: str  # the directory's classification: secretariat, peacekeeping, other


class CycleIn(Contract):
    year: Year
    opens_on: Optional[dt.date] = None  # 1 March of `year` when not given
    deadline: dt.date
    programme_cost: Money


class CycleClose(Contract):
    closed_on: Optional[dt.date] = None  # today when not given


class ConflictCounts(Contract):
    filers: int
    matters: int
    by_type: dict[ConflictType, int]


class PublicCounts(Contract):
    eligible: int
    published: int
    declined: int


class CycleFigures(Contract):
    """Counts only, kept up to date with every change."""
    filers: int  # enrolled
    required: int  # enrolled and not exempted
    first_time: int
    filed: int
    not_filed: int
    exempted: int
    reviewed: int
    conflicts: ConflictCounts
    mitigated: int
    verification_sample: int
    verified: int
    public_disclosure: PublicCounts


class Cycle(Contract):
    year: int
    opens_on: dt.date
    deadline: dt.date
    programme_cost: float
    covers_from: dt.date
    covers_to: dt.date
    status: CycleStatus
    closed_on: Optional[dt.date] = None
    figures: Optional[CycleFigures] = None


class FilerIn(Contract):
    staff_id: StaffId
    entity: EntityCode
    duty_station: Text
    grade: Grade
    designation: Designation
    # the Ethics Office may load earlier enrolments; else today
    enrolled_on: Optional[dt.date] = None
    email: Optional[Address] = None  # where the filer's notices go (None: the filer gets none)
    language: Optional[Language] = None  # the language of its notices (None: English)


class ReviewOutcome(str, Enum):
    under_review = "under_review"  # the reviewer has taken the statement up
    cleared = "cleared"
    conflicts_found = "conflicts_found"


class ConflictIn(Contract):
    type: ConflictType
    recommendation: LongText


class Mitigation(Contract):
    measure: Optional[MitigationMeasure] = None  # none when recorded without its detail
    agreed_on: dt.date


class Acknowledgement(Contract):
    acknowledged_on: dt.date
    comment: Optional[str] = None


class Filer(FilerIn):
    year: int
    first_time: bool
    status: FilingStatus
    filed_on: Optional[dt.date] = None
    late: bool = False  # filed after the cycle's deadline
    exemption_reason: Optional[ExemptionReason] = None
    conflicts: Optional[list[ConflictIn]] = None  # to the filer, reviewer and Ethics Office only
    mitigation: Optional[Mitigation] = None  # as conflicts
    acknowledgement: Optional[Acknowledgement] = None  # the filer's answer, as conflicts
    in_verification_sample: bool = False
    verification: Optional[str] = None
    public_disclosure: Optional[str] = None  # published or declined
    public_review: Optional[PublicReview] = None  # of a summary to publish
    returned_reason: Optional[str] = None  # why the Ethics Office returned it


class FilerQuery(Contract):
    """`?entity=&status=&limit=&cursor=`: a cycle's filers in (entity, staff id) order."""
    entity: Optional[EntityCode] = None
    status: Optional[FilingStatus] = None
    limit: Annotated[int, Field(ge=1)] = 100  # at most 1000 are returned
    cursor: Optional[Annotated[str, StringConstraints(max_length=100)]] = None


class NonFilerQuery(Contract):
    """`?entity=&limit=&cursor=`: one entity's filers who have not filed."""
    entity: Optional[EntityCode] = None
    limit: Annotated[int, Field(ge=1)] = 100
    cursor: Optional[StaffId] = None


class FilerPage(Contract):
    items: list[Filer]
    next_cursor: Optional[str] = None


class Item(Contract):
    # carried over from the filer's latest earlier statement and not confirmed yet (drafts)
    from_last_year: bool = False


class Holding(Item):
    description: Text
    value_usd: Optional[Money] = None


class OutsideInterest(Item):
    description: Text
    role: Optional[Text] = None


class Relative(Item):
    name: Text
    relationship: Text
    entity: Optional[EntityCode] = None


class StatementContents(Contract):
    """Confidential: encrypted at rest, returned to the filer and the reviewer only."""
    assets: list[Holding] = Field(default_factory=list, max_length=200)
    liabilities: list[Holding] = Field(default_factory=list, max_length=200)
    outside_interests: list[OutsideInterest] = Field(default_factory=list, max_length=200)
    relatives_in_un: list[Relative] = Field(default_factory=list, max_length=100)


class StatementIn(StatementContents):
    filed_on: Optional[dt.date] = None  # the Ethics Office may load earlier filings; else today
    # "I certify that this statement is true and complete": a filing needs it
    certified: Optional[bool] = None


class Statement(StatementContents):
    year: int
    staff_id: str
    entity: EntityCode
    filed_on: dt.date
    receipt: str
    certified: bool = False  # false for the statements filed before filings were certified


class StatementReceipt(Contract):
    year: int
    staff_id: str
    status: FilingStatus
    filed_on: dt.date
    receipt: str


def receipt_number(year: int, staff_id: str) -> str:
    """The filing's id, as its receipt says it: one filing per filer and cycle."""
    return f"FD-{year}-{staff_id}"


class StatementDraft(StatementContents):
    """A statement in the making, with the items carried over from last year still marked."""
    year: int
    staff_id: str
    saved_on: Optional[dt.date] = None  # none: no draft saved yet, this is where it starts
    prefilled_from: Optional[int] = None  # the cycle of the statement it was started from


class AcknowledgementIn(Contract):
    comment: Optional[LongText] = None


class MitigationIn(Contract):
    measure: MitigationMeasure
    agreed_on: Optional[dt.date] = None  # today when not given


class MitigationRow(Contract):
    """A batch row naming one filer, with the mitigation's detail when it is given."""
    staff_id: StaffId
    measure: Optional[MitigationMeasure] = None
    agreed_on: Optional[dt.date] = None


class ReviewIn(Contract):
    outcome: ReviewOutcome
    conflicts: list[ConflictIn] = Field(default_factory=list, max_length=20)


class ExemptionIn(Contract):
    reason: ExemptionReason


class StaffRow(Contract):
    """A batch row naming one filer (an approval has nothing more to say)."""
    staff_id: StaffId


def row_of(model: type[Contract]) -> type[Contract]:
    """The batch row of a per-filer request `XxxIn`: its fields and the filer's `staff_id`,
    named `XxxRow` (a single request takes the staff id from the path instead)."""
    name = model.__name__.removesuffix("In") + "Row"
    return create_model(name, __base__=model, __module__=__name__,
                        staff_id=(StaffId, ...))


StatementRow = row_of(StatementIn)
ReviewRow = row_of(ReviewIn)
ExemptionRow = row_of(ExemptionIn)


class StratumField(str, Enum):
    entity = "entity"
    grade = "grade"
    duty_station = "duty_station"
    designation = "designation"
    category = "category"
    first_time = "first_time"


class SampleRequest(Contract):
    size: Annotated[int, Field(ge=1, le=100_000)]
    seed: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    strata: list[StratumField] = Field(default_factory=list, max_length=4)


class StratumAllocation(Contract):
    stratum: dict[str, str]
    population: int
    size: int


class VerificationSample(Contract):
    year: int
    size: int
    seed: str
    strata: list[StratumField]
    population: int
    allocation: list[StratumAllocation]
    staff_ids: list[str]


class VerificationOutcome(str, Enum):
    verified = "verified"  # accurate and complete
    discrepancies_found = "discrepancies_found"


class VerificationIn(Contract):
    outcome: VerificationOutcome


VerificationRow = row_of(VerificationIn)


class ComplianceBy(str, Enum):
    entity = "entity"
    duty_station = "duty_station"
    category = "category"


class ComplianceRow(Contract):
    key: str
    enrolled: int
    required: int  # enrolled and not exempted
    filed: int
    not_filed: int  # required and not filed: not compliant
    exempted: int
    reasons: dict[str, int]  # why not filed: outstanding, or the exemption's reason


class Compliance(Contract):
    year: int
    by: ComplianceBy
    rows: list[ComplianceRow]
    total: ComplianceRow


class NonFiler(Contract):
    staff_id: str
    entity: EntityCode
    duty_station: str
    grade: str
    status: FilingStatus
    exemption_reason: Optional[ExemptionReason] = None


class NonFilerPage(Contract):
    items: list[NonFiler]
    next_cursor: Optional[str] = None


class ReminderRequest(Contract):
    days_before: Annotated[int, Field(ge=0, le=366)]
    entity: Optional[EntityCode] = None  # one entity's reminder; none: every entity's


class ReminderQueued(Contract):
    entity: EntityCode
    non_filers: int


class Reminders(Contract):
    """The reminders queued for the notifications service to send (none goes twice)."""
    year: int
    deadline: dt.date
    days_before: int
    entities: int  # how many entities' reminders were queued
    non_filers: int  # how many non-filers they name
    queued: list[ReminderQueued]
    already_queued: list[EntityCode]  # reminded this many days before the deadline already


class SentReminder(Contract):
    """A reminder sent: to an entity's non-filers (`staff_id` none) or to one filer."""
    year: int
    entity: EntityCode
    staff_id: Optional[str] = None
    sent_on: Optional[dt.date] = None  # unknown for reminders sent before dates were kept
    sent_by: Optional[str] = None
    days_before: Optional[int] = None  # an entity's: the number of days before the deadline
    non_filers: int  # how many filers it named


def _none_when_empty(value):
    return None if isinstance(value, str) and not value.strip() else value


Section = Annotated[Optional[LongText], BeforeValidator(_none_when_empty)]


class PublicSummary(Contract):
    """Each section's text; a section left empty or out is none (null in answers)."""
    assets: Section = None
    liabilities: Section = None
    outside_interests: Section = None


class PublicDisclosureIn(Contract):
    """Publish a summary (public once the Ethics Office approves it) or decline. A summary
    the Office returned is decided again."""
    publish: bool
    declined_reason: Optional[DeclineReason] = None
    summary: Optional[PublicSummary] = None
    name: Optional[Text] = None  # as the official wishes it published
    title: Optional[Text] = None


PublicDisclosureRow = row_of(PublicDisclosureIn)


class PublicDisclosureReturn(Contract):
    """Return a summary to its filer, saying what to change."""
    reason: Text


PublicDisclosureReturnRow = row_of(PublicDisclosureReturn)


class PublishedDisclosure(Contract):
    """An approved summary as the public reads it: no staff id."""
    year: int
    entity: EntityCode
    grade: str
    name: Optional[str] = None
    title: Optional[str] = None
    summary: PublicSummary


class PublicDisclosureRecord(Contract):
    """A filer's decision with its review, to the filer and the Ethics Office."""
    year: int
    staff_id: str
    entity: EntityCode
    grade: str
    decided_on: dt.date
    publish: bool
    declined_reason: Optional[DeclineReason] = None
    name: Optional[str] = None
    title: Optional[str] = None
    summary: Optional[PublicSummary] = None
    review: Optional[PublicReview] = None  # none for a declined one
    reviewed_on: Optional[dt.date] = None
    reviewed_by: Optional[str] = None
    returned_reason: Optional[str] = None


class CostShareRow(Contract):
    entity: EntityCode
    filers: int
    share: float


class CostShares(Contract):
    year: int
    programme_cost: float
    filers: int
    unit_cost: float
    rows: list[CostShareRow]


class KeyRotation(Contract):
    key_id: str  # the newest key, which now seals every statement and draft
    statements: int
    reencrypted: int
    drafts: int = 0
    drafts_reencrypted: int = 0


class FilerChange(Contract):
    type: str  # a per-filer event type: statement_filed, review_recorded, ...
    payload: dict


@event("disclosure", "filer_changes_recorded")
class FilerChangesRecorded(Contract):
    """What one batch request changed for many filers (filings, reviews, exemptions...), as one
    event: each change is the payload of its own per-filer event type. A batch of thousands of
    filings is then one message and one read-model transaction, not thousands."""
    year: int
    changes: list[FilerChange]

    @model_validator(mode="after")
    def _each_change_keeps_its_contract(self):
        from .envelope import EVENTS
        for change in self.changes:
            source, model = EVENTS.get(change.type, (None, None))
            if source != "disclosure" or not issubclass(model, FilerRef):
                raise ValueError(f"{change.type} is not a per-filer disclosure event")
            model.model_validate(change.payload)
        return self

    @classmethod
    def of(cls, year: int, events: list) -> "FilerChangesRecorded":
        return cls(year=year, changes=[FilerChange(type=e.event_type,
                                                   payload=e.model_dump(mode="json"))
                                       for e in events])
