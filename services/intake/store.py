"""Intake's MongoDB repository: the directory, service requests, activities, retaliation
inquiries and annual figures. Dates are stored as ISO strings (they sort as dates)."""
import datetime as dt
from collections import defaultdict

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.contracts.common import period_of
from shared.contracts.directory import Entity, EntityRegistered
from shared.contracts.intake import (ActivityRecorded, AnnualFigures, AnnualFiguresSubmitted,
                                     InquiryStatus, RetaliationDecisionRecorded,
                                     RetaliationInquiryReceived, ServiceRequestBatchLogged,
                                     ServiceRequestLogged, ServiceRequestRecord)
from shared.errors import Conflict
from shared.storage import Repository, utcnow

from .domain import Inquiry, entity_changed, figures_changed, is_overdue, overdue_cutoff

REVIEW = InquiryStatus.preliminary_review.value


class IntakeRepository(Repository):
    indexes = {
        "entities": [([("entity", 1)], {"unique": True})],
        # requests and activities keep to one index: each index costs much per inserted row
        "service_requests": [([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "activities": [([("entity", 1), ("period", 1), ("_id", 1)], {})],
        "retaliation_inquiries": [([("entity", 1), ("period", 1), ("_id", 1)], {}),
                                  ([("entity", 1), ("status", 1), ("review_opened_on", 1)], {})],
        "annual_figures": [([("entity", 1), ("period", 1), ("version", 1)], {"unique": True})],
    }

    # the directory

    def get_entity(self, code: str) -> dict | None:
        doc = self.db.entities.find_one({"entity": code})
        return _entity(doc) if doc else None

    def list_entities(self) -> list[dict]:
        return [_entity(d) for d in self.db.entities.find({}).sort("entity", 1)]

    def entity_codes(self) -> set[str]:
        return {d["entity"] for d in self.db.entities.find({}, {"entity": 1})}

    def register_entity(self, entity: Entity) -> dict:
        def write(uow):
            existing = uow["entities"].find_one({"entity": entity.code})
            if not entity_changed(existing and _entity(existing), entity):
                return False
            doc = {"entity": entity.code, **entity.model_dump(mode="json", exclude={"code"})}
            uow["entities"].replace_one({"entity": entity.code}, doc, upsert=True)
            uow.emit(EntityRegistered(**entity.model_dump()), entity=entity.code)
            uow.audit("register_entity", f"entities/{entity.code}", entity=entity.code)
            return True
        self.atomically(write)
        return self.get_entity(entity.code)

    # service requests

    def log_service_requests(self, requests: list, single: bool = False) -> list[str]:
        """Store validated `ServiceRequestIn`s in one transaction with one event per entity
        (`service_request_logged` for a single entry); returns their ids in order."""
        now = utcnow()
        records = [ServiceRequestRecord.model_construct(
            id=str(ObjectId()), period=period_of(r.received_on), **dict(r)) for r in requests]
        docs = [_request_doc(rec, now) for rec in records]
        by_entity = defaultdict(list)
        for rec in records:
            by_entity[rec.entity].append(rec)

        def write(uow):
            uow["service_requests"].insert_many(docs)
            for entity, group in by_entity.items():
                if single:
                    uow.emit(ServiceRequestLogged.model_construct(**dict(group[0])), entity=entity)
                else:
                    uow.emit(ServiceRequestBatchLogged.model_construct(
                        entity=entity, requests=group), entity=entity)
                uow.audit("log_service_requests", f"service-requests/{group[0].id}+{len(group)}",
                          entity=entity)
        if docs:
            self.atomically(write)
        return [rec.id for rec in records]

    def get_service_request(self, request_id: str) -> dict | None:
        doc = self.db.service_requests.find_one(self.scoped({"_id": request_id}))
        return _request(doc) if doc else None

    def list_service_requests(self, query: dict, limit: int, cursor: str | None) -> dict:
        return self._page("service_requests", query, limit, cursor, _request)

    # activities

    def record_activities(self, activities: list) -> list[str]:
        now = utcnow()
        records = [ActivityRecorded(id=str(ObjectId()), period=period_of(a.held_on), **dict(a))
                   for a in activities]

        def write(uow):
            uow["activities"].insert_many([_activity_doc(rec, now) for rec in records])
            for rec in records:
                uow.emit(rec, entity=rec.entity)
                uow.audit("record_activity", f"activities/{rec.id}", entity=rec.entity)
        if records:
            self.atomically(write)
        return [rec.id for rec in records]

    def list_activities(self, query: dict, limit: int, cursor: str | None) -> dict:
        return self._page("activities", query, limit, cursor, _activity)

    # retaliation inquiries

    def receive_inquiry(self, entity: str, received_on: dt.date) -> str:
        inquiry_id = str(ObjectId())
        receipt = RetaliationInquiryReceived(id=inquiry_id, entity=entity,
                                             period=period_of(received_on),
                                             received_on=received_on)

        def write(uow):
            uow["retaliation_inquiries"].insert_one({
                "_id": inquiry_id, "entity": entity, "period": receipt.period,
                "received_on": received_on.isoformat(), "status": "received", "decisions": [],
                "review_opened_on": None, "created_at": utcnow()})
            uow.emit(receipt, entity=entity)
            uow.audit("receive_retaliation_inquiry", f"retaliation-inquiries/{inquiry_id}",
                      entity=entity)
        self.atomically(write)
        return inquiry_id

    def get_inquiry(self, inquiry_id: str, today: dt.date) -> dict | None:
        doc = self.db.retaliation_inquiries.find_one(self.scoped({"_id": inquiry_id}))
        return _inquiry(doc, today) if doc else None

    def decide_inquiry(self, inquiry_id: str, decision: InquiryStatus, decided_on: dt.date,
                       today: dt.date) -> dict | None:
        """Record a decision the domain allows (`Inquiry.decide`); None when there is no such
        inquiry (or not one the actor may see)."""
        def write(uow):
            doc = uow["retaliation_inquiries"].find_one(self.scoped({"_id": inquiry_id}))
            if doc is None:
                return None
            before = _inquiry_state(doc)
            after = before.decide(decision, decided_on, today)
            stored = uow["retaliation_inquiries"].find_one_and_update(
                {"_id": inquiry_id, "status": before.status.value},
                {"$set": {"status": after.status.value,
                          "review_opened_on": _iso(after.review_opened_on)},
                 "$push": {"decisions": {"decision": after.status.value,
                                         "decided_on": decided_on.isoformat(),
                                         "previous_status": before.status.value,
                                         "recorded_at": utcnow()}}},
                return_document=ReturnDocument.AFTER)
            if stored is None:
                raise Conflict("the inquiry changed meanwhile; read it again")
            uow.emit(RetaliationDecisionRecorded(
                id=inquiry_id, entity=doc["entity"], period=doc["period"],
                decision=after.status, decided_on=decided_on, previous_status=before.status,
                status=after.status), entity=doc["entity"])
            uow.audit(f"decide_{after.status.value}", f"retaliation-inquiries/{inquiry_id}",
                      entity=doc["entity"])
            return _inquiry(stored, today)
        return self.atomically(write)

    def list_inquiries(self, query: dict, overdue: bool | None, today: dt.date, limit: int,
                       cursor: str | None) -> dict:
        query = dict(query)
        cutoff = overdue_cutoff(today).isoformat()
        if overdue is True:
            query.update(status=REVIEW, review_opened_on={"$lt": cutoff})
        elif overdue is False:
            query["$or"] = [{"status": {"$ne": REVIEW}}, {"review_opened_on": {"$gte": cutoff}}]
        return self._page("retaliation_inquiries", query, limit, cursor,
                          lambda d: _inquiry(d, today))

    def overdue_reviews(self, today: dt.date) -> dict[str, int]:
        """Per entity with an open preliminary review, how many are overdue on `today`."""
        counts: dict[str, int] = {}
        entities = sorted(self.entity_codes())
        for doc in self.db.retaliation_inquiries.find(
                {"entity": {"$in": entities}, "status": REVIEW},
                {"entity": 1, "review_opened_on": 1}):
            opened = _date(doc.get("review_opened_on"))
            counts[doc["entity"]] = (counts.get(doc["entity"], 0)
                                     + is_overdue(REVIEW, opened, today))
        return counts

    # annual figures

    def submit_figures(self, entity: str, period: str, figures: AnnualFigures) -> tuple[int, bool]:
        """Store `figures` as the next version; (version, False) when they equal the latest."""
        def write(uow):
            latest = uow["annual_figures"].find_one({"entity": entity, "period": period},
                                                    sort=[("version", -1)])
            if latest and not figures_changed(latest["figures"], figures):
                return latest["version"], False
            version = latest["version"] + 1 if latest else 1
            uow["annual_figures"].insert_one({
                "entity": entity, "period": period, "version": version,
                "figures": figures.model_dump(mode="json"), "submitted_at": utcnow(),
                "submitted_by": self.actor.label or self.actor.role.value})
            uow.emit(AnnualFiguresSubmitted(entity=entity, period=period, version=version,
                                            figures=figures), entity=entity)
            uow.audit("submit_annual_figures", f"annual-figures/{entity}/{period}/{version}",
                      entity=entity)
            return version, True
        try:
            return self.atomically(write)
        except DuplicateKeyError:
            raise Conflict("figures for this period were submitted at the same moment; retry")

    def figure_versions(self, entity: str, period: str, latest_only: bool = False) -> list[dict]:
        cursor = self.db.annual_figures.find({"entity": entity, "period": period}).sort(
            "version", -1 if latest_only else 1)
        if latest_only:
            cursor = cursor.limit(1)
        return [_figures(d) for d in cursor]

    # paging

    def _page(self, collection: str, query: dict, limit: int, cursor: str | None, shape) -> dict:
        """One page in id order (ids grow with time); `next_cursor` is None on the last page."""
        query = self.scoped(query)
        if cursor:
            query["_id"] = {"$gt": cursor}
        docs = list(self.db[collection].find(query).sort("_id", 1).limit(limit + 1))
        more = len(docs) > limit
        docs = docs[:limit]
        return {"items": [shape(d) for d in docs],
                "next_cursor": docs[-1]["_id"] if more else None}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _entity(doc: dict) -> dict:
    return {"code": doc["entity"], "name": doc["name"], "category": doc["category"],
            "parent": doc.get("parent")}


def _request_doc(rec: ServiceRequestRecord, now) -> dict:
    return {"_id": rec.id, "entity": rec.entity, "period": rec.period,
            "received_on": rec.received_on.isoformat(), "category": rec.category.value,
            "advice_topic": rec.advice_topic.value if rec.advice_topic else None,
            "source": rec.source.value, "logged_at": now}


def _request(doc: dict) -> dict:
    return {"id": doc["_id"], **{k: doc.get(k) for k in (
        "entity", "period", "received_on", "category", "advice_topic", "source")}}


def _activity_doc(rec: ActivityRecorded, now) -> dict:
    return {"_id": rec.id, "entity": rec.entity, "period": rec.period,
            "held_on": rec.held_on.isoformat(), "kind": rec.kind.value,
            "participants": rec.participants, "recorded_at": now}


def _activity(doc: dict) -> dict:
    return {"id": doc["_id"], **{k: doc[k] for k in (
        "entity", "period", "held_on", "kind", "participants")}}


def _inquiry_state(doc: dict) -> Inquiry:
    return Inquiry(received_on=_date(doc["received_on"]), status=InquiryStatus(doc["status"]),
                   decisions=tuple((InquiryStatus(d["decision"]), _date(d["decided_on"]),
                                    InquiryStatus(d["previous_status"]))
                                   for d in doc["decisions"]),
                   review_opened_on=_date(doc.get("review_opened_on")))


def _inquiry(doc: dict, today: dt.date) -> dict:
    return {"id": doc["_id"], "entity": doc["entity"], "period": doc["period"],
            "received_on": doc["received_on"], "status": doc["status"],
            "decisions": [{k: d[k] for k in ("decision", "decided_on", "previous_status")}
                          for d in doc["decisions"]],
            "review_opened_on": doc.get("review_opened_on"),
            "overdue": _inquiry_state(doc).overdue(today)}


def _figures(doc: dict) -> dict:
    return {"entity": doc["entity"], "period": doc["period"], "version": doc["version"],
            "submitted_at": doc["submitted_at"].isoformat(), "figures": doc["figures"]}
