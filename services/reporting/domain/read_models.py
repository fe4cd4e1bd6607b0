"""The changes events make to the read models, the counter arithmetic, and the generations of
the read models.

A projection (`projections.py`) turns one event into changes of small read-model documents:
- `Add`: counters to increase on one document (created at zero). The Adds of a group of events
  are summed per document, so a batch of 10,000 service requests becomes a few updates. An Add
  dated by the day its facts took effect (`on`) also counts in that day's slot of the model's
  by-day document (`BY_DAY`: one document per month, a counter group per day), so a report can
  count what was effective by any date.
- `Revise`: a record whose new state is `change(before)`. When the record feeds counters
  (`feeds(record) -> [Add]`), the counters move by what it feeds after minus what it fed before.

`resolve` is the one implementation of that arithmetic: given the revised records as they are,
it gives their new states and the summed counter moves; the MongoDB store turns the result into
replacements and `$inc` upserts, the in-memory fake into new dicts.

Events of different types travel on different queues and are handled by concurrent workers, so
they may arrive in any order: every change here commutes (counters add up, a record's fields are
set by one kind of event each, and "latest wins" compares the events' own times or versions).

Keys: every document carries `entity`. The programme-wide models (`fdp`, `enrolment`, `cycles`,
`samples`) and the Panel's own records (`meetings`, `consultations`) belong to the Ethics Office,
which runs the programme and chairs the Panel; an `fdp` document names the filers' entity in
`unit`, and a cycle's `enrolment` document counts its filers by entity (figure V reads a few of
those rather than every entity's `fdp` document of every year).
"""
import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Optional

from shared.kernel.errors import Conflict

CONSUMER = "reporting"

# model -> the fields of its unique key, `entity` first
KEYS = {
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
    "issued": ["entity", "report", "key"],
    "tallies_by_day": ["entity", "period", "month"],
    "fdp_by_day": ["entity", "year", "unit", "month"],
}
# model -> the model of its by-day documents (its key and `month`; counters under `d<DD>.`)
BY_DAY = {"tallies": "tallies_by_day", "fdp": "fdp_by_day"}


# ---- the changes a projection asks for ----


@dataclass
class Add:
    model: str
    key: dict
    amounts: dict
    on: str | None = None  # the ISO day the facts took effect, for models that count by day


@dataclass
class Revise:
    model: str
    key: dict
    change: Callable[[Optional[dict]], dict]
    feeds: Optional[Callable[[dict], list]] = None


Change = Add | Revise


def setting(**fields) -> Callable[[Optional[dict]], dict]:
    """A change that sets `fields` and keeps the rest of the record."""
    return lambda before: {**(before or {}), **fields}


def latest(at: str, **fields) -> Callable[[Optional[dict]], dict]:
    """Set `fields` unless the record already holds a later state (`as_of` compares ISO times)."""
    def change(before):
        if before and before.get("as_of", "") > at:
            return before
        return {**(before or {}), **fields, "as_of": at}
    return change


def adding_to(list_field: str, *values) -> Callable[[Optional[dict]], dict]:
    def change(before):
        before = before or {}
        return {**before, list_field: sorted({*before.get(list_field, []), *values})}
    return change


# ---- the counter arithmetic ----

def counter_changes(before: list, after: list) -> list:
    """The Adds that turn the counters fed by `before` into those fed by `after` (per document
    and day)."""
    totals: dict = {}
    for sign, adds in ((-1, before), (1, after)):
        for add in adds:
            slot = totals.setdefault((add.model, tuple(sorted(add.key.items())), add.on),
                                     Counter())
            for name, amount in add.amounts.items():
                slot[name] += sign * amount
    return [Add(model, dict(key), {n: a for n, a in amounts.items() if a}, on)
            for (model, key, on), amounts in totals.items() if any(amounts.values())]


def merged(adds: list) -> list:
    """The same Adds summed per document (and day)."""
    return counter_changes([], adds)


def by_day(adds: list) -> list:
    """The writes of `adds`: their sums per document, undated, and the dated ones again in their
    day's slot of the by-day document of their month."""
    dated = [Add(BY_DAY[a.model], {**a.key, "month": a.on[:7]},
                 {f"d{a.on[8:10]}.{name}": n for name, n in a.amounts.items()})
             for a in adds if a.on and a.model in BY_DAY]
    return merged([Add(a.model, a.key, a.amounts) for a in adds] + dated)


def counted_by(docs: list[dict], day: str) -> dict:
    """The counters of by-day documents summed over the days up to `day` (ISO), nested as the
    model's own documents are."""
    totals: dict = {}
    month, last = day[:7], day[8:10]
    for doc in docs:
        if doc["month"] > month:
            continue
        for slot, counters in doc.items():
            if slot.startswith("d") and slot[1:].isdigit() and (
                    doc["month"] < month or slot[1:] <= last):
                _add_nested(totals, counters)
    return totals


