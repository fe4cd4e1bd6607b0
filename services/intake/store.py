"""Intake's MongoDB repositories and unit of work. Document shapes live here only; dates are
stored as ISO strings (they sort as dates)."""
import datetime as dt
import time
from typing import Callable

from pymongo.errors import DuplicateKeyError

from shared.contracts.intake import (ActivityRecord, AnnualFigures, InquiryStatus,
                                     ServiceRequestRecord)
from shared.kernel.errors import Conflict
from shared.kernel.pagination import Page, page_of
from shared.mongo import MongoRepository, MongoUnitOfWork

from .domain import (ActivityLog, CaseNote, DirectoryEntry, FiguresVersion, Inquiry, Measure,
                     RequestLog)

REVIEW = InquiryStatus.preliminary_review.value


KNOWN_FOR = 30.0
_KNOWN: dict[str, tuple[float, frozenset]] = {}  # per database: when its codes were read, and them


class Entities(MongoRepository):
    def get(self, code: str) -> DirectoryEntry | None:
        doc = self.db.entities.find_one({"entity": code})
        return _entry(doc) if doc else None

    def all(self) -> list[DirectoryEntry]:
        return [_entry(d) for d in self.db.entities.find({}).sort("entity", 1)]

    def codes(self) -> set[str]:
        return {d["entity"] for d in self.db.entities.find({}, {"entity": 1})}

    def known(self) -> Callable[[str], bool]:
        """Whether an entity is in the directory, without a read on every write: the codes
        read lately are kept by the process (entities are not removed) and read again for a
        code they lack, or once they are KNOWN_FOR seconds old."""
        read_at, codes = _KNOWN.get(self.db.name, (0.0, frozenset()))

        def contains(code: str) -> bool:
            nonlocal read_at, codes
            if code not in codes or time.monotonic() - read_at > KNOWN_FOR:
                read_at, codes = time.monotonic(), frozenset(self.codes())
                _KNOWN[self.db.name] = (read_at, codes)
            return code in codes
        return contains

    def save(self, entry: DirectoryEntry):
        self.uow.seen(entry)
        doc = {"entity": entry.code, "name": entry.name, "category": entry.category,
               "parent": entry.parent}
        self.uow.replace("entities", {"entity": entry.code}, doc)


class ServiceRequests(MongoRepository):
    def add(self, log: RequestLog):
        self.uow.seen(log)
        now = self.uow.clock.now()
        self.uow.insert("service_requests", *[_request_doc(r, now) for r in log.records])

    def get(self, request_id: str) -> ServiceRequestRecord | None:
        doc = self.db.service_requests.find_one({"_id": request_id})
        return _request(doc) if doc else None

    def page(self, filters: dict, limit: int, cursor: str | None) -> Page:
        return _page(self.db.service_requests, filters, limit, cursor, _request)

    def periods(self, entity: str | None) -> set[str]:
        return _periods(self.db.service_requests, entity)


class Activities(MongoRepository):
    def add(self, log: ActivityLog):
        self.uow.seen(log)
        now = self.uow.clock.now()
        self.uow.insert("activities", *[_activity_doc(r, now) for r in log.records])

    def page(self, filters: dict, limit: int, cursor: str | None) -> Page:
        return _page(self.db.activities, filters, limit, cursor, _activity)

    def periods(self, entity: str | None) -> set[str]:
        return _periods(self.db.activities, entity)


