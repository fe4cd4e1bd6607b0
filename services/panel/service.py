"""Panel: the Ethics Panel's members, meetings, consultations, reviews of members' annual reports
and the chair's reviews of retaliation determinations. Entrypoints only: check the actor, unpack
the contract, let domain.py decide, store the record with its events.

Who does what: the chair (`panel_chair`) convenes, records and approves meetings, opens, extends
and concludes consultations, concludes report reviews and conducts chair reviews; a
`panel_member` acts for its own entity only; admin may do anything (`require` admits it).
"""
import datetime as dt

from nameko.rpc import rpc

from shared.auth import READ_ALL, require, require_entity
from shared.contracts import panel as c
from shared.contracts.common import ETHICS_OFFICE, Role
from shared.service import ServiceBase
from shared.storage import Storage

from . import domain, views
from .gauges import PanelGauges
from .store import PanelRepository, new_id

CHAIR = [Role.panel_chair]
MEMBERSHIP = [Role.panel_chair, Role.ethics_office]
READERS = READ_ALL | {Role.panel_chair, Role.panel_member}
MEMBER_OR_CHAIR = [Role.panel_chair, Role.panel_member]
REPORT_SUBMITTERS = [Role.panel_chair, Role.ethics_office, Role.panel_member]
MAY_BACKDATE = {Role.admin, Role.ethics_office, Role.panel_chair}
EO = ETHICS_OFFICE


def today() -> dt.date:
    return dt.date.today()


def day_of(given, actor, field_name: str = "on") -> dt.date:
    return domain.day_of_step(given, today(), actor.role in MAY_BACKDATE, field_name)


def _limit(limit) -> int:
    return max(1, min(int(limit or 100), 1000))


