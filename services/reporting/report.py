"""The reports, assembled from read-model documents.

`annual_report`, `system_wide`, `annex` and `participation` read what they need through a view
(the store's `View`, or any object with the same queries) and build plain dicts; the figures are
computed here, from the documents, every time.

Provenance: each section of an entity's report comes from the entity's records when it has
records of that kind for the period, and otherwise from its latest submitted annual figures
(`"provenance": "submitted", "version": n`); with neither, the records' zeros.
"""
import math

from shared.contracts.common import ETHICS_OFFICE, period_bounds
from shared.contracts.directory import EntityCategory
from shared.contracts.disclosure import ConflictType
from shared.contracts.intake import ActivityKind, AdviceTopic, Category, InquiryStatus, Source

from .domain import cycle_of_period, earlier_periods

CATEGORIES = [c.value for c in Category]
SOURCES = [s.value for s in Source]
TOPICS = [t.value for t in AdviceTopic]
KINDS = [k.value for k in ActivityKind]
STATUSES = [s.value for s in InquiryStatus]
CONFLICT_TYPES = [t.value for t in ConflictType]
ENTITY_CATEGORIES = [c.value for c in EntityCategory]
UNCLASSIFIED = "unclassified"
PRIMA_FACIE = ("prima_facie_referred", "retaliation_established", "retaliation_not_established")
ADVICE_CYCLES = 3  # figure IV compares three periods
PARTICIPATION_YEARS = (3, 1)  # figure V: three cycles before the report's, and the next one
CLASSIFICATION = "directory"  # entity categories as registered in the directory (the annex's)


def share(part, whole):
    """A percentage with one decimal, rounded down (so 100.0 means all of them)."""
    if not whole or part is None:
        return None
    return math.floor(1000 * part / whole) / 10


def full(keys: list, counts: dict | None) -> dict:
    counts = counts or {}
    return {k: int(counts.get(k, 0) or 0) for k in keys}


def records(doc: dict | None, kind: str) -> dict:
    return ((doc or {}).get(kind)) or {}


def from_submission(submitted: dict) -> dict:
    return {"provenance": "submitted", "version": submitted["version"]}


# ---- sections of an entity's annual report ----

def requests_section(tally: dict | None, submitted: dict | None) -> dict:
    recorded = records(tally, "requests")
    if recorded.get("total") or not submitted:
        by_category = full(CATEGORIES, recorded.get("category"))
        return {"total": int(recorded.get("total", 0)), "advice": by_category["advice"],
                "by_category": by_category, "by_source": full(SOURCES, recorded.get("source")),
                "advice_by_topic": full(TOPICS, recorded.get("topic")), "provenance": "records"}
    figures = submitted["figures"]
    by_category = full(CATEGORIES, figures.get("requests_by_category"))
    total = figures.get("total_requests") or sum(by_category.values())
    return {"total": total, "advice": by_category["advice"], "by_category": by_category,
            "by_source": full(SOURCES, figures.get("requests_by_source")),
            "advice_by_topic": full(TOPICS, figures.get("advice_by_topic")),
            **from_submission(submitted)}


def figure_vi(status: dict) -> dict:
    """Inquiries by what became of them, as figure VI shows them: a preliminary review still
    open is `pending`; those found prima facie (referred, then decided) count as `prima_facie`."""
    reviews = {"withdrawn": status["withdrawn"],
               "resolved_informally": status["resolved_informally"],
               "not_prima_facie": status["not_prima_facie"],
               "prima_facie": sum(status[s] for s in PRIMA_FACIE),
               "pending": status["preliminary_review"]}
    return {"outside_mandate": status["outside_mandate"], "advice_only": status["advice_only"],
            "preliminary_reviews": {"total": sum(reviews.values()), **reviews},
            "awaiting_decision": status["received"]}


