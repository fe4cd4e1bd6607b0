"""Reporting's read models in MongoDB, and its unit of work. Document shapes live here only.

The models live in generations: generation 0 uses the plain collection names, generation n adds
`_g<n>`; a document's `_id` is its key's values, `|`-joined (`EO|2014|DM`). The `generations`
document (`_id: "state"`) names the active generation and, while a rebuild runs, the one being
built. Each generation tracks the events it holds in `processed_events`, as the consumer
`domain.consumer_of(generation)`. Issued versions of the reports (`issued_reports`) are records
of their own, kept across generations; each holds its report as the exact JSON text issued.
"""
import datetime as dt
from collections import defaultdict

from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import DuplicateKeyError

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.reporting import ReportKind
from shared.kernel.errors import StaleState
from shared.mongo import PROCESSED, MongoRepository, MongoUnitOfWork, tracking_id

from .domain import KEYS, Generations, consumer_of, identity, resolve, revised
from .domain.issues import IssuedReport
from .view import View

ISSUES = "issued_reports"

STATE = {"_id": "state"}
STATE_FIELDS = ("active", "building", "newest", "started_at", "heartbeat", "replayed",
                "finished_at", "error")
FETCH_CHUNK = 100  # ids per `$in` query: secantusdb slows down on longer lists
MORE_INDEXES = {"meetings": ["entity", "period"], "consultations": ["entity", "period"]}


def collection(model: str, generation: int) -> str:
    return model if generation == 0 else f"{model}_g{generation}"


def doc_id(ident: tuple) -> str:
    """The `_id` of the document of `ident` (`domain.identity`): its key's values."""
    return "|".join(str(value) for value in ident[1:])


def generation_indexes(generation: int) -> dict[str, list]:
    indexes = {collection(m, generation): [([(f, 1) for f in fields], {"unique": True})]
               for m, fields in KEYS.items()}
    for model, fields in MORE_INDEXES.items():
        indexes[collection(model, generation)].append(([(f, 1) for f in fields], {}))
    return indexes


def create_generation_indexes(db, generation: int):
    for name, specs in generation_indexes(generation).items():
        for keys, options in specs:
            db[name].create_index(keys, **options)


class MongoView(View):
    def __init__(self, db, generation: int):
        self.db, self.generation = db, generation

    def _docs(self, model: str, **equal) -> list[dict]:
        return list(self.db[collection(model, self.generation)].find(equal, {"_id": 0}))


class ReadModels(MongoRepository):
    """The documents of each generation, and the events each generation holds."""

    def view(self, generation: int) -> View:
        return MongoView(self.db, generation)

    def held(self, generation: int, event_ids: list[str]) -> set[str]:
        """Which of these events `generation` holds already."""
        consumer = consumer_of(generation)
        marks = [tracking_id(consumer, event_id) for event_id in event_ids]
        found: set[str] = set()
        for start in range(0, len(marks), FETCH_CHUNK):
            query = {"_id": {"$in": marks[start:start + FETCH_CHUNK]}}
            found.update(d["event_id"] for d in self.db[PROCESSED].find(query, {"event_id": 1}))
        return found

    def apply(self, generation: int, changes: list):
        """Stage `changes` to `generation`: the revised records are read inside the commit's
        transaction, so a write conflict with another writer runs it again on fresh state."""
        if changes:
            self.uow.stage(lambda session: self._write(session, generation, changes))

    def _write(self, session, generation: int, changes: list):
        current = self._fetch(session, generation, revised(changes))
        resolved = resolve(changes, current)
        inserts: defaultdict[str, list] = defaultdict(list)
        writes: defaultdict[str, list] = defaultdict(list)
        for ident, after in resolved.records.items():
            model, _id = ident[0], doc_id(ident)
            if current.get(ident) is None:
                inserts[model].append({"_id": _id, **after})
            else:
                writes[model].append(ReplaceOne({"_id": _id}, {"_id": _id, **after}))
        for add in resolved.adds:
            writes[add.model].append(UpdateOne({"_id": doc_id(identity(add.model, add.key))}, {
                "$inc": add.amounts, "$setOnInsert": add.key}, upsert=True))
        for model, docs in inserts.items():
            self.db[collection(model, generation)].insert_many(docs, session=session)
        for model, requests in writes.items():
            self.db[collection(model, generation)].bulk_write(requests, ordered=True,
                                                              session=session)

    def _fetch(self, session, generation: int, identities: list[tuple]) -> dict:
        """The current documents of `identities`, a query per model and chunk."""
        ids: dict = defaultdict(list)
        for ident in identities:
            ids[ident[0]].append(doc_id(ident))
        found = {}
        for model, wanted in ids.items():
            for start in range(0, len(wanted), FETCH_CHUNK):
                chunk = wanted[start:start + FETCH_CHUNK]
                query = {"_id": chunk[0] if len(chunk) == 1 else {"$in": chunk}}
                for doc in self.db[collection(model, generation)].find(query, session=session):
                    del doc["_id"]
                    found[identity(model, doc)] = doc
        return found

    # schema operations: outside any transaction, at once

    def prepare(self, generation: int):
        create_generation_indexes(self.db, generation)

    def drop(self, generation: int):
        for model in KEYS:
            self.db.drop_collection(collection(model, generation))
        self.db[PROCESSED].delete_many({"consumer": consumer_of(generation)})