class Inquiries(MongoRepository):
    def add(self, inquiry: Inquiry):
        self.uow.seen(inquiry)
        self.uow.insert("retaliation_inquiries",
                        {**_inquiry_doc(inquiry), "created_at": self.uow.clock.now()})

    def get(self, inquiry_id: str) -> Inquiry | None:
        doc = self.db.retaliation_inquiries.find_one({"_id": inquiry_id})
        return _inquiry(doc) if doc else None

    def save(self, before: Inquiry, after: Inquiry):
        """`after` replaces `before`, if the stored inquiry is still `before`."""
        self.uow.seen(after)
        doc = _inquiry_doc(after)
        self.uow.update("retaliation_inquiries",
                        {"_id": after.id, "status": before.status.value},
                        {"$set": {k: doc[k] for k in ("status", "review_opened_on",
                                                      "decisions")}}, expect=True)

    def add_to_file(self, before: Inquiry, after: Inquiry):
        """`after`'s new notes and measures are appended, if the inquiry's status is still
        `before`'s (notes added at the same moment are all kept)."""
        self.uow.seen(after)
        notes = [_note_doc(n) for n in after.notes[len(before.notes):]]
        measures = [_measure_doc(m) for m in after.measures[len(before.measures):]]
        self.uow.update("retaliation_inquiries", {"_id": after.id, "status": before.status.value},
                        {"$push": {"notes": {"$each": notes},
                                   "protection_measures": {"$each": measures}}}, expect=True)

    def of_statuses(self, statuses, filters: dict, limit: int) -> list[Inquiry]:
        query = {**filters, "status": {"$in": sorted(s.value for s in statuses)}}
        return [_inquiry(d) for d in
                self.db.retaliation_inquiries.find(query).sort("_id", 1).limit(limit)]

    def page(self, filters: dict, limit: int, cursor: str | None, overdue: bool | None,
             cutoff: dt.date) -> Page:
        query = dict(filters)
        if overdue is True:
            query.update(status=REVIEW, review_opened_on={"$lt": cutoff.isoformat()})
        elif overdue is False:
            query["$or"] = [{"status": {"$ne": REVIEW}},
                            {"review_opened_on": {"$gte": cutoff.isoformat()}}]
        return _page(self.db.retaliation_inquiries, query, limit, cursor, _inquiry)

    def periods(self, entity: str | None) -> set[str]:
        return _periods(self.db.retaliation_inquiries, entity)

    def open_reviews(self) -> list[tuple[str, dt.date | None]]:
        entities = sorted(d["entity"] for d in self.db.entities.find({}, {"entity": 1}))
        return [(d["entity"], _date(d.get("review_opened_on")))
                for d in self.db.retaliation_inquiries.find(
                    {"entity": {"$in": entities}, "status": REVIEW},
                    {"entity": 1, "review_opened_on": 1})]


class Figures(MongoRepository):
    def latest(self, entity: str, period: str) -> FiguresVersion | None:
        doc = self.db.annual_figures.find_one({"entity": entity, "period": period},
                                              sort=[("version", -1)])
        return _version(doc) if doc else None

    def versions(self, entity: str, period: str) -> list[FiguresVersion]:
        return [_version(d) for d in self.db.annual_figures.find(
            {"entity": entity, "period": period}).sort("version", 1)]

    def periods(self, entity: str | None) -> set[str]:
        return _periods(self.db.annual_figures, entity)

    def add(self, version: FiguresVersion):
        self.uow.seen(version)
        doc = {"entity": version.entity, "period": version.period, "version": version.version,
               "figures": version.figures.model_dump(mode="json"),
               "submitted_at": version.submitted_at, "submitted_by": version.submitted_by}

        def write(session):
            try:
                self.db.annual_figures.insert_one(doc, session=session)
            except DuplicateKeyError:
                raise Conflict("figures for this period were submitted at the same moment; "
                               "retry")
        self.uow.stage(write)


