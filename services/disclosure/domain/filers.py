"""A cycle's filers: enrolment, the moves of each filer (file, review, mitigate, exempt, verify,
decide on public disclosure and its review), each recording its per-filer event, and the
batches that fold many filers' events into one."""
import datetime as dt
from dataclasses import dataclass, field, replace

from shared.contracts.common import ETHICS_OFFICE, Actor, Role
from shared.contracts.disclosure import (ComplianceReminderDue, EnrolledFiler, ExemptionIn,
                                         FilerChangesRecorded, FilerExempted, FilerIn,
                                         FilersEnrolled, FilingStatus, MitigationRecorded,
                                         PublicDisclosureApproved, PublicDisclosureDecided,
                                         PublicDisclosureIn, PublicDisclosureReturn,
                                         PublicDisclosureReturned, PublicReview,
                                         RecommendationAcknowledged, ReviewIn,
                                         ReviewOutcome, ReviewRecorded, StatementFiled,
                                         StatementIn, VerificationIn, VerificationRecorded,
                                         public_disclosure_eligible, receipt_number)
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Conflict, Forbidden, Invalid, problem

from .figures import conflict_counts, counter_changes
from .rules import check_move, check_own_entity, check_own_statement, filing_date_problem
from .statements import filed_contents

S = FilingStatus
R = PublicReview
SUMMARY_SECTIONS = ("assets", "liabilities", "outside_interests")
CONFLICT_READERS = {Role.admin, Role.ethics_office, Role.reviewer}


@dataclass
class Statement:
    """A filed statement: its contents (JSON-ready `StatementContents`) are confidential and
    stored only sealed."""
    year: int
    staff_id: str
    entity: str
    filed_on: dt.date
    contents: dict

    @property
    def receipt(self) -> str:
        return receipt_number(self.year, self.staff_id)

    def view(self) -> dict:
        return {"year": self.year, "staff_id": self.staff_id, "entity": self.entity,
                "filed_on": self.filed_on.isoformat(), "receipt": self.receipt,
                "certified": False, **self.contents}


@dataclass
class PublicDisclosure:
    """An official's decision on voluntary public disclosure (`PublicDisclosureIn`, JSON-ready)
    and, for a summary to publish, the Ethics Office's review: public once approved."""
    year: int
    staff_id: str
    entity: str
    grade: str
    decided_on: dt.date
    decision: dict
    review: str | None = None  # PublicReview; None for a declined one
    reviewed_on: dt.date | None = None
    reviewed_by: str | None = None
    returned_reason: str | None = None

    @property
    def published(self) -> bool:
        return bool(self.decision.get("publish")) and self.review == R.approved.value

    def reviewed(self, review: "PublicReviewed") -> "PublicDisclosure":
        return replace(self, review=review.review, reviewed_on=review.reviewed_on,
                       reviewed_by=review.reviewed_by, returned_reason=review.returned_reason)

    def published_view(self) -> dict:
        """As the public reads it (`PublishedDisclosure`): never the staff id."""
        return {"year": self.year, "entity": self.entity, "grade": self.grade,
                **{k: self.decision.get(k) for k in ("name", "title")},
                "summary": summary_of(self.decision.get("summary"))}

    def view(self) -> dict:
        """To its filer and the Ethics Office (`PublicDisclosureRecord`)."""
        summary = self.decision.get("summary")
        return {"year": self.year, "staff_id": self.staff_id, "entity": self.entity,
                "grade": self.grade, "decided_on": self.decided_on.isoformat(),
                **{k: self.decision.get(k) for k in ("publish", "declined_reason", "name",
                                                     "title")},
                "summary": summary_of(summary) if summary is not None else None,
                "review": self.review,
                "reviewed_on": self.reviewed_on.isoformat() if self.reviewed_on else None,
                "reviewed_by": self.reviewed_by, "returned_reason": self.returned_reason}


@dataclass(frozen=True)
class PublicReviewed:
    """The Ethics Office's review of one summary, to set on its record."""
    year: int
    staff_id: str
    review: str
    reviewed_on: dt.date
    reviewed_by: str
    returned_reason: str | None = None


def summary_of(summary: dict | None) -> dict:
    """Every section of a summary, none (None) where it was left empty or out."""
    return {s: (summary or {}).get(s) or None for s in SUMMARY_SECTIONS}


