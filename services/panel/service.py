"""Panel: the Ethics Panel's members, meetings, consultations, reviews of members' annual reports
and the chair's reviews of retaliation determinations. Entrypoints only: require the actor,
validate the input with its contract, call a use case, answer.

Who does what: the chair (`panel_chair`) convenes, records and approves meetings, opens, extends
and concludes consultations, concludes report reviews and conducts chair reviews; a
`panel_member` acts for its own entity only; admin may do anything (`require` admits it).
"""
from nameko.rpc import rpc

from shared.auth import READ_ALL, require
from shared.contracts import panel as c
from shared.contracts.common import EntityCode, Role
from shared.dependencies import UnitOfWork
from shared.kernel.errors import checked, located, validated
from shared.rpc import answer
from shared.service import ServiceBase

from . import use_cases as uc
from .gauges import PanelGauges
from .store import PanelUnitOfWork

CHAIR = [Role.panel_chair]
MEMBERSHIP = [Role.panel_chair, Role.ethics_office]
READERS = READ_ALL | {Role.panel_chair, Role.panel_member}
MEMBER_OR_CHAIR = [Role.panel_chair, Role.panel_member]
REPORT_SUBMITTERS = [Role.panel_chair, Role.ethics_office, Role.panel_member]


class PanelService(ServiceBase):
    name = "panel"
    uow = UnitOfWork(PanelUnitOfWork)
    gauges = PanelGauges()

    # ---- members ----

    @rpc
    def join_member(self, actor, entity, member):
        uow = self.uow(require(actor, MEMBERSHIP))
        with located(path=("entity",)):
            return answer(uc.join_member(uow, uc.Step(checked(EntityCode, entity, "entity"),
                                                      validated(c.MemberIn, member))))

    @rpc
    def leave_member(self, actor, entity, body=None):
        return self._step(actor, MEMBERSHIP, uc.leave_member, entity, c.StepDate, body,
                          key="entity")

    @rpc
    def get_member(self, actor, entity):
        return self._one(actor, uc.get_member, entity, key="entity")

    @rpc
    def list_members(self, actor, query=None):
        return self._list(actor, uc.list_members, c.MemberQuery, query)

    # ---- meetings ----

    @rpc
    def convene_meeting(self, actor, meeting):
        return self._new(actor, CHAIR, uc.convene_meeting, c.MeetingIn, meeting)

    @rpc
    def reschedule_meeting(self, actor, meeting_id, change):
        return self._step(actor, CHAIR, uc.reschedule_meeting, meeting_id, c.MeetingReschedule,
                          change)

    @rpc
    def cancel_meeting(self, actor, meeting_id, body=None):
        return self._step(actor, CHAIR, uc.cancel_meeting, meeting_id, c.StepDate, body)

    @rpc
    def record_meeting(self, actor, meeting_id, record):
        return self._step(actor, CHAIR, uc.record_meeting, meeting_id, c.MeetingRecordIn, record)

    @rpc
    def approve_meeting(self, actor, meeting_id, body=None):
        return self._step(actor, CHAIR, uc.approve_meeting, meeting_id, c.StepDate, body)

    @rpc
    def get_meeting(self, actor, meeting_id):
        return self._one(actor, uc.get_meeting, meeting_id)

    @rpc
    def list_meetings(self, actor, query=None):
        return self._list(actor, uc.list_meetings, c.MeetingQuery, query)

    # ---- consultations ----

    @rpc
    def open_consultation(self, actor, consultation):
        """The chair opens a consultation; a member's becomes a proposal for the chair to accept."""
        return self._new(actor, MEMBER_OR_CHAIR, uc.open_consultation, c.ConsultationIn,
                         consultation)

    @rpc
    def accept_consultation(self, actor, consultation_id, acceptance=None):
        return self._step(actor, CHAIR, uc.accept_consultation, consultation_id,
                          c.ConsultationAcceptance, acceptance)

    @rpc
    def decline_consultation(self, actor, consultation_id, body=None):
        return self._step(actor, CHAIR, uc.decline_consultation, consultation_id, c.StepDate,
                          body)

    @rpc
    def submit_position(self, actor, consultation_id, position):
        return self._step(actor, MEMBER_OR_CHAIR, uc.submit_position, consultation_id,
                          c.PositionIn, position)

    @rpc
    def extend_consultation(self, actor, consultation_id, extension):
        return self._step(actor, CHAIR, uc.extend_consultation, consultation_id,
                          c.ConsultationExtension, extension)

    @rpc
    def conclude_consultation(self, actor, consultation_id, conclusion):
        return self._step(actor, CHAIR, uc.conclude_consultation, consultation_id,
                          c.ConsultationConclusionIn, conclusion)

    @rpc
    def get_consultation(self, actor, consultation_id):
        return self._one(actor, uc.get_consultation, consultation_id)

    @rpc
    def list_consultations(self, actor, query=None):
        return self._list(actor, uc.list_consultations, c.ConsultationQuery, query)

    @rpc
    def topics(self, actor, query):
        """The topics the Panel consulted on in a period (`{"period": ...}`), with their tags."""
        return self._list(actor, uc.topics, c.PeriodQuery, query)

    # ---- reviews of members' annual reports ----

    @rpc
    def submit_report_review(self, actor, review):
        return self._new(actor, REPORT_SUBMITTERS, uc.submit_report_review, c.ReportReviewIn,
                         review)

    @rpc
    def comment_report_review(self, actor, review_id, comment):
        return self._step(actor, MEMBER_OR_CHAIR, uc.comment_report_review, review_id,
                          c.ReportReviewComment, comment)

    @rpc
    def conclude_report_review(self, actor, review_id, conclusion=None):
        return self._step(actor, CHAIR, uc.conclude_report_review, review_id,
                          c.ReportReviewConclusionIn, conclusion)

    @rpc
    def get_report_review(self, actor, review_id):
        return self._one(actor, uc.get_report_review, review_id)

    @rpc
    def list_report_reviews(self, actor, query=None):
        return self._list(actor, uc.list_report_reviews, c.ReportReviewQuery, query)

    # ---- the chair's reviews of members' retaliation determinations ----

    @rpc
    def request_chair_review(self, actor, review):
        return self._new(actor, CHAIR, uc.request_chair_review, c.ChairReviewIn, review)

    @rpc
    def start_chair_review(self, actor, review_id, body=None):
        return self._step(actor, CHAIR, uc.start_chair_review, review_id, c.StepDate, body)

    @rpc
    def conclude_chair_review(self, actor, review_id, conclusion):
        return self._step(actor, CHAIR, uc.conclude_chair_review, review_id,
                          c.ChairReviewConclusionIn, conclusion)

    @rpc
    def get_chair_review(self, actor, review_id):
        return self._one(actor, uc.get_chair_review, review_id)

    @rpc
    def list_chair_reviews(self, actor, query=None):
        return self._list(actor, uc.list_chair_reviews, c.ChairReviewQuery, query)

    # ---- the shapes of the entrypoints ----

    def _new(self, actor, roles, use_case, model, body):
        """A new record from a body."""
        uow = self.uow(require(actor, roles))
        with located():
            return answer(use_case(uow, validated(model, body)))

    def _step(self, actor, roles, use_case, record_id, model, body, key="id"):
        """A step on the record `record_id` (the path's `key`), with a body (None: {})."""
        uow = self.uow(require(actor, roles))
        with located(path=(key,)):
            return answer(use_case(uow, uc.Step(checked(str, record_id, key),
                                                validated(model, body or {}))))

    def _one(self, actor, use_case, record_id, key="id"):
        uow = self.uow(require(actor, READERS))
        with located(path=(key,)):
            return answer(use_case(uow, checked(str, record_id, key)))

    def _list(self, actor, use_case, model, query):
        """A list (or the topics): `query` is the query string's parameters."""
        uow = self.uow(require(actor, READERS))
        with located(where="query"):
            return answer(use_case(uow, validated(model, query or {})))
