"""Disclosure's MongoDB repository, and the storage provider that holds the statement keys.

Filers are keyed `"{year}:{staff_id}"`, so a staff id is enrolled once per cycle whatever its
entity. Compliance and cycle figures come from per-(cycle, entity, duty station) counters,
changed by `$inc` in the same transaction as the filers they count: a batch folds its changes
into a few counter documents, so reading them stays cheap however many filers a cycle holds.
"""
import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import eventlet
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.disclosure import (FilerChangesRecorded, ComplianceReminderDue, CycleClosed, CycleOpened,
                                         EnrolledFiler, FilerIn, FilersEnrolled,
                                         ParticipantEnrolled, StatementContents,
                                         VerificationSampleDrawn)
from shared.errors import Conflict, NotFound
from shared.storage import Repository, Storage

from . import domain
from .keyring import Keyring, statement_context
from .metrics import register_gauges

LOOKUP_CHUNK = 50  # ids per $in: the embedded server matches $in lists linearly per document
WRITE_CHUNK = 1000


@dataclass
class Change:
    """What a request does to one filer: fields to set, the event, documents to add."""
    fields: dict
    event: Any = None
    inserts: list[tuple[str, dict]] = field(default_factory=list)


@dataclass
class Rejection:
    status: int
    loc: list
    msg: str

    def as_row(self, row: int) -> dict:
        return {"row": row, "status": self.status,
                "errors": [{"loc": self.loc, "msg": self.msg}]}


Decide = Callable[[dict, Any, dict], "Change | Rejection"]


