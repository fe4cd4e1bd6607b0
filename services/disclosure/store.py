"""Disclosure's MongoDB repositories and unit of work. Document shapes live here only; dates are
stored as ISO strings.

Filers are keyed `"{year}:{staff_id}"`, so a staff id is enrolled once per cycle whatever its
entity, and carry a version `v` that each change increments: a change is written only to the
filer as it was read. Compliance and cycle figures come from per-(cycle, entity, duty station)
counters, changed by `$inc` in the transaction of the filers they count. Statements are stored
sealed with the keyring (AES-GCM) the unit of work is given; their plaintext never is.
"""
import datetime as dt
import random
from typing import Callable

from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.disclosure import PublicReview as R
from shared.dependencies import UnitOfWork
from shared.kernel.batch import chunks, pause
from shared.kernel.errors import Conflict, StaleState
from shared.kernel.pagination import Page
from shared.mongo import MongoRepository, MongoUnitOfWork, find_ids

from .domain import (FILED, NOT_FILED, Cycle, Draft, Enrolment, Filer, FilerChanges,
                     FilerReminder,
                     Participant,
                     PublicDisclosure, PublicReviewed, Reminder, S, Statement,
                     VerificationSample)
from .keyring import (Keyring, open_draft, open_statement, reseal_draft, reseal_statement,
                      seal_draft,
                      seal_statement)
from .metrics import register_gauges

WRITE_CHUNK = 1000
RESEAL_PAGE = 500
COUNTER_SHARDS = 16  # documents a counter is spread over
COUNTER_NAMES = ("entity", "year", "duty_station")  # what names a counter, never summed
EO = {"entity": ETHICS_OFFICE}


class Participants(MongoRepository):
    def get(self, entity: str) -> Participant | None:
        doc = self.db.participants.find_one({"entity": entity})
        return _participant(doc) if doc else None

    def all(self, entity: str | None = None) -> list[Participant]:
        query = {"entity": entity} if entity else {}
        return [_participant(d) for d in self.db.participants.find(query).sort("entity", 1)]

    def codes(self) -> list[str]:
        return sorted(d["entity"] for d in self.db.participants.find({}, {"entity": 1}))

    def categories(self) -> dict[str, str]:
        return {d["entity"]: d.get("category", "unclassified")
                for d in self.db.participants.find({}, {"entity": 1, "category": 1})}

    def cost_sharing(self) -> list[str]:
        return sorted(d["entity"] for d in self.db.participants.find({"cost_sharing": True},
                                                                     {"entity": 1}))

    def save(self, participant: Participant):
        self.uow.seen(participant)
        self.uow.replace("participants", {"entity": participant.entity}, participant.view())


class Cycles(MongoRepository):
    def get(self, year: int) -> Cycle | None:
        doc = self.db.cycles.find_one({**EO, "year": year})
        return _cycle(doc) if doc else None

    def all(self) -> list[Cycle]:
        return [_cycle(d) for d in self.db.cycles.find(EO).sort("year", 1)]

    def newest_open(self) -> Cycle | None:
        doc = self.db.cycles.find_one({**EO, "status": "open"}, sort=[("year", -1)])
        return _cycle(doc) if doc else None

    def add(self, cycle: Cycle):
        self.uow.seen(cycle)
        _insert_once(self.uow, "cycles", _cycle_doc(cycle),
                     lambda: Conflict(f"the {cycle.year} cycle exists already"))

    def save(self, before: Cycle, after: Cycle):
        """`after` replaces `before`, if the stored cycle is still `before`."""
        self.uow.seen(after)
        doc = _cycle_doc(after)
        self.uow.update("cycles", {**EO, "year": after.year, "status": before.status},
                        {"$set": {"status": doc["status"], "closed_on": doc["closed_on"]}},
                        expect=True)

    def still_open(self, cycle: Cycle):
        """The changes of this unit of work need `cycle` open when they are written."""
        def check(session):
            if not self.db.cycles.find_one({**EO, "year": cycle.year, "status": "open"},
                                           {"_id": 1}, session=session):
                raise StaleState(f"the {cycle.year} cycle changed meanwhile")
        self.uow.stage(check)


