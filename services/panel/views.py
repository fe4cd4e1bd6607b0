"""The panel service's answers: domain records shown as the contracts in shared/contracts."""
import datetime as dt

from shared.contracts import panel as contracts

from .domain import ChairReview, Consultation, Meeting, Membership, ReportReview


def member(m: Membership) -> contracts.Member:
    return contracts.Member(entity=m.entity, head=m.head, status=m.status, joined_on=m.joined_on,
                            left_on=m.left_on, contacts=m.contacts)


def meeting(m: Meeting) -> contracts.Meeting:
    return contracts.Meeting(
        id=m.id, kind=m.kind, status=m.status, scheduled_for=m.scheduled_for, agenda=m.agenda,
        convened_on=m.convened_on, invited=m.invited, period=m.period, held_on=m.held_on,
        attendees=m.attendees, decisions=m.decisions, minutes=m.minutes,
        approved_on=m.approved_on, cancelled_on=m.cancelled_on)


def consultation(c: Consultation, today: dt.date,
                 with_positions: bool = False) -> contracts.Consultation:
    positions = None
    if with_positions:
        positions = [contracts.Position(entity=e, position=p.position,
                                        first_submitted_on=p.first_submitted_on,
                                        submitted_on=p.submitted_on, versions=p.versions)
                     for e, p in sorted(c.positions.items())]
    return contracts.Consultation(
        id=c.id, topic=c.topic, tags=c.tags, question=c.question, status=c.status,
        respond_by=c.respond_by, proposed_by=c.proposed_by, proposed_on=c.proposed_on,
        opened_on=c.opened_on, period=c.period, past_answer_date=c.past_answer_date(today),
        answered=c.answered, not_answered=c.not_answered, outcome=c.outcome,
        guidance=c.guidance, concluded_on=c.concluded_on, positions=positions)


def position(c: Consultation, entity: str) -> contracts.PositionRecorded:
    """The position `entity` holds now; it amends an earlier one from its second version on."""
    p = c.positions[entity]
    return contracts.PositionRecorded(consultation_id=c.id, entity=entity, amended=p.versions > 1,
                                      submitted_on=p.submitted_on, versions=p.versions,
                                      respond_by=c.respond_by)


def report_review(r: ReportReview) -> contracts.ReportReview:
    return contracts.ReportReview(
        id=r.id, entity=r.entity, period=r.period, document=r.document,
        figures_version=r.figures_version, status=r.status, submitted_on=r.submitted_on,
        comments=[contracts.Comment(by=x.by, comment=x.comment, on=x.on) for x in r.comments],
        summary=r.summary, concluded_on=r.concluded_on)


def chair_review(r: ChairReview, today: dt.date) -> contracts.ChairReview:
    return contracts.ChairReview(
        id=r.id, entity=r.entity, case_ref=r.case_ref, status=r.status,
        requested_on=r.requested_on, period=r.period,
        determination_notified_on=r.determination_notified_on,
        requested_in_time=r.requested_in_time, due_on=r.due_on, overdue=r.overdue(today),
        review_started_on=r.review_started_on, outcome=r.outcome, reasons=r.reasons,
        concluded_on=r.concluded_on, concluded_in_time=r.concluded_in_time)
