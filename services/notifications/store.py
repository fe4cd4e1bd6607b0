"""The notifications' database: what the events said about people, cycles, meetings and
consultations, and the deliveries (one per message, with its state).

Documents:
- `people`: `focal:<entity>` {contacts} for a participant's focal points, `member:<entity>`
  {contacts, active} for a Panel member office;
- `filers`: `<year>:<staff_id>` {year, staff_id, entity, email, language, state}, state one of
  enrolled, filed, exempt;
- `cycles`: `<year>` {opens_on, deadline, closed}; `cycle_turns`: `<year>` {turn}, the writes
  that decided who is told of the cycle's opening, counted; `meetings`, `consultations`: by id;
- `deliveries`: by message id {seq, entity, kind, recipient, name, language, subject, values,
  calendar, year, cause, state (queued, sent, failed), reason, attempts, queued_at, next_at,
  sent_at}. `seq` orders them (the sender's order, the cursor of a listing).
"""
import datetime as dt

from pymongo import DESCENDING, UpdateOne
from pymongo.errors import DuplicateKeyError

from shared.kernel.errors import StaleState
from shared.mongo import MongoRepository, MongoUnitOfWork, find_ids

from .domain import Cycle

DELIVERIES = "deliveries"


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


class People(MongoRepository):
    def set_focal_points(self, entity: str, contacts: list[dict]):
        self.uow.update("people", {"_id": f"focal:{entity}"},
                        {"$set": {"entity": entity, "contacts": contacts}}, upsert=True)

    def focal_points(self, entity: str) -> list[dict]:
        found = self.db.people.find_one({"_id": f"focal:{entity}"})
        return found["contacts"] if found else []

    def participants(self) -> list[str]:
        return sorted(d["entity"] for d in self.db.people.find({"_id": {"$regex": "^focal:"}},
                                                               {"entity": 1}))

    def set_member(self, entity: str, contacts: list[dict] | None, active: bool | None):
        change: dict = {"entity": entity}
        if contacts is not None:
            change["contacts"] = contacts
        if active is not None:
            change["active"] = active
        self.uow.update("people", {"_id": f"member:{entity}"},
                        {"$set": change, "$setOnInsert": {
                            k: v for k, v in (("contacts", []), ("active", True))
                            if k not in change}}, upsert=True)

    def members(self, entities: list[str] | None) -> dict[str, list[dict]]:
        query = {"_id": {"$regex": "^member:"}, "active": True}
        if entities is not None:
            query["entity"] = {"$in": list(entities)}
        return {d["entity"]: d.get("contacts", []) for d in self.db.people.find(query)}


class Filers(MongoRepository):
    def enrol(self, year: int, filers: list[dict]):
        """New filers are inserted (enrolled); those known already keep their state."""
        ids = {f"{year}:{f['staff_id']}": f for f in filers}
        known = {d["_id"] for d in find_ids(self.db.filers, list(ids), {"_id": 1})}
        self.uow.insert("filers", *({"_id": i, **f, "state": "enrolled"}
                                    for i, f in ids.items() if i not in known))
        self.uow.bulk("filers", [UpdateOne({"_id": i}, {"$set": f})
                                 for i, f in ids.items() if i in known])

    def mark(self, marks: list[tuple[int, str, str, str]]):
        """Filers (year, staff id, entity, state) filed or were exempted, in one write; each is
        kept even when the enrolment arrives after it (the two come on different queues),
        which then leaves the state as it is. Of two marks of one filer, the last counts."""
        last = {f"{year}:{staff_id}": (year, staff_id, entity, state)
                for year, staff_id, entity, state in marks}
        self.uow.bulk("filers", [UpdateOne({"_id": key}, {"$set": {
            "state": state, "year": year, "staff_id": staff_id, "entity": entity}}, upsert=True)
            for key, (year, staff_id, entity, state) in last.items()])

    def many(self, year: int, staff_ids: list[str]) -> dict[str, dict]:
        """The known filers among `staff_ids`, by staff id."""
        docs = find_ids(self.db.filers, [f"{year}:{s}" for s in staff_ids])
        return {d["staff_id"]: d for d in docs}

    def get(self, year: int, staff_id: str) -> dict | None:
        return self.db.filers.find_one({"_id": f"{year}:{staff_id}"})

    def enrolled(self, year: int) -> list[dict]:
        return list(self.db.filers.find({"year": year}))

    def known(self, year: int, entity: str) -> set[str]:
        """The staff ids of `entity`'s filers of cycle `year` that the events told of."""
        return {d["staff_id"] for d in self.db.filers.find({"year": year, "entity": entity},
                                                           {"staff_id": 1})}

    def outstanding(self, year: int, entity: str | None = None) -> list[dict]:
        query = {"year": year, "state": "enrolled"}
        if entity:
            query["entity"] = entity
        return list(self.db.filers.find(query).sort("_id", 1))

    def counts(self, year: int, entity: str) -> dict:
        states = {d["_id"]: d["n"] for d in self.db.filers.aggregate([
            {"$match": {"year": year, "entity": entity}},
            {"$group": {"_id": "$state", "n": {"$sum": 1}}}])}
        filed, outstanding = states.get("filed", 0), states.get("enrolled", 0)
        return {"required": filed + outstanding, "filed": filed, "outstanding": outstanding}


