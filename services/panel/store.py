"""Panel's MongoDB repositories and unit of work: each record is one domain object stored as one
document. Document shapes live here only.

Meetings and consultations are the Panel's own records and belong to the chair's office (`EO`);
a membership, a report review or a chair review belongs to the member entity it concerns.
Dates are stored as ISO strings, so they sort and compare as dates. A document's `version` grows
by one with each save; a save expects the version the record was read at (documents stored
before versions were kept have none, and are read as version 0).
"""
import datetime as dt
import functools

from pydantic import TypeAdapter
from pymongo.errors import DuplicateKeyError

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.panel import ConsultationStatus, MemberStatus
from shared.kernel.errors import Conflict, StaleState
from shared.kernel.pagination import Page, page_of
from shared.mongo import MongoRepository, MongoUnitOfWork

from .domain import ChairReview, Consultation, Meeting, Membership, ReportReview, Record

RECORDS = {
    "members": Membership,
    "meetings": Meeting,
    "consultations": Consultation,
    "report_reviews": ReportReview,
    "chair_reviews": ChairReview,
}


@functools.cache
def _adapter(cls) -> TypeAdapter:
    return TypeAdapter(cls)


def to_doc(record: Record) -> dict:
    kind: type = type(record)
    doc = _adapter(kind).dump_python(record, mode="json")
    doc["_id"], doc["entity"] = record.id, record.entity
    if isinstance(record, (Meeting, Consultation)):
        doc["period"] = record.period
    return doc


def from_doc(collection: str, doc: dict) -> Record:
    return _adapter(RECORDS[collection]).validate_python(doc)


class _Records(MongoRepository):
    """The records of one collection; `name` is how messages call one of them."""
    collection = ""
    name = ""
    own_records_of: str | None = None  # the entity every record belongs to, if one does

    def get(self, record_id: str) -> Record | None:
        doc = self.db[self.collection].find_one({"_id": record_id})
        return from_doc(self.collection, doc) if doc else None

    def add(self, record: Record):
        """A new record; one that is stored already (its id, or a key that is unique) is a
        Conflict at commit."""
        self.uow.seen(record)
        doc = {**to_doc(record), "version": 1}

        def write(session):
            try:
                self.db[self.collection].insert_one(doc, session=session)
            except DuplicateKeyError:
                raise self.duplicate()
        self.uow.stage(write)

    def duplicate(self) -> Conflict:
        return Conflict(f"this {self.name} is already recorded")

    def save(self, record: Record):
        """`record`, changed since it was read; StaleState at commit if it changed meanwhile."""
        self.uow.seen(record)
        doc = {**to_doc(record), "version": record.version + 1}
        read_at = {"version": record.version} if record.version else {
            "version": {"$exists": False}}

        def write(session):
            found = self.db[self.collection].replace_one({"_id": record.id, **read_at}, doc,
                                                         session=session)
            if found.matched_count == 0:
                raise StaleState(f"the {self.name} {record.id} changed meanwhile; read it again")
        self.uow.stage(write)

    def page(self, filters: dict, limit: int, cursor: str | None) -> Page:
        """Records matching `filters` in the order they were made (by id), `limit` at a time
        after `cursor`."""
        query = {**self._own(), **filters, **({"_id": {"$gt": cursor}} if cursor else {})}
        docs = list(self.db[self.collection].find(query).sort("_id", 1).limit(limit + 1))
        page = page_of(docs, limit, lambda d: d["_id"])
        return Page([from_doc(self.collection, d) for d in page.items], page.next_cursor)

    def _own(self) -> dict:
        return {"entity": self.own_records_of} if self.own_records_of else {}


class Members(_Records):
    collection, name = "members", "panel member"

    def duplicate(self) -> StaleState:
        return StaleState(f"{self.name} joined meanwhile; read it again")

    def active(self) -> set[str]:
        """The entities of the Panel's active members."""
        return {d["entity"] for d in self.db.members.find(
            {"status": MemberStatus.active.value}, {"entity": 1})}


class Meetings(_Records):
    collection, name, own_records_of = "meetings", "meeting", ETHICS_OFFICE


class Consultations(_Records):
    collection, name, own_records_of = "consultations", "consultation", ETHICS_OFFICE

    def save_answer(self, consultation: Consultation, entity: str):
        """`consultation` with `entity`'s position changed since it was read: only that
        position is written, so members answering at once do not make each other read the
        consultation again; StaleState at commit if its state, its date to answer by or that
        member's position changed meanwhile."""
        self.uow.seen(consultation)
        doc = to_doc(consultation)
        answer = doc["positions"][entity]
        # the member's position as read: none, or its number of versions (a position stored
        # before positions counted their versions has none: it is the first)
        read_at = {"$exists": False} if answer["versions"] == 1 else \
            {"$in": [1, None]} if answer["versions"] == 2 else answer["versions"] - 1
        unchanged = {"_id": consultation.id, "status": doc["status"],
                     "respond_by": doc["respond_by"], f"positions.{entity}.versions": read_at}

        def write(session):
            found = self.db.consultations.update_one(unchanged, {
                "$set": {f"positions.{entity}": answer}, "$inc": {"version": 1}},
                session=session)
            if found.matched_count == 0:
                raise StaleState(f"the consultation {consultation.id} changed meanwhile; "
                                 "read it again")
        self.uow.stage(write, one_document=True)

    def of_period(self, period: str) -> list[Consultation]:
        return [_adapter(Consultation).validate_python(d) for d in self.db.consultations.find(
            {"entity": ETHICS_OFFICE, "period": period}).sort("_id", 1)]

    def count_past_answer_date(self, today: dt.date) -> int:
        """Open consultations whose date to answer by has passed (read on the index)."""
        return self.db.consultations.count_documents({
            "entity": ETHICS_OFFICE, "status": ConsultationStatus.open.value,
            "respond_by": {"$lt": today.isoformat()}})


class ReportReviews(_Records):
    collection, name = "report_reviews", "report review"


class ChairReviews(_Records):
    collection, name = "chair_reviews", "chair review"


class PanelUnitOfWork(MongoUnitOfWork):
    repositories = {"members": Members, "meetings": Meetings, "consultations": Consultations,
                    "report_reviews": ReportReviews, "chair_reviews": ChairReviews}
    indexes = {
        "members": [([("entity", 1)], {"unique": True})],
        "meetings": [([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "consultations": [([("entity", 1), ("status", 1), ("respond_by", 1)], {}),
                          ([("entity", 1), ("period", 1), ("_id", 1)], {})],
        # one report a member and period, one chair review a member's case
        "report_reviews": [([("entity", 1), ("period", 1)], {"unique": True})],
        "chair_reviews": [([("entity", 1), ("case_ref", 1)], {"unique": True})],
    }
