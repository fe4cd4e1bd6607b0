"""The queries the reports make of one generation's read models, as they stand (`View`) and as
they stood at the end of a day (`AsOf`).

Each backend says how to find a model's documents whose fields equal some values (`_docs`);
every query here is one such lookup, on an index or over a small collection.
"""
import abc
import datetime as dt
from collections import defaultdict

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.periods import period_bounds

from .domain import BY_DAY, counted_by
from .domain.dates import closed_by, day_of, in_force, version_as_of
from .domain.rollup import members_in


class View(abc.ABC):

    @abc.abstractmethod
    def _docs(self, model: str, **equal) -> list[dict]:
        """The documents of `model` whose fields equal `equal`, without storage fields."""

    def _one(self, model: str, **equal) -> dict | None:
        found = self._docs(model, **equal)
        return found[0] if found else None

    def directory(self) -> dict:
        return {d["entity"]: d for d in self._docs("directory")}

    def tallies_of(self, entity: str) -> dict:
        return {d["period"]: d for d in self._docs("tallies", entity=entity)}

    def submitted_of(self, entity: str) -> dict:
        return {d["period"]: d for d in self._docs("submitted", entity=entity)}

    def tallies_in(self, period: str) -> list[dict]:
        return self._docs("tallies", period=period)

    def submitted_in(self, period: str) -> list[dict]:
        return self._docs("submitted", period=period)

    def fdp(self, year: int, unit: str | None = None) -> list[dict]:
        by_unit = {"unit": unit} if unit else {}
        return self._docs("fdp", entity=ETHICS_OFFICE, year=year, **by_unit)

    def enrolment(self, first: int, last: int) -> list[dict]:
        """One document per cycle: a programme has a few dozen at most."""
        return [d for d in self._docs("enrolment", entity=ETHICS_OFFICE)
                if first <= d["year"] <= last]

    def cycle(self, year: int) -> dict | None:
        return self._one("cycles", entity=ETHICS_OFFICE, year=year)

    def sample(self, year: int) -> dict | None:
        return self._one("samples", entity=ETHICS_OFFICE, year=year)

    def meetings_held_in(self, period: str) -> list[dict]:
        return [m for m in self._docs("meetings", entity=ETHICS_OFFICE, period=period)
                if m.get("held")]

    def consultations_opened_in(self, period: str) -> list[dict]:
        return self._docs("consultations", entity=ETHICS_OFFICE, period=period)

    def reviews_in(self, model: str, period: str) -> list[dict]:
        return self._docs(model, period=period)

    def members(self) -> list[dict]:
        return self._docs("members")

    def has_submitted(self, period: str) -> set[str]:
        return {d["entity"] for d in self.submitted_in(period)}

    def has_records(self, period: str) -> set[str]:
        return {d["entity"] for d in self.tallies_in(period)}

    def by_day(self, model: str, **equal) -> list[dict]:
        return self._docs(BY_DAY[model], **equal)

    def issued(self) -> list[dict]:
        return self._docs("issued", entity=ETHICS_OFFICE)

    def cycles(self) -> list[dict]:
        return self._docs("cycles", entity=ETHICS_OFFICE)


