"""The programme: the entities that take part, and the annual cycles they file in."""
import datetime as dt
from dataclasses import dataclass, field, replace

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.disclosure import (CycleClosed, CycleIn, CycleOpened, ParticipantEnrolled,
                                         ParticipantIn)
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Conflict, refuse

from .rules import (cycle_opening, cycle_problems, cycle_status, disclosure_period,
                    reminder_problem)

OPEN, CLOSED = "open", "closed"


@dataclass
class Participant(Aggregate):
    """An entity taking part in the programme, with its cost sharing and focal points."""
    entity: str
    cost_sharing: bool
    focal_points: list[dict] = field(default_factory=list)  # {name, email?, language?}
    category: str = "unclassified"  # the directory's, looked up when it enrols

    @classmethod
    def enrol(cls, existing: "Participant | None", entity: str, request: ParticipantIn,
              category: str) -> "Participant":
        """The participant after enrolling (again); it records no event when nothing
        changes."""
        focal_points = [f.model_dump(mode="json", exclude_none=True)
                        for f in request.focal_points]
        participant = cls(entity, request.cost_sharing, focal_points, category)
        if existing is None or existing.view() != participant.view():
            contacts = [c for c in (f.contact() for f in request.focal_points) if c]
            participant.record(ParticipantEnrolled(entity=entity,
                                                   cost_sharing=request.cost_sharing,
                                                   focal_points=len(focal_points),
                                                   contacts=contacts), entity)
        return participant

    def view(self) -> dict:
        return {"entity": self.entity, "cost_sharing": self.cost_sharing,
                "focal_points": [dict(f) for f in self.focal_points],
                "category": self.category}


def annual_cycle_due(today: dt.date, years: set[int], last: "Cycle | None",
                     deadline: tuple[int, int]) -> CycleIn | None:
    """The cycle the annual job opens today, if any: from 1 March, this year's cycle when there
    is none yet, with the given (month, day) deadline and the last cycle's programme cost (0 when
    there was none: the Office sets it before the cost shares are computed)."""
    opens_on = cycle_opening(today.year)
    if today < opens_on or today.year in years:
        return None
    return CycleIn(year=today.year, opens_on=opens_on,
                   deadline=dt.date(today.year, *deadline),
                   programme_cost=last.programme_cost if last else 0)


@dataclass
class Cycle(Aggregate):
    """A filing cycle: it opens (1 March by default), covers the previous calendar year, takes
    changes while open and none once closed."""
    year: int
    opens_on: dt.date
    deadline: dt.date
    programme_cost: float
    status: str = OPEN
    closed_on: dt.date | None = None

    @classmethod
    def open(cls, existing: "Cycle | None", request: CycleIn) -> "Cycle":
        opens_on = request.opens_on or cycle_opening(request.year)
        refuse(cycle_problems(request.year, opens_on, request.deadline))
        if existing is not None:
            raise Conflict(f"the {request.year} cycle exists already")
        cycle = cls(request.year, opens_on, request.deadline, request.programme_cost)
        cycle.record(CycleOpened(year=cycle.year, opens_on=opens_on, deadline=cycle.deadline,
                                 programme_cost=cycle.programme_cost), ETHICS_OFFICE)
        return cycle

    @property
    def covers(self) -> tuple[dt.date, dt.date]:
        return disclosure_period(self.year)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def check_open(self):
        """Conflict once the cycle is closed: it accepts no more changes."""
        if not self.is_open:
            raise Conflict(f"the {self.year} cycle is closed; it accepts no more changes")

    def check_remindable(self, today: dt.date):
        """Conflict unless the cycle is open today and its deadline is still ahead."""
        self.check_open()
        refused = reminder_problem(self.year, self.opens_on, self.deadline, today)
        if refused:
            raise Conflict(refused)

    def close(self, closed_on: dt.date) -> "Cycle":
        self.check_open()
        closed = replace(self, status=CLOSED, closed_on=closed_on)
        closed.record(CycleClosed(year=self.year, closed_on=closed_on), ETHICS_OFFICE)
        return closed

    def status_on(self, today: dt.date, outstanding: int) -> str:
        """scheduled, open, overdue or closed (see `rules.cycle_status`)."""
        return cycle_status(self.opens_on, self.deadline, not self.is_open, today,
                            outstanding).value

    def view(self, today: dt.date, outstanding: int) -> dict:
        """The cycle on `today`, with `outstanding` filers who have neither filed nor been
        exempted."""
        covers_from, covers_to = self.covers
        return {"year": self.year, "opens_on": self.opens_on.isoformat(),
                "deadline": self.deadline.isoformat(), "programme_cost": self.programme_cost,
                "covers_from": covers_from.isoformat(),
                "covers_to": covers_to.isoformat(),
                "status": self.status_on(today, outstanding),
                "closed_on": self.closed_on.isoformat() if self.closed_on else None}
