"""Reporting's read models, each changed once per event (tracking records in the same transaction)."""
from shared.storage import Repository

from .domain import directory_entry

CONSUMER = "reporting"


class ReportingRepository(Repository):
    indexes = {
        "directory": [([("entity", 1)], {"unique": True})],
    }

    def apply(self, envelope, change) -> bool:
        """Apply `change(uow, envelope)` once per event id; False for a redelivery."""
        return self.once(CONSUMER, envelope.event_id, lambda uow: change(uow, envelope))

    def directory(self) -> list[dict]:
        return [{"code": d["entity"], **{k: d.get(k) for k in ("name", "category", "parent")}}
                for d in self.db.directory.find({}).sort("entity", 1)]


def register_entity(uow, envelope):
    entry = directory_entry(envelope.payload)
    uow["directory"].update_one({"entity": envelope.payload["code"]},
                                {"$set": entry, "$inc": {"registrations": 1}}, upsert=True)
