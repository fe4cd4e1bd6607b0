"""Reminders of one filer: who may send one, and when.

The Ethics Office reminds any filer; a focal point the filers of its own entity. A filer is
reminded while the cycle is open and its deadline ahead, only while it has neither filed nor
been exempted, and at most once a day."""
import datetime as dt
from dataclasses import dataclass

from shared.contracts.common import Actor, Role
from shared.contracts.disclosure import ComplianceReminderDue, FilingStatus
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Conflict, Forbidden, problem

from .programme import Cycle

S = FilingStatus
REMINDERS = frozenset({Role.admin, Role.ethics_office, Role.focal_point})


def check_may_remind(actor: Actor, entity: str):
    """Forbidden unless `actor` may remind the filers of `entity`."""
    if actor.role not in REMINDERS:
        raise Forbidden(f"a {actor.role.value} sends no reminders")
    if actor.entity_scoped and actor.entity != entity:
        raise Forbidden(f"a {actor.role.value} of {actor.entity} reminds {actor.entity}'s "
                        "filers only")


def filer_reminder_problem(staff_id: str, status: str, sent_on: list[dt.date],
                           today: dt.date) -> str | None:
    """Why the filer may not be reminded today, or None when it may."""
    if S(status) == S.exempted:
        return f"{staff_id} is exempted from filing; there is nothing to remind"
    if S(status) != S.invited:
        return f"{staff_id} has filed; there is nothing to remind"
    if today in sent_on:
        return f"{staff_id} was reminded today already; one reminder a day is enough"
    return None


def days_to_deadline(deadline: dt.date, today: dt.date) -> int:
    return max((deadline - today).days, 0)


@dataclass
class FilerReminder(Aggregate):
    """A reminder of one filer, dated, naming who sent it."""
    year: int
    entity: str
    staff_id: str
    sent_on: dt.date
    sent_by: str

    @classmethod
    def send(cls, actor: Actor, cycle: Cycle, staff_id: str, entity: str, status: str,
             sent_before: list[dt.date], today: dt.date) -> "FilerReminder":
        """The reminder, with its `compliance_reminder_due` naming the filer alone; refused
        by the rules above."""
        check_may_remind(actor, entity)
        cycle.check_remindable(today)
        refused = filer_reminder_problem(staff_id, status, sent_before, today)
        if refused:
            raise Conflict(refused, [problem("staff_id", refused)])
        reminder = cls(cycle.year, entity, staff_id, today, actor.label or actor.role.value)
        reminder.record(ComplianceReminderDue(
            year=cycle.year, entity=entity, deadline=cycle.deadline,
            days_before=days_to_deadline(cycle.deadline, today), non_filers=[staff_id],
            staff_id=staff_id), entity)
        return reminder

    def view(self) -> dict:
        """As `SentReminder`."""
        return {"year": self.year, "entity": self.entity, "staff_id": self.staff_id,
                "sent_on": self.sent_on.isoformat(), "sent_by": self.sent_by,
                "days_before": None, "non_filers": 1}


def newest_first(reminders: list[dict]) -> list[dict]:
    """Reminders (`SentReminder` views) by the day sent, newest first; undated ones last."""
    return sorted(reminders, key=lambda r: (r["sent_on"] or "", r["staff_id"] or ""),
                  reverse=True)
