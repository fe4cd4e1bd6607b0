"""Disclosure's repositories in memory: the fake the use-case tests run on. They keep the same
promises as `store.py` (the repository suite runs against both), statements included: they are
kept sealed (with the real keyring and a key of the tests), never in plaintext."""
import copy
import dataclasses
import hashlib

from shared.kernel.errors import Conflict, StaleState
from shared.kernel.pagination import Page
from shared.kernel.uow import InMemoryUnitOfWork

from .domain import (FILED, NOT_FILED, Cycle, Draft, Enrolment, Filer, FilerChanges,
                     FilerReminder, Participant, PublicDisclosure, PublicReviewed, Reminder, S,
                     Statement,
                     VerificationSample)
from .keyring import (Keyring, open_draft, open_statement, reseal_draft, reseal_statement,
                      seal_draft,
                      seal_statement)

TEST_KEYRING = Keyring([("memory", hashlib.sha256(b"epun disclosure memory key").digest())])
RESEAL_PAGE = 500


class _Repository:
    collection = ""

    def __init__(self, uow: "DisclosureMemory"):
        self.uow = uow

    def _all(self, collection: str | None = None) -> list:
        return self.uow.records(collection or self.collection)

    def _read(self, key):
        return self.uow.read(self.collection, key)


class Participants(_Repository):
    collection = "participants"

    def get(self, entity: str) -> Participant | None:
        return self._read(entity)

    def all(self, entity: str | None = None) -> list[Participant]:
        return sorted((p for p in self._all() if entity in (None, p.entity)),
                      key=lambda p: p.entity)

    def codes(self) -> list[str]:
        return sorted(p.entity for p in self._all())

    def categories(self) -> dict[str, str]:
        return {p.entity: p.category for p in self._all()}

    def cost_sharing(self) -> list[str]:
        return sorted(p.entity for p in self._all() if p.cost_sharing)

    def save(self, participant: Participant):
        self.uow.seen(participant)
        self.uow.stage(self.collection, participant.entity, participant)


class Cycles(_Repository):
    collection = "cycles"

    def get(self, year: int) -> Cycle | None:
        return self._read(year)

    def all(self) -> list[Cycle]:
        return sorted(self._all(), key=lambda c: c.year)

    def newest_open(self) -> Cycle | None:
        found = [c for c in self.all() if c.is_open]
        return found[-1] if found else None

    def add(self, cycle: Cycle):
        self.uow.seen(cycle)
        if self._read(cycle.year) is not None:
            raise Conflict(f"the {cycle.year} cycle exists already")
        self.uow.stage(self.collection, cycle.year, cycle, expect=lambda current: current is None)

    def save(self, before: Cycle, after: Cycle):
        self.uow.seen(after)
        self.uow.stage(self.collection, after.year, after,
                       expect=lambda current: current is not None
                       and current.status == before.status)

    def still_open(self, cycle: Cycle):
        self.uow.stage(self.collection, cycle.year, cycle,
                       expect=lambda current: current is not None and current.is_open)


