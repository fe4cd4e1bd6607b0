"""Intake's rules, in plain Python: the directory of entities, service requests and activities,
the retaliation inquiry's moves, and the consistency of annual figures.

Problems are `{loc, msg}` dicts whose `loc` is the path of the field inside the record; the
service's boundary says where the field came from (the body, the path).
"""
import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from shared.contracts.common import Actor
from shared.contracts.directory import Entity, EntityRegistered
from shared.contracts.intake import (ActivityRecord, ActivityRecorded, AnnualFigures,
                                     AnnualFiguresSubmitted, Category, InquiryStatus,
                                     ProtectionMeasureRecorded, RetaliationDecisionRecorded,
                                     RetaliationInquiryReceived, RetaliationNoteAdded,
                                     ServiceRequestBatchLogged, ServiceRequestLogged,
                                     ServiceRequestRecord)
from shared.contracts.periods import period_bounds, period_of, period_started
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Conflict, Forbidden, Invalid, problem, refuse

OVERDUE_AFTER_DAYS = 45
DUE_SOON_DAYS = 10


# ---- the directory of entities ----

@dataclass
class DirectoryEntry(Aggregate):
    code: str
    name: str
    category: str
    parent: str | None = None

    @classmethod
    def register(cls, existing: "DirectoryEntry | None", entity: Entity) -> "DirectoryEntry | None":
        """The entry after `entity` is registered, or None when it changes nothing (a repeated
        PUT is a no-op)."""
        wanted = entity.model_dump(mode="json")
        entry = cls(**wanted)
        if existing is not None and existing.as_dict() == entry.as_dict():
            return None
        entry.record(EntityRegistered(**entity.model_dump()), entity.code)
        return entry

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "category": self.category,
                "parent": self.parent}


# ---- who may act for which entity, and which entities exist ----

def entity_problems(entity: str, known: Callable[[str], bool], actor: Actor) -> list[dict]:
    if actor.entity_scoped and actor.entity != entity:
        return [problem("entity", f"a {actor.role.value} of {actor.entity} records for "
                                  f"{actor.entity} only")]
    if not known(entity):
        return [problem("entity", f"no entity {entity} in the directory")]
    return []


def not_in_future(loc: str, day: dt.date, today: dt.date) -> list[dict]:
    return [problem(loc, f"{day.isoformat()} is after today")] if day > today else []


# ---- service requests and activities ----

def request_problems(request, today: dt.date) -> list[dict]:
    """What is wrong with a `ServiceRequestIn` beyond its field types."""
    found = not_in_future("received_on", request.received_on, today)
    if request.category == Category.advice and request.advice_topic is None:
        found.append(problem("advice_topic", "an advice request needs an advice_topic"))
    if request.category != Category.advice and request.advice_topic is not None:
        found.append(problem("advice_topic", "only advice requests have an advice_topic"))
    return found


def activity_problems(activity, today: dt.date) -> list[dict]:
    return not_in_future("held_on", activity.held_on, today)


def inquiry_problems(inquiry, today: dt.date) -> list[dict]:
    return not_in_future("received_on", inquiry.received_on, today)


@dataclass
class RequestLog(Aggregate):
    """Service requests logged together: one event for a single entry, one per entity for a
    batch."""
    records: list[ServiceRequestRecord]

    @classmethod
    def of(cls, requests: Iterable, ids: Iterable[str], single: bool = False) -> "RequestLog":
        records = [ServiceRequestRecord.model_construct(
            id=i, period=period_of(r.received_on), **dict(r)) for r, i in zip(requests, ids)]
        log = cls(records)
        for entity, group in _by_entity(records).items():
            if single:
                log.record(ServiceRequestLogged.model_construct(**dict(group[0])), entity)
            else:
                log.record(ServiceRequestBatchLogged.model_construct(entity=entity,
                                                                     requests=group), entity)
        return log


@dataclass
class ActivityLog(Aggregate):
    records: list[ActivityRecord]

    @classmethod
    def of(cls, activities: Iterable, ids: Iterable[str]) -> "ActivityLog":
        records: list[ActivityRecord] = [
            ActivityRecorded(id=i, period=period_of(a.held_on), **dict(a))
            for a, i in zip(activities, ids)]
        log = cls(records)
        for record in records:
            log.record(record, record.entity)
        return log