class Filers(MongoRepository):
    def get(self, year: int, staff_id: str) -> Filer | None:
        doc = self.db.filers.find_one({"_id": _key(year, staff_id)})
        return _filer(doc) if doc else None

    def many(self, year: int, staff_ids: list[str]) -> dict[str, Filer]:
        """The enrolled among `staff_ids`, by staff id."""
        docs = find_ids(self.db.filers, [_key(year, s) for s in staff_ids])
        return {d["staff_id"]: _filer(d) for d in docs}

    def filed_before(self, staff_ids: list[str], years: list[int]) -> set[str]:
        """The staff ids among `staff_ids` who filed in one of the cycles of `years`."""
        ids = [_key(y, s) for y in years for s in staff_ids]
        docs = find_ids(self.db.filers, ids, {"staff_id": 1, "status": 1})
        return {d["staff_id"] for d in docs if S(d["status"]) in FILED}

    def add(self, enrolment: Enrolment):
        self.uow.seen(enrolment)
        docs = [_filer_doc(f) for f in enrolment.filers]

        def write(session):
            try:
                self.db.filers.insert_many(docs, session=session)
            except BulkWriteError:  # enrolled meanwhile by a concurrent batch
                raise StaleState("some of these staff ids were enrolled meanwhile")
        if docs:
            self.uow.stage(write)

    def save(self, changes: FilerChanges):
        """Each filer's change, if the stored filer is still the version that was read."""
        self.uow.seen(changes)
        updates = [UpdateOne({"_id": _key(f.year, f.staff_id), "v": f.version},
                             _filer_change(f)) for f in changes.filers]
        for part in chunks(updates, WRITE_CHUNK):
            self.uow.bulk("filers", list(part), expect=True)

    def page(self, year: int, entity: str | None, status: str | None, limit: int,
             cursor: str | None) -> Page:
        """Filers in (entity, staff id) order, read entity by entity on the index; the cursor
        is `ENTITY/STAFF_ID`."""
        after_entity, _, after_staff = (cursor or "").rpartition("/")
        if entity:
            entities = [entity]
            if after_entity not in ("", entity):
                after_staff = ""
            after_entity = entity
        else:
            entities = [e for e in Participants(self.uow).codes() if e >= after_entity]
        docs: list[dict] = []
        for code in entities:
            query: dict = {"entity": code, "year": year}
            if status:
                query["status"] = status
            if code == after_entity and after_staff:
                query["staff_id"] = {"$gt": after_staff}
            docs += self.db.filers.find(query).sort("staff_id", 1).limit(limit + 1 - len(docs))
            if len(docs) > limit:
                break
        found = [_filer(d) for d in docs[:limit]]
        more = len(docs) > limit
        return Page(found, f"{found[-1].entity}/{found[-1].staff_id}" if more else None)

    def non_filers(self, year: int, entity: str, limit: int, cursor: str | None) -> Page:
        """One entity's filers who have not filed (outstanding or exempted), by staff id."""
        query: dict = {"entity": entity, "year": year,
                       "status": {"$in": [s.value for s in NOT_FILED]}}
        if cursor:
            query["staff_id"] = {"$gt": cursor}
        docs = list(self.db.filers.find(query).sort("staff_id", 1).limit(limit + 1))
        found = [_filer(d) for d in docs[:limit]]
        return Page(found, found[-1].staff_id if len(docs) > limit and found else None)

    def outstanding(self, year: int, entity: str) -> list[str]:
        """The staff ids of `entity` who have neither filed nor been exempted."""
        return [d["staff_id"] for d in self.db.filers.find(
            {"entity": entity, "year": year, "status": S.invited.value},
            {"staff_id": 1}).sort("staff_id", 1)]

    def population(self, year: int) -> list[dict]:
        """Each filer's stratum fields and status, for drawing the verification sample."""
        fields = {"_id": 0, "staff_id": 1, "entity": 1, "grade": 1, "duty_station": 1,
                  "designation": 1, "first_time": 1, "status": 1}
        out = []
        for n, doc in enumerate(self.db.filers.find(_year_range(year), fields)):
            if n % 2000 == 0:
                pause()
            out.append(doc)
        return out