class Cycles(MongoRepository):
    """Who is told that a cycle opened depends on the cycle and on its filers, which arrive on
    two queues. A use case that decides it from one of them takes the cycle's turn: of two
    running at once, the second to commit runs again (StaleState) on the first one's state."""

    def __init__(self, uow: MongoUnitOfWork):
        super().__init__(uow)
        self._turns: dict[int, int] = {}

    def save(self, cycle: Cycle):
        self.uow.replace("cycles", {"_id": cycle.year}, {
            "_id": cycle.year, "entity": "-", "opens_on": cycle.opens_on.isoformat(),
            "deadline": cycle.deadline.isoformat(), "closed": cycle.closed})

    def get(self, year: int) -> Cycle | None:
        """The cycle as the events described it (and the turn it was read at)."""
        turn = self.db.cycle_turns.find_one({"_id": year})
        self._turns[year] = turn["turn"] if turn else 0
        found = self.db.cycles.find_one({"_id": year})
        return _cycle(found) if found else None

    def take_turn(self, year: int):
        """At commit, the cycle's next turn, if nobody took it since `get(year)`."""
        turn = self._turns[year]

        def write(session):
            turns = self.db.cycle_turns
            try:
                if turn == 0:
                    turns.insert_one({"_id": year, "entity": "-", "turn": 1}, session=session)
                    return
            except DuplicateKeyError:
                raise StaleState(f"the {year} cycle or its filers changed meanwhile")
            taken = turns.update_one({"_id": year, "turn": turn}, {"$inc": {"turn": 1}},
                                     session=session)
            if taken.matched_count == 0:
                raise StaleState(f"the {year} cycle or its filers changed meanwhile")
        self.uow.stage(write)

    def all(self) -> list[Cycle]:
        return [_cycle(d) for d in self.db.cycles.find().sort("_id", 1)]


def _cycle(doc) -> Cycle:
    return Cycle(doc["_id"], _day(doc["opens_on"]), _day(doc["deadline"]), doc["closed"])


class Records(MongoRepository):
    """Meetings and consultations as the events describe them."""
    collection = ""

    def save(self, record: dict):
        self.uow.replace(self.collection, {"_id": record["id"]},
                         {**record, "_id": record["id"], "entity": "-"})

    def get(self, record_id: str) -> dict | None:
        found = self.db[self.collection].find_one({"_id": record_id}, {"_id": 0, "entity": 0})
        return found

    def open(self) -> list[dict]:
        return list(self.db[self.collection].find({"concluded": False}, {"_id": 0, "entity": 0}))


class Meetings(Records):
    collection = "meetings"


class Consultations(Records):
    collection = "consultations"


class Deliveries(MongoRepository):
    def queue(self, docs: list[dict]):
        """New messages (`new_only`): one queued under the same id meanwhile makes the
        transaction fail on its key, and the consumer's retry finds it queued."""
        self.uow.insert(DELIVERIES, *docs)

    def new_only(self, docs: list[dict]) -> list[dict]:
        known = {d["_id"] for d in find_ids(self.db[DELIVERIES], [d["_id"] for d in docs],
                                            {"_id": 1})}
        return [d for d in docs if d["_id"] not in known]

    def page(self, recipient, kind, since, cursor, limit: int) -> list[dict]:
        query = {}
        if recipient:
            query["recipient"] = recipient.strip().lower()
        if kind:
            query["kind"] = kind
        if since:
            query["queued_at"] = {"$gte": since}
        if cursor:
            query["seq"] = {"$lt": cursor}
        return list(self.db[DELIVERIES].find(query, {"values": 0, "calendar": 0})
                    .sort("seq", DESCENDING).limit(limit))

    def last_queued(self, year: int, entity: str, kinds) -> dt.datetime | None:
        found = self.db[DELIVERIES].find_one({"entity": entity, "year": year,
                                              "kind": {"$in": list(kinds)}},
                                             sort=[("queued_at", DESCENDING)])
        return found["queued_at"] if found else None


class NotificationsUnitOfWork(MongoUnitOfWork):
    repositories = {"people": People, "filers": Filers, "cycles": Cycles, "meetings": Meetings,
                    "consultations": Consultations, "deliveries": Deliveries}
    indexes = {
        "people": [([("entity", 1)], {})],
        "filers": [([("entity", 1), ("year", 1), ("state", 1)], {}),
                   ([("year", 1), ("state", 1), ("_id", 1)], {})],
        DELIVERIES: [([("entity", 1), ("year", 1), ("kind", 1), ("queued_at", -1)], {}),
                     ([("state", 1), ("seq", 1)], {}),
                     ([("seq", -1)], {}),
                     ([("recipient", 1), ("seq", -1)], {})],
    }
