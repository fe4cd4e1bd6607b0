"""How each event changes the read models: one typed projection per event contract.

A projection takes the event's payload as its model (the contract registered with `@event` in
`shared.contracts`) and the time it occurred (ISO), and gives the changes (`domain.Add`,
`domain.Revise`) it makes. Documents hold plain JSON values: dates as ISO strings, enums as
their values.
"""
from collections import Counter, defaultdict
from typing import Callable

from pydantic import BaseModel

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.directory import EntityRegistered
from shared.contracts.disclosure import (ComplianceReminderDue, CycleClosed, CycleOpened,
                                         FilerChange, FilerChangesRecorded, FilerExempted,
                                         FilerRef, FilersEnrolled, MitigationRecorded,
                                         ParticipantEnrolled, PublicDisclosureApproved,
                                         PublicDisclosureDecided, PublicDisclosureReturned,
                                         RecommendationAcknowledged, ReviewRecorded,
                                         StatementFiled, VerificationRecorded,
                                         VerificationSampleDrawn, is_asg_or_above)
from shared.contracts.envelope import EVENTS
from shared.contracts.intake import (ActivityRecorded, AnnualFiguresSubmitted,
                                     ProtectionMeasureRecorded, RetaliationDecisionRecorded,
                                     RetaliationInquiryReceived, RetaliationNoteAdded,
                                     ServiceRequestBatchLogged, ServiceRequestLogged,
                                     ServiceRequestRecord)
from shared.contracts.panel import (ChairReviewConcluded, ChairReviewRequested,
                                    ConsultationConcluded, ConsultationExtended,
                                    ConsultationOpened, MeetingCancelled, MeetingConvened,
                                    MeetingRecordApproved, MeetingRecorded, MeetingRescheduled,
                                    PanelMemberContactsChanged, PanelMemberJoined,
                                    PanelMemberLeft, PositionSubmitted,
                                    ReportReviewConcluded, ReportReviewSubmitted)
from shared.contracts.reporting import ReportIssued

from .domain import Add, Change, Revise, adding_to, counter_changes, latest, setting
from .domain.dates import as_it_was, day_of, fact_days

Projection = Callable[[BaseModel, str], list[Change]]
PROJECTIONS: dict[type[BaseModel], Projection] = {}


def projects(*models: type[BaseModel]):
    def register(fn: Projection) -> Projection:
        for model in models:
            PROJECTIONS[model] = fn
        return fn
    return register


def project(event: BaseModel, at: str) -> list[Change]:
    """The read-model changes an event makes; KeyError when no projection knows its model."""
    return PROJECTIONS[type(event)](event, at)


def weight(event: BaseModel) -> int:
    """About how many records an event changes (batch events of filers carry many)."""
    if isinstance(event, FilersEnrolled):
        return len(event.filers) or 1
    if isinstance(event, FilerChangesRecorded):
        return len(event.changes) or 1
    return 1


# ---- the directory ----

@projects(EntityRegistered)
def entity_registered(event: EntityRegistered, at: str) -> list[Change]:
    key = {"entity": event.code}
    return [Revise("directory", key, setting(name=event.name, category=event.category.value,
                                             parent=event.parent)),
            Add("directory", key, {"registrations": 1})]


# ---- intake: service requests, activities, retaliation, annual figures ----

def request_amounts(record: ServiceRequestRecord) -> Counter:
    amounts = Counter({"total": 1, f"category.{record.category.value}": 1,
                       f"source.{record.source.value}": 1})
    if record.advice_topic:
        amounts[f"topic.{record.advice_topic.value}"] += 1
    if record.category.value == "standards":  # the standard-setting section gives its sources
        amounts[f"standards_source.{record.source.value}"] += 1
    return amounts


def tally(entity: str, period: str, amounts: dict, on) -> Add:
    """Counters of an entity's period, dated by the day their facts took effect."""
    return Add("tallies", {"entity": entity, "period": period}, amounts, on.isoformat())


