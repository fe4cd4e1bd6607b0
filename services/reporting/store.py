"""Reporting's read models: small documents changed once per event, read by the reports.

The models live in generations: generation 0 uses the plain collection names, generation n adds
`_g<n>`. The `generations` document names the active generation and, while a rebuild runs, the
one being built. A delivered event is applied to both, each with its own tracking record, in one
transaction; so a rebuilt generation misses nothing that arrives while it is built, and the swap
is one write.
"""
import datetime as dt
import logging
from collections import defaultdict

from pymongo import ReplaceOne, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from shared.contracts.common import ETHICS_OFFICE
from shared.errors import Conflict
from shared.storage import Repository, utcnow

from .domain import Add, Revise, merged, project

log = logging.getLogger(__name__)

PROCESSED = "processed_events"
CONSUMER = "reporting"
STATE = {"_id": "state"}
CLAIMED = "claimed"  # `building` while a rebuild prepares its generation
FETCH_CHUNK = 100  # ids per `$in` query: secantusdb slows down on longer lists

# model -> the fields of its unique key, `entity` first
MODELS = {
    "directory": ["entity"],
    "tallies": ["entity", "period"],
    "submitted": ["entity", "period"],
    "fdp": ["entity", "year", "unit"],
    "enrolment": ["entity", "year"],
    "filers": ["entity", "year", "staff_id"],
    "cycles": ["entity", "year"],
    "samples": ["entity", "year"],
    "participants": ["entity"],
    "members": ["entity"],
    "meetings": ["entity", "id"],
    "consultations": ["entity", "id"],
    "report_reviews": ["entity", "id"],
    "chair_reviews": ["entity", "id"],
}
MORE_INDEXES = {"meetings": ["entity", "period"], "consultations": ["entity", "period"]}


def collection(model: str, generation: int) -> str:
    return model if generation == 0 else f"{model}_g{generation}"


def mark_id(event_id: str) -> str:
    return f"{CONSUMER}:{event_id}"


def live_generations(state: dict) -> list[int]:
    building = state.get("building")
    return [state.get("active", 0)] + ([building] if isinstance(building, int) else [])


def create_generation_indexes(db, generation: int):
    for model, fields in MODELS.items():
        db[collection(model, generation)].create_index([(f, 1) for f in fields], unique=True)
    for model, fields in MORE_INDEXES.items():
        db[collection(model, generation)].create_index([(f, 1) for f in fields])


