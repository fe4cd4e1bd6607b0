"""Intake: the directory of entities, service requests, activities, retaliation inquiries and
annual figures. Entrypoints only: require the actor, unpack the contract, call a use case."""
import datetime as dt
from typing import Optional

from nameko.rpc import rpc

from shared.auth import READ_ALL, require
from shared.contracts.common import EntityCode, Period, Role
from shared.contracts.directory import Entity
from shared.contracts.intake import (ActivityIn, ActivityQuery, AnnualFigures, DecisionIn,
                                     InquiryIn, InquiryQuery, InquiryStatus, NoteIn,
                                     ProtectionMeasureIn, ServiceRequestIn,
                                     ServiceRequestQuery)
from shared.dependencies import UnitOfWork
from shared.kernel.errors import Invalid, checked, located, refuse, validated
from shared.rpc import answer
from shared.service import ServiceBase

from . import use_cases as uc
from .metrics import ANNUAL_FIGURES_SUBMITTED, OverdueReviewsMetric
from .store import IntakeUnitOfWork

DIRECTORY_READERS = READ_ALL | {Role.focal_point, Role.panel_chair, Role.panel_member,
                                Role.reviewer, Role.filer}
WRITERS = {Role.ethics_office, Role.focal_point}
READERS = READ_ALL | {Role.focal_point}
FIGURE_WRITERS = WRITERS | {Role.panel_member}  # a member office's head submits its figures
FIGURE_READERS = READERS | {Role.panel_member, Role.panel_chair}
FIGURES_KEY = ("entity", "period")