def _by_entity(records) -> dict[str, list]:
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(record.entity, []).append(record)
    return groups


# ---- retaliation inquiries (ST/SGB/2005/21) ----

S = InquiryStatus
OPEN = frozenset({S.received, S.preliminary_review, S.prima_facie_referred})
MOVES: dict[InquiryStatus, frozenset[InquiryStatus]] = {
    S.received: frozenset({S.outside_mandate, S.advice_only, S.preliminary_review}),
    S.preliminary_review: frozenset({S.withdrawn, S.resolved_informally, S.not_prima_facie,
                                     S.prima_facie_referred}),
    S.prima_facie_referred: frozenset({S.retaliation_established,
                                       S.retaliation_not_established, S.resolved_informally}),
}


class InquiryMove:
    """The allowed moves: a decision is allowed from a status, or it is a conflict."""

    @staticmethod
    def allowed(status: InquiryStatus, decision: InquiryStatus) -> bool:
        return InquiryStatus(decision) in MOVES.get(InquiryStatus(status), frozenset())

    @staticmethod
    def from_status(status: InquiryStatus) -> frozenset[InquiryStatus]:
        return MOVES.get(InquiryStatus(status), frozenset())


def next_decisions(status: InquiryStatus) -> list[InquiryStatus]:
    """The decisions `status` allows, in the order of the statuses."""
    allowed = InquiryMove.from_status(status)
    return [s for s in InquiryStatus if s in allowed]


@dataclass(frozen=True)
class CaseNote:
    text: str
    noted_on: dt.date
    by: str


@dataclass(frozen=True)
class Measure:
    """An interim measure protecting the complainant while the inquiry runs."""
    measure: str
    decided_on: dt.date


@dataclass(frozen=True)
class Inquiry(Aggregate):
    """A retaliation inquiry's state: its status, its decisions with their dates, its case file
    (dated notes, interim protection measures), no names.

    Each move returns the inquiry's next state, which carries the event the move caused."""
    received_on: dt.date
    status: InquiryStatus = S.received
    decisions: tuple = ()  # (decision, decided_on, previous_status)
    review_opened_on: dt.date | None = None
    id: str = ""
    entity: str = "EO"
    notes: tuple[CaseNote, ...] = ()
    measures: tuple[Measure, ...] = ()

    @classmethod
    def receive(cls, id: str, entity: str, received_on: dt.date) -> "Inquiry":
        inquiry = cls(received_on=received_on, id=id, entity=entity)
        inquiry.record(RetaliationInquiryReceived(id=id, entity=entity, period=inquiry.period,
                                                  received_on=received_on), entity)
        return inquiry

    @property
    def period(self) -> str:
        return period_of(self.received_on)

    @property
    def last_decided_on(self) -> dt.date:
        return self.decisions[-1][1] if self.decisions else self.received_on

    def decide(self, decision: InquiryStatus, decided_on: dt.date, today: dt.date) -> "Inquiry":
        """The inquiry after `decision`; Conflict for a move that is not allowed, Invalid for
        a date before the inquiry's last step or after today."""
        decision = InquiryStatus(decision)
        if not InquiryMove.allowed(self.status, decision):
            status, allowed = self.status.value, ", ".join(
                sorted(d.value for d in InquiryMove.from_status(self.status)))
            if not allowed:
                raise Conflict(f"an inquiry in {status} cannot move to {decision.value}: "
                               f"it is closed")
            raise Conflict(f"an inquiry in {status} cannot move to {decision.value} "
                           f"(allowed: {allowed})")
        if decided_on < self.last_decided_on:
            raise Invalid.field("decided_on",
                                f"is before the inquiry's last step ({self.last_decided_on})")
        if decided_on > today:
            raise Invalid.field("decided_on", f"{decided_on} is after today")
        opened = decided_on if decision == S.preliminary_review else self.review_opened_on
        after = replace(self, status=decision, review_opened_on=opened,
                        decisions=(*self.decisions, (decision, decided_on, self.status)))
        after.events.extend(self.events)
        after.record(RetaliationDecisionRecorded(
            id=self.id, entity=self.entity, period=self.period, decision=decision,
            decided_on=decided_on, previous_status=self.status, status=decision), self.entity)
        return after

    @property
    def closed(self) -> bool:
        """No decision can follow the last one."""
        return not InquiryMove.from_status(self.status)

    def add_note(self, text: str, noted_on: dt.date, by: str, today: dt.date) -> "Inquiry":
        """The inquiry with a dated note on its file; a note may follow the inquiry's close
        (what happened after it), not precede its receipt."""
        text = (text or "").strip()
        refuse(([] if text else [problem("text", "a note needs its text")])
               + self._dated("noted_on", noted_on, today), "invalid values")
        after = self._next(notes=(*self.notes, CaseNote(text, noted_on, by)))
        after.record(RetaliationNoteAdded(id=self.id, entity=self.entity, period=self.period,
                                          noted_on=noted_on), self.entity)
        return after

    def protect(self, measure: str, decided_on: dt.date, today: dt.date) -> "Inquiry":
        """The inquiry with an interim protection measure; Conflict once it is closed."""
        if self.closed:
            raise Conflict(f"the inquiry is closed ({self.status.value}): no protection "
                           "measure can be added")
        measure = (measure or "").strip()
        refuse(([] if measure else [problem("measure", "a measure needs its description")])
               + self._dated("decided_on", decided_on, today), "invalid values")
        after = self._next(measures=(*self.measures, Measure(measure, decided_on)))
        after.record(ProtectionMeasureRecorded(id=self.id, entity=self.entity,
                                               period=self.period, decided_on=decided_on),
                     self.entity)
        return after

    def _dated(self, loc: str, day: dt.date, today: dt.date) -> list[dict]:
        if day < self.received_on:
            return [problem(loc, f"is before the inquiry was received ({self.received_on})")]
        return not_in_future(loc, day, today)

    def _next(self, **changes) -> "Inquiry":
        after = replace(self, **changes)
        after.events.extend(self.events)
        return after

    def overdue(self, today: dt.date) -> bool:
        return is_overdue(self.status, self.review_opened_on, today)

    def clock(self, today: dt.date) -> "ReviewClock":
        return review_clock(self.status, self.review_opened_on, today)