class ReportingRepository(Repository):

    @classmethod
    def create_indexes(cls, db):
        super().create_indexes(db)
        state = db.generations.find_one(STATE) or {}
        for generation in {0, *live_generations(state)}:
            create_generation_indexes(db, generation)
            adopt_key_ids(db, generation)

    # ---- writing ----

    def apply(self, envelope) -> bool:
        """Apply an event to the live generations, once each; False when it was a redelivery."""
        changes = project(envelope.type, envelope.payload, envelope.occurred_at.isoformat())
        return envelope.event_id in self.apply_group([(envelope, changes)])

    def apply_group(self, group: list, generations: list | None = None) -> set:
        """Apply several events, `(envelope, changes)` pairs, in one transaction: to the live
        generations (or to `generations`), each event once per generation. Counters that several
        events move are updated once. Returns the ids of the events that were new somewhere."""
        def write(uow):
            targets = generations
            if targets is None:
                targets = live_generations(uow["generations"].find_one(STATE) or {})
            applied = set()
            for generation in targets:
                marks = uow[collection(PROCESSED, generation)]
                unique = {envelope.event_id: (envelope, changes) for envelope, changes in group}
                ids = [mark_id(event_id) for event_id in unique]
                seen = {d["_id"] for d in marks.find({"_id": {"$in": ids}}, {"_id": 1})}
                fresh = [pair for event_id, pair in unique.items()
                         if mark_id(event_id) not in seen]
                if not fresh:
                    continue
                marks.insert_many([_mark(envelope.event_id) for envelope, _ in fresh])
                write_changes(uow, generation, [c for _, changes in fresh for c in changes])
                applied.update(envelope.event_id for envelope, _ in fresh)
            return applied
        return self.atomically(write)

    def replay(self, generation: int, envelopes: list) -> int:
        """Apply events to one generation in one transaction (skipping those it already has)."""
        return len(self.apply_group([(e, _projected(e)) for e in envelopes], [generation]))

    # ---- generations and rebuilds ----

    def generations(self) -> dict:
        return self.db.generations.find_one(STATE) or {"active": 0, "building": None}

    def begin_rebuild(self, stale_after: dt.timedelta) -> int:
        """Claim the rebuild (one at a time; a claim without progress for `stale_after` is
        taken over) and prepare a fresh generation for it."""
        now = utcnow()
        free = {"$or": [{"building": None}, {"heartbeat": {"$lt": now - stale_after}}]}
        try:
            before = self.db.generations.find_one_and_update(
                {**STATE, **free},
                {"$inc": {"newest": 1}, "$set": {
                    "entity": "-", "building": CLAIMED, "started_at": now, "heartbeat": now,
                    "replayed": 0, "finished_at": None, "error": None}},
                upsert=True, return_document=ReturnDocument.BEFORE) or {}
        except DuplicateKeyError:  # the state exists and is not free: a rebuild is running
            raise Conflict("a rebuild of the read models is running")
        if isinstance(before.get("building"), int):  # a rebuild that stopped making progress
            self.drop_generation(before["building"])
        generation = max(before.get("newest", 0) + 1, before.get("active", 0) + 1)
        self.drop_generation(generation)
        create_generation_indexes(self.db, generation)
        self.db.generations.update_one(STATE, {"$set": {
            "active": before.get("active", 0), "building": generation, "newest": generation,
            "heartbeat": utcnow()}})
        return generation

    def rebuild_progress(self, generation: int, replayed: int):
        self.db.generations.update_one({**STATE, "building": generation},
                                       {"$set": {"heartbeat": utcnow(), "replayed": replayed}})

    def finish_rebuild(self, generation: int) -> int | None:
        """Make `generation` the active one; returns the generation it replaces."""
        state = self.db.generations.find_one_and_update(
            {**STATE, "building": generation},
            {"$set": {"active": generation, "building": None, "finished_at": utcnow()}})
        return state.get("active", 0) if state else None

    def abandon_rebuild(self, generation: int, error: str):
        self.db.generations.update_one({**STATE, "building": generation},
                                       {"$set": {"building": None, "error": error[:500]}})
        self.drop_generation(generation)

    def drop_generation(self, generation: int):
        for model in [*MODELS, PROCESSED]:
            self.db.drop_collection(collection(model, generation))

    # ---- reading (always the active generation) ----

    def view(self) -> "View":
        return View(self.db, self.generations().get("active", 0))

    def directory(self) -> list[dict]:
        return [{"code": code, **{k: d.get(k) for k in ("name", "category", "parent")}}
                for code, d in sorted(self.view().directory().items())]


def _projected(envelope) -> list:
    """An event's changes; none (and a log line) for one that no projection can read, as the
    live consumer dead-letters it."""
    try:
        return project(envelope.type, envelope.payload, envelope.occurred_at.isoformat())
    except (KeyError, TypeError, ValueError) as exc:
        log.error("replay skips %s event %s: %r", envelope.type, envelope.event_id, exc)
        return []


def _mark(event_id: str) -> dict:
    return {"_id": mark_id(event_id), "entity": "-", "consumer": CONSUMER,
            "event_id": event_id, "at": utcnow()}


def doc_id(model: str, fields: dict) -> str:
    """A read-model document's `_id`: its key's values, `|`-joined (`EO|2014|DM`)."""
    return "|".join(str(fields[name]) for name in MODELS[model])


def write_changes(uow, generation: int, changes: list):
    revisions = [c for c in changes if isinstance(c, Revise)]
    adds = [c for c in changes if isinstance(c, Add)]
    writes: dict = defaultdict(list)
    inserts: dict = defaultdict(list)
    adds += _revise(uow, generation, revisions, writes, inserts)
    for model, docs in inserts.items():
        uow[collection(model, generation)].insert_many(docs)
    for add in merged(adds):
        writes[add.model].append(UpdateOne({"_id": doc_id(add.model, add.key)}, {
            "$inc": add.amounts, "$setOnInsert": add.key}, upsert=True))
    for model, requests in writes.items():
        uow[collection(model, generation)].bulk_write(requests, ordered=True)