class Counters(MongoRepository):
    """The counts of a cycle per entity and duty station. Each is spread over COUNTER_SHARDS
    documents, one of which a write changes, and summed when read: filers filing at once in one
    entity and duty station then seldom change the same document, so their transactions do not
    conflict and run again (a deadline day's load)."""

    def of(self, year: int) -> list[dict]:
        summed: dict[tuple, dict] = {}
        for doc in self.db.counters.find({"_id": _counter_range(year)}, {"_id": 0}):
            key = (doc["entity"], doc["duty_station"])
            summed[key] = _summed(summed[key], doc) if key in summed else doc
        return list(summed.values())

    def add(self, year: int, counts: dict[tuple[str, str], dict]):
        """`counts`: per (entity, duty station), the change of each counter path."""
        shard = random.randrange(COUNTER_SHARDS)
        self.uow.bulk("counters", [
            UpdateOne({"_id": _counter_id(year, entity, station, shard)},
                      {"$inc": delta, "$setOnInsert": {"entity": entity, "year": year,
                                                       "duty_station": station}}, upsert=True)
            for (entity, station), delta in counts.items()])


def _summed(counts: dict, more: dict) -> dict:
    """Two shards of one counter added up, path by path (the names stay as they are)."""
    out = dict(counts)
    for name, value in more.items():
        if name in COUNTER_NAMES:
            continue
        if isinstance(value, dict):
            out[name] = _summed(out.get(name) or {}, value)
        else:
            out[name] = out.get(name, 0) + value
    return out


class Sealed(MongoRepository):
    """Records sealed with the statement keys (statements, drafts), which a key rotation
    seals again with the newest key, a page at a time."""
    uow: "DisclosureUnitOfWork"
    collection: str
    resealed = staticmethod(reseal_statement)

    @property
    def keyring(self) -> Keyring:
        if self.uow.keyring is None:
            raise RuntimeError("statements need the keyring (FDP_KEYS) to be read or written")
        return self.uow.keyring

    def sealed_with_older_keys(self, entity: str) -> list[dict]:
        """A page of `entity`'s records sealed with a key older than the newest."""
        older = [k for k in self.keyring.keys if k != self.keyring.newest]
        return list(self.db[self.collection].find({"entity": entity, "key_id": {"$in": older}})
                    .limit(RESEAL_PAGE)) if older else []

    def reseal(self, sealed: list[dict]):
        """Seal each of `sealed` again with the newest key, if it is still as it was read."""
        self.uow.bulk(self.collection, [
            UpdateOne({"_id": d["_id"], "key_id": d["key_id"], "nonce": d["nonce"]},
                      {"$set": self.resealed(self.keyring, d)})
            for d in sealed], expect=True)

    def count(self) -> int:
        return self.db[self.collection].count_documents({})


class Statements(Sealed):
    collection = "statements"

    def add(self, statements: list[Statement]):
        """The filed statements, which replace their filers' drafts."""
        self.uow.insert("statements", *[
            {"_id": _key(s.year, s.staff_id), **seal_statement(self.keyring, s)}
            for s in statements])
        ids = [_key(s.year, s.staff_id) for s in statements]
        for part in chunks(ids, WRITE_CHUNK):
            self.uow.stage(_deleting_drafts(self.db, list(part)))

    def of_filer(self, staff_id: str, years: list[int]) -> list[Statement]:
        """A filer's statements of the cycles of `years`."""
        docs = find_ids(self.db.statements, [_key(y, staff_id) for y in years])
        return [open_statement(self.keyring, d) for d in docs]

    def get(self, year: int, staff_id: str) -> Statement | None:
        doc = self.db.statements.find_one({"_id": _key(year, staff_id)})
        return open_statement(self.keyring, doc) if doc else None

    @property
    def newest_key(self) -> str:
        return self.keyring.newest


