"""Intake's use cases: one function per command or question, `(uow, command) -> result`.

Each loads what it needs through the unit of work's repositories, asks the domain, saves, audits
and commits; the events the aggregates recorded go out with the commit. Results are contracts.
"""
import datetime as dt
from dataclasses import dataclass

from shared.auth import require_entity, scope_filter
from shared.contracts.common import Role
from shared.contracts.directory import Entity
from shared.contracts.intake import (ActivityIn, AnnualFigures, Created, Decision,
                                     InquiryCreated, InquiryStatus, Note, ProtectionMeasure,
                                     RetaliationInquiry, ServiceRequestIn, ServiceRequestRecord,
                                     SubmittedFigures)
from shared.kernel.batch import SortedRows, batch_items, sort_rows
from shared.kernel.errors import Invalid, NotFound, refuse
from shared.kernel.ids import new_id
from shared.kernel.pagination import Page, page_size
from shared.kernel.uow import retrying

from . import domain
from .domain import ActivityLog, DirectoryEntry, FiguresVersion, Inquiry, RequestLog

# who may record figures as submitted on an earlier day: those who load past records
BACKDATING = frozenset({Role.admin, Role.ethics_office})
QUEUE_MAX = 1000  # open inquiries are few; a queue shows them all


# ---- commands that join the path and the body ----

@dataclass(frozen=True)
class DecideInquiry:
    id: str
    decision: InquiryStatus
    decided_on: dt.date


@dataclass(frozen=True)
class AddNote:
    id: str
    text: str
    noted_on: dt.date


@dataclass(frozen=True)
class ProtectComplainant:
    id: str
    measure: str
    decided_on: dt.date


@dataclass(frozen=True)
class SubmitFigures:
    entity: str
    period: str
    figures: AnnualFigures
    submitted_on: dt.date | None = None  # an earlier day, for the Ethics Office loading them


@dataclass(frozen=True)
class ListQuery:
    """A validated list query (`shared.contracts.intake.*Query`) with the filters it sets."""
    filters: dict
    limit: int
    cursor: str | None = None
    overdue: bool | None = None


# ---- the directory ----

def register_entity(uow, entity: Entity) -> Entity:
    with uow:
        entry = DirectoryEntry.register(uow.entities.get(entity.code), entity)
        if entry is not None:
            uow.entities.save(entry)
            uow.audit("register_entity", f"entities/{entity.code}", entity=entity.code)
            uow.commit()
    return entity


def get_entity(uow, code: str) -> Entity:
    entry = uow.entities.get(code)
    if entry is None:
        raise NotFound(f"no entity {code}")
    return Entity(**entry.as_dict())


def list_entities(uow) -> list[Entity]:
    return [Entity(**e.as_dict()) for e in uow.entities.all()]


# ---- service requests and activities ----

def log_service_request(uow, request) -> Created:
    """One request (a `ServiceRequestIn`): Invalid naming the field for anything wrong."""
    _check_one(uow, request, domain.request_problems)
    with uow:
        log = RequestLog.of([request], [new_id()], single=True)
        _save_requests(uow, log)
    return Created(id=log.records[0].id)


def log_service_requests(uow, items: list) -> dict:
    """A batch: valid rows are stored together, every other row is reported with its reasons."""
    rows = _sort_batch(uow, items, ServiceRequestIn, domain.request_problems)
    if rows.accepted:
        with uow:
            log = RequestLog.of([r for _, r in rows.accepted],
                                [new_id() for _ in rows.accepted])
            _save_requests(uow, log)
    return rows.answer()


def _save_requests(uow, log: RequestLog):
    uow.requests.add(log)
    for records in domain._by_entity(log.records).values():
        uow.audit("log_service_requests", f"service-requests/{records[0].id}+{len(records)}",
                  entity=records[0].entity)
    uow.commit()


def get_service_request(uow, request_id: str) -> ServiceRequestRecord:
    found = uow.requests.get(request_id)
    if found is None or not _visible(uow, found.entity):
        raise NotFound(f"no service request {request_id}")
    return found


def list_service_requests(uow, query: ListQuery) -> Page:
    return uow.requests.page(_scoped(uow, query.filters), page_size(query.limit), query.cursor)


def record_activity(uow, activity) -> Created:
    _check_one(uow, activity, domain.activity_problems)
    with uow:
        log = ActivityLog.of([activity], [new_id()])
        _save_activities(uow, log)
    return Created(id=log.records[0].id)


