"""Panel's MongoDB repository: each record is one domain object stored as one document.

Meetings and consultations are the Panel's own records and belong to the chair's office (`EO`);
a membership, a report review or a chair review belongs to the member entity it concerns.
Dates are stored as ISO strings, so they sort and compare as dates.
"""
import datetime as dt
import functools

from bson import ObjectId
from pydantic import TypeAdapter
from pymongo.errors import DuplicateKeyError

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.panel import ConsultationStatus, MemberStatus
from shared.errors import Conflict, NotFound
from shared.storage import Repository

from .domain import ChairReview, Consultation, Meeting, Membership, ReportReview

RECORDS = {
    "members": (Membership, "panel member"),
    "meetings": (Meeting, "meeting"),
    "consultations": (Consultation, "consultation"),
    "report_reviews": (ReportReview, "report review"),
    "chair_reviews": (ChairReview, "chair review"),
}


@functools.cache
def _adapter(cls) -> TypeAdapter:
    return TypeAdapter(cls)


def to_doc(record) -> dict:
    doc = _adapter(type(record)).dump_python(record, mode="json")
    doc["_id"] = record.entity if isinstance(record, Membership) else record.id
    doc.setdefault("entity", ETHICS_OFFICE)
    if isinstance(record, (Meeting, Consultation)):
        doc["period"] = record.period
    return doc


def from_doc(collection: str, doc: dict):
    return _adapter(RECORDS[collection][0]).validate_python(doc)


def new_id() -> str:
    """A record id; ids sort in the order records were made, which is the order of lists."""
    return str(ObjectId())


class PanelRepository(Repository):
    indexes = {
        "members": [([("entity", 1)], {"unique": True})],
        "meetings": [([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "consultations": [([("entity", 1), ("status", 1), ("respond_by", 1)], {}),
                          ([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "report_reviews": [([("entity", 1), ("period", 1)], {"unique": True})],
        "chair_reviews": [([("entity", 1), ("case_ref", 1)], {"unique": True})],
    }

    def write(self, collection: str, record_id: str, step, action: str, *, new: bool = False):
        """Apply `step(record, members)` to a stored record in one transaction and return it.

        `record` is None when `new` and nothing is stored under `record_id` yet; `members` are the
        entities of the Panel's active members. `step` returns `(record, events)`, each event a
        `(payload, entity)`, or None when nothing changes. The record, its events and an audit
        line are written together."""
        name = RECORDS[collection][1]

        def run(uow):
            doc = uow[collection].find_one({"_id": record_id})
            if doc is None and not new:
                raise NotFound(f"no {name} {record_id}")
            record = from_doc(collection, doc) if doc else None
            done = step(record, _active_members(uow))
            if done is None:
                return record
            record, events = done
            saved = to_doc(record)
            uow[collection].replace_one({"_id": record_id}, saved, upsert=True)
            for payload, entity in events:
                uow.emit(payload, entity=entity)
            uow.audit(action, f"{collection}/{record_id}", entity=saved["entity"])
            return record
        try:
            return self.atomically(run)
        except DuplicateKeyError:
            raise Conflict(f"this {name} is already recorded")

    def get(self, collection: str, record_id: str):
        doc = self.db[collection].find_one({"_id": record_id})
        if doc is None:
            raise NotFound(f"no {RECORDS[collection][1]} {record_id}")
        return from_doc(collection, doc)

    def find_one(self, collection: str, query: dict):
        doc = self.db[collection].find_one(query)
        return from_doc(collection, doc) if doc else None

    def page(self, collection: str, query: dict, limit: int, cursor: str | None):
        """Records matching `query` in the order they were made, `limit` at a time after `cursor`;
        returns (records, the cursor of the next page or None)."""
        if cursor:
            query = {**query, "_id": {"$gt": cursor}}
        docs = list(self.db[collection].find(query).sort("_id", 1).limit(limit + 1))
        more = len(docs) > limit
        docs = docs[:limit]
        return [from_doc(collection, d) for d in docs], (docs[-1]["_id"] if more else None)

    def active_members(self) -> set[str]:
        return _active_members(self.db)

    def consultations_of(self, period: str) -> list[Consultation]:
        docs = self.db.consultations.find({"entity": ETHICS_OFFICE, "period": period})
        return [from_doc("consultations", d) for d in docs]

    def count_past_answer_date(self, today: dt.date) -> int:
        """Open consultations whose date to answer by has passed (read on the index)."""
        return self.db.consultations.count_documents({
            "entity": ETHICS_OFFICE, "status": ConsultationStatus.open.value,
            "respond_by": {"$lt": today.isoformat()}})


def _active_members(db) -> set[str]:
    return {d["entity"] for d in db["members"].find({"status": MemberStatus.active.value},
                                                    {"entity": 1})}