class Drafts(Sealed):
    collection = "drafts"
    resealed = staticmethod(reseal_draft)

    def get(self, year: int, staff_id: str) -> Draft | None:
        doc = self.db.drafts.find_one({"_id": _key(year, staff_id)})
        return open_draft(self.keyring, doc) if doc else None

    def save(self, draft: Draft):
        key = _key(draft.year, draft.staff_id)
        self.uow.replace("drafts", {"_id": key}, {"_id": key, **seal_draft(self.keyring, draft)})

    def remove(self, year: int, staff_id: str):
        key = _key(year, staff_id)
        self.uow.stage(lambda session: self.db.drafts.delete_one({"_id": key},
                                                                 session=session))


class Samples(MongoRepository):
    def get(self, year: int) -> VerificationSample | None:
        doc = self.db.samples.find_one({**EO, "year": year})
        return _sample(doc) if doc else None

    def add(self, sample: VerificationSample):
        self.uow.seen(sample)
        _insert_once(self.uow, "samples", sample.view(), sample.another_refused)


class PublicDisclosures(MongoRepository):
    """One record per filer and cycle; a decision made again (its summary returned) replaces
    the one before. A record stored before summaries were reviewed has no review: published,
    it reads as approved."""

    def add(self, decisions: list[PublicDisclosure]):
        self.uow.bulk("public_disclosures", [
            ReplaceOne({"_id": _key(d.year, d.staff_id)}, _public_doc(d), upsert=True)
            for d in decisions])

    def review(self, reviews: list[PublicReviewed]):
        self.uow.bulk("public_disclosures", [
            UpdateOne({"_id": _key(r.year, r.staff_id)}, {"$set": {
                "review": r.review, "reviewed_on": r.reviewed_on.isoformat(),
                "reviewed_by": r.reviewed_by, "returned_reason": r.returned_reason}})
            for r in reviews], expect=True)

    def get(self, year: int, staff_id: str) -> PublicDisclosure | None:
        doc = self.db.public_disclosures.find_one({"_id": _key(year, staff_id)})
        return _public_disclosure(doc) if doc else None

    def published(self, year: int) -> list[PublicDisclosure]:
        return self._find(year, {"publish": True, "review": {"$in": [R.approved.value, None]}})

    def pending(self, year: int) -> list[PublicDisclosure]:
        return self._find(year, {"review": R.pending.value})

    def _find(self, year: int, query: dict) -> list[PublicDisclosure]:
        return [_public_disclosure(d) for d in self.db.public_disclosures.find(
            {**_year_range(year), **query}).sort("_id", 1)]


class Reminders(MongoRepository):
    def sent(self, year: int, days_before: int) -> set[str]:
        """The entities reminded `days_before` the deadline of the `year` cycle."""
        return {d["entity"] for d in self.db.reminders.find(
            {"year": year, "days_before": days_before}, {"entity": 1})}

    def add(self, reminder: Reminder):
        self.uow.seen(reminder)
        doc = {"_id": f"{reminder.year}|{reminder.entity}|{reminder.days_before}",
               "entity": reminder.entity, "year": reminder.year,
               "days_before": reminder.days_before, "non_filers": reminder.non_filers,
               "sent_on": _iso(reminder.sent_on), "sent_by": reminder.sent_by}
        _insert_once(self.uow, "reminders", doc, lambda: StaleState(
            f"a reminder to {reminder.entity} was sent meanwhile"))

    def add_for_filer(self, reminder: FilerReminder):
        """One filer's reminder, at most one a day (its key holds the day)."""
        self.uow.seen(reminder)
        sent_on = reminder.sent_on.isoformat()
        doc = {"_id": f"{reminder.year}|{reminder.entity}|{reminder.staff_id}|{sent_on}",
               "entity": reminder.entity, "year": reminder.year,
               "staff_id": reminder.staff_id, "sent_on": sent_on,
               "sent_by": reminder.sent_by, "non_filers": 1}
        _insert_once(self.uow, "reminders", doc, lambda: StaleState(
            f"{reminder.staff_id} was reminded meanwhile"))

    def filer_days(self, year: int, staff_id: str) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(d["sent_on"]) for d in self.db.reminders.find(
            {"year": year, "staff_id": staff_id}, {"sent_on": 1}))

    def of(self, year: int, entity: str) -> list[dict]:
        return [{"year": d["year"], "entity": d["entity"], "staff_id": d.get("staff_id"),
                 "sent_on": d.get("sent_on"), "sent_by": d.get("sent_by"),
                 "days_before": d.get("days_before"), "non_filers": d.get("non_filers", 0)}
                for d in self.db.reminders.find({"entity": entity, "year": year})]


