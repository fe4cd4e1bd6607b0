"""Intake's repositories in memory: the fake the use-case tests run on. They keep the same
promises as `store.py` (the repository suite runs against both)."""
import datetime as dt

from shared.contracts.intake import InquiryStatus
from shared.kernel.errors import Conflict
from shared.kernel.pagination import Page, page_of
from shared.kernel.uow import InMemoryUnitOfWork

from .domain import DirectoryEntry, FiguresVersion, Inquiry, RequestLog


class _Repository:
    collection = ""

    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def _all(self, collection: str | None = None) -> list:
        return self.uow.records(collection or self.collection)

    def _page(self, filters: dict, limit: int, cursor: str | None, keep=lambda r: True) -> Page:
        found = sorted((r for r in self._all() if _matches(r, filters) and keep(r)
                        and (not cursor or r.id > cursor)), key=lambda r: r.id)
        return page_of(found[:limit + 1], limit, lambda r: r.id)

    def periods(self, entity: str | None) -> set[str]:
        return {r.period for r in self._all() if entity in (None, r.entity)}


class Entities(_Repository):
    collection = "entities"

    def get(self, code: str) -> DirectoryEntry | None:
        return self.uow.read("entities", code)

    def all(self) -> list[DirectoryEntry]:
        return sorted(self._all(), key=lambda e: e.code)

    def codes(self) -> set[str]:
        return {e.code for e in self._all()}

    def known(self):
        return self.codes().__contains__

    def save(self, entry: DirectoryEntry):
        self.uow.seen(entry)
        self.uow.stage("entities", entry.code, entry)


class ServiceRequests(_Repository):
    collection = "service_requests"

    def add(self, log: RequestLog):
        self.uow.seen(log)
        for record in log.records:
            self.uow.stage(self.collection, record.id, record)

    def get(self, request_id: str):
        return self.uow.read(self.collection, request_id)

    def page(self, filters: dict, limit: int, cursor: str | None) -> Page:
        return self._page(filters, limit, cursor)


class Activities(ServiceRequests):
    collection = "activities"


class Inquiries(_Repository):
    collection = "retaliation_inquiries"

    def add(self, inquiry: Inquiry):
        self.uow.seen(inquiry)
        self.uow.stage(self.collection, inquiry.id, inquiry)

    def get(self, inquiry_id: str) -> Inquiry | None:
        return self.uow.read(self.collection, inquiry_id)

    def save(self, before: Inquiry, after: Inquiry):
        self.uow.seen(after)
        self.uow.stage(self.collection, after.id, after,
                       expect=lambda current: current is not None
                       and current.status == before.status)

    def add_to_file(self, before: Inquiry, after: Inquiry):
        """`after`'s new notes and measures, if the stored inquiry is still `before`."""
        self.uow.seen(after)
        self.uow.stage(self.collection, after.id, after,
                       expect=lambda current: current is not None
                       and current.status == before.status
                       and (current.notes, current.measures) == (before.notes, before.measures))

    def of_statuses(self, statuses, filters: dict, limit: int) -> list[Inquiry]:
        found = [i for i in self._all() if i.status in statuses and _matches(i, filters)]
        return sorted(found, key=lambda i: i.id)[:limit]

    def page(self, filters: dict, limit: int, cursor: str | None, overdue: bool | None,
             cutoff: dt.date) -> Page:
        def keep(inquiry: Inquiry) -> bool:
            late = (inquiry.status == InquiryStatus.preliminary_review
                    and inquiry.review_opened_on is not None
                    and inquiry.review_opened_on < cutoff)
            return overdue is None or late == overdue
        return self._page(filters, limit, cursor, keep)

    def open_reviews(self) -> list[tuple[str, dt.date | None]]:
        """Of the entities in the directory."""
        known = {e.code for e in self._all("entities")}
        return [(i.entity, i.review_opened_on) for i in self._all()
                if i.status == InquiryStatus.preliminary_review and i.entity in known]


class Figures(_Repository):
    collection = "annual_figures"

    def latest(self, entity: str, period: str) -> FiguresVersion | None:
        found = self.versions(entity, period)
        return found[-1] if found else None

    def versions(self, entity: str, period: str) -> list[FiguresVersion]:
        return sorted((v for v in self._all() if (v.entity, v.period) == (entity, period)),
                      key=lambda v: v.version)

    def add(self, version: FiguresVersion):
        self.uow.seen(version)
        key = (version.entity, version.period, version.version)
        if self.uow.read(self.collection, key) is not None:
            raise Conflict("figures for this period were submitted at the same moment; retry")
        self.uow.stage(self.collection, key, version, expect=lambda current: current is None)


class IntakeMemory(InMemoryUnitOfWork):
    """`IntakeMemory(state, actor, clock)`: a unit of work over in-memory collections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entities, self.requests = Entities(self), ServiceRequests(self)
        self.activities, self.inquiries = Activities(self), Inquiries(self)
        self.figures = Figures(self)


def _matches(record, filters: dict) -> bool:
    return all(getattr(getattr(record, k, None), "value", getattr(record, k, None)) == v
               for k, v in filters.items())