@projects(ServiceRequestLogged)
def service_request_logged(event: ServiceRequestLogged, at: str) -> list[Change]:
    return [tally(event.entity, event.period,
                  {f"requests.{k}": v for k, v in request_amounts(event).items()},
                  event.received_on)]


@projects(ServiceRequestBatchLogged)
def service_request_batch_logged(event: ServiceRequestBatchLogged, at: str) -> list[Change]:
    per_day: dict = defaultdict(Counter)
    for record in event.requests:
        per_day[(record.entity, record.period, record.received_on)].update(
            request_amounts(record))
    return [tally(entity, period, {f"requests.{k}": v for k, v in amounts.items()}, day)
            for (entity, period, day), amounts in sorted(per_day.items())]


@projects(ActivityRecorded)
def activity_recorded(event: ActivityRecorded, at: str) -> list[Change]:
    return [tally(event.entity, event.period,
                  {"activities.total": 1, "activities.participants": event.participants,
                   f"activities.kind.{event.kind.value}": 1}, event.held_on)]


@projects(RetaliationInquiryReceived)
def retaliation_inquiry_received(event: RetaliationInquiryReceived, at: str) -> list[Change]:
    return [tally(event.entity, event.period,
                  {"retaliation.inquiries": 1, "retaliation.status.received": 1},
                  event.received_on)]


@projects(RetaliationDecisionRecorded)
def retaliation_decision_recorded(event: RetaliationDecisionRecorded, at: str) -> list[Change]:
    """An inquiry leaves its previous status for its new one on the day it was decided; counted
    in the period it was received in. The two moves add up to the right counts whatever order
    decisions arrive in."""
    return [tally(event.entity, event.period,
                  {f"retaliation.status.{event.status.value}": 1,
                   f"retaliation.status.{event.previous_status.value}": -1}, event.decided_on)]


@projects(RetaliationNoteAdded, ProtectionMeasureRecorded)
def retaliation_case_file(event: BaseModel, at: str) -> list[Change]:
    """An inquiry's case file stays in intake: no report counts its notes or measures."""
    return []


@projects(AnnualFiguresSubmitted)
def annual_figures_submitted(event: AnnualFiguresSubmitted, at: str) -> list[Change]:
    """Every version, with the day it was submitted (a report as of a date uses the latest
    version submitted by then); the latest also at the top of the record."""
    figures = event.figures.model_dump(mode="json")
    version = {"figures": figures, "submitted_on": (
        event.submitted_on.isoformat() if event.submitted_on else day_of(at))}

    def keep_versions(before):
        before = before or {}
        kept = {**before, "versions": {**before.get("versions", {}), str(event.version): version}}
        if before.get("version", 0) >= event.version:
            return kept
        return {**kept, "version": event.version, "figures": figures, "submitted_at": at}
    return [Revise("submitted", {"entity": event.entity, "period": event.period},
                   keep_versions)]


# ---- disclosure: the financial disclosure programme ----

def filer_feeds(filer: dict) -> list:
    """The programme counters one filer's record adds to, each move dated by the day it took
    effect (nothing until it is enrolled), and the enrolment of its cycle by entity."""
    dated: list[Add] = []
    before: list = []
    for day in fact_days(filer):
        now = [a for a in filer_counters(as_it_was(filer, day)) if a.model == "fdp"]
        dated += [Add(a.model, a.key, a.amounts, day or None)
                  for a in counter_changes(before, now)]
        before = now
    return dated + [a for a in filer_counters(filer) if a.model == "enrolment"]


