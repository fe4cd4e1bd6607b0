"""The system-wide roll-up of a period: one row per Panel member in the period, by the rule of
`domain.rollup` (a member office's certified figures are its latest submitted ones; its records
stand beside them as a reconciliation; the Ethics Office's figures are its records)."""
from shared.contracts.periods import cycle_of_period

from .domain.rollup import NOT_SUBMITTED, RECORDS, reconciliation, rows_of, source_of
from .report import (CATEGORIES, activities_section, disclosure_section, requests_section,
                     retaliation_section)

COLUMNS = ["requests", *CATEGORIES, "retaliation_inquiries", "preliminary_reviews",
           "prima_facie", "activities", "participants", "filers", "filed"]


def system_wide(view, period: str) -> dict:
    """The roll-up as of `view`'s day: the members' rows, their total, and the reconciliation
    of each member office's certified figures with its records."""
    year = cycle_of_period(period)
    directory = view.directory()
    fdp = {d["unit"]: d for d in view.fdp(year)}
    entities = rows_of(view.members_in(period))
    tallies, submitted = view.tallies_in(period, entities), view.submitted_in(period, entities)
    rows = []
    for entity in entities:
        certified = submitted[entity]
        source = source_of(entity, certified)
        recorded = figures_of(tallies[entity], None, fdp.get(entity))
        shown = recorded if source == RECORDS else (
            figures_of(None, certified, None) if certified else None)
        entry = directory.get(entity) or {}
        rows.append({"entity": entity, "name": entry.get("name"),
                     "category": entry.get("category"), "source": source,
                     "version": certified["version"] if source != RECORDS and certified
                     else None,
                     **{c: (shown or {}).get(c) for c in COLUMNS},
                     **(reconciliation(shown, recorded, COLUMNS) if source != RECORDS else
                        {"records_total": recorded["requests"], "difference": 0})})
    total = {c: sum(r[c] or 0 for r in rows) for c in COLUMNS}
    return {"report": "system-wide", "period": period, "cycle": year, "as_of": view.iso,
            "columns": COLUMNS, "rows": rows,
            "total": {"entities": len(rows),
                      "not_submitted": sum(r["source"] == NOT_SUBMITTED for r in rows),
                      **total}}


def figures_of(tally: dict | None, submitted: dict | None, fdp_doc: dict | None) -> dict:
    """A row's figures, from records (`tally`, `fdp_doc`) or from submitted figures."""
    req = requests_section(tally, submitted)
    ret = retaliation_section(tally, submitted)
    act = activities_section(tally, submitted)
    fd = disclosure_section(0, "entity", [fdp_doc] if fdp_doc else [], None, None, submitted)
    reviews = ret["by_outcome"]["preliminary_reviews"]
    return {"requests": req["total"], **req["by_category"],
            "retaliation_inquiries": ret["inquiries"], "preliminary_reviews": reviews["total"],
            "prima_facie": reviews["prima_facie"], "activities": act["total"],
            "participants": act["participants"], "filers": fd["filers"], "filed": fd["filed"]}
