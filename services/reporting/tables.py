"""The reports as tables: what CSV, XLSX and HTML show, built once from the report's JSON.

A table has a machine name, rows keyed by machine keys (labelled through `prefix`) and value
columns; so every format carries the same numbers as the JSON, under the same keys.
"""
from dataclasses import dataclass, field

from .report import CATEGORIES, CONFLICT_TYPES, KINDS, SOURCES, TOPICS
from .system_wide import COLUMNS as SYSTEM_COLUMNS


@dataclass
class Table:
    name: str
    prefix: str  # label prefix of the row keys
    columns: list[str]
    rows: list[tuple[str, dict]] = field(default_factory=list)
    figure: str | None = None  # the figure (I..VI) the table holds, if any

    def add(self, key, **values):
        self.rows.append((str(key), values))
        return self


def _provenance(table: Table, section: dict) -> Table:
    """Where the section's figures come from, as rows under the table's value column."""
    column = table.columns[0]
    table.add("provenance", **{column: section["provenance"]})
    if section.get("version") is not None:
        table.add("version", **{column: section["version"]})
    return table


def annual_tables(report: dict) -> list[Table]:
    req, fd = report["service_requests"], report["financial_disclosure"]
    ret, act, panel = report["retaliation"], report["activities"], report["panel"]
    outcome = ret["by_outcome"]
    reviews = outcome["preliminary_reviews"]
    summary = Table("summary", "figure.", ["value"])
    for key, value in [
            ("requests", req["total"]), ("advice", req["advice"]), ("cycle", fd["cycle"]),
            ("filers", fd["filers"]), ("first_time", fd["first_time"]),
            ("compliance_rate", fd["compliance_rate"]),
            ("verification_sample", fd["verification_sample"]),
            ("conflicted_filers", fd["conflicts"]["filers"]),
            ("conflict_matters", fd["conflicts"]["matters"]),
            ("eligible", fd["public_disclosure"]["eligible"]),
            ("published", fd["public_disclosure"]["published"]),
            ("inquiries", ret["inquiries"]), ("activities", act["total"]),
            ("formal_meetings", panel["formal_meetings"])]:
        summary.add(key, value=value)
    trend = Table("trend", "", ["total", "provenance", "version"], figure="I")
    for row in req["trend"]:
        trend.add(row["period"], total=row["total"], provenance=row["provenance"],
                  version=row.get("version"))
    by_source = Table("by_source", "source.", ["requests"], figure="II")
    for key in SOURCES:
        by_source.add(key, requests=req["by_source"][key])
    by_category = Table("by_category", "category.", ["requests"], figure="III")
    for key in CATEGORIES:
        by_category.add(key, requests=req["by_category"][key])
    periods = [row["period"] for row in req["advice_trend"]]
    advice = Table("advice_by_topic", "topic.", periods, figure="IV")
    for key in TOPICS:
        advice.add(key, **{row["period"]: row["by_topic"][key] for row in req["advice_trend"]})
    _provenance(by_category, req)
    disclosure = Table("disclosure", "figure.", ["value"])
    for key, value in [
            ("cycle", fd["cycle"]), ("filers", fd["filers"]), ("first_time", fd["first_time"]),
            ("first_time_share", fd["first_time_share"]), ("required", fd["required"]),
            ("filed", fd["filed"]), ("exempted", fd["exempted"]),
            ("not_compliant", fd["not_compliant"]), ("compliance_rate", fd["compliance_rate"]),
            ("verification_sample", fd["verification_sample"]), ("verified", fd["verified"]),
            ("conflicted_filers", fd["conflicts"]["filers"]),
            ("conflict_matters", fd["conflicts"]["matters"]),
            ("conflict_share", fd["conflicts"]["share_of_filers"])]:
        disclosure.add(key, value=value)
    for key in CONFLICT_TYPES:
        disclosure.add(f"conflict.{key}", value=(fd["conflicts"]["by_type"] or {}).get(key))
    for key in ("eligible", "published", "declined"):
        disclosure.add(key, value=fd["public_disclosure"][key])
    _provenance(disclosure, fd)
    retaliation = Table("retaliation", "outcome.", ["inquiries"], figure="VI")
    retaliation.add("inquiries", inquiries=ret["inquiries"])
    for key in ("outside_mandate", "advice_only"):
        retaliation.add(key, inquiries=outcome[key])
    retaliation.add("preliminary_reviews", inquiries=reviews["total"])
    for key in ("withdrawn", "resolved_informally", "not_prima_facie", "prima_facie", "pending"):
        retaliation.add(key, inquiries=reviews[key])
    retaliation.add("awaiting_decision", inquiries=outcome["awaiting_decision"])
    _provenance(retaliation, ret)
    activities = Table("activities", "figure.", ["value"])
    activities.add("activities", value=act["total"]).add("participants", value=act["participants"])
    for key in KINDS:
        activities.add(f"kind.{key}", value=(act["by_kind"] or {}).get(key))
    _provenance(activities, act)
    panel_table = Table("panel", "figure.", ["value"])
    for key, value in [
            ("formal_meetings", panel["formal_meetings"]),
            ("informal_meetings", panel["informal_meetings"]),
            ("consultations", panel["consultations"]),
            ("report_reviews_submitted", panel["report_reviews"]["submitted"]),
            ("report_reviews_concluded", panel["report_reviews"]["concluded"]),
            ("chair_reviews_requested", panel["chair_reviews"]["requested"]),
            ("chair_reviews_concluded", panel["chair_reviews"]["concluded"]),
            ("members", panel["members"])]:
        panel_table.add(key, value=value)
    topics = Table("consultation_topics", "", ["topic"])
    for number, topic in enumerate(panel["consultation_topics"], 1):
        topics.add(number, topic=topic)
    tables = [summary, trend, by_source, by_category, advice, disclosure, retaliation,
              activities, panel_table, topics]
    if "standards" in report:
        standards = Table("standards", "source.", ["requests"])
        standards.add("total", requests=report["standards"]["requests"])
        for key in SOURCES:
            standards.add(key, requests=report["standards"]["by_source"][key])
        tables.append(standards)
    if "annex" in report:
        tables += [annex_table(report["annex"]), participation_table(report["participation"]),
                   unit_cost_table(report["unit_cost"])]
    return tables