def filer_counters(filer: dict) -> list:
    """The programme counters a filer's record adds to as it stands (nothing until it is
    enrolled)."""
    if not filer.get("enrolled"):
        return []
    exempted = bool(filer.get("exempted"))
    filed = bool(filer.get("filed")) and not exempted
    conflicts = {t: n for t, n in (filer.get("conflicts") or {}).items() if n}
    amounts = {
        "enrolled": 1, "first_time": int(bool(filer.get("first_time"))),
        "exempted": int(exempted), "required": int(not exempted), "filed": int(filed),
        "eligible": int(filed and is_asg_or_above(filer.get("grade"))),
        "published": int(filer.get("publish") is True),
        "declined": int(filer.get("publish") is False),
        "conflicted": int(bool(conflicts)), "mitigated": int(bool(filer.get("mitigated"))),
        "verified": int(bool(filer.get("verification"))),
        **{f"matters.{t}": n for t, n in conflicts.items()},
    }
    return [Add("fdp", fdp_key(filer["entity"], filer["year"]), amounts),
            Add("enrolment", {"entity": ETHICS_OFFICE, "year": filer["year"]},
                {f"units.{filer['entity']}": 1})]


def fdp_key(unit: str, year: int) -> dict:
    return {"entity": ETHICS_OFFICE, "year": year, "unit": unit}


def filer_change(entity: str, year: int, staff_id: str, change) -> Revise:
    key = {"entity": entity, "year": year, "staff_id": staff_id}
    return Revise("filers", key, lambda before: {**key, **change(before)}, filer_feeds)


def of_filer(event: FilerRef, change) -> Revise:
    return filer_change(event.entity, event.year, event.staff_id, change)


@projects(FilersEnrolled)
def filers_enrolled(event: FilersEnrolled, at: str) -> list[Change]:
    return [filer_change(f.entity, event.year, f.staff_id, setting(
        enrolled=True, grade=f.grade, duty_station=f.duty_station,
        designation=f.designation.value, first_time=f.first_time,
        enrolled_on=f.enrolled_on.isoformat() if f.enrolled_on else day_of(at)))
        for f in event.filers]


@projects(StatementFiled)
def statement_filed(event: StatementFiled, at: str) -> list[Change]:
    return [of_filer(event, setting(filed=True, filed_on=event.filed_on.isoformat()))]


def per_filer_event(change: FilerChange) -> FilerRef:
    """One change of a batch as its own per-filer event (the batch's contract has checked it)."""
    event = EVENTS[change.type][1].model_validate(change.payload)
    assert isinstance(event, FilerRef)
    return event


@projects(FilerChangesRecorded)
def filer_changes_recorded(event: FilerChangesRecorded, at: str) -> list[Change]:
    """A batch request's changes to many filers: each one as its own per-filer event."""
    return [change for item in event.changes for change in project(per_filer_event(item), at)]


@projects(ReviewRecorded)
def review_recorded(event: ReviewRecorded, at: str) -> list[Change]:
    conflicts = {kind.value: n for kind, n in event.conflicts.items()}
    return [of_filer(event, setting(review=event.outcome.value, conflicts=conflicts,
                                    reviewed_on=day_of(at)))]


@projects(MitigationRecorded)
def mitigation_recorded(event: MitigationRecorded, at: str) -> list[Change]:
    measure = {"mitigation": event.measure.value} if event.measure else {}
    return [of_filer(event, setting(mitigated=True, mitigated_on=day_of(at), **measure))]


@projects(FilerExempted)
def filer_exempted(event: FilerExempted, at: str) -> list[Change]:
    return [of_filer(event, setting(exempted=True, exemption_reason=event.reason.value,
                                    exempted_on=day_of(at)))]


@projects(VerificationRecorded)
def verification_recorded(event: VerificationRecorded, at: str) -> list[Change]:
    return [of_filer(event, setting(verification=event.outcome, verified_on=day_of(at)))]


@projects(PublicDisclosureDecided)
def public_disclosure_decided(event: PublicDisclosureDecided, at: str) -> list[Change]:
    reason = event.declined_reason.value if event.declined_reason else None
    return [of_filer(event, setting(publish=event.publish, declined_reason=reason,
                                    decided_on=day_of(at)))]


