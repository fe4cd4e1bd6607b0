"""What was effective by a day: the rules a report "as of" a date follows.

Every fact a report counts has the day it took effect: a service request the day it was
received, an activity the day it was held, a retaliation decision the day it was decided, a
filer the day it was enrolled and each step of its filing the day it was taken, a Panel member
the days it joined and left, annual figures the day they were submitted. Facts without a day of
their own take the day their event occurred.

- A report as of `day` counts the facts effective by the end of that day.
- A reporting period that has ended by `day` holds all of its requests and activities (each
  falls in the period of its own day); a financial disclosure cycle closed by `day` holds all its
  facts (a closed cycle accepts no change).
- A report as of today or later counts every record: the totals the read models keep.
"""
import datetime as dt


def day_of(at: str) -> str:
    """The ISO day of an ISO time (or day)."""
    return at[:10]


def in_force(today: dt.date, as_of: dt.date) -> bool:
    """A report as of `as_of` is the report of everything recorded (nothing is dated later)."""
    return as_of >= today


def closed_by(cycle: dict | None, as_of: dt.date) -> bool:
    """The cycle had closed by `as_of`: its final figures are its figures as of that day."""
    closed_on = (cycle or {}).get("closed_on")
    return bool(closed_on and closed_on <= as_of.isoformat())


# ---- the facts of a filer, each with its day ----

# a filer record's fact -> the field holding the day it took effect
FACT_DAYS = {"enrolled": "enrolled_on", "filed": "filed_on", "exempted": "exempted_on",
             "review": "reviewed_on", "conflicts": "reviewed_on", "mitigated": "mitigated_on",
             "verification": "verified_on", "publish": "decided_on"}
EVER = ""  # the day of a fact recorded without one: in force from the start


def fact_days(record: dict) -> list[str]:
    """The distinct days on which the record's facts took effect, in order."""
    return sorted({record.get(day) or EVER for fact, day in FACT_DAYS.items()
                   if record.get(fact) is not None})


def as_it_was(record: dict, day: str) -> dict:
    """The record with only the facts effective by `day`."""
    return {k: v for k, v in record.items()
            if k not in FACT_DAYS or (record.get(FACT_DAYS[k]) or EVER) <= day}


# ---- Panel membership ----

def spells(joined: list[str], left: list[str]) -> list[tuple[str, str | None]]:
    """Membership as (joined, left) spells, from the days members joined and left (a day that
    holds both is a join first)."""
    found: list = []
    for day, move in sorted([(d, 0) for d in joined] + [(d, 1) for d in left]):
        if move == 0 and (not found or found[-1][1] is not None):
            found.append([day, None])
        elif move == 1 and found and found[-1][1] is None:
            found[-1][1] = day
    return [tuple(s) for s in found]


def member_during(record: dict, start: dt.date, end: dt.date, as_of: dt.date) -> bool:
    """A member at some time between `start` and `end`, as known on `as_of`: joined by then,
    and not gone before `start`."""
    known = as_of.isoformat()
    joined = [d for d in record.get("joined") or [] if d <= known]
    left = [d for d in record.get("left") or [] if d <= known]
    last = min(end, as_of).isoformat()
    return any(j <= last and (gone is None or gone > start.isoformat())
               for j, gone in spells(joined, left))


# ---- versions of annual figures ----

def version_as_of(submitted: dict | None, as_of: dt.date) -> dict | None:
    """The latest version of an entity's annual figures submitted by `as_of`, as
    `{version, figures, submitted_on}`; None when none was."""
    versions = (submitted or {}).get("versions") or {}
    known = [(int(n), v) for n, v in versions.items()
             if v.get("submitted_on", EVER) <= as_of.isoformat()]
    if not known:
        return None
    number, version = max(known, key=lambda item: item[0])
    return {"version": number, "figures": version["figures"],
            "submitted_on": version.get("submitted_on")}