def retaliation_section(tally: dict | None, submitted: dict | None) -> dict:
    recorded = records(tally, "retaliation")
    if recorded.get("inquiries") or not submitted:
        status = full(STATUSES, recorded.get("status"))
        return {"inquiries": int(recorded.get("inquiries", 0)), "by_outcome": figure_vi(status),
                "by_status": status, "provenance": "records"}
    figures = submitted["figures"].get("retaliation") or {}
    reviews = {"total": figures.get("preliminary_reviews", 0), "withdrawn": None,
               "resolved_informally": None, "not_prima_facie": None,
               "prima_facie": figures.get("prima_facie", 0), "pending": None}
    return {"inquiries": figures.get("inquiries", 0),
            "by_outcome": {"outside_mandate": None, "advice_only": None,
                           "preliminary_reviews": reviews, "awaiting_decision": None},
            "by_status": None, **from_submission(submitted)}


def activities_section(tally: dict | None, submitted: dict | None) -> dict:
    recorded = records(tally, "activities")
    if recorded.get("total") or not submitted:
        return {"total": int(recorded.get("total", 0)),
                "participants": int(recorded.get("participants", 0)),
                "by_kind": full(KINDS, recorded.get("kind")), "provenance": "records"}
    figures = submitted["figures"].get("activities") or {}
    return {"total": figures.get("total", 0), "participants": figures.get("participants", 0),
            "by_kind": None, **from_submission(submitted)}


def summed(docs: list[dict]) -> dict:
    totals: dict = {"matters": {}}
    for doc in docs:
        for name, value in doc.items():
            if name == "matters":
                for kind, n in value.items():
                    totals["matters"][kind] = totals["matters"].get(kind, 0) + n
            elif isinstance(value, (int, float)) and name not in ("year",):
                totals[name] = totals.get(name, 0) + value
    return totals


def disclosure_section(year: int, scope: str, fdp_docs: list[dict], sample_size,
                       cycle: dict | None, submitted: dict | None) -> dict:
    t = summed(fdp_docs)
    base = {"cycle": year, "scope": scope, "opens_on": (cycle or {}).get("opens_on"),
            "closed_on": (cycle or {}).get("closed_on")}
    if not t.get("enrolled") and submitted and scope == "entity":
        figures = submitted["figures"].get("disclosure") or {}
        filers, filed = figures.get("filers", 0), figures.get("filed", 0)
        return {**base, "filers": filers, "first_time": None, "first_time_share": None,
                "required": filers, "filed": filed, "exempted": None,
                "not_compliant": filers - filed, "compliance_rate": share(filed, filers),
                "verification_sample": None, "verified": None,
                "conflicts": {"filers": None, "matters": None, "share_of_filers": None,
                              "by_type": None},
                "public_disclosure": {"eligible": None, "published": None, "declined": None},
                **from_submission(submitted)}
    enrolled, required, filed = (t.get(k, 0) for k in ("enrolled", "required", "filed"))
    matters = full(CONFLICT_TYPES, t["matters"])
    return {**base, "filers": enrolled, "first_time": t.get("first_time", 0),
            "first_time_share": share(t.get("first_time", 0), enrolled),
            "required": required, "filed": filed, "exempted": t.get("exempted", 0),
            "not_compliant": required - filed, "compliance_rate": share(filed, required),
            "verification_sample": sample_size, "verified": t.get("verified", 0),
            "conflicts": {"filers": t.get("conflicted", 0), "matters": sum(matters.values()),
                          "share_of_filers": share(t.get("conflicted", 0), enrolled),
                          "by_type": matters},
            "public_disclosure": {"eligible": t.get("eligible", 0),
                                  "published": t.get("published", 0),
                                  "declined": t.get("declined", 0)},
            "provenance": "records"}