class IntakeService(ServiceBase):
    name = "intake"
    uow = UnitOfWork(IntakeUnitOfWork)
    overdue_reviews = OverdueReviewsMetric()

    # the directory

    @rpc
    def register_entity(self, actor, entity):
        actor = require(actor, [Role.ethics_office])
        with located(path=("code",)):
            return answer(uc.register_entity(self.uow(actor), validated(Entity, entity)))

    @rpc
    def get_entity(self, actor, code):
        return answer(uc.get_entity(self.uow(require(actor, DIRECTORY_READERS)), code))

    @rpc
    def list_entities(self, actor):
        return answer(uc.list_entities(self.uow(require(actor, DIRECTORY_READERS))))

    # service requests

    @rpc
    def log_service_request(self, actor, request):
        uow = self.uow(require(actor, WRITERS))
        with located():
            return answer(uc.log_service_request(uow, validated(ServiceRequestIn, request)))

    @rpc
    def log_service_requests(self, actor, items):
        """A batch: valid rows are stored together, every other row is reported with reasons."""
        return uc.log_service_requests(self.uow(require(actor, WRITERS)), items)

    @rpc
    def get_service_request(self, actor, request_id):
        return answer(uc.get_service_request(self.uow(require(actor, READERS)), request_id))

    @rpc
    def list_service_requests(self, actor, query):
        uow = self.uow(require(actor, READERS))
        return answer(uc.list_service_requests(uow, _list_query(
            ServiceRequestQuery, query, "entity", "period", "category")))

    # activities

    @rpc
    def record_activity(self, actor, activity):
        uow = self.uow(require(actor, WRITERS))
        with located():
            return answer(uc.record_activity(uow, validated(ActivityIn, activity)))

    @rpc
    def record_activities(self, actor, items):
        return uc.record_activities(self.uow(require(actor, WRITERS)), items)

    @rpc
    def list_activities(self, actor, query):
        uow = self.uow(require(actor, READERS))
        return answer(uc.list_activities(uow, _list_query(ActivityQuery, query, "entity",
                                                          "period", "kind")))

    # retaliation inquiries

    @rpc
    def receive_retaliation_inquiry(self, actor, inquiry):
        uow = self.uow(require(actor, WRITERS))
        with located():
            return answer(uc.receive_inquiry(uow, validated(InquiryIn, inquiry)))

    @rpc
    def decide_retaliation_inquiry(self, actor, inquiry_id, decision):
        uow = self.uow(require(actor, WRITERS))
        with located():
            move = validated(DecisionIn, decision)
            return answer(uc.decide_inquiry(uow, uc.DecideInquiry(inquiry_id, move.decision,
                                                                  move.decided_on)))

    @rpc
    def add_retaliation_note(self, actor, inquiry_id, note):
        uow = self.uow(require(actor, WRITERS))
        with located():
            body = validated(NoteIn, note)
            return answer(uc.add_inquiry_note(uow, uc.AddNote(inquiry_id, body.text,
                                                              body.noted_on)))

    @rpc
    def record_protection_measure(self, actor, inquiry_id, measure):
        uow = self.uow(require(actor, WRITERS))
        with located():
            body = validated(ProtectionMeasureIn, measure)
            return answer(uc.record_protection_measure(uow, uc.ProtectComplainant(
                inquiry_id, body.measure, body.decided_on)))

    @rpc
    def retaliation_queue(self, actor, status=None):
        """The open inquiries (or those of `status`), those overdue or due soon first."""
        uow = self.uow(require(actor, READERS))
        return answer(uc.inquiry_queue(uow, checked(Optional[InquiryStatus], status or None,
                                                    "status")))

    @rpc
    def get_retaliation_inquiry(self, actor, inquiry_id):
        return answer(uc.get_inquiry(self.uow(require(actor, READERS)), inquiry_id))

    @rpc
    def list_retaliation_inquiries(self, actor, query):
        uow = self.uow(require(actor, READERS))
        return answer(uc.list_inquiries(uow, _list_query(InquiryQuery, query, "entity",
                                                         "period", "status")))

    # annual figures

    @rpc
    def check_annual_figures(self, actor, entity, period, figures):
        """What would refuse these figures, without saving them: `[{loc, msg}]`."""
        uow = self.uow(require(actor, FIGURE_WRITERS, entity=entity))
        try:
            with located(path=FIGURES_KEY):
                refuse(uc.check_annual_figures(uow, _figures(entity, period, figures)))
        except Invalid as exc:
            return exc.errors
        return []

    @rpc
    def submit_annual_figures(self, actor, entity, period, figures, submitted_on=None):
        """A new version of an entity's figures for a period: {version, created}."""
        uow = self.uow(require(actor, FIGURE_WRITERS, entity=entity))
        with located(path=FIGURES_KEY, query=("submitted_on",)):
            submitted = uc.submit_annual_figures(uow, _figures(entity, period, figures,
                                                               submitted_on))
        if submitted["created"]:
            ANNUAL_FIGURES_SUBMITTED.labels(entity).inc()
        return submitted

    @rpc
    def annual_figures(self, actor, entity, period):
        uow = self.uow(require(actor, FIGURE_READERS, entity=entity))
        return answer(uc.annual_figures(uow, entity, period))

    @rpc
    def annual_figure_versions(self, actor, entity, period):
        uow = self.uow(require(actor, FIGURE_READERS, entity=entity))
        return answer(uc.annual_figure_versions(uow, entity, period))

    @rpc
    def periods_with_records(self, actor, entity=None):
        """The periods of which intake holds the entity's records (any entity's for those who
        read every entity's), newest first."""
        uow = self.uow(require(actor, FIGURE_READERS if entity else READ_ALL, entity=entity))
        with located(path=("entity",)):
            return uc.periods_with_records(uow, checked(Optional[EntityCode], entity, "entity"))


def _figures(entity, period, figures, submitted_on=None) -> uc.SubmitFigures:
    return uc.SubmitFigures(checked(EntityCode, entity, "entity"),
                            checked(Period, period, "period"),
                            validated(AnnualFigures, figures),
                            checked(Optional[dt.date], submitted_on or None, "submitted_on"))


def _list_query(model, query, *names) -> uc.ListQuery:
    with located(where="query"):
        q = validated(model, query or {})
    filters = {n: getattr(getattr(q, n), "value", getattr(q, n))
               for n in names if getattr(q, n) is not None}
    return uc.ListQuery(filters, q.limit, q.cursor, getattr(q, "overdue", None))