@projects(PublicDisclosureApproved)
def public_disclosure_approved(event: PublicDisclosureApproved, at: str) -> list[Change]:
    """The day the summary became public (the counts are of decisions to publish)."""
    return [of_filer(event, setting(publication_approved_on=event.approved_on.isoformat()))]


@projects(PublicDisclosureReturned)
def public_disclosure_returned(event: PublicDisclosureReturned, at: str) -> list[Change]:
    return [of_filer(event, setting(publication_returned_on=event.returned_on.isoformat()))]


@projects(RecommendationAcknowledged)
def recommendation_acknowledged(event: RecommendationAcknowledged, at: str) -> list[Change]:
    return [of_filer(event, setting(acknowledged_on=event.acknowledged_on.isoformat()))]


@projects(ComplianceReminderDue)
def compliance_reminder_due(event: ComplianceReminderDue, at: str) -> list[Change]:
    return [Add("fdp", fdp_key(event.entity, event.year), {"reminders": 1})]


@projects(ParticipantEnrolled)
def participant_enrolled(event: ParticipantEnrolled, at: str) -> list[Change]:
    return [Revise("participants", {"entity": event.entity},
                   latest(at, cost_sharing=event.cost_sharing,
                          focal_points=event.focal_points))]


def cycle(year: int, change) -> Revise:
    return Revise("cycles", {"entity": ETHICS_OFFICE, "year": year}, change)


@projects(CycleOpened)
def cycle_opened(event: CycleOpened, at: str) -> list[Change]:
    return [cycle(event.year, setting(opens_on=event.opens_on.isoformat(),
                                      deadline=event.deadline.isoformat(),
                                      programme_cost=event.programme_cost))]


@projects(CycleClosed)
def cycle_closed(event: CycleClosed, at: str) -> list[Change]:
    return [cycle(event.year, setting(closed_on=event.closed_on.isoformat()))]


@projects(VerificationSampleDrawn)
def verification_sample_drawn(event: VerificationSampleDrawn, at: str) -> list[Change]:
    """A cycle's sample: a later draw replaces an earlier one."""
    return [Revise("samples", {"entity": ETHICS_OFFICE, "year": event.year},
                   latest(at, size=event.size, by_entity=dict(event.by_entity),
                          strata=list(event.strata)))]


# ---- panel ----

@projects(PanelMemberJoined)
def panel_member_joined(event: PanelMemberJoined, at: str) -> list[Change]:
    """The member as it stands, and every day it joined (membership in a period is read from
    those days and the days it left)."""
    key = {"entity": event.entity}
    joined = event.joined_on.isoformat() if event.joined_on else day_of(at)
    return [Revise("members", key, latest(at, member=True, head=event.head)),
            Revise("members", key, adding_to("joined", joined))]


@projects(PanelMemberLeft)
def panel_member_left(event: PanelMemberLeft, at: str) -> list[Change]:
    key = {"entity": event.entity}
    left = event.left_on.isoformat() if event.left_on else day_of(at)
    return [Revise("members", key, latest(at, member=False)),
            Revise("members", key, adding_to("left", left))]


@projects(PanelMemberContactsChanged)
def panel_member_contacts_changed(event: PanelMemberContactsChanged, at: str) -> list[Change]:
    """Addresses are for the notices, not for any report."""
    return []


def panel_record(model: str, record_id: str, change) -> Revise:
    return Revise(model, {"entity": ETHICS_OFFICE, "id": record_id}, change)


@projects(MeetingConvened)
def meeting_convened(event: MeetingConvened, at: str) -> list[Change]:
    return [panel_record("meetings", event.id, setting(
        kind=event.kind.value, scheduled_for=event.scheduled_for.isoformat(),
        invited=list(event.invited)))]


@projects(MeetingRescheduled)
def meeting_rescheduled(event: MeetingRescheduled, at: str) -> list[Change]:
    return [panel_record("meetings", event.id,
                         setting(scheduled_for=event.scheduled_for.isoformat()))]