@dataclass
class Filer(Aggregate):
    """One staff member's filing in one cycle. `version` counts the stored changes, so a save
    finds the filer as it was read."""
    year: int
    staff_id: str
    entity: str
    duty_station: str
    grade: str
    designation: str
    first_time: bool
    status: str = S.invited.value
    filed_on: dt.date | None = None
    exemption_reason: str | None = None
    conflicts: list[dict] | None = None  # {type, recommendation}
    sampled: bool = False
    verification: str | None = None
    public_disclosure: str | None = None  # published or declined
    version: int = 0
    enrolled_on: dt.date | None = None  # given when the Ethics Office loads past enrolments
    email: str | None = None  # where the filer's notices go
    language: str | None = None  # the language of its notices (None: English)
    late: bool = False  # filed after the cycle's deadline (accepted while the cycle is open)
    public_review: str | None = None  # PublicReview of a summary to publish
    returned_reason: str | None = None  # why the Ethics Office returned the summary
    mitigation: dict | None = None  # {measure, agreed_on}
    acknowledgement: dict | None = None  # the filer's answer: {acknowledged_on, comment}

    @classmethod
    def enrol(cls, year: int, filer: FilerIn, first_time: bool) -> "Filer":
        enrolled = cls(year, filer.staff_id, filer.entity, filer.duty_station, filer.grade,
                       filer.designation.value, first_time)
        enrolled.enrolled_on = filer.enrolled_on
        enrolled.email = filer.email
        enrolled.language = filer.language.value if filer.language else None
        return enrolled

    @property
    def ref(self) -> dict:
        return {"year": self.year, "staff_id": self.staff_id, "entity": self.entity}

    def facts(self) -> dict:
        """What the filer counts for (`figures.tallies` reads these)."""
        return {"entity": self.entity, "duty_station": self.duty_station, "grade": self.grade,
                "status": self.status, "first_time": self.first_time,
                "exemption_reason": self.exemption_reason, "conflicts": self.conflicts,
                "sampled": self.sampled, "verification": self.verification,
                "public_disclosure": self.public_disclosure}

    # the moves: each checks first, then changes the filer and records its event

    def file(self, statement: StatementIn, actor: Actor, today: dt.date,
             opens_on: dt.date, deadline: dt.date) -> Statement:
        """Filed on the day given (the Ethics Office loading an earlier filing) or today; a
        filing after the deadline is accepted and marked late."""
        check_own_statement(actor, self.staff_id)
        check_move(self.staff_id, self.status, S.filed.value)
        filed_on = statement.filed_on or today
        refused = filing_date_problem(filed_on, opens_on, today)
        if refused:
            raise Invalid(refused, [problem("filed_on", refused)])
        self.status, self.filed_on, self.late = S.filed.value, filed_on, filed_on > deadline
        self.record(StatementFiled(**self.ref, filed_on=filed_on, late=self.late), self.entity)
        return Statement(self.year, self.staff_id, self.entity, filed_on,
                         filed_contents(statement))

    def review(self, review: ReviewIn):
        """Taken up (under_review), cleared, or conflicts found (a complete review: see
        `rules.review_problems`)."""
        check_move(self.staff_id, self.status, review.outcome.value)
        self.status = review.outcome.value
        if review.outcome == ReviewOutcome.conflicts_found:
            self.conflicts = [c.model_dump(mode="json") for c in review.conflicts]
        self.record(ReviewRecorded(**self.ref, outcome=review.outcome.value,
                                   conflicts=conflict_counts(review.conflicts)), self.entity)

    def mitigate(self, measure: str | None, agreed_on: dt.date | None, today: dt.date):
        """The mitigation agreed (divestiture, recusal, waiver or other) on its day (today
        when not given); recorded without its detail when no measure is given."""
        check_move(self.staff_id, self.status, S.mitigated.value)
        if agreed_on and agreed_on > today:
            msg = "a mitigation is recorded once agreed: its day is not after today"
            raise Invalid(msg, [problem("agreed_on", msg)])
        self.status = S.mitigated.value
        self.mitigation = {"measure": measure, "agreed_on": (agreed_on or today).isoformat()}
        self.record(MitigationRecorded(**self.ref, measure=measure,
                                       agreed_on=agreed_on or today), self.entity)

    def acknowledge(self, comment: str | None, actor: Actor, today: dt.date):
        """The filer answers the reviewer's recommendation: the filer only, once, and only
        after conflicts were found with their recommendations."""
        if actor.role != Role.filer or actor.staff_id != self.staff_id:
            raise Forbidden("a recommendation is acknowledged by its filer only")
        if not self.conflicts:
            raise Conflict(f"{self.staff_id} has no recommendation to acknowledge",
                           [problem("status", "no conflicts were found in the statement")])
        if self.acknowledgement:
            raise Conflict(f"{self.staff_id} acknowledged the recommendation on "
                           f"{self.acknowledgement['acknowledged_on']} already")
        self.acknowledgement = {"acknowledged_on": today.isoformat(), "comment": comment}
        self.record(RecommendationAcknowledged(**self.ref, acknowledged_on=today), self.entity)

    def exempt(self, request: ExemptionIn, actor: Actor):
        check_own_entity(actor, self.entity)
        check_move(self.staff_id, self.status, S.exempted.value)
        self.status, self.exemption_reason = S.exempted.value, request.reason.value
        self.record(FilerExempted(**self.ref, reason=request.reason), self.entity)

    def select_for_verification(self):
        self.sampled = True

    def verify(self, request: VerificationIn):
        if not self.sampled:
            raise Conflict(f"{self.staff_id} is not in the verification sample")
        if self.verification:
            raise Conflict(f"{self.staff_id}'s verification is recorded already")
        self.verification = request.outcome.value
        self.record(VerificationRecorded(**self.ref, outcome=request.outcome.value),
                    self.entity)

    def decide_public_disclosure(self, decision: PublicDisclosureIn, actor: Actor,
                                 today: dt.date) -> PublicDisclosure:
        """Publish a summary or decline (a complete decision: see
        `rules.public_decision_problems`); for ASG and above who have filed, once, or again
        when the Ethics Office returned the summary. A summary waits for its approval."""
        check_own_statement(actor, self.staff_id)
        if not public_disclosure_eligible(self.grade, self.status):
            raise Conflict("voluntary public disclosure is for ASG and above who have filed; "
                           f"{self.staff_id} is {self.grade}, {self.status}")
        if self.public_disclosure and self.public_review != R.returned.value:
            raise Conflict(f"{self.staff_id} has decided already")
        self.public_disclosure = "published" if decision.publish else "declined"
        self.public_review = R.pending.value if decision.publish else None
        self.returned_reason = None
        self.record(PublicDisclosureDecided(**self.ref, publish=decision.publish,
                                            declined_reason=decision.declined_reason),
                    self.entity)
        return PublicDisclosure(self.year, self.staff_id, self.entity, self.grade, today,
                                decision.model_dump(mode="json", exclude={"staff_id"}),
                                self.public_review)

    def approve_public_disclosure(self, actor: Actor, today: dt.date) -> PublicReviewed:
        """The Ethics Office approves a pending summary: it is public from today."""
        self._check_pending()
        self.public_review, self.returned_reason = R.approved.value, None
        self.record(PublicDisclosureApproved(**self.ref, approved_on=today), self.entity)
        return PublicReviewed(self.year, self.staff_id, self.public_review, today, actor.label)

    def return_public_disclosure(self, request: PublicDisclosureReturn, actor: Actor,
                                 today: dt.date) -> PublicReviewed:
        """The Ethics Office returns a pending summary with its reason, for the filer to
        decide again."""
        self._check_pending()
        self.public_review, self.returned_reason = R.returned.value, request.reason
        self.record(PublicDisclosureReturned(**self.ref, returned_on=today,
                                             reason=request.reason), self.entity)
        return PublicReviewed(self.year, self.staff_id, self.public_review, today, actor.label,
                              request.reason)

    def _check_pending(self):
        if self.public_review != R.pending.value:
            state = self.public_review or self.public_disclosure or "undecided"
            msg = f"{self.staff_id}'s public disclosure is {state}, not pending"
            raise Conflict(msg, [problem("public_review", msg)])

    # how a filer looks to a reader

    def view(self, actor: Actor) -> dict:
        """The filer as `actor` may see it: the conflicts to the filer, the reviewer and the
        Ethics Office only."""
        own = actor.role == Role.filer and actor.staff_id == self.staff_id
        return {"year": self.year, "staff_id": self.staff_id, "entity": self.entity,
                "duty_station": self.duty_station, "grade": self.grade,
                "designation": self.designation, "first_time": self.first_time,
                "email": self.email, "language": self.language,
                "status": self.status,
                "filed_on": self.filed_on.isoformat() if self.filed_on else None,
                "late": self.late,
                "exemption_reason": self.exemption_reason, "verification": self.verification,
                "public_disclosure": self.public_disclosure,
                "public_review": self.public_review, "returned_reason": self.returned_reason,
                "in_verification_sample": self.sampled,
                **{k: getattr(self, k) if (own or actor.role in CONFLICT_READERS) else None
                   for k in ("conflicts", "mitigation", "acknowledgement")}}

    def non_filer_view(self) -> dict:
        return {"staff_id": self.staff_id, "entity": self.entity,
                "duty_station": self.duty_station, "grade": self.grade, "status": self.status,
                "exemption_reason": self.exemption_reason}