def _revise(uow, generation, revisions, writes, inserts) -> list:
    """Apply the Revises (in order per record); returns the counter Adds their records feed."""
    by_record: dict = defaultdict(list)
    for revision in revisions:
        by_record[(revision.model, doc_id(revision.model, revision.key))].append(revision)
    before_of = _fetch(uow, generation, list(by_record))
    adds = []
    for (model, _id), chain in by_record.items():
        before = before_of.get((model, _id))
        after = before
        for revision in chain:
            after = {**revision.change(after), **revision.key, "_id": _id}
        if after == before:
            continue
        feeds = chain[0].feeds
        if feeds:
            adds += [*_negated(feeds(before) if before else []), *feeds(after)]
        if before is None:
            inserts[model].append(after)
        else:
            writes[model].append(ReplaceOne({"_id": _id}, after))
    return adds


def _negated(adds: list) -> list:
    return [Add(a.model, a.key, {n: -v for n, v in a.amounts.items()}) for a in adds]


def _fetch(uow, generation, records: list) -> dict:
    """The current documents of `records` ((model, _id) pairs), a query per model and chunk."""
    ids: dict = defaultdict(list)
    for model, _id in records:
        ids[model].append(_id)
    found = {}
    for model, wanted in ids.items():
        for start in range(0, len(wanted), FETCH_CHUNK):
            chunk = wanted[start:start + FETCH_CHUNK]
            query = {"_id": chunk[0] if len(chunk) == 1 else {"$in": chunk}}
            for doc in uow[collection(model, generation)].find(query):
                found[(model, doc["_id"])] = doc
    return found


def adopt_key_ids(db, generation: int):
    """Give documents written before `_id`s were their keys (ObjectIds) their key `_id`."""
    for model in MODELS:
        documents = db[collection(model, generation)]
        for doc in documents.find({"_id": {"$type": "objectId"}}):
            if documents.delete_one({"_id": doc["_id"]}).deleted_count:
                documents.insert_one({**doc, "_id": doc_id(model, doc)})


class View:
    """Queries of one generation's read models, each on an index or over a small collection."""

    def __init__(self, db, generation: int):
        self.db, self.generation = db, generation

    def _c(self, model):
        return self.db[collection(model, self.generation)]

    def directory(self) -> dict:
        return {d["entity"]: d for d in self._c("directory").find({}, {"_id": 0})}

    def tallies_of(self, entity: str) -> dict:
        return {d["period"]: d for d in self._c("tallies").find({"entity": entity}, {"_id": 0})}

    def submitted_of(self, entity: str) -> dict:
        return {d["period"]: d for d in self._c("submitted").find({"entity": entity}, {"_id": 0})}

    def tallies_in(self, period: str) -> list[dict]:
        return list(self._c("tallies").find({"period": period}, {"_id": 0}))

    def submitted_in(self, period: str) -> list[dict]:
        return list(self._c("submitted").find({"period": period}, {"_id": 0}))

    def fdp(self, year: int, unit: str | None = None) -> list[dict]:
        query = {"entity": ETHICS_OFFICE, "year": year, **({"unit": unit} if unit else {})}
        return list(self._c("fdp").find(query, {"_id": 0}))

    def enrolment(self, first: int, last: int) -> list[dict]:
        # `$lt last + 1`: secantusdb's index scan drops the bound of `$lte` on a key that is
        # not the index's last field
        return list(self._c("enrolment").find({"entity": ETHICS_OFFICE,
                                               "year": {"$gte": first, "$lt": last + 1}},
                                              {"_id": 0}))

    def cycle(self, year: int) -> dict | None:
        return self._c("cycles").find_one({"entity": ETHICS_OFFICE, "year": year}, {"_id": 0})

    def sample(self, year: int) -> dict | None:
        return self._c("samples").find_one({"entity": ETHICS_OFFICE, "year": year}, {"_id": 0})

    def meetings_held_in(self, period: str) -> list[dict]:
        return [m for m in self._c("meetings").find({"entity": ETHICS_OFFICE, "period": period},
                                                    {"_id": 0}) if m.get("held")]

    def consultations_opened_in(self, period: str) -> list[dict]:
        return list(self._c("consultations").find({"entity": ETHICS_OFFICE, "period": period},
                                                  {"_id": 0}))

    def reviews_in(self, model: str, period: str) -> list[dict]:
        return list(self._c(model).find({"period": period}, {"_id": 0}))

    def members(self) -> list[dict]:
        return list(self._c("members").find({}, {"_id": 0}))

    def has_submitted(self, period: str) -> set[str]:
        return {d["entity"] for d in self.submitted_in(period)}

    def has_records(self, period: str) -> set[str]:
        return {d["entity"] for d in self.tallies_in(period)}