class DisclosureUnitOfWork(MongoUnitOfWork):
    """Given the `keyring` that seals statements."""
    repositories = {"participants": Participants, "cycles": Cycles, "filers": Filers,
                    "counters": Counters, "statements": Statements, "samples": Samples,
                    "public_disclosures": PublicDisclosures, "reminders": Reminders,
                    "drafts": Drafts}
    indexes = {
        "participants": [([("entity", 1)], {"unique": True})],
        "cycles": [([("entity", 1), ("year", 1)], {"unique": True})],
        "filers": [([("entity", 1), ("year", 1), ("staff_id", 1)], {}),
                   ([("entity", 1), ("year", 1), ("status", 1), ("staff_id", 1)], {})],
        "statements": [([("entity", 1), ("key_id", 1)], {})],
        "drafts": [([("entity", 1), ("key_id", 1)], {})],
        "counters": [([("entity", 1), ("year", 1)], {})],
        "samples": [([("entity", 1), ("year", 1)], {"unique": True})],
        "public_disclosures": [([("entity", 1), ("year", 1)], {})],
        "reminders": [([("entity", 1), ("year", 1)], {})],
    }

    def __init__(self, *args, keyring: Keyring | None = None, **kwargs):
        self.keyring = keyring
        super().__init__(*args, **kwargs)


class DisclosureStore(UnitOfWork):
    """The service's units of work, holding the statement keys of `FDP_KEYS`: without a valid
    one the service does not start. Also serves the programme's gauges."""

    def __init__(self):
        super().__init__(DisclosureUnitOfWork)

    def setup(self):
        self.extra["keyring"] = Keyring.from_setting(self.container.config.get("FDP_KEYS"))
        super().setup()
        register_gauges(lambda: DisclosureUnitOfWork(self.db, self.client))


# ---- document shapes ----

CHANGING = ("status", "filed_on", "late", "exemption_reason", "conflicts", "sampled",
            "verification", "public_disclosure", "public_review", "returned_reason",
            "mitigation", "acknowledgement")
CLEARED = ("public_review", "returned_reason")  # the fields a move may set back to none
DECISION = ("publish", "declined_reason", "summary", "name", "title")


def _deleting_drafts(db, ids: list[str]):
    def write(session):
        db.drafts.delete_many({"_id": {"$in": ids}}, session=session)
    return write


def _key(year: int, staff_id: str) -> str:
    return f"{year}:{staff_id}"


def _year_range(year: int) -> dict:
    """The `_id` range of one cycle's filers, statements or public disclosures."""
    return {"_id": {"$gt": f"{year}:", "$lt": f"{year};"}}


def _counter_id(year: int, entity: str, duty_station: str, shard: int) -> str:
    # shard 0 keeps the identifier counters had before they were spread
    return f"{year}|{entity}|{duty_station}" + (f"|{shard}" if shard else "")


def _counter_range(year: int) -> dict:
    return {"$gte": f"{year}|", "$lt": f"{year}}}"}


def _insert_once(uow: MongoUnitOfWork, collection: str, doc: dict, refused: Callable):
    """Insert `doc` at commit; when its key is taken, the commit fails with `refused()`."""
    def write(session):
        try:
            uow.db[collection].insert_one(doc, session=session)
        except DuplicateKeyError:
            raise refused()
    uow.stage(write)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _participant(doc: dict) -> Participant:
    return Participant(doc["entity"], doc["cost_sharing"], list(doc.get("focal_points") or []),
                       doc.get("category", "unclassified"))


