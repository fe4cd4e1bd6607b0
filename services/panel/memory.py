"""Panel's repositories in memory: the fake the use-case tests run on. They keep the same
promises as `store.py` (the repository suite runs against both): versions that make a save over
a changed record stale, keys that are unique, pages in id order."""
import datetime as dt
from dataclasses import replace

from shared.contracts.panel import ConsultationStatus, MemberStatus
from shared.kernel.errors import Conflict, StaleState
from shared.kernel.pagination import Page, page_of
from shared.kernel.uow import InMemoryUnitOfWork

from .domain import Consultation, Record


class _Records:
    collection = ""
    name = ""
    unique: tuple[str, ...] = ()  # fields no two records share all of (a unique index)

    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def _all(self) -> list:
        return self.uow.records(self.collection)

    def get(self, record_id: str) -> Record | None:
        return self.uow.read(self.collection, record_id)

    def add(self, record: Record):
        self.uow.seen(record)
        key = tuple(getattr(record, f) for f in self.unique)
        keys = f"{self.collection}.unique"
        if self.get(record.id) is not None or (key and self.uow.read(keys, key) is not None):
            raise self.duplicate()
        self.uow.stage(self.collection, record.id, replace(record, version=1),
                       expect=lambda current: current is None)
        if key:
            self.uow.stage(keys, key, record.id, expect=lambda current: current is None)

    def duplicate(self) -> Conflict:
        return Conflict(f"this {self.name} is already recorded")

    def save(self, record: Record):
        self.uow.seen(record)
        read_at = record.version
        self.uow.stage(self.collection, record.id, replace(record, version=read_at + 1),
                       expect=lambda current: current is not None
                       and current.version == read_at)

    def page(self, filters: dict, limit: int, cursor: str | None) -> Page:
        found = sorted((r for r in self._all() if _matches(r, filters)
                        and (not cursor or r.id > cursor)), key=lambda r: r.id)
        return page_of(found[:limit + 1], limit, lambda r: r.id)


class Members(_Records):
    collection, name = "members", "panel member"

    def duplicate(self) -> StaleState:
        return StaleState(f"{self.name} joined meanwhile; read it again")

    def active(self) -> set[str]:
        return {m.entity for m in self._all() if m.status is MemberStatus.active}


class Meetings(_Records):
    collection, name = "meetings", "meeting"


class Consultations(_Records):
    collection, name = "consultations", "consultation"

    def save_answer(self, consultation: Consultation, entity: str):
        self.save(consultation)  # nothing runs at once here: the whole record, as read

    def of_period(self, period: str) -> list[Consultation]:
        return sorted((c for c in self._all() if c.opened_on and c.period == period),
                      key=lambda c: c.id)

    def count_past_answer_date(self, today: dt.date) -> int:
        return sum(c.status is ConsultationStatus.open and c.respond_by < today
                   for c in self._all())


class ReportReviews(_Records):
    collection, name, unique = "report_reviews", "report review", ("entity", "period")


class ChairReviews(_Records):
    collection, name, unique = "chair_reviews", "chair review", ("entity", "case_ref")


class PanelMemory(InMemoryUnitOfWork):
    """`PanelMemory(state, actor, clock)`: a unit of work over in-memory collections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.members, self.meetings = Members(self), Meetings(self)
        self.consultations = Consultations(self)
        self.report_reviews, self.chair_reviews = ReportReviews(self), ChairReviews(self)


def _matches(record, filters: dict) -> bool:
    """Each filter's value is the record's (a list field holds it, as MongoDB matches)."""
    def holds(name, wanted) -> bool:
        value = getattr(record, name, None)
        if isinstance(value, list):
            return wanted in value
        return getattr(value, "value", value) == wanted
    return all(holds(name, wanted) for name, wanted in filters.items())