def _entity_of(filers: list[Filer]) -> str:
    """The entity a batch's event belongs to: the filers' one, or the Ethics Office's."""
    entities = {f.entity for f in filers}
    return entities.pop() if len(entities) == 1 else ETHICS_OFFICE


@dataclass
class Enrolment(Aggregate):
    """Filers enrolled together: one `filers_enrolled` event, and what they add to the
    counters."""
    year: int
    filers: list[Filer]
    counts: dict = field(default_factory=dict)

    @classmethod
    def of(cls, year: int, filers: list[Filer]) -> "Enrolment":
        enrolment = cls(year, filers, counter_changes((None, f.facts()) for f in filers))
        if filers:
            enrolment.record(FilersEnrolled(year=year, filers=[EnrolledFiler(
                staff_id=f.staff_id, entity=f.entity, duty_station=f.duty_station,
                grade=f.grade, designation=f.designation, first_time=f.first_time,
                enrolled_on=f.enrolled_on, email=f.email, language=f.language or "en")
                for f in filers]), _entity_of(filers))
        return enrolment


@dataclass
class FilerChanges(Aggregate):
    """Filers changed by one request: the events their moves recorded, as one event when there
    is one and as one `filer_changes_recorded` for many, and what the changes do to the
    counters."""
    year: int
    filers: list[Filer]
    counts: dict = field(default_factory=dict)

    @classmethod
    def of(cls, year: int, changes: list[tuple[dict, Filer]]) -> "FilerChanges":
        """`changes`: each filer's facts before its move, and the filer after it."""
        filers = [f for _, f in changes]
        folded = cls(year, filers, counter_changes((before, f.facts()) for before, f in changes))
        events = [e for f in filers for e in f.take_events()]
        if len(events) == 1:
            folded.record(events[0].payload, events[0].entity)
        elif events:
            folded.record(FilerChangesRecorded.of(year, [e.payload for e in events]),
                          _entity_of(filers))
        return folded


@dataclass
class Reminder(Aggregate):
    """A reminder to one entity, a number of days before a cycle's deadline, naming its
    non-filers; sent once per cycle, entity and number of days."""
    year: int
    entity: str
    days_before: int
    non_filers: int
    sent_on: dt.date | None = None
    sent_by: str | None = None

    @classmethod
    def due(cls, year: int, deadline: dt.date, entity: str, days_before: int,
            staff_ids: list[str], sent_on: dt.date | None = None,
            sent_by: str | None = None) -> "Reminder":
        reminder = cls(year, entity, days_before, len(staff_ids), sent_on, sent_by)
        reminder.record(ComplianceReminderDue(year=year, entity=entity, deadline=deadline,
                                              days_before=days_before, non_filers=staff_ids),
                        entity)
        return reminder

    def view(self) -> dict:
        """As `SentReminder`."""
        return {"year": self.year, "entity": self.entity, "staff_id": None,
                "sent_on": self.sent_on.isoformat() if self.sent_on else None,
                "sent_by": self.sent_by, "days_before": self.days_before,
                "non_filers": self.non_filers}