@dataclass(frozen=True)
class ReviewClock:
    """The preliminary review's 45 days, on a given day: when it is due, how many days are
    left (negative once overdue), and whether it is due soon or overdue."""
    due_on: dt.date | None = None
    days_left: int | None = None
    due_soon: bool = False
    overdue: bool = False


def review_clock(status, review_opened_on: dt.date | None, today: dt.date) -> ReviewClock:
    """A clock only while the preliminary review is open."""
    if InquiryStatus(status) != S.preliminary_review or review_opened_on is None:
        return ReviewClock()
    due_on = review_due_on(review_opened_on)
    left = (due_on - today).days
    return ReviewClock(due_on, left, 0 <= left <= DUE_SOON_DAYS, left < 0)


def review_due_on(review_opened_on: dt.date) -> dt.date:
    """The last day of a preliminary review opened on `review_opened_on`."""
    return review_opened_on + dt.timedelta(days=OVERDUE_AFTER_DAYS)


def queue_order(inquiries: Iterable[Inquiry], today: dt.date) -> list[Inquiry]:
    """The Office's queue: reviews overdue or due soon first (the least time left first), then
    the others, the most recently received first."""
    urgent: list[Inquiry] = []
    others: list[Inquiry] = []
    for inquiry in inquiries:
        clock = inquiry.clock(today)
        (urgent if clock.overdue or clock.due_soon else others).append(inquiry)
    return (sorted(urgent, key=lambda i: i.clock(today).days_left or 0)
            + sorted(others, key=lambda i: (i.received_on, i.id), reverse=True))


def is_overdue(status, review_opened_on: dt.date | None, today: dt.date) -> bool:
    """A preliminary review open more than 45 days is overdue."""
    return (InquiryStatus(status) == S.preliminary_review and review_opened_on is not None
            and review_opened_on < overdue_cutoff(today))


def overdue_cutoff(today: dt.date) -> dt.date:
    """Reviews opened before this day are overdue on `today`."""
    return today - dt.timedelta(days=OVERDUE_AFTER_DAYS)


# ---- annual figures ----