def record_activities(uow, items: list) -> dict:
    rows = _sort_batch(uow, items, ActivityIn, domain.activity_problems)
    if rows.accepted:
        with uow:
            log = ActivityLog.of([r for _, r in rows.accepted], [new_id() for _ in rows.accepted])
            _save_activities(uow, log)
    return rows.answer()


def _save_activities(uow, log: ActivityLog):
    uow.activities.add(log)
    uow.audit_many("record_activity", [(f"activities/{r.id}", r.entity) for r in log.records])
    uow.commit()


def list_activities(uow, query: ListQuery) -> Page:
    return uow.activities.page(_scoped(uow, query.filters), page_size(query.limit), query.cursor)


# ---- retaliation inquiries ----

def receive_inquiry(uow, inquiry) -> InquiryCreated:
    """A request for protection against retaliation (an `InquiryIn`): no complainant's name."""
    _check_one(uow, inquiry, domain.inquiry_problems)
    with uow:
        received = Inquiry.receive(new_id(), inquiry.entity, inquiry.received_on)
        uow.inquiries.add(received)
        uow.audit("receive_retaliation_inquiry", f"retaliation-inquiries/{received.id}",
                  entity=received.entity)
        uow.commit()
    return InquiryCreated(id=received.id, status=received.status)


@retrying
def decide_inquiry(uow, command: DecideInquiry) -> RetaliationInquiry:
    with uow:
        before = _inquiry(uow, command.id)
        after = before.decide(command.decision, command.decided_on, uow.clock.today())
        uow.inquiries.save(before, after)
        uow.audit(f"decide_{after.status.value}", f"retaliation-inquiries/{after.id}",
                  entity=after.entity)
        uow.commit()
    return inquiry_view(after, uow.clock.today())


@retrying
def add_inquiry_note(uow, command: AddNote) -> RetaliationInquiry:
    """A dated note on the case file, written by the actor."""
    by = uow.actor.label or uow.actor.role.value
    return _add_to_file(uow, command.id, "add_retaliation_note", lambda before: before.add_note(
        command.text, command.noted_on, by, uow.clock.today()))


@retrying
def record_protection_measure(uow, command: ProtectComplainant) -> RetaliationInquiry:
    """An interim measure protecting the complainant; Conflict once the inquiry is closed."""
    return _add_to_file(uow, command.id, "record_protection_measure", lambda before: before.protect(
        command.measure, command.decided_on, uow.clock.today()))


def _add_to_file(uow, inquiry_id: str, action: str, entry) -> RetaliationInquiry:
    """The inquiry with `entry(before)` added to its case file, audited as `action`."""
    with uow:
        before = _inquiry(uow, inquiry_id)
        after = entry(before)
        uow.inquiries.add_to_file(before, after)
        uow.audit(action, f"retaliation-inquiries/{after.id}", entity=after.entity)
        uow.commit()
    return inquiry_view(after, uow.clock.today())


def get_inquiry(uow, inquiry_id: str) -> RetaliationInquiry:
    return inquiry_view(_inquiry(uow, inquiry_id), uow.clock.today())


def inquiry_queue(uow, status: InquiryStatus | None = None) -> list[RetaliationInquiry]:
    """The open inquiries (or those of `status`), those overdue or due soon first."""
    today = uow.clock.today()
    statuses = {InquiryStatus(status)} if status else domain.OPEN
    found = uow.inquiries.of_statuses(statuses, scope_filter(uow.actor), QUEUE_MAX)
    return [inquiry_view(i, today) for i in domain.queue_order(found, today)]


def _inquiry(uow, inquiry_id: str) -> Inquiry:
    found = uow.inquiries.get(inquiry_id)
    if found is None or not _visible(uow, found.entity):
        raise NotFound(f"no retaliation inquiry {inquiry_id}")
    return found


def list_inquiries(uow, query: ListQuery) -> Page:
    today = uow.clock.today()
    page = uow.inquiries.page(_scoped(uow, query.filters), page_size(query.limit), query.cursor,
                              query.overdue, domain.overdue_cutoff(today))
    return Page([inquiry_view(i, today) for i in page.items], page.next_cursor)


def overdue_reviews(uow) -> dict[str, int]:
    """Per entity with an open preliminary review, how many are overdue today."""
    today, counts = uow.clock.today(), dict[str, int]()
    for entity, opened in uow.inquiries.open_reviews():
        counts[entity] = counts.get(entity, 0) + domain.is_overdue(
            InquiryStatus.preliminary_review, opened, today)
    return counts


