"""Intake: the directory of entities, service requests, activities, retaliation inquiries and
annual figures. Entrypoints only: unpack the contract, check the actor, call domain and store."""
import datetime as dt

import eventlet
from nameko.rpc import rpc
from pydantic import TypeAdapter, ValidationError

from shared.auth import READ_ALL, require, require_entity
from shared.contracts.common import EntityCode, Period, Role
from shared.contracts.directory import Entity
from shared.contracts.intake import (MAX_BATCH_ROWS, ActivityIn, ActivityQuery, AnnualFigures,
                                     DecisionIn, InquiryIn, InquiryQuery, ServiceRequestIn,
                                     ServiceRequestQuery)
from shared.errors import Invalid, NotFound, PayloadTooLarge, errors_from_validation
from shared.service import ServiceBase
from shared.storage import Storage

from . import domain
from .metrics import ANNUAL_FIGURES_SUBMITTED, OverdueReviewsMetric
from .store import IntakeRepository

DIRECTORY_READERS = READ_ALL | {Role.focal_point, Role.panel_chair, Role.panel_member,
                                Role.reviewer, Role.filer}
WRITERS = {Role.ethics_office, Role.focal_point}
READERS = READ_ALL | {Role.focal_point}
FIGURE_WRITERS = WRITERS | {Role.panel_member}  # a member office's head submits its figures
FIGURE_READERS = READERS | {Role.panel_member, Role.panel_chair}
ROWS_PER_PASS = 1000  # rows validated between two yields to the event loop
ENTITY_CODE, PERIOD = TypeAdapter(EntityCode), TypeAdapter(Period)


def today() -> dt.date:
    return dt.date.today()