def annex_table(annex: dict) -> Table:
    table = Table("annex", "", ["name", "category", "required", "filed", "not_compliant"])
    for row in annex["rows"]:
        table.add(row["entity"], **{c: row[c] for c in table.columns})
    for sub in annex["subtotals"]:
        table.add(f"subtotal.{sub['category']}", name=None, category=sub["category"],
                  **{c: sub[c] for c in ("required", "filed", "not_compliant")})
    return table.add("total", name=None, category=None, **annex["total"])


def participation_table(participation: dict) -> Table:
    """Figure V's table; a year still open on the report's day gives that day (`as_of`)."""
    table = Table("participation", "", [*participation["columns"], "total", "as_of"],
                  figure="V")
    for row in participation["rows"]:
        table.add(row["year"], **{c: row.get(c) for c in table.columns})
    return table


def unit_cost_table(unit_cost: dict) -> Table:
    table = Table("unit_cost", "", ["filers", "cost", "unit_cost", "as_of"], figure="unit-cost")
    for row in unit_cost["rows"]:
        table.add(row["year"], **{c: row.get(c) for c in table.columns})
    return table


RECONCILIATION = ["source", "version", "requests", "records_total", "difference"]


def system_wide_table(report: dict) -> Table:
    """Every column of the roll-up in one table (CSV and XLSX)."""
    table = Table("system_wide", "", ["name", "category", *RECONCILIATION[:2], *SYSTEM_COLUMNS,
                                      *RECONCILIATION[3:]])
    for row in report["rows"]:
        table.add(row["entity"], **{c: row.get(c) for c in table.columns})
    return table.add("total", name=None, category=None, source=None, version=None,
                     records_total=None, difference=None,
                     **{c: report["total"][c] for c in SYSTEM_COLUMNS})


def system_wide_tables(report: dict) -> list[Table]:
    """The roll-up as a page holds it: requests by category, the other figures, and the
    reconciliation of certified figures with records, each a table of a few columns."""
    parts = [("system_wide_requests", ["requests", *CATEGORIES]),
             ("system_wide_other", SYSTEM_COLUMNS[1 + len(CATEGORIES):]),
             ("system_wide_reconciliation", RECONCILIATION)]
    tables = []
    for name, columns in parts:
        table = Table(name, "", ["name", *columns])
        for row in report["rows"]:
            table.add(row["entity"], **{c: row.get(c) for c in table.columns})
        if name != "system_wide_reconciliation":
            table.add("total", name=None, **{c: report["total"][c] for c in columns})
        tables.append(table)
    return tables