class IntakeUnitOfWork(MongoUnitOfWork):
    repositories = {"entities": Entities, "requests": ServiceRequests,
                    "activities": Activities, "inquiries": Inquiries, "figures": Figures}
    indexes = {
        "entities": [([("entity", 1)], {"unique": True})],
        # requests and activities keep to one index: each index costs much per inserted row
        "service_requests": [([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "activities": [([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "retaliation_inquiries": [([("entity", 1), ("period", 1), ("_id", 1)], {}),
                                  ([("entity", 1), ("status", 1), ("review_opened_on", 1)], {})],
        "annual_figures": [([("entity", 1), ("period", 1), ("version", 1)], {"unique": True})],
    }


def _page(collection, filters: dict, limit: int, cursor: str | None, shape) -> Page:
    """One page in id order (ids grow with time)."""
    query = {**filters, **({"_id": {"$gt": cursor}} if cursor else {})}
    docs = list(collection.find(query).sort("_id", 1).limit(limit + 1))
    page = page_of(docs, limit, lambda d: d["_id"])
    return Page([shape(d) for d in page.items], page.next_cursor)


def _periods(collection, entity: str | None) -> set[str]:
    """The periods of an entity's records, or of every entity's (None): the entity and period
    index answers it."""
    return {d["_id"] for d in collection.aggregate([
        {"$match": {"entity": entity} if entity else {}}, {"$group": {"_id": "$period"}}])}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _entry(doc: dict) -> DirectoryEntry:
    return DirectoryEntry(doc["entity"], doc["name"], doc["category"], doc.get("parent"))


def _request_doc(rec: ServiceRequestRecord, now) -> dict:
    return {"_id": rec.id, "entity": rec.entity, "period": rec.period,
            "received_on": rec.received_on.isoformat(), "category": rec.category.value,
            "advice_topic": rec.advice_topic.value if rec.advice_topic else None,
            "source": rec.source.value, "logged_at": now}


def _request(doc: dict) -> ServiceRequestRecord:
    return ServiceRequestRecord(id=doc["_id"], **{k: doc.get(k) for k in (
        "entity", "period", "received_on", "category", "advice_topic", "source")})


def _activity_doc(rec: ActivityRecord, now) -> dict:
    return {"_id": rec.id, "entity": rec.entity, "period": rec.period,
            "held_on": rec.held_on.isoformat(), "kind": rec.kind.value,
            "participants": rec.participants, "recorded_at": now}


def _activity(doc: dict) -> ActivityRecord:
    return ActivityRecord(id=doc["_id"], **{k: doc[k] for k in (
        "entity", "period", "held_on", "kind", "participants")})


def _inquiry_doc(inquiry: Inquiry) -> dict:
    return {"_id": inquiry.id, "entity": inquiry.entity, "period": inquiry.period,
            "received_on": inquiry.received_on.isoformat(), "status": inquiry.status.value,
            "decisions": [{"decision": d.value, "decided_on": on.isoformat(),
                           "previous_status": p.value} for d, on, p in inquiry.decisions],
            "review_opened_on": _iso(inquiry.review_opened_on),
            "notes": [_note_doc(n) for n in inquiry.notes],
            "protection_measures": [_measure_doc(m) for m in inquiry.measures]}


def _note_doc(note: CaseNote) -> dict:
    return {"text": note.text, "noted_on": note.noted_on.isoformat(), "by": note.by}


def _measure_doc(measure: Measure) -> dict:
    return {"measure": measure.measure, "decided_on": measure.decided_on.isoformat()}


def _inquiry(doc: dict) -> Inquiry:
    return Inquiry(received_on=dt.date.fromisoformat(doc["received_on"]),
                   status=InquiryStatus(doc["status"]),
                   decisions=tuple((InquiryStatus(d["decision"]), _date(d["decided_on"]),
                                    InquiryStatus(d["previous_status"]))
                                   for d in doc["decisions"]),
                   review_opened_on=_date(doc.get("review_opened_on")), id=doc["_id"],
                   entity=doc["entity"],
                   notes=tuple(CaseNote(n["text"], dt.date.fromisoformat(n["noted_on"]), n["by"])
                               for n in doc.get("notes") or ()),
                   measures=tuple(Measure(m["measure"], dt.date.fromisoformat(m["decided_on"]))
                                  for m in doc.get("protection_measures") or ()))


def _version(doc: dict) -> FiguresVersion:
    return FiguresVersion(doc["entity"], doc["period"], doc["version"],
                          AnnualFigures.model_validate(doc["figures"]), doc["submitted_at"],
                          doc.get("submitted_by", ""))
