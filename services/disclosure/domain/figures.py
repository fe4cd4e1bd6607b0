"""The counts behind compliance and the cycle's figures, and the cost shares.

Each filer adds to the counter of its (cycle, entity, duty station): `tallies` says what it
counts for, as counter paths; a change of a filer changes its counter by `tally_change`. A batch
folds its changes into a few counters (`counter_changes`), so reading the figures stays cheap
however many filers a cycle holds.
"""
from collections import Counter, defaultdict
from typing import Any, Iterable

from shared.contracts.disclosure import ConflictIn, FilingStatus, public_disclosure_eligible

from .rules import FILED, OUTSTANDING, REVIEWED

S = FilingStatus
CONFLICT_TYPES = ("financial_holding", "outside_activity", "family_relationship", "other")


def tallies(filer: dict) -> Counter:
    """What one filer (its `Filer.facts()`) counts for, as counter paths."""
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


def counter_changes(changes: Iterable[tuple[dict | None, dict]]) -> dict[tuple[str, str], dict]:
    """Filers' changes `(before, after)` folded per counter `(entity, duty station)`; counters
    that do not change are left out."""
    deltas: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for before, after in changes:
        deltas[(after["entity"], after["duty_station"])].update(tally_change(before, after))
    return {key: {k: v for k, v in delta.items() if v} for key, delta in sorted(deltas.items())
            if any(delta.values())}


def count(counter: dict, path: str) -> int:
    """The value at a dotted `path` of a counter (nested dicts), 0 when absent."""
    value: Any = counter
    for part in path.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    return int(value or 0)


def outstanding_entities(counters: list[dict]) -> list[str]:
    """The entities with filers who have neither filed nor been exempted."""
    return sorted({c["entity"] for c in counters if count(c, f"reasons.{OUTSTANDING}")})


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
                target[name] += count(counter, name)
            for reason, n in (counter.get("reasons") or {}).items():
                if n:
                    target["reasons"][reason] = target["reasons"].get(reason, 0) + n
    out = [_finish(row) for row in sorted(rows.values(), key=lambda r: r["key"])
           if row["enrolled"]]
    return out, _finish(total)


def _empty_row(key: str) -> dict:
    return {"key": key, "enrolled": 0, "required": 0, "filed": 0, "exempted": 0, "reasons": {}}


def _finish(row: dict) -> dict:
    return {**row, "not_filed": row["required"] - row["filed"]}


def cycle_figures(counters: list[dict]) -> dict:
    def total(path):
        return sum(count(c, path) for c in counters)
    by_type = {t: total(f"conflicts.{t}") for t in CONFLICT_TYPES}
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


def enrolled_by_entity(counters: list[dict], entities: Iterable[str]) -> dict[str, int]:
    """How many filers each of `entities` has enrolled (0 for one with none)."""
    filers = {e: 0 for e in entities}
    for counter in counters:
        if counter["entity"] in filers:
            filers[counter["entity"]] += count(counter, "enrolled")
    return filers


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