def inquiry_view(inquiry: Inquiry, today: dt.date) -> RetaliationInquiry:
    clock = inquiry.clock(today)
    return RetaliationInquiry(
        id=inquiry.id, entity=inquiry.entity, period=inquiry.period,
        received_on=inquiry.received_on, status=inquiry.status,
        decisions=[Decision(decision=d, decided_on=on, previous_status=p)
                   for d, on, p in inquiry.decisions],
        review_opened_on=inquiry.review_opened_on, due_on=clock.due_on,
        days_left=clock.days_left, due_soon=clock.due_soon, overdue=inquiry.overdue(today),
        closed=inquiry.closed, next_decisions=domain.next_decisions(inquiry.status),
        notes=[Note(text=n.text, noted_on=n.noted_on, by=n.by) for n in inquiry.notes],
        protection_measures=[ProtectionMeasure(measure=m.measure, decided_on=m.decided_on)
                             for m in inquiry.measures])


# ---- annual figures ----

def check_annual_figures(uow, command: SubmitFigures) -> list[dict]:
    """What would refuse these figures, without saving them: `[{loc, msg}]`, empty when none."""
    _check_figures_key(uow, command.entity)
    try:
        domain.check_submission(command.period, command.figures, uow.clock.today())
    except Invalid as exc:
        return exc.errors
    return []


def submit_annual_figures(uow, command: SubmitFigures) -> dict:
    """A new version of an entity's figures for a period: `{version, created}`; the same
    figures as the latest version change nothing."""
    require_entity(uow.actor, command.entity)
    _check_figures_key(uow, command.entity)
    with uow:
        latest = uow.figures.latest(command.entity, command.period)
        version = FiguresVersion.submit(
            latest, command.entity, command.period, command.figures, uow.clock.today(),
            uow.clock.now(), uow.actor.label or uow.actor.role.value, command.submitted_on,
            uow.actor.role in BACKDATING)
        if version is None:
            return {"version": latest.version, "created": False}
        uow.figures.add(version)
        uow.audit("submit_annual_figures",
                  f"annual-figures/{command.entity}/{command.period}/{version.version}",
                  entity=command.entity)
        uow.commit()
    return {"version": version.version, "created": True}


def annual_figures(uow, entity: str, period: str) -> SubmittedFigures:
    latest = uow.figures.latest(entity, period)
    if latest is None:
        raise NotFound(f"no annual figures of {entity} for {period}")
    return _submitted(latest)


def annual_figure_versions(uow, entity: str, period: str) -> list[SubmittedFigures]:
    found = uow.figures.versions(entity, period)
    if not found:
        raise NotFound(f"no annual figures of {entity} for {period}")
    return [_submitted(v) for v in found]


def periods_with_records(uow, entity: str | None) -> list[str]:
    """The periods of which intake holds records of `entity` (annual figures, service requests,
    activities, retaliation inquiries), or of any entity (None), newest first."""
    found = set().union(*(repository.periods(entity) for repository in (
        uow.figures, uow.requests, uow.activities, uow.inquiries)))
    return sorted(found, reverse=True)


def _submitted(version: FiguresVersion) -> SubmittedFigures:
    return SubmittedFigures(entity=version.entity, period=version.period,
                            version=version.version, submitted_at=version.submitted_at,
                            figures=version.figures)


def _check_figures_key(uow, entity: str):
    if uow.entities.get(entity) is None:
        raise Invalid.field("entity", f"no entity {entity} in the directory")


# ---- shared steps ----

def _visible(uow, entity: str) -> bool:
    return not uow.actor.entity_scoped or uow.actor.entity == entity


def _scoped(uow, filters: dict) -> dict:
    """A list's filters limited to what the actor may see; asking for another entity's
    records is Forbidden."""
    if filters.get("entity"):
        require_entity(uow.actor, filters["entity"])
    return {**filters, **scope_filter(uow.actor)}


def _check_one(uow, record, check):
    """One record: Forbidden for another entity's, Invalid naming the field for the rest."""
    require_entity(uow.actor, record.entity)
    problems = domain.entity_problems(record.entity, uow.entities.known(), uow.actor)
    refuse(problems + check(record, uow.clock.today()), "invalid values")


def _sort_batch(uow, items, model, check) -> SortedRows:
    items = batch_items(items)
    known, today, actor = uow.entities.known(), uow.clock.today(), uow.actor

    def row_check(record):
        return (domain.entity_problems(record.entity, known, actor)
                or check(record, today))
    return sort_rows(items, model, row_check)