def panel_section(entity: str, meetings: list, consultations: list, report_reviews: list,
                  chair_reviews: list, members: list) -> dict:
    """For the Ethics Office the whole Panel; for a member, the part it took."""
    whole = entity == ETHICS_OFFICE
    if not whole:
        meetings = [m for m in meetings if entity in (m.get("attendees") or [])]
        consultations = [c for c in consultations
                         if entity in (c.get("positions") or []) + (c.get("answered") or [])]
        report_reviews = [r for r in report_reviews if r["entity"] == entity]
        chair_reviews = [r for r in chair_reviews if r["entity"] == entity]
    topics: list = []
    for c in sorted(consultations, key=lambda c: (c.get("opened_on") or "", c["id"])):
        if c.get("topic") and c["topic"] not in topics:
            topics.append(c["topic"])
    active = sorted(m["entity"] for m in members if m.get("member"))
    return {"scope": "panel" if whole else "member",
            "formal_meetings": sum(m.get("kind") == "formal" for m in meetings),
            "informal_meetings": sum(m.get("kind") == "informal" for m in meetings),
            "consultations": len(consultations), "consultation_topics": topics,
            "report_reviews": {"submitted": sum(bool(r.get("submitted")) for r in report_reviews),
                               "concluded": sum(bool(r.get("concluded")) for r in report_reviews)},
            "chair_reviews": {"requested": len(chair_reviews),
                              "concluded": sum(bool(r.get("concluded")) for r in chair_reviews)},
            "members": len(active) if whole else None,
            "member": entity in active}


# ---- the reports ----

def trend(tallies: dict, submitted: dict, period: str) -> list[dict]:
    """Figure I: the total of each period up to `period` that has records or submitted figures."""
    periods = sorted(p for p in {*tallies, *submitted} if p <= period and (
        records(tallies.get(p), "requests").get("total") or p in submitted))
    rows = []
    for p in periods:
        section = requests_section(tallies.get(p), submitted.get(p))
        rows.append({"period": p, "total": section["total"],
                     **{k: section[k] for k in ("provenance", "version") if k in section}})
    return rows


def advice_trend(tallies: dict, submitted: dict, period: str) -> list[dict]:
    """Figure IV: advice by topic over the last three periods."""
    rows = []
    for p in earlier_periods(period, ADVICE_CYCLES):
        section = requests_section(tallies.get(p), submitted.get(p))
        rows.append({"period": p, "by_topic": section["advice_by_topic"],
                     **{k: section[k] for k in ("provenance", "version") if k in section}})
    return rows


def annual_report(view, entity: str, period: str) -> dict:
    year = cycle_of_period(period)
    directory = view.directory()
    tallies, submitted = view.tallies_of(entity), view.submitted_of(entity)
    tally, figures = tallies.get(period), submitted.get(period)
    whole = entity == ETHICS_OFFICE
    sample = view.sample(year) or {}
    sample_size = sample.get("size") if whole else (
        sample.get("by_entity", {}).get(entity, 0) if sample else None)
    start, end = period_bounds(period)
    fdp = view.fdp(year) if whole else view.fdp(year, entity)
    requests = requests_section(tally, figures)
    requests["trend"] = trend(tallies, submitted, period)
    requests["advice_trend"] = advice_trend(tallies, submitted, period)
    report = {
        "report": "annual", "entity": entity,
        "entity_name": (directory.get(entity) or {}).get("name"),
        "period": period, "from": start.isoformat(), "to": end.isoformat(),
        "service_requests": requests,
        "financial_disclosure": disclosure_section(
            year, "programme" if whole else "entity", fdp, sample_size, view.cycle(year),
            figures),
        "retaliation": retaliation_section(tally, figures),
        "activities": activities_section(tally, figures),
        "panel": panel_section(entity, view.meetings_held_in(period),
                               view.consultations_opened_in(period),
                               view.reviews_in("report_reviews", period),
                               view.reviews_in("chair_reviews", period), view.members()),
    }
    if whole:
        report["annex"] = annex(year, fdp, directory)
        first, last = year - PARTICIPATION_YEARS[0], year + PARTICIPATION_YEARS[1]
        report["participation"] = participation(first, last, view.enrolment(first, last),
                                                directory)
    return report