class DisclosureRepository(Repository):
    indexes = {
        "participants": [([("entity", 1)], {"unique": True})],
        "cycles": [([("entity", 1), ("year", 1)], {"unique": True})],
        "filers": [([("entity", 1), ("year", 1), ("staff_id", 1)], {}),
                   ([("entity", 1), ("year", 1), ("status", 1), ("staff_id", 1)], {})],
        "statements": [([("entity", 1), ("key_id", 1)], {})],
        "counters": [([("entity", 1), ("year", 1)], {})],
        "samples": [([("entity", 1), ("year", 1)], {"unique": True})],
        "public_disclosures": [([("entity", 1), ("year", 1)], {})],
        "reminders": [([("entity", 1), ("year", 1)], {})],
    }
    keyring: Keyring | None = None

    def as_actor(self, actor) -> "DisclosureRepository":
        repo = super().as_actor(actor)
        repo.keyring = self.keyring
        return repo

    # participants

    def get_participant(self, entity: str) -> dict | None:
        doc = self.db.participants.find_one({"entity": entity})
        return _participant(doc) if doc else None

    def list_participants(self, query: dict | None = None) -> list[dict]:
        return [_participant(d) for d in self.db.participants.find(query or {}).sort("entity", 1)]

    def enrol_participant(self, entity: str, cost_sharing: bool, focal_points: list[dict],
                          category: str) -> dict:
        wanted = {"entity": entity, "cost_sharing": cost_sharing, "focal_points": focal_points,
                  "category": category}

        def write(uow):
            existing = uow["participants"].find_one({"entity": entity}, {"_id": 0})
            if existing == wanted:
                return
            uow["participants"].replace_one({"entity": entity}, wanted, upsert=True)
            uow.emit(ParticipantEnrolled(entity=entity, cost_sharing=cost_sharing,
                                         focal_points=len(focal_points)), entity=entity)
            uow.audit("enrol_participant", f"disclosure/participants/{entity}", entity=entity)
        self.atomically(write)
        return _participant(wanted)

    # cycles

    def get_cycle(self, year: int) -> dict | None:
        return self.db.cycles.find_one({"entity": ETHICS_OFFICE, "year": year}, {"_id": 0})

    def list_cycles(self) -> list[dict]:
        return list(self.db.cycles.find({"entity": ETHICS_OFFICE}, {"_id": 0}).sort("year", 1))

    def open_cycle(self, year: int, opens_on: dt.date, deadline: dt.date,
                   programme_cost: float) -> dict:
        covers_from, covers_to = domain.disclosure_period(year)
        doc = {"entity": ETHICS_OFFICE, "year": year, "opens_on": _day(opens_on),
               "deadline": _day(deadline), "programme_cost": programme_cost,
               "covers_from": _day(covers_from), "covers_to": _day(covers_to),
               "status": "open", "closed_on": None}

        def write(uow):
            if uow["cycles"].find_one({"entity": ETHICS_OFFICE, "year": year}):
                raise Conflict(f"the {year} cycle exists already")
            uow["cycles"].insert_one(dict(doc))
            uow.emit(CycleOpened(year=year, opens_on=opens_on, deadline=deadline,
                                 programme_cost=programme_cost), entity=ETHICS_OFFICE)
            uow.audit("open_cycle", f"disclosure/cycles/{year}", entity=ETHICS_OFFICE)
        self.atomically(write)
        return self.get_cycle(year)

    def close_cycle(self, year: int, closed_on: dt.date) -> dict:
        def write(uow):
            self._open_cycle(uow, year)
            uow["cycles"].update_one({"entity": ETHICS_OFFICE, "year": year},
                                     {"$set": {"status": "closed", "closed_on": _day(closed_on)}})
            uow.emit(CycleClosed(year=year, closed_on=closed_on), entity=ETHICS_OFFICE)
            uow.audit("close_cycle", f"disclosure/cycles/{year}", entity=ETHICS_OFFICE)
        self.atomically(write)
        return self.get_cycle(year)

    def _open_cycle(self, uow, year: int) -> dict:
        cycle = uow["cycles"].find_one({"entity": ETHICS_OFFICE, "year": year}, {"_id": 0})
        if cycle is None:
            raise NotFound(f"no {year} cycle")
        if cycle["status"] != "open":
            raise Conflict(f"the {year} cycle is closed; it accepts no more changes")
        return cycle

    # filers

    def enrol_filers(self, year: int, rows: list[tuple[int, FilerIn]]) -> dict:
        """Store the valid rows of a batch in one transaction with one `filers_enrolled` event;
        a staff id already in the cycle (or twice in the batch) is a 409 for its row."""
        def write(uow):
            cycle = self._open_cycle(uow, year)
            participants = {d["entity"] for d in uow["participants"].find({}, {"entity": 1})}
            ids = [f"{year}:{r.staff_id}" for _, r in rows]
            enrolled = {d["_id"] for d in self._find_ids(uow["filers"], ids, {"_id": 1})}
            returning = self._filed_before(uow, cycle, [r.staff_id for _, r in rows])
            rejected, docs, seen = [], [], set()
            for row, filer in rows:
                problems = domain.filer_problems(filer, participants)
                if problems:
                    rejected.append(_rejected_row(row, problems))
                elif f"{year}:{filer.staff_id}" in enrolled or filer.staff_id in seen:
                    where = "earlier in this batch" if filer.staff_id in seen else "already"
                    rejected.append(Rejection(409, ["staff_id"], f"{filer.staff_id} is enrolled "
                                              f"in the {year} cycle {where}").as_row(row))
                else:
                    seen.add(filer.staff_id)
                    docs.append(_filer_doc(year, filer, filer.staff_id not in returning))
            if docs:
                try:
                    uow["filers"].insert_many(docs)
                except BulkWriteError:  # enrolled meanwhile by a concurrent batch
                    raise Conflict("some of these staff ids were enrolled meanwhile; send the "
                                   "batch again to see which")
                self._count(uow, year, [(None, d) for d in docs])
                entities = {d["entity"] for d in docs}
                uow.emit(FilersEnrolled(year=year, filers=[EnrolledFiler(
                    **{k: d[k] for k in EnrolledFiler.model_fields}) for d in docs]),
                    entity=entities.pop() if len(entities) == 1 else ETHICS_OFFICE)
                uow.audit_many("enrol_filer", [(_record(d), d["entity"]) for d in docs])
            return {"accepted": len(docs), "rejected": rejected}
        return self.atomically(write)

    def _filed_before(self, uow, cycle: dict, staff_ids: list[str]) -> set[str]:
        """The staff ids among `staff_ids` who filed in an earlier cycle."""
        earlier = [c["year"] for c in uow["cycles"].find({"entity": ETHICS_OFFICE},
                                                        {"year": 1})
                   if c["year"] < cycle["year"]]
        ids = [f"{y}:{s}" for y in earlier for s in staff_ids]
        docs = self._find_ids(uow["filers"], ids, {"staff_id": 1, "status": 1})
        return {d["staff_id"] for d in docs if domain.S(d["status"]) in domain.FILED}

    def change_filers(self, year: int, rows: list[tuple[int, str, Any]], decide: Decide,
                      action: str) -> dict:
        """Apply `decide(filer, request, cycle)` to each row's filer, in one transaction: the
        filers that change, their counters, their events and audit entries; every other row is
        reported with its reason (404 not enrolled, 409 a move the status does not allow)."""
        def write(uow):
            cycle = self._open_cycle(uow, year)
            found = {d["staff_id"]: d for d in self._find_ids(
                uow["filers"], [f"{year}:{sid}" for _, sid, _ in rows])}
            rejected, changes, seen = [], [], set()
            for n, (row, staff_id, request) in enumerate(rows):
                if n % 500 == 0:
                    eventlet.sleep(0)
                filer = found.get(staff_id)
                if filer is None:
                    outcome = Rejection(404, ["staff_id"],
                                        f"{staff_id} is not enrolled in the {year} cycle")
                elif staff_id in seen:
                    outcome = Rejection(409, ["staff_id"], f"{staff_id} appears twice in the "
                                                           "batch")
                else:
                    outcome = decide(filer, request, cycle)
                if isinstance(outcome, Rejection):
                    rejected.append(outcome.as_row(row))
                    continue
                seen.add(staff_id)
                changes.append((filer, outcome))
            self._write_changes(uow, year, changes, action)
            return {"accepted": len(changes), "rejected": rejected}
        return self.atomically(write)

    def _write_changes(self, uow, year: int, changes: list[tuple[dict, Change]], action: str):
        if not changes:
            return
        updates, inserts = [], defaultdict(list)
        for filer, change in changes:
            updates.append(UpdateOne({"_id": filer["_id"], "v": filer.get("v", 0)},
                                     {"$set": change.fields, "$inc": {"v": 1}}))
            for collection, doc in change.inserts:
                inserts[collection].append(doc)
        for start in range(0, len(updates), WRITE_CHUNK):
            result = uow["filers"].bulk_write(updates[start:start + WRITE_CHUNK], ordered=False)
            if result.matched_count != len(updates[start:start + WRITE_CHUNK]):
                raise Conflict("some of these filers changed meanwhile; send the batch again")
            eventlet.sleep(0)
        for collection, docs in inserts.items():
            uow[collection].insert_many(docs)
        self._count(uow, year, [(f, {**f, **c.fields}) for f, c in changes])
        emit_filer_events(uow, year, [(c.event, f["entity"]) for f, c in changes
                                      if c.event is not None])
        uow.audit_many(action, [(_record(f), f["entity"]) for f, _ in changes])

    def _count(self, uow, year: int, changes: list[tuple[dict | None, dict]]):
        """Fold the filers' changes into their counters: one `$inc` per counter document."""
        deltas: dict[tuple, Counter] = defaultdict(Counter)
        for before, after in changes:
            deltas[(after["entity"], after["duty_station"])].update(
                domain.tally_change(before, after))
        ops = [UpdateOne({"_id": domain.counter_id(year, entity, station)},
                         {"$inc": dict(delta), "$setOnInsert": {
                             "entity": entity, "year": year, "duty_station": station}},
                         upsert=True)
               for (entity, station), delta in sorted(deltas.items()) if +delta or -delta]
        if ops:
            uow["counters"].bulk_write(ops, ordered=True)

    def _find_ids(self, collection, ids: list[str], projection=None) -> list[dict]:
        out = []
        for start in range(0, len(ids), LOOKUP_CHUNK):
            out += collection.find({"_id": {"$in": ids[start:start + LOOKUP_CHUNK]}}, projection)
            if start % (LOOKUP_CHUNK * 20) == 0:
                eventlet.sleep(0)
        return out

    def get_filer(self, year: int, staff_id: str) -> dict | None:
        return self.db.filers.find_one({"_id": f"{year}:{staff_id}"})

    def list_filers(self, year: int, entity: str | None, status: str | None, limit: int,
                    cursor: str | None) -> tuple[list[dict], str | None]:
        """A page of filers in (entity, staff id) order, read entity by entity on the index;
        the cursor is `ENTITY/STAFF_ID`."""
        after_entity, _, after_staff = (cursor or "").rpartition("/")
        if entity:
            entities = [entity]
            if after_entity not in ("", entity):
                after_staff = ""
            after_entity = entity
        else:
            entities = sorted(p["entity"] for p in self.db.participants.find({}, {"entity": 1})
                              if p["entity"] >= after_entity)
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
        page = docs[:limit]
        more = len(docs) > limit
        return page, (f"{page[-1]['entity']}/{page[-1]['staff_id']}" if more else None)

    def non_filers(self, year: int, entity: str, limit: int,
                   cursor: str | None) -> tuple[list[dict], str | None]:
        query = {"entity": entity, "year": year,
                 "status": {"$in": [domain.S.invited.value, domain.S.exempted.value]}}
        if cursor:
            query["staff_id"] = {"$gt": cursor}
        docs = list(self.db.filers.find(query).sort("staff_id", 1).limit(limit + 1))
        more = len(docs) > limit
        docs = docs[:limit]
        return docs, (docs[-1]["staff_id"] if more and docs else None)

    def outstanding_by_entity(self, year: int) -> dict[str, list[str]]:
        """The staff ids who have not filed (and are not exempted), per entity."""
        entities = sorted({c["entity"] for c in self.counters(year)
                           if (c.get("reasons") or {}).get(domain.OUTSTANDING)})
        return {e: [d["staff_id"] for d in self.db.filers.find(
            {"entity": e, "year": year, "status": domain.S.invited.value},
            {"staff_id": 1}).sort("staff_id", 1)] for e in entities}

    def filed_population(self, year: int) -> list[dict]:
        fields = {"staff_id": 1, "entity": 1, "grade": 1, "duty_station": 1, "designation": 1,
                  "first_time": 1, "status": 1}
        out = []
        for n, doc in enumerate(self.db.filers.find(
                {"_id": {"$gt": f"{year}:", "$lt": f"{year};"}}, fields)):
            if n % 2000 == 0:
                eventlet.sleep(0)
            out.append(doc)
        return out

    # statements

    def seal(self, year: int, staff_id: str, contents: StatementContents) -> dict:
        plaintext = json.dumps(contents.model_dump(mode="json"), separators=(",", ":")).encode()
        return self.keyring.seal(plaintext, statement_context(year, staff_id))

    def read_statement(self, year: int, staff_id: str) -> dict | None:
        doc = self.db.statements.find_one({"_id": f"{year}:{staff_id}"})
        if doc is None:
            return None
        contents = json.loads(self.keyring.open(doc, statement_context(year, staff_id)))
        return {"year": year, "staff_id": staff_id, "entity": doc["entity"],
                "filed_on": doc["filed_on"], **contents}

    def rotate_key(self) -> dict:
        """Re-seal every statement sealed with an older key, entity by entity; a statement is
        replaced only if it is still the one that was read, so none is lost to a concurrent
        write."""
        newest, resealed = self.keyring.newest, 0
        older = [k for k in self.keyring.keys if k != newest]
        for entity in sorted(p["entity"] for p in self.db.participants.find({}, {"entity": 1})):
            for key_id in older:
                while True:
                    page = list(self.db.statements.find({"entity": entity, "key_id": key_id})
                                .limit(500))
                    if not page:
                        break
                    done = self.atomically(lambda uow, page=page: self._reseal(uow, page))
                    resealed += done
                    eventlet.sleep(0)
                    if not done:  # changed meanwhile by writes that seal with the newest key
                        break
        return {"key_id": newest, "statements": self.db.statements.count_documents({}),
                "reencrypted": resealed}

    def _reseal(self, uow, page: list[dict]) -> int:
        ops = [UpdateOne({"_id": doc["_id"], "key_id": doc["key_id"], "nonce": doc["nonce"]},
                         {"$set": self.keyring.reseal(doc, statement_context(doc["year"],
                                                                             doc["staff_id"]))})
               for doc in page]
        return uow["statements"].bulk_write(ops, ordered=False).modified_count

    # the verification sample

    def get_sample(self, year: int) -> dict | None:
        return self.db.samples.find_one({"entity": ETHICS_OFFICE, "year": year}, {"_id": 0})

    def store_sample(self, year: int, request: dict, sample: domain.Sample,
                     population: int) -> dict:
        doc = {"entity": ETHICS_OFFICE, "year": year, **request, "population": population,
               "allocation": [{"stratum": dict(zip(request["strata"], key)), "population": p,
                               "size": n} for key, p, n in sample.allocation],
               "staff_ids": sample.chosen}

        def write(uow):
            self._open_cycle(uow, year)
            if uow["samples"].find_one({"entity": ETHICS_OFFICE, "year": year}):
                raise Conflict(f"the {year} cycle has its verification sample already")
            uow["samples"].insert_one(dict(doc))
            filers = self._find_ids(uow["filers"], [f"{year}:{s}" for s in sample.chosen])
            self._write_changes(uow, year, [(f, Change({"sampled": True})) for f in filers],
                                "select_for_verification")
            by_entity = Counter(f["entity"] for f in filers)
            uow.emit(VerificationSampleDrawn(year=year, size=len(sample.chosen),
                                             seed=request["seed"], strata=request["strata"],
                                             by_entity=dict(sorted(by_entity.items()))),
                     entity=ETHICS_OFFICE)
        self.atomically(write)
        return self.get_sample(year)

    # counters, compliance, public disclosures

    def counters(self, year: int) -> list[dict]:
        return list(self.db.counters.find({"_id": domain.counter_range(year)}))

    def categories(self) -> dict[str, str]:
        return {d["entity"]: d.get("category", "unclassified")
                for d in self.db.participants.find({}, {"entity": 1, "category": 1})}

    def published(self, year: int) -> list[dict]:
        return list(self.db.public_disclosures.find(
            {"_id": {"$gt": f"{year}:", "$lt": f"{year};"}, "publish": True}, {"_id": 0}
        ).sort("_id", 1))

    # reminders

    def record_reminders(self, year: int, deadline: dt.date, days_before: int,
                         outstanding: dict[str, list[str]]) -> tuple[list, list]:
        """Emit `compliance_reminder_due` per entity with non-filers, once per cycle, entity
        and number of days."""
        def write(uow):
            self._open_cycle(uow, year)
            sent, already = [], []
            for entity, staff_ids in outstanding.items():
                key = f"{year}|{entity}|{days_before}"
                if uow["reminders"].find_one({"_id": key}):
                    already.append(entity)
                    continue
                uow["reminders"].insert_one({"_id": key, "entity": entity, "year": year,
                                             "days_before": days_before,
                                             "non_filers": len(staff_ids)})
                uow.emit(ComplianceReminderDue(year=year, entity=entity, deadline=deadline,
                                               days_before=days_before, non_filers=staff_ids),
                         entity=entity)
                sent.append({"entity": entity, "non_filers": len(staff_ids)})
            return sent, already
        return self.atomically(write)


