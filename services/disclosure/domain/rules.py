"""The programme's rules: the filing status machine, who is designated what, what a complete
review or public decision is, when cycles open and reminders fall due.

Problems are `{loc, msg}` dicts naming the field inside the request; refusals of a move are
the kernel's errors (Conflict, Forbidden, Invalid).
"""
import datetime as dt
from typing import Iterable

from shared.contracts.common import Actor, Role
from shared.contracts.disclosure import (FILED_STATUSES, CycleStatus, Designation, FilerIn,
                                         FilingStatus,
                                         PublicDisclosureIn, ReviewIn, ReviewOutcome,
                                         is_senior_official)
from shared.kernel.errors import Conflict, Forbidden, problem

S = FilingStatus
FILED = FILED_STATUSES
REVIEWED = frozenset({S.cleared, S.conflicts_found, S.mitigated})
NOT_FILED = (S.invited, S.exempted)
MOVES: dict[FilingStatus, frozenset[FilingStatus]] = {
    S.invited: frozenset({S.filed, S.exempted}),
    S.filed: frozenset({S.under_review, S.cleared, S.conflicts_found}),
    S.under_review: frozenset({S.cleared, S.conflicts_found}),
    S.conflicts_found: frozenset({S.mitigated}),
}
OUTSTANDING = "outstanding"  # the reason of a filer who has not filed and is not exempted


# ---- the status machine ----

def move_allowed(current: str, new: str) -> bool:
    return S(new) in MOVES.get(S(current), frozenset())


def move_problem(current: str, new: str) -> str | None:
    """Why `current` cannot become `new`, or None when it can."""
    if move_allowed(current, new):
        return None
    allowed = " or ".join(s.value for s in S if s in MOVES.get(S(current), ()))
    if not allowed:
        return f"a filer whose status is {current} cannot become {new}"
    return f"a filer whose status is {current} cannot become {new}; the next step is {allowed}"


def check_move(staff_id: str, current: str, new: str):
    """Conflict (naming the status) when a filer in `current` cannot become `new`."""
    refused = move_problem(current, new)
    if refused:
        msg = f"{staff_id}: {refused}"
        raise Conflict(msg, [problem("status", msg)])


# ---- who acts on which filer ----

def check_own_statement(actor: Actor, staff_id: str):
    if actor.role == Role.filer and actor.staff_id != staff_id:
        raise Forbidden("a filer acts on its own statement only")


def check_own_entity(actor: Actor, entity: str):
    if actor.entity_scoped and actor.entity != entity:
        raise Forbidden(f"a {actor.role.value} of {actor.entity} acts for {actor.entity}'s "
                        "filers only")


# ---- grades and designation ----

def filer_problems(filer: FilerIn, participants: Iterable[str]) -> list[dict]:
    problems = []
    if filer.entity not in participants:
        problems.append(problem("entity", f"{filer.entity} does not take part in the "
                                          "programme; enrol it as a participant first"))
    senior = is_senior_official(filer.grade)
    if senior and filer.designation != Designation.senior_official:
        problems.append(problem("designation", f"a {filer.grade} is designated senior_official"))
    if not senior and filer.designation == Designation.senior_official:
        problems.append(problem("designation", "senior_official is for D-1 and above; "
                                               f"a {filer.grade} files for procurement, "
                                               "investment or other duties"))
    return problems


def enrolment_date_problems(enrolled_on: dt.date | None, opens_on: dt.date, today: dt.date,
                            may_backdate: bool) -> list[dict]:
    """An enrolment is dated today, or earlier by the Ethics Office loading past records: never
    after today, never before the cycle opens."""
    if enrolled_on is None:
        return []
    if not may_backdate:
        return [problem("enrolled_on", "only the Ethics Office dates an enrolment; leave it "
                                       "out to enrol today", status=403)]
    if enrolled_on > today:
        return [problem("enrolled_on", f"{enrolled_on} is after today")]
    if enrolled_on < opens_on:
        return [problem("enrolled_on", f"the cycle opened on {opens_on}; a filer is not "
                                       "enrolled before")]
    return []


# ---- complete requests ----

def review_problems(review: ReviewIn) -> list[dict]:
    if review.outcome == ReviewOutcome.conflicts_found and not review.conflicts:
        return [problem("conflicts", "conflicts_found needs at least one conflict")]
    if review.outcome != ReviewOutcome.conflicts_found and review.conflicts:
        return [problem("conflicts", f"{review.outcome.value} records no conflicts")]
    return []


def public_decision_problems(decision: PublicDisclosureIn) -> list[dict]:
    if decision.publish:
        problems = [] if decision.summary else [problem("summary", "a published disclosure "
                                                                    "needs its summary")]
        if decision.declined_reason:
            problems.append(problem("declined_reason", "only a declined disclosure has one"))
        return problems
    problems = [] if decision.declined_reason else [problem("declined_reason", "say why the "
                                                            "official declined")]
    if decision.summary or decision.name or decision.title:
        problems.append(problem("summary", "a declined disclosure publishes nothing"))
    return problems


# ---- cycles and reminders ----

def cycle_opening(year: int) -> dt.date:
    """A cycle opens on 1 March of its year."""
    return dt.date(year, 3, 1)


def disclosure_period(year: int) -> tuple[dt.date, dt.date]:
    """The cycle of `year` covers the previous calendar year."""
    return dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)


def cycle_problems(year: int, opens_on: dt.date, deadline: dt.date) -> list[dict]:
    problems = []
    if opens_on.year != year:
        problems.append(problem("opens_on", f"the {year} cycle opens in {year}"))
    if deadline <= opens_on:
        problems.append(problem("deadline", "the deadline comes after the opening"))
    return problems


def cycle_status(opens_on: dt.date, deadline: dt.date, closed: bool, today: dt.date,
                 outstanding: int) -> CycleStatus:
    """A cycle's state on `today`: closed once the Ethics Office closes it; before that,
    scheduled until it opens, open, and overdue after its deadline while filers are
    outstanding (a cycle past its deadline with none outstanding is open until closed)."""
    if closed:
        return CycleStatus.closed
    if today < opens_on:
        return CycleStatus.scheduled
    if today > deadline and outstanding > 0:
        return CycleStatus.overdue
    return CycleStatus.open


def filing_date_problem(filed_on: dt.date, opens_on: dt.date, today: dt.date) -> str | None:
    if filed_on < opens_on:
        if today < opens_on:
            return f"the cycle opens on {opens_on}; statements can be filed from then"
        return f"the cycle opened on {opens_on}; a statement cannot be filed before"
    if filed_on > today:
        return "a statement cannot be filed in the future"
    return None


def reminder_problem(year: int, opens_on: dt.date, deadline: dt.date,
                     today: dt.date) -> str | None:
    """Why no reminder may go out today for an open cycle, if one may not: reminders are for
    filers who can still file on time."""
    if today < opens_on:
        return (f"the {year} cycle opens on {opens_on}; reminders can be sent once it is open")
    if today > deadline:
        return (f"the deadline of the {year} cycle was {deadline}; reminders are sent only "
                "before the deadline")
    return None


def reminder_due(deadline: dt.date, days_before: int, today: dt.date) -> bool:
    """A reminder `days_before` the deadline is due from that day until the deadline."""
    return deadline - dt.timedelta(days=days_before) <= today <= deadline