@projects(MeetingCancelled)
def meeting_cancelled(event: MeetingCancelled, at: str) -> list[Change]:
    return [panel_record("meetings", event.id, setting(cancelled=True))]


@projects(MeetingRecorded)
def meeting_recorded(event: MeetingRecorded, at: str) -> list[Change]:
    """A held meeting counts in the period it was held in (its `period`)."""
    return [panel_record("meetings", event.id, setting(
        kind=event.kind.value, held=True, held_on=event.held_on.isoformat(),
        period=event.period, attendees=list(event.attendees), decisions=event.decisions))]


@projects(MeetingRecordApproved)
def meeting_record_approved(event: MeetingRecordApproved, at: str) -> list[Change]:
    return [panel_record("meetings", event.id, setting(approved=True))]


@projects(ConsultationOpened)
def consultation_opened(event: ConsultationOpened, at: str) -> list[Change]:
    """A consultation counts in the period it was opened in."""
    return [panel_record("consultations", event.id, setting(
        topic=event.topic, tags=list(event.tags), opened_on=event.opened_on.isoformat(),
        period=event.period, respond_by=event.respond_by.isoformat()))]


@projects(PositionSubmitted)
def position_submitted(event: PositionSubmitted, at: str) -> list[Change]:
    return [panel_record("consultations", event.consultation_id,
                         adding_to("positions", event.entity))]


@projects(ConsultationExtended)
def consultation_extended(event: ConsultationExtended, at: str) -> list[Change]:
    return [panel_record("consultations", event.id,
                         setting(extended_to=event.respond_by.isoformat()))]


@projects(ConsultationConcluded)
def consultation_concluded(event: ConsultationConcluded, at: str) -> list[Change]:
    def conclude(before):
        before = before or {}
        return {**before, "topic": before.get("topic") or event.topic, "concluded": True,
                "concluded_on": event.concluded_on.isoformat(),
                "answered": list(event.answered), "not_answered": list(event.not_answered)}
    return [panel_record("consultations", event.id, conclude)]


def member_review(model: str, event, change) -> Revise:
    return Revise(model, {"entity": event.entity, "id": event.id}, change)


@projects(ReportReviewSubmitted)
def report_review_submitted(event: ReportReviewSubmitted, at: str) -> list[Change]:
    return [member_review("report_reviews", event, setting(
        period=event.period, submitted=True,
        submitted_on=(event.submitted_on.isoformat() if event.submitted_on else day_of(at))))]


@projects(ReportReviewConcluded)
def report_review_concluded(event: ReportReviewConcluded, at: str) -> list[Change]:
    return [member_review("report_reviews", event, setting(
        period=event.period, concluded=True,
        concluded_on=(event.concluded_on.isoformat() if event.concluded_on else day_of(at))))]


@projects(ChairReviewRequested)
def chair_review_requested(event: ChairReviewRequested, at: str) -> list[Change]:
    return [member_review("chair_reviews", event, setting(
        period=event.period, requested_on=event.requested_on.isoformat()))]


@projects(ChairReviewConcluded)
def chair_review_concluded(event: ChairReviewConcluded, at: str) -> list[Change]:
    return [member_review("chair_reviews", event, setting(
        period=event.period, outcome=event.outcome.value, concluded=True,
        concluded_on=(event.concluded_on.isoformat() if event.concluded_on else day_of(at))))]


# ---- reporting's own: issued versions ----

@projects(ReportIssued)
def report_issued(event: ReportIssued, at: str) -> list[Change]:
    """The versions of each report that were issued, for the list of reports."""
    version = {"as_of": event.as_of.isoformat(), "symbol": event.symbol, "issued_at": at}

    def add_version(before):
        before = before or {}
        return {**before, "versions": {**before.get("versions", {}), str(event.version): version}}
    return [Revise("issued", {"entity": ETHICS_OFFICE, "report": event.report.value,
                              "key": event.key}, add_version)]
