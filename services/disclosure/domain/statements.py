"""A filer's statement in the making: the draft, started from the latest statement the filer
filed in an earlier cycle with its items marked "from last year" until confirmed or removed,
and what a filing needs (its certification, every carried item confirmed)."""
import datetime as dt
from dataclasses import dataclass

from shared.contracts.common import Actor, Role
from shared.contracts.disclosure import StatementContents, StatementIn
from shared.kernel.errors import Forbidden, problem

GROUPS = ("assets", "liabilities", "outside_interests", "relatives_in_un")
MARK = "from_last_year"
UNCERTIFIED = "certify that the statement is true and complete to file it"
UNCONFIRMED = "confirm or remove this item carried over from last year"


@dataclass
class Draft:
    """A statement saved before it is filed (contents JSON-ready, with their marks): per filer
    and cycle, kept sealed like a statement; it is not a filing."""
    year: int
    staff_id: str
    entity: str
    saved_on: dt.date | None
    contents: dict
    prefilled_from: int | None = None

    def view(self) -> dict:
        return {"year": self.year, "staff_id": self.staff_id,
                "saved_on": self.saved_on.isoformat() if self.saved_on else None,
                "prefilled_from": self.prefilled_from,
                **{g: self.contents.get(g, []) for g in GROUPS}}


def latest_earlier(statements: list, year: int):
    """The latest of a filer's statements (anything with a `year`) filed in a cycle before
    `year`, or None."""
    earlier = [s for s in statements if s.year < year]
    return max(earlier, key=lambda s: s.year) if earlier else None


def carried_over(contents: dict) -> dict:
    """A filed statement's items as a new draft's, each marked from last year."""
    return {g: [{**item, MARK: True} for item in contents.get(g, [])] for g in GROUPS}


def starting_draft(year: int, staff_id: str, entity: str, earlier: list) -> Draft:
    """Where a filer's statement of `year` starts when no draft is saved: the items of its
    latest earlier statement, marked, or nothing."""
    latest = latest_earlier(earlier, year)
    if latest is None:
        return Draft(year, staff_id, entity, None, {g: [] for g in GROUPS})
    return Draft(year, staff_id, entity, None, carried_over(latest.contents), latest.year)


def unconfirmed(contents: StatementContents) -> list[tuple[str, int]]:
    """Where the items still marked from last year are (`("assets", 0)`, ...)."""
    return [(g, i) for g in GROUPS for i, item in enumerate(getattr(contents, g))
            if item.from_last_year]


def statement_problems(statement: StatementIn) -> list[dict]:
    """A filing is certified true and complete, with no item left unconfirmed."""
    problems = [problem([g, i, MARK], UNCONFIRMED) for g, i in unconfirmed(statement)]
    if statement.certified is not True:
        problems.append(problem("certified", UNCERTIFIED))
    return problems


def filed_contents(statement: StatementIn) -> dict:
    """What a filing keeps: the items as ordinary items, and its certification."""
    contents = StatementContents(**statement.model_dump(include=set(GROUPS)))
    plain = contents.model_dump(mode="json", exclude={g: {"__all__": {MARK}} for g in GROUPS})
    return {**plain, "certified": bool(statement.certified)}


def check_own_draft(actor: Actor, staff_id: str):
    """A draft is its filer's alone: no one else reads or changes it."""
    if actor.role != Role.filer or actor.staff_id != staff_id:
        raise Forbidden("a draft statement is for its filer only")