class Filers(_Repository):
    collection = "filers"

    def get(self, year: int, staff_id: str) -> Filer | None:
        return self._read(_key(year, staff_id))

    def many(self, year: int, staff_ids: list[str]) -> dict[str, Filer]:
        found = (self._read(_key(year, s)) for s in staff_ids)
        return {f.staff_id: f for f in found if f is not None}

    def filed_before(self, staff_ids: list[str], years: list[int]) -> set[str]:
        found = (self._read(_key(y, s)) for y in years for s in staff_ids)
        return {f.staff_id for f in found if f is not None and S(f.status) in FILED}

    def add(self, enrolment: Enrolment):
        self.uow.seen(enrolment)
        for filer in enrolment.filers:
            self.uow.stage(self.collection, _key(filer.year, filer.staff_id), filer,
                           expect=lambda current: current is None)

    def save(self, changes: FilerChanges):
        self.uow.seen(changes)
        for filer in changes.filers:
            self.uow.stage(self.collection, _key(filer.year, filer.staff_id),
                           dataclasses.replace(filer, version=filer.version + 1),
                           expect=lambda current, v=filer.version: current is not None
                           and current.version == v)

    def _of(self, year: int, entity: str | None = None) -> list[Filer]:
        return sorted((f for f in self._all() if f.year == year and entity in (None, f.entity)),
                      key=lambda f: (f.entity, f.staff_id))

    def page(self, year: int, entity: str | None, status: str | None, limit: int,
             cursor: str | None) -> Page:
        after = tuple(cursor.rpartition("/")[::2]) if cursor else ("", "")
        if entity and after[0] != entity:
            after = (entity, "")
        participants = set(Participants(self.uow).codes())
        found = [f for f in self._of(year, entity) if (f.entity, f.staff_id) > after
                 and (entity or f.entity in participants) and status in (None, f.status)]
        page = found[:limit]
        more = len(found) > limit
        return Page(page, f"{page[-1].entity}/{page[-1].staff_id}" if more else None)

    def non_filers(self, year: int, entity: str, limit: int, cursor: str | None) -> Page:
        found = [f for f in self._of(year, entity)
                 if S(f.status) in NOT_FILED and (not cursor or f.staff_id > cursor)]
        page = found[:limit]
        return Page(page, page[-1].staff_id if len(found) > limit and page else None)

    def outstanding(self, year: int, entity: str) -> list[str]:
        return [f.staff_id for f in self._of(year, entity) if f.status == S.invited]

    def population(self, year: int) -> list[dict]:
        return [{"staff_id": f.staff_id, "entity": f.entity, "grade": f.grade,
                 "duty_station": f.duty_station, "designation": f.designation,
                 "first_time": f.first_time, "status": f.status} for f in self._of(year)]


class Counters(_Repository):
    collection = "counters"

    def of(self, year: int) -> list[dict]:
        return [c for c in self._all() if c["year"] == year]

    def add(self, year: int, counts: dict[tuple[str, str], dict]):
        for (entity, station), delta in counts.items():
            key = (year, entity, station)
            before = self._read(key)
            counter = copy.deepcopy(before) or {"entity": entity, "year": year,
                                                "duty_station": station}
            for path, n in delta.items():
                _increment(counter, path, n)
            self.uow.stage(self.collection, key, counter,
                           expect=lambda current, before=before: current == before)


class Sealed(_Repository):
    """Records sealed with the statement keys, which a key rotation seals again."""
    resealed = staticmethod(reseal_statement)

    @property
    def keyring(self) -> Keyring:
        return self.uow.keyring

    def count(self) -> int:
        return len(self.uow.state.collection(self.collection))

    def sealed_with_older_keys(self, entity: str) -> list[dict]:
        return [s for s in self._all() if s["entity"] == entity
                and s["key_id"] != self.keyring.newest][:RESEAL_PAGE]

    def reseal(self, sealed: list[dict]):
        for doc in sealed:
            self.uow.stage(self.collection, doc["_id"],
                           {**doc, **self.resealed(self.keyring, doc)},
                           expect=lambda current, doc=doc: current is not None
                           and (current["key_id"], current["nonce"]) == (doc["key_id"],
                                                                         doc["nonce"]))


class Statements(Sealed):
    collection = "statements"

    def add(self, statements: list[Statement]):
        """Each filed statement, which replaces its filer's draft."""
        for statement in statements:
            key = _key(statement.year, statement.staff_id)
            self.uow.stage(self.collection, key, {"_id": key, **seal_statement(self.keyring,
                                                                                statement)},
                           expect=lambda current: current is None)
            self.uow.stage(Drafts.collection, key, None)

    def of_filer(self, staff_id: str, years: list[int]) -> list[Statement]:
        """A filer's statements of the cycles of `years`."""
        found = (self._read(_key(y, staff_id)) for y in years)
        return [open_statement(self.keyring, s) for s in found if s]

    def get(self, year: int, staff_id: str) -> Statement | None:
        sealed = self._read(_key(year, staff_id))
        return open_statement(self.keyring, sealed) if sealed else None

    @property
    def newest_key(self) -> str:
        return self.keyring.newest