class AsOf:
    """The read models as they stood at the end of `day`: the questions the reports ask of a
    `View`, answered with what was effective by then (`domain.dates`)."""

    def __init__(self, view: View, day: dt.date, today: dt.date):
        self.view, self.day, self.today = view, day, today
        self.everything = in_force(today, day)
        self.iso = day.isoformat()
        self._known = dt.date.max if self.everything else day  # what dated facts count to
        self._read: dict = {}

    def _kept(self, name: str, read):
        """What one report asks several times (the directory, the cycles), read once."""
        if name not in self._read:
            self._read[name] = read()
        return self._read[name]

    def directory(self) -> dict:
        return self._kept("directory", self.view.directory)

    def cycle(self, year: int) -> dict | None:
        return next((c for c in self.cycles() if c["year"] == year), None)

    def cycles(self) -> list[dict]:
        return self._kept("cycles", self.view.cycles)

    def issued(self) -> list[dict]:
        return self.view.issued()

    # ---- intake's records and figures ----

    def tally(self, entity: str, period: str) -> dict | None:
        """An entity's counters of a period, exactly as of the day."""
        if self.everything:
            return self.view._one("tallies", entity=entity, period=period)
        if period_bounds(period)[0] > self.day:
            return None
        found = counted_by(self.view.by_day("tallies", entity=entity, period=period), self.iso)
        return {"entity": entity, "period": period, **found} if found else None

    def tallies_of(self, entity: str) -> dict:
        """An entity's counters of each period that had begun; a period that had ended holds
        all its requests and activities, so its totals serve."""
        found = {}
        for period, doc in self.view.tallies_of(entity).items():
            start, end = period_bounds(period)
            if self.everything or end <= self.day:
                found[period] = doc
            elif start <= self.day:
                found[period] = self.tally(entity, period)
        return {p: d for p, d in found.items() if d}

    def tallies_in(self, period: str, entities: list[str]) -> dict:
        """The counters of a period of each of `entities` (one query when nothing is dated
        out)."""
        if self.everything:
            found = {d["entity"]: d for d in self.view.tallies_in(period)}
            return {e: found.get(e) for e in entities}
        return {e: self.tally(e, period) for e in entities}

    def submitted_in(self, period: str, entities: list[str]) -> dict:
        found = {d["entity"]: d for d in self.view.submitted_in(period)}
        return {e: version_as_of(found.get(e), self._known) for e in entities}

    def submitted(self, entity: str, period: str) -> dict | None:
        return version_as_of(self.view._one("submitted", entity=entity, period=period),
                             self._known)

    def submitted_of(self, entity: str) -> dict:
        found = {p: version_as_of(d, self._known)
                 for p, d in self.view.submitted_of(entity).items()}
        return {p: v for p, v in found.items() if v}

    # ---- the financial disclosure programme ----

    def _final(self, year: int) -> bool:
        return self.everything or closed_by(self.cycle(year), self.day)

    def fdp(self, year: int, unit: str | None = None) -> list[dict]:
        if self._final(year):
            return self.view.fdp(year, unit)
        by_unit: dict = defaultdict(list)
        for doc in self.view.by_day("fdp", entity=ETHICS_OFFICE, year=year,
                                    **({"unit": unit} if unit else {})):
            by_unit[doc["unit"]].append(doc)
        return [{"entity": ETHICS_OFFICE, "year": year, "unit": u, **counted_by(docs, self.iso)}
                for u, docs in sorted(by_unit.items())]

    def enrolment(self, first: int, last: int) -> list[dict]:
        found = []
        every = self._kept("enrolment", lambda: self.view.enrolment(0, 9999))
        for doc in (d for d in every if first <= d["year"] <= last):
            if not self._final(doc["year"]):
                units = {d["unit"]: d.get("enrolled", 0) for d in self.fdp(doc["year"])}
                doc = {**doc, "units": {u: n for u, n in units.items() if n}}
            found.append(doc)
        return found

    def in_progress(self, year: int) -> bool:
        """The cycle was open on the day: its figures are those of that day."""
        cycle = self.cycle(year)
        return cycle is not None and not closed_by(cycle, self.day)

    def sample(self, year: int) -> dict | None:
        sample = self.view.sample(year)
        if sample and (self._final(year) or day_of(sample.get("as_of", "")) <= self.iso):
            return sample
        return None

    # ---- the Panel ----

    def members_in(self, period: str) -> list[str]:
        start, end = period_bounds(period)
        return members_in(self.view.members(), start, end, self._known)

    def meetings_held_in(self, period: str) -> list[dict]:
        return [m for m in self.view.meetings_held_in(period)
                if self.everything or (m.get("held_on") or "") <= self.iso]

    def consultations_opened_in(self, period: str) -> list[dict]:
        if self.everything:
            return self.view.consultations_opened_in(period)
        found = []
        for c in self.view.consultations_opened_in(period):
            if (c.get("opened_on") or "") > self.iso:
                continue
            if (c.get("concluded_on") or "") > self.iso:
                c = {**c, "concluded": False, "answered": [], "not_answered": []}
            found.append(c)
        return found

    def reviews_in(self, model: str, period: str) -> list[dict]:
        if self.everything:
            return self.view.reviews_in(model, period)
        first = "submitted_on" if model == "report_reviews" else "requested_on"
        found = []
        for review in self.view.reviews_in(model, period):
            if (review.get(first) or "") > self.iso:
                continue
            if (review.get("concluded_on") or "") > self.iso:
                review = {**review, "concluded": False}
            found.append(review)
        return found
