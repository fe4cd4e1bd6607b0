"""The notifications' repositories in memory, keeping the promises of `store.py`."""
import copy

from shared.kernel.uow import InMemoryUnitOfWork

from .domain import Cycle
from .store import DELIVERIES


class _Repository:
    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def _merge(self, collection: str, key, change: dict, defaults: dict | None = None):
        current = self.uow.read(collection, key) or dict(defaults or {})
        self.uow.stage(collection, key, {**current, **change})


class People(_Repository):
    def set_focal_points(self, entity, contacts):
        self._merge("people", f"focal:{entity}", {"entity": entity, "contacts": contacts})

    def focal_points(self, entity):
        found = self.uow.read("people", f"focal:{entity}")
        return found["contacts"] if found else []

    def participants(self):
        return sorted(d["entity"] for k, d in self.uow.state.collection("people").items()
                      if k.startswith("focal:"))

    def set_member(self, entity, contacts, active):
        change = {"entity": entity}
        if contacts is not None:
            change["contacts"] = contacts
        if active is not None:
            change["active"] = active
        self._merge("people", f"member:{entity}", change, {"contacts": [], "active": True})

    def members(self, entities):
        return {d["entity"]: copy.deepcopy(d["contacts"])
                for k, d in self.uow.state.collection("people").items()
                if k.startswith("member:") and d["active"]
                and (entities is None or d["entity"] in entities)}


class Filers(_Repository):
    def enrol(self, year, filers):
        for filer in filers:
            self._merge("filers", f"{year}:{filer['staff_id']}", filer, {"state": "enrolled"})

    def mark(self, marks):
        for year, staff_id, entity, state in marks:
            self._merge("filers", f"{year}:{staff_id}", {"state": state, "year": year,
                                                         "staff_id": staff_id, "entity": entity})

    def many(self, year, staff_ids):
        found = (self.uow.read("filers", f"{year}:{s}") for s in staff_ids)
        return {f["staff_id"]: f for f in found if f}

    def get(self, year, staff_id):
        return self.uow.read("filers", f"{year}:{staff_id}")

    def enrolled(self, year):
        return [f for f in self.uow.records("filers") if f["year"] == year]

    def known(self, year, entity):
        return {f["staff_id"] for f in self.enrolled(year) if f["entity"] == entity}

    def outstanding(self, year, entity=None):
        return sorted((f for f in self.enrolled(year) if f["state"] == "enrolled"
                       and entity in (None, f["entity"])), key=lambda f: f["staff_id"])

    def counts(self, year, entity):
        states = [f["state"] for f in self.enrolled(year) if f["entity"] == entity]
        filed, outstanding = states.count("filed"), states.count("enrolled")
        return {"required": filed + outstanding, "filed": filed, "outstanding": outstanding}


class Cycles(_Repository):
    def __init__(self, uow: InMemoryUnitOfWork):
        super().__init__(uow)
        self.turns: dict[int, int] = {}

    def save(self, cycle: Cycle):
        self.uow.stage("cycles", cycle.year, cycle)

    def get(self, year):
        self.turns[year] = self.uow.read("cycle_turns", year) or 0
        return self.uow.read("cycles", year)

    def take_turn(self, year):
        turn = self.turns[year]
        self.uow.stage("cycle_turns", year, turn + 1, expect=lambda now: (now or 0) == turn)

    def all(self):
        return sorted(self.uow.records("cycles"), key=lambda c: c.year)


class Records(_Repository):
    collection = ""

    def save(self, record):
        self.uow.stage(self.collection, record["id"], record)

    def get(self, record_id):
        return self.uow.read(self.collection, record_id)

    def open(self):
        return [r for r in self.uow.records(self.collection) if not r.get("concluded")]


class Meetings(Records):
    collection = "meetings"


class Consultations(Records):
    collection = "consultations"


class Deliveries(_Repository):
    def queue(self, docs):
        for doc in docs:
            if self.uow.read(DELIVERIES, doc["_id"]) is None:
                self.uow.stage(DELIVERIES, doc["_id"], doc)

    def new_only(self, docs):
        return [d for d in docs if self.uow.read(DELIVERIES, d["_id"]) is None]

    def page(self, recipient, kind, since, cursor, limit):
        found = [d for d in self.uow.records(DELIVERIES)
                 if (not recipient or d["recipient"] == recipient.strip().lower())
                 and (not kind or d["kind"] == kind)
                 and (not since or d["queued_at"] >= since)
                 and (not cursor or d["seq"] < cursor)]
        return sorted(found, key=lambda d: d["seq"], reverse=True)[:limit]

    def last_queued(self, year, entity, kinds):
        times = [d["queued_at"] for d in self.uow.records(DELIVERIES)
                 if d["entity"] == entity and d["year"] == year and d["kind"] in kinds]
        return max(times) if times else None


class MemoryNotificationsUnitOfWork(InMemoryUnitOfWork):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people, self.filers, self.cycles = People(self), Filers(self), Cycles(self)
        self.meetings, self.consultations = Meetings(self), Consultations(self)
        self.deliveries = Deliveries(self)
