"""When filing reminders fall due: a pure function of the cycle, the day and the offsets.

A reminder `d` days before the deadline is due from that day until the deadline; when several
offsets have come (the service was down over one of them) only the nearest is sent, so a filer
never receives two reminders on one day. Reminders are never sent for a closed cycle or one not
yet open; once the deadline has passed, the focal points get one overdue notice instead.
"""
import datetime as dt
from dataclasses import dataclass

OVERDUE = 0  # the offset that stands for the overdue notice


@dataclass
class Cycle:
    year: int
    opens_on: dt.date
    deadline: dt.date
    closed: bool = False

    def is_open(self, today: dt.date) -> bool:
        return not self.closed and self.opens_on <= today


@dataclass(frozen=True)
class Due:
    """What the schedule asks for today: reminders `days_before` the deadline, or (overdue)
    the notice that the deadline has passed."""
    year: int
    days_before: int
    deadline: dt.date

    @property
    def overdue(self) -> bool:
        return self.days_before == OVERDUE

    @property
    def key(self) -> str:
        """The same due moment always has the same key: what makes a run of the schedule safe
        to repeat (its messages' ids derive from it)."""
        return f"reminders:{self.year}:{'overdue' if self.overdue else self.days_before}"


def parse_offsets(text: str) -> list[int]:
    """`"14,7,1"` -> [14, 7, 1]; anything that is not a positive whole number is refused."""
    offsets = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ValueError(f"a reminder offset is a number of days before the deadline: {part!r}")
        offsets.append(int(part))
    return sorted(set(offsets), reverse=True)


def due(cycle: Cycle, today: dt.date, offsets: list[int]) -> Due | None:
    """The reminders due for `cycle` on `today`, or None."""
    if cycle.closed or today < cycle.opens_on:
        return None
    if today > cycle.deadline:
        return Due(cycle.year, OVERDUE, cycle.deadline)
    come = [d for d in offsets if cycle.deadline - dt.timedelta(days=d) <= today]
    if not come:
        return None
    return Due(cycle.year, min(come), cycle.deadline)


def on_demand(cycle: Cycle | None, today: dt.date, days_before: int) -> Due | None:
    """A reminder asked for (the disclosure service's `compliance_reminder_due`), under the
    same rules: nothing for a cycle unknown, closed or not yet open; past the deadline, the
    overdue notice."""
    if cycle is None or cycle.closed or today < cycle.opens_on:
        return None
    if today > cycle.deadline:
        return Due(cycle.year, OVERDUE, cycle.deadline)
    return Due(cycle.year, max(days_before, 1), cycle.deadline)
