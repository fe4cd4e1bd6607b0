"""The financial disclosure programme's contracts. No event carries a statement's contents."""
import datetime as dt
from enum import Enum
from typing import Optional

from .common import Contract, EntityCode
from .envelope import event


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


@event("disclosure", "participant_enrolled")
class ParticipantEnrolled(Contract):
    entity: EntityCode
    cost_sharing: bool
    focal_points: int  # how many; names stay in the disclosure service


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


@event("disclosure", "filers_enrolled")
class FilersEnrolled(Contract):
    """The filers one batch enrolled in a cycle (all accepted rows, possibly of several entities)."""
    year: int
    filers: list[EnrolledFiler]


class FilerRef(Contract):
    year: int
    staff_id: str
    entity: EntityCode


@event("disclosure", "statement_filed")
class StatementFiled(FilerRef):
    filed_on: dt.date


@event("disclosure", "review_recorded")
class ReviewRecorded(FilerRef):
    outcome: FilingStatus  # cleared or conflicts_found
    conflicts: dict[ConflictType, int] = {}  # matters found, by type


@event("disclosure", "mitigation_recorded")
class MitigationRecorded(FilerRef):
    pass


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


@event("disclosure", "compliance_reminder_due")
class ComplianceReminderDue(Contract):
    year: int
    entity: EntityCode
    deadline: dt.date
    days_before: int
    non_filers: list[str]  # staff ids the focal point should chase