class DisclosureStorage(Storage):
    """The repository provider, which also holds the statement keys: without a valid `FDP_KEYS`
    the service does not start."""

    def __init__(self):
        super().__init__(DisclosureRepository)

    def setup(self):
        self.keyring = Keyring.from_setting(self.container.config.get("FDP_KEYS"))
        super().setup()
        register_gauges(self.db)

    def get_dependency(self, worker_ctx):
        repo = super().get_dependency(worker_ctx)
        repo.keyring = self.keyring
        return repo


def _day(value: dt.date | str) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


def _participant(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("entity", "cost_sharing", "focal_points", "category")}


def _filer_doc(year: int, filer: FilerIn, first_time: bool) -> dict:
    return {"_id": f"{year}:{filer.staff_id}", "year": year, **filer.model_dump(mode="json"),
            "first_time": first_time, "status": domain.S.invited.value, "v": 0}


def _record(filer: dict) -> str:
    return f"disclosure/cycles/{filer['year']}/filers/{filer['staff_id']}"


def _rejected_row(row: int, problems: list[dict]) -> dict:
    return {"row": row, "status": max(p.get("status", 422) for p in problems),
            "errors": [{"loc": p["loc"], "msg": p["msg"]} for p in problems]}


def emit_filer_events(uow, year: int, events: list[tuple]):
    """One event for one filer; one `filer_changes_recorded` for a batch of them."""
    if len(events) == 1:
        uow.emit(*events[0])
    elif events:
        entities = {entity for _, entity in events}
        uow.emit(FilerChangesRecorded.of(year, [e for e, _ in events]),
                 entity=entities.pop() if len(entities) == 1 else ETHICS_OFFICE)