def _cycle(doc: dict) -> Cycle:
    return Cycle(doc["year"], dt.date.fromisoformat(doc["opens_on"]),
                 dt.date.fromisoformat(doc["deadline"]),
                 doc["programme_cost"], doc["status"], _date(doc.get("closed_on")))


def _cycle_doc(cycle: Cycle) -> dict:
    """The stored cycle: `status` is open or closed, the Office's act; the state by dates
    (scheduled, overdue) is worked out when it is read."""
    return {**EO, "year": cycle.year, "opens_on": cycle.opens_on.isoformat(),
            "deadline": cycle.deadline.isoformat(), "programme_cost": cycle.programme_cost,
            "status": cycle.status, "closed_on": _iso(cycle.closed_on)}


def _filer_doc(filer: Filer) -> dict:
    return {"_id": _key(filer.year, filer.staff_id), "year": filer.year,
            "staff_id": filer.staff_id, "entity": filer.entity,
            "duty_station": filer.duty_station, "grade": filer.grade,
            "designation": filer.designation, "first_time": filer.first_time,
            **_changing(filer), "v": filer.version,
            **({"enrolled_on": filer.enrolled_on.isoformat()} if filer.enrolled_on else {}),
            **{k: getattr(filer, k) for k in ("email", "language") if getattr(filer, k)}}


def _changing(filer: Filer) -> dict:
    """The fields a filer's moves set (a field no move has set yet is absent)."""
    values = {k: getattr(filer, k) for k in CHANGING}
    values["filed_on"] = _iso(values["filed_on"])
    return {k: v for k, v in values.items() if v or k == "status"}


def _filer_change(filer: Filer) -> dict:
    changing = _changing(filer)
    cleared = {k: "" for k in CLEARED if k not in changing}
    return {"$set": changing, "$inc": {"v": 1}, **({"$unset": cleared} if cleared else {})}


def _filer(doc: dict) -> Filer:
    return Filer(doc["year"], doc["staff_id"], doc["entity"], doc["duty_station"], doc["grade"],
                 doc["designation"], bool(doc.get("first_time")), doc["status"],
                 _date(doc.get("filed_on")), doc.get("exemption_reason"), doc.get("conflicts"),
                 bool(doc.get("sampled")), doc.get("verification"),
                 doc.get("public_disclosure"), doc.get("v", 0), _date(doc.get("enrolled_on")),
                 doc.get("email"), doc.get("language"), bool(doc.get("late")),
                 doc.get("public_review") or _legacy_review(doc.get("public_disclosure")),
                 doc.get("returned_reason"), doc.get("mitigation"), doc.get("acknowledgement"))


def _legacy_review(decision: str | None) -> str | None:
    """A summary published before summaries were reviewed stays public: approved."""
    return R.approved.value if decision == "published" else None


def _public_doc(d: PublicDisclosure) -> dict:
    return {"_id": _key(d.year, d.staff_id), "year": d.year, "staff_id": d.staff_id,
            "entity": d.entity, "grade": d.grade, "decided_on": d.decided_on.isoformat(),
            **d.decision, "review": d.review, "reviewed_on": _iso(d.reviewed_on),
            "reviewed_by": d.reviewed_by, "returned_reason": d.returned_reason}


def _public_disclosure(doc: dict) -> PublicDisclosure:
    decision = "published" if doc.get("publish") else "declined"
    return PublicDisclosure(doc["year"], doc["staff_id"], doc["entity"], doc["grade"],
                            dt.date.fromisoformat(doc["decided_on"]),
                            {k: doc.get(k) for k in DECISION},
                            doc.get("review") or _legacy_review(decision),
                            _date(doc.get("reviewed_on")), doc.get("reviewed_by"),
                            doc.get("returned_reason"))


def _sample(doc: dict) -> VerificationSample:
    return VerificationSample(doc["year"], doc["size"], doc["seed"], list(doc["strata"]),
                              doc["population"], list(doc["allocation"]),
                              list(doc["staff_ids"]))
