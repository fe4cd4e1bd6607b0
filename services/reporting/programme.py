"""The financial disclosure programme's figures across cycles: the annex (compliance by
entity), figure V (participation by entity category and year, with the programme's growth
since its first recorded cycle) and the unit cost per filer that cost sharing lowers.

Each reads a `view.AsOf`: a cycle still open on the report's day counts the filers enrolled by
then, and its row says as of which day.
"""
import math

from shared.contracts.directory import EntityCategory

ENTITY_CATEGORIES = [c.value for c in EntityCategory]
UNCLASSIFIED = "unclassified"
CLASSIFICATION = "directory"  # entity categories as registered in the directory (the annex's)
COLUMNS = ["peacekeeping", "secretariat", "other"]  # figure V's, in its order


def annex(year: int, fdp_docs: list[dict], directory: dict, as_of: str) -> dict:
    """FDP compliance by entity, with subtotals per entity category and the total."""
    rows = []
    for doc in fdp_docs:
        if not doc.get("enrolled"):
            continue
        entry = directory.get(doc["unit"]) or {}
        required, filed = doc.get("required", 0), doc.get("filed", 0)
        rows.append({"entity": doc["unit"], "name": entry.get("name") or doc["unit"],
                     "category": entry.get("category") or UNCLASSIFIED, "required": required,
                     "filed": filed, "not_compliant": required - filed})
    order = [*ENTITY_CATEGORIES, UNCLASSIFIED]
    rows.sort(key=lambda r: (order.index(r["category"]), r["name"].lower(), r["entity"]))
    subtotals = []
    for category in order:
        group = [r for r in rows if r["category"] == category]
        if group:
            subtotals.append({"category": category, "entities": len(group),
                              **_sum_columns(group)})
    return {"year": year, "as_of": as_of, "classification": CLASSIFICATION, "rows": rows,
            "subtotals": subtotals, "total": _sum_columns(rows)}


def _sum_columns(rows: list[dict]) -> dict:
    return {k: sum(r[k] for r in rows) for k in ("required", "filed", "not_compliant")}


def by_category(doc: dict, directory: dict) -> dict:
    """A cycle's filers by the entity category of their entity."""
    counts: dict = {}
    for unit, enrolled in (doc.get("units") or {}).items():
        category = (directory.get(unit) or {}).get("category") or UNCLASSIFIED
        counts[category] = counts.get(category, 0) + enrolled
    return counts


def participation(view, first: int, last: int) -> dict:
    """Figure V: filers enrolled by entity category and cycle year; a cycle still open on the
    report's day carries that day (`as_of`). With the programme's growth from its first
    recorded cycle to the last row."""
    directory = view.directory()
    counts = {doc["year"]: by_category(doc, directory) for doc in view.enrolment(first, last)}
    columns = list(COLUMNS)
    if any(UNCLASSIFIED in c for c in counts.values()):
        columns.append(UNCLASSIFIED)
    rows = [{"year": y, **{c: counts[y].get(c, 0) for c in columns},
             "total": sum(counts[y].values()),
             **({"as_of": view.iso} if view.in_progress(y) else {})}
            for y in sorted(counts) if any(counts[y].values())]
    return {"from": first, "to": last, "as_of": view.iso, "classification": CLASSIFICATION,
            "columns": columns, "rows": rows, "growth": growth(view, rows, directory)}


def growth(view, rows: list[dict], directory: dict) -> dict | None:
    """From the programme's first recorded cycle (its baseline) to the last row: filers, and
    those of other United Nations entities (the cost-sharing participants)."""
    if not rows:
        return None
    baselines = [d for d in view.enrolment(0, rows[-1]["year"]) if d.get("units")]
    if not baselines:
        return None
    first = min(baselines, key=lambda d: d["year"])
    counts, last = by_category(first, directory), rows[-1]
    filers = sum(counts.values())
    return {"from": first["year"], "to": last["year"], "filers_from": filers,
            "filers_to": last["total"], "other_from": counts.get("other", 0),
            "other_to": last.get("other", 0), "percent": increase(filers, last["total"]),
            **({"as_of": last["as_of"]} if "as_of" in last else {})}


def increase(before: int, after: int) -> float | None:
    """How much `after` exceeds `before`, in per cent with one decimal, rounded down."""
    if not before:
        return None
    return math.floor(1000 * (after - before) / before) / 10


def unit_cost(view, first: int | None, last: int | None) -> dict:
    """The programme's cost per filer of each cycle from `first` to `last` (every recorded
    cycle by default): its stated cost over the filers enrolled."""
    cycles = {c["year"]: c for c in view.cycles()
              if (first is None or c["year"] >= first) and (last is None or c["year"] <= last)}
    enrolled = {d["year"]: sum((d.get("units") or {}).values())
                for d in view.enrolment(min(cycles, default=0), max(cycles, default=0))}
    rows = []
    for year in sorted(cycles):
        filers, cost = enrolled.get(year, 0), cycles[year].get("programme_cost")
        rows.append({"year": year, "filers": filers, "cost": cost,
                     "unit_cost": round(cost / filers, 2) if filers and cost is not None
                     else None, **({"as_of": view.iso} if view.in_progress(year) else {})})
    return {"from": first, "to": last, "as_of": view.iso, "rows": rows}
