"""Intake's rules, in plain Python: the directory of entities, service requests and activities,
the retaliation inquiry's moves, and the consistency of annual figures.

Problems are `{loc, msg}` dicts whose `loc` is the path of the field inside the record; callers
put it under `body` (a single write) or report it against a batch row.
"""
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from pydantic import BaseModel, ValidationError

from shared.contracts.common import Actor, period_bounds, period_of
from shared.contracts.directory import Entity
from shared.contracts.intake import AnnualFigures, Category, InquiryStatus
from shared.errors import Conflict, Invalid

PAGE_MAX = 1000
OVERDUE_AFTER_DAYS = 45


def entity_changed(existing: dict | None, entity: Entity) -> bool:
    """Whether storing `entity` changes the directory (a repeated PUT is a no-op)."""
    if existing is None:
        return True
    return any(existing.get(k) != v for k, v in entity.model_dump(mode="json").items())


def problem(loc, msg: str) -> dict:
    return {"loc": list(loc) if isinstance(loc, (list, tuple)) else [loc], "msg": msg}


# who may act for which entity, and which entities exist

def entity_problems(entity: str, known: Callable[[str], bool], actor: Actor) -> list[dict]:
    if actor.entity_scoped and actor.entity != entity:
        return [problem("entity", f"a {actor.role.value} of {actor.entity} records for "
                                  f"{actor.entity} only")]
    if not known(entity):
        return [problem("entity", f"no entity {entity} in the directory")]
    return []


def not_in_future(loc: str, day: dt.date, today: dt.date) -> list[dict]:
    return [problem(loc, f"{day.isoformat()} is after today")] if day > today else []


# service requests and activities

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


@dataclass
class SortedRows:
    """A batch split into the rows to store (with their row numbers) and the rejected rows."""
    accepted: list[tuple[int, BaseModel]] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)


def sort_rows(items: Iterable, model: type[BaseModel], check: Callable[[BaseModel], list],
              first_row: int = 1, into: SortedRows | None = None) -> SortedRows:
    """Validate each item as `model`, then `check` it; rows are numbered from `first_row`.

    A `None` item is a row the caller already rejected (a CSV row of the wrong width)."""
    out = into or SortedRows()
    for row, item in enumerate(items, start=first_row):
        if item is None:
            continue
        try:
            record = model.model_validate(item)
        except ValidationError as exc:
            out.rejected.append({"row": row, "errors": [
                problem(e["loc"], e["msg"]) for e in exc.errors()]})
            continue
        errors = check(record)
        if errors:
            out.rejected.append({"row": row, "errors": errors})
        else:
            out.accepted.append((row, record))
    return out


def page_size(limit: int) -> int:
    """`?limit=` is at least 1 (the contract's rule) and at most 1000."""
    return min(limit, PAGE_MAX)


# retaliation inquiries (ST/SGB/2005/21)

S = InquiryStatus
MOVES: dict[InquiryStatus, frozenset[InquiryStatus]] = {
    S.received: frozenset({S.outside_mandate, S.advice_only, S.preliminary_review}),
    S.preliminary_review: frozenset({S.withdrawn, S.resolved_informally, S.not_prima_facie,
                                     S.prima_facie_referred}),
    S.prima_facie_referred: frozenset({S.retaliation_established,
                                       S.retaliation_not_established, S.resolved_informally}),
}


class InquiryMove:
    """The moves of API.md: a decision is allowed from a status or it is a 409."""

    @staticmethod
    def allowed(status: InquiryStatus, decision: InquiryStatus) -> bool:
        return InquiryStatus(decision) in MOVES.get(InquiryStatus(status), frozenset())

    @staticmethod
    def from_status(status: InquiryStatus) -> frozenset[InquiryStatus]:
        return MOVES.get(InquiryStatus(status), frozenset())


@dataclass(frozen=True)
class Inquiry:
    """A retaliation inquiry's state: its status, its decisions with their dates, no names."""
    received_on: dt.date
    status: InquiryStatus = S.received
    decisions: tuple = ()  # (decision, decided_on, previous_status)
    review_opened_on: dt.date | None = None

    @property
    def period(self) -> str:
        return period_of(self.received_on)

    @property
    def last_decided_on(self) -> dt.date:
        return self.decisions[-1][1] if self.decisions else self.received_on

    def decide(self, decision: InquiryStatus, decided_on: dt.date, today: dt.date) -> "Inquiry":
        """The inquiry after `decision`; Conflict for a move API.md does not allow, Invalid for
        a date before the inquiry's last step or after today."""
        decision = InquiryStatus(decision)
        if not InquiryMove.allowed(self.status, decision):
            allowed = ", ".join(sorted(d.value for d in InquiryMove.from_status(self.status)))
            raise Conflict(f"an inquiry in {self.status.value} cannot move to {decision.value}"
                           f" (allowed: {allowed or 'none, it is closed'})")
        if decided_on < self.last_decided_on:
            raise Invalid.field(["body", "decided_on"],
                                f"is before the inquiry's last step ({self.last_decided_on})")
        if decided_on > today:
            raise Invalid.field(["body", "decided_on"], f"{decided_on} is after today")
        opened = decided_on if decision == S.preliminary_review else self.review_opened_on
        return replace(self, status=decision, review_opened_on=opened,
                       decisions=(*self.decisions, (decision, decided_on, self.status)))

    def overdue(self, today: dt.date) -> bool:
        return is_overdue(self.status, self.review_opened_on, today)


def is_overdue(status, review_opened_on: dt.date | None, today: dt.date) -> bool:
    """A preliminary review open more than 45 days is overdue."""
    return (InquiryStatus(status) == S.preliminary_review and review_opened_on is not None
            and review_opened_on < overdue_cutoff(today))


def overdue_cutoff(today: dt.date) -> dt.date:
    """Reviews opened before this day are overdue on `today`."""
    return today - dt.timedelta(days=OVERDUE_AFTER_DAYS)


# annual figures

def period_started(period: str, today: dt.date) -> bool:
    return period_bounds(period)[0] <= today


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