def _add_nested(into: dict, counters: dict):
    for name, value in counters.items():
        if isinstance(value, dict):
            _add_nested(into.setdefault(name, {}), value)
        else:
            into[name] = into.get(name, 0) + value


def identity(model: str, key: dict) -> tuple:
    """A read-model document's identity: its model and its key's values, in `KEYS` order."""
    return (model, *(key[name] for name in KEYS[model]))


def revised(changes: list) -> list[tuple]:
    """The identities of the records `changes` revise: what `resolve` needs to read first."""
    return list(dict.fromkeys(identity(c.model, c.key) for c in changes
                              if isinstance(c, Revise)))


@dataclass
class Resolved:
    """What a list of changes comes to: the new state of each record it changes (by identity)
    and the counter moves, summed per document."""
    records: dict
    adds: list


def resolve(changes: list, current: dict) -> Resolved:
    """Apply the Revises in order per record to `current` (identity -> the record or None) and
    sum every counter move, those the revised records feed included."""
    chains: dict = {}
    for change in changes:
        if isinstance(change, Revise):
            chains.setdefault(identity(change.model, change.key), []).append(change)
    adds = [c for c in changes if isinstance(c, Add)]
    records = {}
    for ident, chain in chains.items():
        before = current.get(ident)
        after = before
        for revision in chain:
            after = {**revision.change(after), **revision.key}
        if after == before:
            continue
        feeds = chain[0].feeds
        if feeds:
            adds += counter_changes(feeds(before) if before else [], feeds(after))
        records[ident] = after
    return Resolved(records, by_day(adds))


def added(doc: dict, amounts: dict) -> dict:
    """`doc` with `amounts` added to its counters (dotted names reach into nested counters)."""
    for path, amount in amounts.items():
        *parents, leaf = path.split(".")
        node = doc
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = node.get(leaf, 0) + amount
    return doc


# ---- generations of the read models ----

CLAIMED = "claimed"  # `building` while a rebuild prepares its generation


def consumer_of(generation: int) -> str:
    """Each generation of the read models tracks the events it holds as a consumer of its own."""
    return CONSUMER if generation == 0 else f"{CONSUMER}-g{generation}"


@dataclass(frozen=True)
class Generations:
    """Which generation the reports read (`active`) and, while a rebuild runs, the one it builds
    (`building`: CLAIMED while it is prepared, then its number). A delivered event goes to both;
    so a rebuilt generation misses nothing that arrives while it is built, and the swap is one
    write."""
    active: int = 0
    building: int | str | None = None
    newest: int = 0
    started_at: dt.datetime | None = None
    heartbeat: dt.datetime | None = None
    replayed: int | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None

    def live(self) -> list[int]:
        """The generations an event is applied to."""
        return [self.active] + ([self.building] if isinstance(self.building, int) else [])

    @property
    def running(self) -> bool:
        return self.building is not None

    def claim(self, now: dt.datetime, stale_after: dt.timedelta) -> "Generations":
        """A rebuild's claim: one at a time, and a claim without progress for `stale_after` is
        taken over. Its generation comes after every generation made so far."""
        if self.running and not (self.heartbeat and self.heartbeat < now - stale_after):
            raise Conflict("a rebuild of the read models is running")
        return replace(self, building=CLAIMED, newest=self.next(), started_at=now,
                       heartbeat=now, replayed=0, finished_at=None, error=None)

    def next(self) -> int:
        return max(self.newest + 1, self.active + 1)

    def stalled(self) -> int | None:
        """The generation a rebuild that stopped making progress left half built."""
        return self.building if isinstance(self.building, int) else None

    def building_now(self, generation: int, now: dt.datetime) -> "Generations":
        return replace(self, building=generation, newest=generation, heartbeat=now)

    def progressed(self, replayed: int, now: dt.datetime) -> "Generations":
        return replace(self, heartbeat=now, replayed=replayed)

    def finished(self, now: dt.datetime) -> "Generations":
        assert isinstance(self.building, int), "a rebuild finishes the generation it built"
        return replace(self, active=self.building, building=None, finished_at=now)

    def abandoned(self, error: str) -> "Generations":
        return replace(self, building=None, error=error[:500])


# ---- the business gauge ----

def figures_missing(members: list[str], submitted: set[str], recorded: set[str]) -> dict:
    """1 for each Panel member with neither submitted annual figures nor records for the period
    (a member whose office keeps its records in the system has nothing to submit), else 0."""
    return {m: int(m not in submitted and m not in recorded) for m in members}