@dataclass
class FiguresVersion(Aggregate):
    """One version of what a member entity's ethics office reports for a period."""
    entity: str
    period: str
    version: int
    figures: AnnualFigures
    submitted_at: dt.datetime
    submitted_by: str = ""

    @classmethod
    def submit(cls, latest: "FiguresVersion | None", entity: str, period: str,
               figures: AnnualFigures, today: dt.date, at: dt.datetime,
               by: str, on: dt.date | None = None,
               may_backdate: bool = False) -> "FiguresVersion | None":
        """The next version, or None when `figures` equal the latest (a repeated PUT changes
        nothing). `on`: the day they were submitted, when it was not today (those who load
        earlier submissions may say so)."""
        check_submission(period, figures, today)
        submitted_on = day_submitted(on, today, period, may_backdate)
        if latest is not None and not figures_changed(latest.figures.model_dump(mode="json"),
                                                      figures):
            return None
        version = cls(entity, period, latest.version + 1 if latest else 1, figures, at, by)
        version.record(AnnualFiguresSubmitted(entity=entity, period=period,
                                              version=version.version, figures=figures,
                                              submitted_on=submitted_on), entity)
        return version


def day_submitted(on: dt.date | None, today: dt.date, period: str,
                  may_backdate: bool) -> dt.date:
    """The day figures were submitted: today, or an earlier day within or after their period
    for those who load earlier submissions."""
    if on is None or on == today:
        return today
    if on > today:
        raise Invalid.field("submitted_on", f"cannot be later than today ({today})")
    if on < period_bounds(period)[0]:
        raise Invalid.field("submitted_on", f"cannot be before {period} begins")
    if not may_backdate:
        raise Forbidden("only the Ethics Office may record figures as submitted on an earlier "
                        "day")
    return on


def check_submission(period: str, figures: AnnualFigures, today: dt.date):
    """Figures for a period that has begun, and that add up."""
    if not period_started(period, today):
        raise Invalid.field("period", f"{period} has not started yet")
    refuse(figures_problems(figures), "the figures do not add up")


def figures_problems(figures: AnnualFigures) -> list[dict]:
    """Every inconsistency in a submission, each naming the field that fails."""
    found = [problem(loc, "must not be negative") for loc, value in _numbers(figures)
             if value < 0]
    if found:
        return found
    by_category = {c.value: n for c, n in figures.requests_by_category.items()}
    categories = sum(by_category.values())
    total = figures.total_requests
    if total is not None and by_category and categories != total:
        found.append(problem("requests_by_category",
                             f"the categories add up to {categories}, not the total {total}"))
    if total is None and by_category:
        total = categories
    sources = sum(figures.requests_by_source.values())
    if figures.requests_by_source and total is not None and sources != total:
        found.append(problem("requests_by_source",
                             f"the sources add up to {sources}, not the total {total}"))
    if figures.advice_by_topic and by_category:
        topics, advice = sum(figures.advice_by_topic.values()), by_category.get("advice", 0)
        if topics != advice:
            found.append(problem("advice_by_topic",
                                 f"the advice topics add up to {topics}, not the {advice} "
                                 "advice requests"))
    ret, dis = figures.retaliation, figures.disclosure
    if ret.prima_facie > ret.preliminary_reviews:
        found.append(problem(("retaliation", "prima_facie"),
                             f"{ret.prima_facie} prima facie cases but only "
                             f"{ret.preliminary_reviews} preliminary reviews"))
    if ret.preliminary_reviews > ret.inquiries:
        found.append(problem(("retaliation", "preliminary_reviews"),
                             f"{ret.preliminary_reviews} preliminary reviews but only "
                             f"{ret.inquiries} inquiries"))
    if dis.filed > dis.filers:
        found.append(problem(("disclosure", "filed"),
                             f"{dis.filed} filed but only {dis.filers} filers"))
    return found


def _numbers(figures: AnnualFigures):
    if figures.total_requests is not None:
        yield ("total_requests",), figures.total_requests
    for name in ("requests_by_category", "advice_by_topic", "requests_by_source"):
        for key, value in getattr(figures, name).items():
            yield (name, getattr(key, "value", key)), value
    for name in ("retaliation", "disclosure", "activities"):
        for key, value in getattr(figures, name).model_dump().items():
            yield (name, key), value


def figures_changed(latest: dict | None, figures: AnnualFigures) -> bool:
    """Whether a submission differs from the latest version (the same figures again are a no-op)."""
    return latest is None or latest != figures.model_dump(mode="json")

