"""Disclosure's rules in plain Python: the filing status machine, who must file what, the
counters behind compliance, the verification sample and the cost shares."""
import datetime as dt
import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable

from shared.contracts.disclosure import (GRADES, ConflictIn, Designation, FilerIn, FilingStatus,
                                         PublicDisclosureIn, ReviewIn, ReviewOutcome)

S = FilingStatus
FILED = frozenset({S.filed, S.under_review, S.cleared, S.conflicts_found, S.mitigated})
REVIEWED = frozenset({S.cleared, S.conflicts_found, S.mitigated})
MOVES: dict[FilingStatus, frozenset[FilingStatus]] = {
    S.invited: frozenset({S.filed, S.exempted}),
    S.filed: frozenset({S.under_review, S.cleared, S.conflicts_found}),
    S.under_review: frozenset({S.cleared, S.conflicts_found}),
    S.conflicts_found: frozenset({S.mitigated}),
}
OUTSTANDING = "outstanding"  # the reason of a filer who has not filed and is not exempted


# the status machine

def move_allowed(current: str, new: str) -> bool:
    return S(new) in MOVES.get(S(current), frozenset())


def move_problem(current: str, new: str) -> str | None:
    """Why `current` cannot become `new`, or None when it can."""
    if move_allowed(current, new):
        return None
    allowed = [s.value for s in S if s in MOVES.get(S(current), ())]
    then = f"; from {current} the next step is {' or '.join(allowed)}" if allowed else ""
    return f"a filer whose status is {current} cannot become {new}{then}"


# grades and designation

def grade_rank(grade: str) -> int:
    return GRADES.index(grade)


def senior_official(grade: str) -> bool:
    """D-1 and above: every such staff member files, as a senior official."""
    return grade_rank(grade) >= grade_rank("D-1")


def assistant_secretary_general_or_above(grade: str) -> bool:
    return grade_rank(grade) >= grade_rank("ASG")


def public_disclosure_eligible(grade: str, status: str) -> bool:
    """Voluntary public disclosure is open to ASG and above who completed the confidential
    filing."""
    return assistant_secretary_general_or_above(grade) and S(status) in FILED


def problem(loc, msg: str, status: int = 422) -> dict:
    return {"loc": list(loc) if isinstance(loc, (list, tuple)) else [loc], "msg": msg,
            "status": status}


def filer_problems(filer: FilerIn, participants: Iterable[str]) -> list[dict]:
    problems = []
    if filer.entity not in participants:
        problems.append(problem("entity", f"{filer.entity} does not take part in the "
                                          "programme; enrol it as a participant first"))
    senior = senior_official(filer.grade)
    if senior and filer.designation != Designation.senior_official:
        problems.append(problem("designation", f"a {filer.grade} is designated senior_official"))
    if not senior and filer.designation == Designation.senior_official:
        problems.append(problem("designation", "senior_official is for D-1 and above; "
                                               f"a {filer.grade} files for procurement, "
                                               "investment or other duties"))
    return problems


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


# cycles

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


def filing_date_problem(filed_on: dt.date, opens_on: dt.date, today: dt.date) -> str | None:
    if filed_on < opens_on:
        return f"the cycle opened on {opens_on}; a statement cannot be filed before"
    if filed_on > today:
        return "a statement cannot be filed in the future"
    return None


def reminder_due(deadline: dt.date, days_before: int, today: dt.date) -> bool:
    """A reminder `days_before` the deadline is due from that day until the deadline."""
    return deadline - dt.timedelta(days=days_before) <= today <= deadline


# counters: what each filer adds to the compliance and cycle figures

def tallies(filer: dict) -> Counter:
    """What one filer counts for, as counter paths; a change of the filer changes the counters
    by `tallies(after) - tallies(before)`."""
    out = Counter(enrolled=1)
    status = S(filer["status"])
    if filer.get("first_time"):
        out["first_time"] += 1
    if status == S.exempted:  # not required to file; the exemption is its reason
        out["exempted"] += 1
        out[f"reasons.{filer['exemption_reason']}"] += 1
    else:
        out["required"] += 1
        if status in FILED:
            out["filed"] += 1
        else:
            out[f"reasons.{OUTSTANDING}"] += 1
    if status in REVIEWED:
        out["reviewed"] += 1
    if filer.get("conflicts"):
        out["conflicts.filers"] += 1
        for conflict in filer["conflicts"]:
            out[f"conflicts.{conflict['type']}"] += 1
    if status == S.mitigated:
        out["mitigated"] += 1
    if filer.get("sampled"):
        out["sample.size"] += 1
    if filer.get("verification"):
        out[f"sample.{filer['verification']}"] += 1
    if public_disclosure_eligible(filer["grade"], status):
        out["public.eligible"] += 1
    if filer.get("public_disclosure"):
        out[f"public.{filer['public_disclosure']}"] += 1
    return out


def tally_change(before: dict | None, after: dict) -> dict[str, int]:
    change = Counter(tallies(after))
    change.subtract(tallies(before) if before else Counter())
    return {k: v for k, v in change.items() if v}


def counter_id(year: int, entity: str, duty_station: str) -> str:
    return f"{year}|{entity}|{duty_station}"


def counter_range(year: int) -> dict:
    """The `_id` range of one cycle's counters."""
    return {"$gte": f"{year}|", "$lt": f"{year}}}"}


def _get(counter: dict, path: str) -> int:
    value: Any = counter
    for part in path.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    return int(value or 0)