class Drafts(Sealed):
    collection = "drafts"
    resealed = staticmethod(reseal_draft)

    def get(self, year: int, staff_id: str) -> Draft | None:
        sealed = self._read(_key(year, staff_id))
        return open_draft(self.keyring, sealed) if sealed else None

    def save(self, draft: Draft):
        key = _key(draft.year, draft.staff_id)
        self.uow.stage(self.collection, key, {"_id": key, **seal_draft(self.keyring, draft)})

    def remove(self, year: int, staff_id: str):
        self.uow.stage(self.collection, _key(year, staff_id), None)


class Samples(_Repository):
    collection = "samples"

    def get(self, year: int) -> VerificationSample | None:
        return self._read(year)

    def add(self, sample: VerificationSample):
        self.uow.seen(sample)
        existing = self._read(sample.year)
        if existing is not None:
            raise existing.another_refused()
        self.uow.stage(self.collection, sample.year, sample,
                       expect=lambda current: current is None)


class PublicDisclosures(_Repository):
    collection = "public_disclosures"

    def add(self, decisions: list[PublicDisclosure]):
        # a decision made again replaces the one before (its filer's version guards it)
        for decision in decisions:
            self.uow.stage(self.collection, _key(decision.year, decision.staff_id), decision)

    def review(self, reviews: list[PublicReviewed]):
        for review in reviews:
            key = _key(review.year, review.staff_id)
            found = self._read(key)
            if found is None:
                raise StaleState(f"no public disclosure of {review.staff_id}")
            self.uow.stage(self.collection, key, found.reviewed(review),
                           expect=lambda current: current is not None)

    def get(self, year: int, staff_id: str) -> PublicDisclosure | None:
        return self._read(_key(year, staff_id))

    def published(self, year: int) -> list[PublicDisclosure]:
        return self._of(year, lambda d: d.published)

    def pending(self, year: int) -> list[PublicDisclosure]:
        return self._of(year, lambda d: d.review == "pending")

    def _of(self, year: int, keep) -> list[PublicDisclosure]:
        return sorted((d for d in self._all() if d.year == year and keep(d)),
                      key=lambda d: _key(d.year, d.staff_id))


class Reminders(_Repository):
    collection = "reminders"

    def sent(self, year: int, days_before: int) -> set[str]:
        return {r.entity for r in self._all() if isinstance(r, Reminder)
                and (r.year, r.days_before) == (year, days_before)}

    def add(self, reminder: Reminder):
        self.uow.seen(reminder)
        self.uow.stage(self.collection, (reminder.year, reminder.entity, reminder.days_before),
                       reminder, expect=lambda current: current is None)

    def add_for_filer(self, reminder: FilerReminder):
        self.uow.seen(reminder)
        self.uow.stage(self.collection, (reminder.year, reminder.entity, reminder.staff_id,
                                         reminder.sent_on),
                       reminder, expect=lambda current: current is None)

    def filer_days(self, year: int, staff_id: str) -> list:
        return sorted(r.sent_on for r in self._all() if isinstance(r, FilerReminder)
                      and (r.year, r.staff_id) == (year, staff_id))

    def of(self, year: int, entity: str) -> list[dict]:
        return [r.view() for r in self._all() if (r.year, r.entity) == (year, entity)]


class DisclosureMemory(InMemoryUnitOfWork):
    """`DisclosureMemory(state, actor, clock, keyring=...)`: a unit of work over in-memory
    collections; statements are sealed with `keyring` (a key of the tests by default)."""

    def __init__(self, *args, keyring: Keyring | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keyring = keyring or TEST_KEYRING
        self.participants, self.cycles = Participants(self), Cycles(self)
        self.filers, self.counters = Filers(self), Counters(self)
        self.statements, self.samples = Statements(self), Samples(self)
        self.public_disclosures, self.reminders = PublicDisclosures(self), Reminders(self)
        self.drafts = Drafts(self)


def _key(year: int, staff_id: str) -> str:
    return f"{year}:{staff_id}"


def _increment(counter: dict, path: str, n: int):
    """`$inc` of a dotted path, in a nested dict."""
    *parents, last = path.split(".")
    for part in parents:
        counter = counter.setdefault(part, {})
    counter[last] = counter.get(last, 0) + n