class PanelService(ServiceBase):
    name = "panel"
    storage = Storage(PanelRepository)
    gauges = PanelGauges()

    def _write(self, actor, collection, record_id, step, action, new=False):
        return self.storage.as_actor(actor).write(collection, record_id, step, action, new=new)

    # ---- members ----

    @rpc
    def join_member(self, actor, entity, member):
        actor = require(actor, MEMBERSHIP)
        body = c.MemberIn.model_validate(member)
        joined_on = day_of(body.joined_on, actor, "joined_on")

        def step(existing, members):
            record, changed = domain.Membership.join(existing, entity, body.head, joined_on)
            if not changed:
                return None
            return record, [(c.PanelMemberJoined(entity=entity, head=record.head), entity)]
        return views.member(self._write(actor, "members", entity, step, "join_member", new=True))

    @rpc
    def leave_member(self, actor, entity, body=None):
        actor = require(actor, MEMBERSHIP)
        left_on = day_of(c.StepDate.model_validate(body or {}).on, actor)

        def step(record, members):
            record.leave(left_on)
            return record, [(c.PanelMemberLeft(entity=entity), entity)]
        return views.member(self._write(actor, "members", entity, step, "leave_member"))

    @rpc
    def get_member(self, actor, entity):
        require(actor, READERS)
        return views.member(self.storage.get("members", entity))

    @rpc
    def list_members(self, actor, status=None, limit=100, cursor=None):
        require(actor, READERS)
        query = {"status": c.MemberStatus(status).value} if status else {}
        records, after = self.storage.page("members", query, _limit(limit), cursor)
        return views.page(records, after, views.member)

    # ---- meetings ----

    @rpc
    def convene_meeting(self, actor, meeting):
        actor = require(actor, CHAIR)
        body = c.MeetingIn.model_validate(meeting)
        convened_on = day_of(body.convened_on, actor, "convened_on")
        meeting_id = new_id()

        def step(_, members):
            m = domain.Meeting.convene(meeting_id, body.kind, body.scheduled_for, body.agenda,
                                       convened_on, members)
            return m, [(c.MeetingConvened(id=m.id, kind=m.kind, scheduled_for=m.scheduled_for,
                                          agenda=m.agenda, invited=m.invited), EO)]
        return views.meeting(self._write(actor, "meetings", meeting_id, step, "convene_meeting",
                                         new=True))

    @rpc
    def reschedule_meeting(self, actor, meeting_id, change):
        actor = require(actor, CHAIR)
        body = c.MeetingReschedule.model_validate(change)

        def step(m, members):
            m.reschedule(body.scheduled_for)
            return m, [(c.MeetingRescheduled(id=m.id, scheduled_for=m.scheduled_for), EO)]
        return views.meeting(self._write(actor, "meetings", meeting_id, step, "reschedule_meeting"))

    @rpc
    def cancel_meeting(self, actor, meeting_id, body=None):
        actor = require(actor, CHAIR)
        cancelled_on = day_of(c.StepDate.model_validate(body or {}).on, actor)

        def step(m, members):
            m.cancel(cancelled_on)
            return m, [(c.MeetingCancelled(id=m.id), EO)]
        return views.meeting(self._write(actor, "meetings", meeting_id, step, "cancel_meeting"))

    @rpc
    def record_meeting(self, actor, meeting_id, record):
        actor = require(actor, CHAIR)
        body = c.MeetingRecordIn.model_validate(record)

        def step(m, members):
            m.record(body.held_on, body.attendees, body.decisions, body.minutes, members, today())
            return m, [(c.MeetingRecorded(id=m.id, kind=m.kind, held_on=m.held_on,
                                          period=m.period, attendees=m.attendees,
                                          decisions=len(m.decisions)), EO)]
        return views.meeting(self._write(actor, "meetings", meeting_id, step, "record_meeting"))

    @rpc
    def approve_meeting(self, actor, meeting_id, body=None):
        actor = require(actor, CHAIR)
        approved_on = day_of(c.StepDate.model_validate(body or {}).on, actor)

        def step(m, members):
            m.approve(approved_on)
            return m, [(c.MeetingRecordApproved(id=m.id), EO)]
        return views.meeting(self._write(actor, "meetings", meeting_id, step, "approve_meeting"))

    @rpc
    def get_meeting(self, actor, meeting_id):
        require(actor, READERS)
        return views.meeting(self.storage.get("meetings", meeting_id))

    @rpc
    def list_meetings(self, actor, period=None, kind=None, status=None, limit=100, cursor=None):
        require(actor, READERS)
        query = {"entity": EO}
        if period:
            query["period"] = period
        if kind:
            query["kind"] = c.MeetingKind(kind).value
        if status:
            query["status"] = c.MeetingStatus(status).value
        records, after = self.storage.page("meetings", query, _limit(limit), cursor)
        return views.page(records, after, views.meeting)

    # ---- consultations ----

    @rpc
    def open_consultation(self, actor, consultation):
        """The chair opens a consultation; a member's becomes a proposal for the chair to accept."""
        actor = require(actor, MEMBER_OR_CHAIR)
        body = c.ConsultationIn.model_validate(consultation)
        on = day_of(body.opened_on, actor, "opened_on")
        consultation_id = new_id()

        def step(_, members):
            if actor.role is Role.panel_member:
                return domain.Consultation.propose(
                    consultation_id, body.topic, body.question, body.respond_by, body.tags,
                    actor.entity, on, members), []
            record = domain.Consultation.open_by_chair(
                consultation_id, body.topic, body.question, body.respond_by, body.tags, on,
                members)
            return record, [_opened(record)]
        record = self._write(actor, "consultations", consultation_id, step, "open_consultation",
                             new=True)
        return views.consultation(record, today())

    @rpc
    def accept_consultation(self, actor, consultation_id, acceptance=None):
        actor = require(actor, CHAIR)
        body = c.ConsultationAcceptance.model_validate(acceptance or {})
        on = day_of(body.on, actor)

        def step(record, members):
            record.accept(on, members, body.respond_by)
            return record, [_opened(record)]
        record = self._write(actor, "consultations", consultation_id, step, "accept_consultation")
        return views.consultation(record, today())

    @rpc
    def decline_consultation(self, actor, consultation_id, body=None):
        actor = require(actor, CHAIR)
        on = day_of(c.StepDate.model_validate(body or {}).on, actor)

        def step(record, members):
            record.decline(on)
            return record, []
        record = self._write(actor, "consultations", consultation_id, step, "decline_consultation")
        return views.consultation(record, today())

    @rpc
    def submit_position(self, actor, consultation_id, position):
        body = c.PositionIn.model_validate(position)
        actor = require(actor, MEMBER_OR_CHAIR, entity=body.entity)
        on = day_of(body.submitted_on, actor, "submitted_on")
        amended = []

        def step(record, members):
            amended[:] = [record.answer(body.entity, body.position, on, members)]
            return record, [(c.PositionSubmitted(consultation_id=record.id, entity=body.entity,
                                                 amended=amended[0], submitted_on=on),
                             body.entity)]
        record = self._write(actor, "consultations", consultation_id, step, "submit_position")
        return views.position(record, body.entity, amended[0])

    @rpc
    def extend_consultation(self, actor, consultation_id, extension):
        actor = require(actor, CHAIR)
        body = c.ConsultationExtension.model_validate(extension)

        def step(record, members):
            record.extend(body.respond_by)
            return record, [(c.ConsultationExtended(id=record.id, respond_by=record.respond_by),
                             EO)]
        record = self._write(actor, "consultations", consultation_id, step, "extend_consultation")
        return views.consultation(record, today())

    @rpc
    def conclude_consultation(self, actor, consultation_id, conclusion):
        actor = require(actor, CHAIR)
        body = c.ConsultationConclusionIn.model_validate(conclusion)
        on = day_of(body.concluded_on, actor, "concluded_on")

        def step(record, members):
            record.conclude(body.outcome, body.guidance, on)
            return record, [(c.ConsultationConcluded(
                id=record.id, topic=record.topic, period=record.period, concluded_on=on,
                answered=record.answered, not_answered=record.not_answered), EO)]
        record = self._write(actor, "consultations", consultation_id, step,
                             "conclude_consultation")
        return views.consultation(record, today())

    @rpc
    def get_consultation(self, actor, consultation_id):
        require(actor, READERS)
        return views.consultation(self.storage.get("consultations", consultation_id), today(),
                                  with_positions=True)

    @rpc
    def list_consultations(self, actor, period=None, status=None, tag=None, limit=100,
                           cursor=None):
        require(actor, READERS)
        query = {"entity": EO}
        if period:
            query["period"] = period
        if status:
            query["status"] = c.ConsultationStatus(status).value
        if tag:
            query["tags"] = tag.strip().lower()
        records, after = self.storage.page("consultations", query, _limit(limit), cursor)
        return views.page(records, after, lambda r: views.consultation(r, today()))

    @rpc
    def topics(self, actor, period):
        """The topics the Panel consulted on in `period`, with their tags."""
        require(actor, READERS)
        return domain.topics_of(self.storage.consultations_of(period))

    # ---- reviews of members' annual reports ----

    @rpc
    def submit_report_review(self, actor, review):
        body = c.ReportReviewIn.model_validate(review)
        actor = require(actor, REPORT_SUBMITTERS, entity=body.entity)
        on = day_of(body.submitted_on, actor, "submitted_on")
        review_id = new_id()

        def step(_, members):
            record = domain.ReportReview.submit(review_id, body.entity, body.period,
                                                body.document, body.figures_version, on, members)
            return record, [(c.ReportReviewSubmitted(id=record.id, entity=record.entity,
                                                     period=record.period, submitted_on=on),
                             record.entity)]
        return views.report_review(self._write(actor, "report_reviews", review_id, step,
                                               "submit_report_review", new=True))

    @rpc
    def comment_report_review(self, actor, review_id, comment):
        actor = require(actor, MEMBER_OR_CHAIR)
        body = c.ReportReviewComment.model_validate(comment)
        by = body.by or actor.entity or EO
        require_entity(actor, by)
        on = day_of(body.commented_on, actor, "commented_on")

        def step(record, members):
            record.comment(by, body.comment, on, members)
            return record, []
        return views.report_review(self._write(actor, "report_reviews", review_id, step,
                                               "comment_report_review"))

    @rpc
    def conclude_report_review(self, actor, review_id, conclusion=None):
        actor = require(actor, CHAIR)
        body = c.ReportReviewConclusionIn.model_validate(conclusion or {})
        on = day_of(body.concluded_on, actor, "concluded_on")

        def step(record, members):
            record.conclude(body.summary, on)
            return record, [(c.ReportReviewConcluded(id=record.id, entity=record.entity,
                                                     period=record.period, concluded_on=on),
                             record.entity)]
        return views.report_review(self._write(actor, "report_reviews", review_id, step,
                                               "conclude_report_review"))

    @rpc
    def get_report_review(self, actor, review_id):
        require(actor, READERS)
        return views.report_review(self.storage.get("report_reviews", review_id))

    @rpc
    def list_report_reviews(self, actor, entity=None, period=None, status=None, limit=100,
                            cursor=None):
        require(actor, READERS)
        query = {k: v for k, v in (("entity", entity), ("period", period)) if v}
        if status:
            query["status"] = c.ReportReviewStatus(status).value
        records, after = self.storage.page("report_reviews", query, _limit(limit), cursor)
        return views.page(records, after, views.report_review)

    # ---- the chair's reviews of members' retaliation determinations ----

    @rpc
    def request_chair_review(self, actor, review):
        actor = require(actor, CHAIR)
        body = c.ChairReviewIn.model_validate(review)
        review_id = new_id()

        def step(_, members):
            record = domain.ChairReview.request(
                review_id, body.entity, body.case_ref, body.requested_on,
                body.determination_notified_on, members, today())
            return record, [(c.ChairReviewRequested(id=record.id, entity=record.entity,
                                                    requested_on=record.requested_on,
                                                    period=record.period), record.entity)]
        record = self._write(actor, "chair_reviews", review_id, step, "request_chair_review",
                             new=True)
        return views.chair_review(record, today())

    @rpc
    def start_chair_review(self, actor, review_id, body=None):
        actor = require(actor, CHAIR)
        on = day_of(c.StepDate.model_validate(body or {}).on, actor)

        def step(record, members):
            record.start(on)
            return record, []
        return views.chair_review(self._write(actor, "chair_reviews", review_id, step,
                                              "start_chair_review"), today())

    @rpc
    def conclude_chair_review(self, actor, review_id, conclusion):
        actor = require(actor, CHAIR)
        body = c.ChairReviewConclusionIn.model_validate(conclusion)
        on = day_of(body.concluded_on, actor, "concluded_on")

        def step(record, members):
            record.conclude(body.outcome, body.reasons, on)
            # a record's period is the one it began in; the event also says when it ended
            return record, [(c.ChairReviewConcluded(
                id=record.id, entity=record.entity, period=record.period,
                outcome=record.outcome, concluded_on=on, due_on=record.due_on), record.entity)]
        return views.chair_review(self._write(actor, "chair_reviews", review_id, step,
                                              "conclude_chair_review"), today())

    @rpc
    def get_chair_review(self, actor, review_id):
        actor = require(actor, READERS)
        record = self.storage.get("chair_reviews", review_id)
        require_entity(actor, record.entity)
        return views.chair_review(record, today())

    @rpc
    def list_chair_reviews(self, actor, entity=None, status=None, limit=100, cursor=None):
        actor = require(actor, READERS)
        query = {"entity": entity} if entity else {}
        if status:
            query["status"] = c.ChairReviewStatus(status).value
        query = self.storage.as_actor(actor).scoped(query)
        records, after = self.storage.page("chair_reviews", query, _limit(limit), cursor)
        return views.page(records, after, lambda r: views.chair_review(r, today()))


def _opened(record) -> tuple:
    return (c.ConsultationOpened(id=record.id, topic=record.topic, tags=record.tags,
                                 respond_by=record.respond_by, opened_on=record.opened_on,
                                 period=record.period), EO)