def compliance(counters: list[dict], by: str, category_of: dict[str, str]) -> tuple[list, dict]:
    """Rows per entity, duty station or category, and their total, from the cycle's counters:
    enrolled; required (enrolled and not exempted); filed; not_filed (required, not filed: not
    compliant); exempted; and the reasons for not filing (outstanding, or the exemption's)."""
    def key(counter):
        if by == "category":
            return category_of.get(counter["entity"], "unclassified")
        return counter[by]
    rows: dict[str, dict] = {}
    total = _empty_row("total")
    for counter in counters:
        row = rows.setdefault(key(counter), _empty_row(key(counter)))
        for target in (row, total):
            for name in ("enrolled", "required", "filed", "exempted"):
                target[name] += _get(counter, name)
            for reason, n in (counter.get("reasons") or {}).items():
                if n:
                    target["reasons"][reason] = target["reasons"].get(reason, 0) + n
    out = []
    for row in sorted(rows.values(), key=lambda r: r["key"]):
        if row["enrolled"]:
            out.append(_finish(row))
    return out, _finish(total)


def _empty_row(key: str) -> dict:
    return {"key": key, "enrolled": 0, "required": 0, "filed": 0, "exempted": 0, "reasons": {}}


def _finish(row: dict) -> dict:
    return {**row, "not_filed": row["required"] - row["filed"]}


def cycle_figures(counters: list[dict]) -> dict:
    def total(path):
        return sum(_get(c, path) for c in counters)
    by_type = {t: total(f"conflicts.{t}") for t in
               ("financial_holding", "outside_activity", "family_relationship", "other")}
    return {
        "filers": total("enrolled"), "required": total("required"),
        "first_time": total("first_time"), "filed": total("filed"),
        "not_filed": total("required") - total("filed"), "exempted": total("exempted"),
        "reviewed": total("reviewed"),
        "conflicts": {"filers": total("conflicts.filers"), "matters": sum(by_type.values()),
                      "by_type": by_type},
        "mitigated": total("mitigated"), "verification_sample": total("sample.size"),
        "verified": total("sample.verified"),
        "public_disclosure": {"eligible": total("public.eligible"),
                              "published": total("public.published"),
                              "declined": total("public.declined")},
    }


def conflict_counts(conflicts: list[ConflictIn]) -> dict[str, int]:
    return dict(Counter(c.type.value for c in conflicts))


# the verification sample

def allocate(strata_sizes: dict[Hashable, int], size: int) -> dict[Hashable, int]:
    """Proportional allocation of `size` over strata, by largest remainders; every non-empty
    stratum gets at least one when `size` allows it, taken from the strata furthest above
    their quota. Ties go to the larger stratum, then to the lower key."""
    population = sum(strata_sizes.values())
    if size > population:
        raise ValueError(f"a sample of {size} is larger than the population of {population}")
    if population == 0:
        return {}
    order = sorted(strata_sizes, key=lambda k: (-strata_sizes[k], str(k)))
    exact = {k: size * strata_sizes[k] for k in order}  # quotas, times `population`
    shares = {k: exact[k] // population for k in order}
    by_remainder = sorted(order, key=lambda k: -(exact[k] % population))
    for k in by_remainder[:size - sum(shares.values())]:
        shares[k] += 1
    non_empty = [k for k in order if strata_sizes[k]]
    if size >= len(non_empty):
        for k in non_empty:
            if shares[k] == 0:
                donor = max((d for d in order if shares[d] > 1),
                            key=lambda d: shares[d] * population - exact[d])
                shares[donor] -= 1
                shares[k] = 1
    return shares


def sample_seed(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(str(seed).encode()).digest()[:8], "big")


@dataclass
class Sample:
    allocation: list[tuple[tuple, int, int]]  # (stratum, population, drawn)
    chosen: list[str] = field(default_factory=list)  # staff ids, sorted


def draw_stratified_sample(population: Iterable[dict], size: int,
                           strata_key: Callable[[dict], tuple], seed: str) -> Sample:
    """A stratified random sample of the filers who filed: the same seed and population give
    the same sample."""
    filed = sorted((f for f in population if S(f["status"]) in FILED),
                   key=lambda f: f["staff_id"])
    strata: dict[tuple, list[str]] = {}
    for filer in filed:
        strata.setdefault(tuple(strata_key(filer)), []).append(filer["staff_id"])
    shares = allocate({k: len(v) for k, v in strata.items()}, size)
    rng = random.Random(sample_seed(seed))
    sample = Sample(allocation=[])
    for key in sorted(strata):
        drawn = rng.sample(strata[key], shares[key])
        sample.allocation.append((key, len(strata[key]), shares[key]))
        sample.chosen.extend(drawn)
    sample.chosen.sort()
    return sample


def strata_key(fields: list[str]) -> Callable[[dict], tuple]:
    return lambda filer: tuple(str(filer.get(f)) for f in fields)


# cost shares

def cost_shares(programme_cost: float, filers: dict[str, int]) -> tuple[float, dict[str, float]]:
    """The unit cost and each entity's share of the cost, by filer count; the shares add up to
    the cost to the cent (largest remainders on cents; ties to the larger entity, then by
    code)."""
    cents = round(programme_cost * 100)
    total = sum(filers.values())
    if total == 0:
        return 0.0, {e: 0.0 for e in filers}
    order = sorted(filers, key=lambda e: (-filers[e], e))
    shares = {e: cents * filers[e] // total for e in order}
    by_remainder = sorted(order, key=lambda e: -(cents * filers[e] % total))
    for e in by_remainder[:cents - sum(shares.values())]:
        shares[e] += 1
    return round(programme_cost / total, 2), {e: shares[e] / 100 for e in filers}