def annex(year: int, fdp_docs: list[dict], directory: dict) -> dict:
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
    return {"year": year, "classification": CLASSIFICATION, "rows": rows,
            "subtotals": subtotals, "total": _sum_columns(rows)}


def _sum_columns(rows: list[dict]) -> dict:
    return {k: sum(r[k] for r in rows) for k in ("required", "filed", "not_compliant")}


def participation(first: int, last: int, enrolment: list[dict], directory: dict) -> dict:
    """Figure V: filers enrolled by entity category and cycle year."""
    counts: dict = {}
    for doc in enrolment:
        if not first <= doc["year"] <= last:
            continue
        year = counts.setdefault(doc["year"], {})
        for unit, enrolled in (doc.get("units") or {}).items():
            category = (directory.get(unit) or {}).get("category") or UNCLASSIFIED
            year[category] = year.get(category, 0) + enrolled
    columns = ["peacekeeping", "secretariat", "other"]
    if any(UNCLASSIFIED in c for c in counts.values()):
        columns.append(UNCLASSIFIED)
    rows = [{"year": y, **{c: counts[y].get(c, 0) for c in columns},
             "total": sum(counts[y].values())}
            for y in sorted(counts) if any(counts[y].values())]
    return {"from": first, "to": last, "classification": CLASSIFICATION,
            "columns": columns, "rows": rows}


SYSTEM_COLUMNS = ["requests", *CATEGORIES, "retaliation_inquiries", "preliminary_reviews",
                  "prima_facie", "activities", "participants", "filers", "filed"]


def system_wide(view, period: str) -> dict:
    """One row per member entity with records or submitted figures for the period, and the
    total; each row says where its figures come from."""
    year = cycle_of_period(period)
    directory = view.directory()
    tallies = {d["entity"]: d for d in view.tallies_in(period)}
    submitted = {d["entity"]: d for d in view.submitted_in(period)}
    fdp = {d["unit"]: d for d in view.fdp(year)}
    rows = [system_row(e, directory.get(e) or {}, tallies.get(e), submitted.get(e), fdp.get(e))
            for e in sorted({*tallies, *submitted})]
    total = {c: sum(r[c] or 0 for r in rows) for c in SYSTEM_COLUMNS}
    return {"report": "system-wide", "period": period, "cycle": year, "columns": SYSTEM_COLUMNS,
            "rows": rows, "total": {"entities": len(rows), **total}}


def system_row(entity, entry, tally, submitted, fdp_doc) -> dict:
    sections = {
        "service_requests": requests_section(tally, submitted),
        "retaliation": retaliation_section(tally, submitted),
        "activities": activities_section(tally, submitted),
        "financial_disclosure": disclosure_section(0, "entity", [fdp_doc] if fdp_doc else [],
                                                   None, None, submitted),
    }
    req, ret, act, fd = (sections[k] for k in sections)
    reviews = ret["by_outcome"]["preliminary_reviews"]
    provenance = {s["provenance"] for s in sections.values()}
    row = {"entity": entity, "name": entry.get("name"), "category": entry.get("category"),
           "requests": req["total"], **req["by_category"],
           "retaliation_inquiries": ret["inquiries"], "preliminary_reviews": reviews["total"],
           "prima_facie": reviews["prima_facie"], "activities": act["total"],
           "participants": act["participants"], "filers": fd["filers"], "filed": fd["filed"],
           "provenance": provenance.pop() if len(provenance) == 1 else "mixed",
           "version": submitted["version"] if submitted and "submitted" in {
               s["provenance"] for s in sections.values()} else None,
           "sections": {k: s["provenance"] for k, s in sections.items()}}
    return row


def headline(report: dict) -> dict:
    """The figures of the report's closing paragraph (A/70/307 para 68)."""
    fd = report["financial_disclosure"]
    return {"requests": report["service_requests"]["total"],
            "advice": report["service_requests"]["advice"], "filers": fd["filers"],
            "cycle": fd["cycle"], "activities": report["activities"]["total"],
            "inquiries": report["retaliation"]["inquiries"]}