class IntakeService(ServiceBase):
    name = "intake"
    storage = Storage(IntakeRepository)
    overdue_reviews = OverdueReviewsMetric()

    # the directory

    @rpc
    def register_entity(self, actor, entity):
        actor = require(actor, [Role.ethics_office])
        return self.storage.as_actor(actor).register_entity(Entity.model_validate(entity))

    @rpc
    def get_entity(self, actor, code):
        require(actor, DIRECTORY_READERS)
        found = self.storage.get_entity(code)
        if not found:
            raise NotFound(f"no entity {code}")
        return found

    @rpc
    def list_entities(self, actor):
        require(actor, DIRECTORY_READERS)
        return self.storage.list_entities()

    # service requests

    @rpc
    def log_service_request(self, actor, request):
        actor = require(actor, WRITERS)
        record = self._single(actor, ServiceRequestIn, request, domain.request_problems)
        return {"id": self.storage.as_actor(actor).log_service_requests([record], single=True)[0]}

    @rpc
    def log_service_requests(self, actor, items):
        """A batch: valid rows are stored together, every other row is reported with reasons."""
        actor = require(actor, WRITERS)
        rows = self._sort_batch(actor, items, ServiceRequestIn, domain.request_problems)
        self.storage.as_actor(actor).log_service_requests([r for _, r in rows.accepted])
        return {"accepted": len(rows.accepted), "rejected": rows.rejected}

    @rpc
    def get_service_request(self, actor, request_id):
        actor = require(actor, READERS)
        found = self.storage.as_actor(actor).get_service_request(request_id)
        if not found:
            raise NotFound(f"no service request {request_id}")
        return found

    @rpc
    def list_service_requests(self, actor, query):
        actor = require(actor, READERS)
        q = self._query(actor, ServiceRequestQuery, query)
        return self.storage.as_actor(actor).list_service_requests(
            _filters(q, "entity", "period", "category"), domain.page_size(q.limit), q.cursor)

    # activities

    @rpc
    def record_activity(self, actor, activity):
        actor = require(actor, WRITERS)
        record = self._single(actor, ActivityIn, activity, domain.activity_problems)
        return {"id": self.storage.as_actor(actor).record_activities([record])[0]}

    @rpc
    def record_activities(self, actor, items):
        actor = require(actor, WRITERS)
        rows = self._sort_batch(actor, items, ActivityIn, domain.activity_problems)
        self.storage.as_actor(actor).record_activities([r for _, r in rows.accepted])
        return {"accepted": len(rows.accepted), "rejected": rows.rejected}

    @rpc
    def list_activities(self, actor, query):
        actor = require(actor, READERS)
        q = self._query(actor, ActivityQuery, query)
        return self.storage.as_actor(actor).list_activities(
            _filters(q, "entity", "period", "kind"), domain.page_size(q.limit), q.cursor)

    # retaliation inquiries

    @rpc
    def receive_retaliation_inquiry(self, actor, inquiry):
        actor = require(actor, WRITERS)
        record = self._single(actor, InquiryIn, inquiry, lambda r, day: domain.not_in_future(
            "received_on", r.received_on, day))
        inquiry_id = self.storage.as_actor(actor).receive_inquiry(record.entity,
                                                                  record.received_on)
        return {"id": inquiry_id, "status": "received"}

    @rpc
    def decide_retaliation_inquiry(self, actor, inquiry_id, decision):
        actor = require(actor, WRITERS)
        move = _validated(DecisionIn, decision)
        decided = self.storage.as_actor(actor).decide_inquiry(
            inquiry_id, move.decision, move.decided_on, today())
        if decided is None:
            raise NotFound(f"no retaliation inquiry {inquiry_id}")
        return decided

    @rpc
    def get_retaliation_inquiry(self, actor, inquiry_id):
        actor = require(actor, READERS)
        found = self.storage.as_actor(actor).get_inquiry(inquiry_id, today())
        if not found:
            raise NotFound(f"no retaliation inquiry {inquiry_id}")
        return found

    @rpc
    def list_retaliation_inquiries(self, actor, query):
        actor = require(actor, READERS)
        q = self._query(actor, InquiryQuery, query)
        return self.storage.as_actor(actor).list_inquiries(
            _filters(q, "entity", "period", "status"), q.overdue, today(),
            domain.page_size(q.limit), q.cursor)

    # annual figures

    @rpc
    def submit_annual_figures(self, actor, entity, period, figures):
        """A new version of an entity's figures for a period: {version, created}; the same
        figures as the latest version change nothing."""
        actor = require(actor, FIGURE_WRITERS, entity=entity)
        self._check_figures_key(entity, period)
        if not domain.period_started(period, today()):
            raise Invalid.field(["path", "period"], f"{period} has not started yet")
        submitted = _validated(AnnualFigures, figures)
        problems = domain.figures_problems(submitted)
        if problems:
            raise Invalid("the figures do not add up", _under("body", problems))
        version, created = self.storage.as_actor(actor).submit_figures(entity, period, submitted)
        if created:
            ANNUAL_FIGURES_SUBMITTED.labels(entity).inc()
        return {"version": version, "created": created}

    @rpc
    def annual_figures(self, actor, entity, period):
        require(actor, FIGURE_READERS, entity=entity)
        found = self.storage.figure_versions(entity, period, latest_only=True)
        if not found:
            raise NotFound(f"no annual figures of {entity} for {period}")
        return found[0]

    @rpc
    def annual_figure_versions(self, actor, entity, period):
        require(actor, FIGURE_READERS, entity=entity)
        found = self.storage.figure_versions(entity, period)
        if not found:
            raise NotFound(f"no annual figures of {entity} for {period}")
        return found

    # helpers

    def _single(self, actor, model, data, check):
        """One record: 403 for another entity's, 422 naming the field for anything invalid."""
        record = _validated(model, data)
        require_entity(actor, record.entity)
        problems = domain.entity_problems(record.entity, self._entity_known, actor)
        problems += check(record, today())
        if problems:
            raise Invalid("invalid values", _under("body", problems))
        return record

    def _entity_known(self, code) -> bool:
        return self.storage.get_entity(code) is not None

    def _sort_batch(self, actor, items, model, check) -> domain.SortedRows:
        if not isinstance(items, list):
            raise Invalid.field(["body", "items"], "must be a list")
        if len(items) > MAX_BATCH_ROWS:
            raise PayloadTooLarge(f"{len(items)} rows; a batch holds at most {MAX_BATCH_ROWS}")
        known, day = self.storage.entity_codes(), today()

        def row_check(record):
            return (domain.entity_problems(record.entity, known.__contains__, actor)
                    or check(record, day))
        rows = domain.SortedRows()
        for start in range(0, len(items), ROWS_PER_PASS):
            domain.sort_rows(items[start:start + ROWS_PER_PASS], model, row_check,
                             first_row=start + 1, into=rows)
            eventlet.sleep(0)
        return rows

    def _query(self, actor, model, query):
        try:
            q = model.model_validate(query or {})
        except ValidationError as exc:
            raise Invalid("invalid query", errors_from_validation(exc, ("query",)))
        if q.entity is not None:
            require_entity(actor, q.entity)
        return q

    def _check_figures_key(self, entity, period):
        for name, adapter, value in (("entity", ENTITY_CODE, entity), ("period", PERIOD, period)):
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                raise Invalid.field(["path", name], exc.errors()[0]["msg"])
        if not self._entity_known(entity):
            raise Invalid.field(["path", "entity"], f"no entity {entity} in the directory")


def _validated(model, data):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid("invalid values", errors_from_validation(exc, ("body",)))


def _under(prefix: str, problems: list[dict]) -> list[dict]:
    return [{"loc": [prefix, *p["loc"]], "msg": p["msg"]} for p in problems]


def _filters(query, *names) -> dict:
    return {n: getattr(getattr(query, n), "value", getattr(query, n))
            for n in names if getattr(query, n) is not None}