def generations_of(db) -> Generations:
    doc = db.generations.find_one(STATE) or {}
    return Generations(**{k: doc[k] for k in STATE_FIELDS if k in doc})


class GenerationsRepository(MongoRepository):
    def get(self) -> Generations:
        return generations_of(self.db)

    def save(self, before: Generations, after: Generations):
        """`after` replaces `before`, if the stored state is still `before`."""
        query = {**STATE, "active": before.active, "building": before.building,
                 "newest": before.newest, "heartbeat": before.heartbeat}
        doc = {"entity": "-", **{k: getattr(after, k) for k in STATE_FIELDS}}

        def write(session):
            try:
                self.db.generations.replace_one(query, doc, upsert=True, session=session)
            except DuplicateKeyError:  # the state is there, and not as it was read
                raise StaleState("the read models' generations changed meanwhile")
        self.uow.stage(write)


class IssuesRepository(MongoRepository):
    """Issued versions of the reports: records of their own, outside the generations of the
    read models (a rebuild never touches them)."""

    def latest(self, report: ReportKind, key: str) -> IssuedReport | None:
        doc = self.db[ISSUES].find_one({"entity": ETHICS_OFFICE, "report": report.value,
                                        "key": key}, sort=[("version", -1)])
        return _issued(doc) if doc else None

    def get(self, report: ReportKind, key: str, version: int) -> IssuedReport | None:
        doc = self.db[ISSUES].find_one({"entity": ETHICS_OFFICE, "report": report.value,
                                        "key": key, "version": version})
        return _issued(doc) if doc else None

    def versions(self, report: ReportKind, key: str) -> list[IssuedReport]:
        return [_issued(d) for d in self.db[ISSUES].find(
            {"entity": ETHICS_OFFICE, "report": report.value, "key": key}).sort("version", 1)]

    def add(self, issued: IssuedReport):
        self.uow.seen(issued)
        doc = {"_id": f"{issued.report.value}|{issued.key}|{issued.version}",
               "entity": issued.entity, "report": issued.report.value, "key": issued.key,
               "version": issued.version, "as_of": issued.as_of.isoformat(),
               "issued_at": issued.issued_at, "issued_by": issued.issued_by,
               "document": issued.document, "digest": issued.digest, "symbol": issued.symbol,
               "note": issued.note}

        def write(session):
            try:
                self.db[ISSUES].insert_one(doc, session=session)
            except DuplicateKeyError:  # another issue of the same version won
                raise StaleState("this version was issued meanwhile")
        self.uow.stage(write)


def _issued(doc: dict) -> IssuedReport:
    return IssuedReport(ReportKind(doc["report"]), doc["key"], doc["version"],
                        dt.date.fromisoformat(doc["as_of"]), doc["issued_at"], doc["issued_by"],
                        doc["document"], doc["digest"], doc.get("symbol"), doc.get("note"),
                        doc["entity"])


class ReportingUnitOfWork(MongoUnitOfWork):
    repositories = {"models": ReadModels, "generations": GenerationsRepository,
                    "issues": IssuesRepository}
    indexes = {**generation_indexes(0), ISSUES: [
        ([("entity", 1), ("report", 1), ("key", 1), ("version", 1)], {"unique": True})]}


def start_generations(db):
    """At start: the indexes of every live generation, and documents of earlier versions of the
    service in today's shapes."""
    for generation in {0, *generations_of(db).live()}:
        create_generation_indexes(db, generation)
        adopt_key_ids(db, generation)
        adopt_generation_marks(db, generation)


def adopt_key_ids(db, generation: int):
    """Give documents written before `_id`s were their keys (ObjectIds) their key `_id`."""
    for model in KEYS:
        documents = db[collection(model, generation)]
        for doc in documents.find({"_id": {"$type": "objectId"}}):
            if documents.delete_one({"_id": doc["_id"]}).deleted_count:
                documents.insert_one({**doc, "_id": doc_id(identity(model, doc))})


def adopt_generation_marks(db, generation: int):
    """Generations used to keep their tracking records in `processed_events_g<n>`."""
    old = db[collection(PROCESSED, generation)]
    if generation == 0 or old.name not in db.list_collection_names():
        return
    consumer = consumer_of(generation)
    for mark in old.find({}):
        try:
            db[PROCESSED].insert_one({**mark, "_id": tracking_id(consumer, mark["event_id"]),
                                      "consumer": consumer})
        except DuplicateKeyError:
            pass
    db.drop_collection(old.name)
