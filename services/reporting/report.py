"""The annual report, assembled from read-model documents.

`annual_report` reads what it needs through a `view.AsOf` (of the database or of the in-memory
fake, as the read models stood at the end of a day) and builds a plain dict; the figures are
computed here, from the documents, every time. The programme's figures (annex, figure V, unit
cost) are in `programme`, the system-wide roll-up in `system_wide`.

Provenance: each section of an entity's report comes from the entity's records when it has
records of that kind for the period, and otherwise from its latest submitted annual figures
(`"provenance": "submitted", "version": n`); with neither, the records' zeros.
"""
from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.disclosure import ConflictType
from shared.contracts.intake import ActivityKind, AdviceTopic, Category, InquiryStatus, Source
from shared.contracts.periods import cycle_of_period, earlier_periods, period_bounds

from . import programme
from .figures import full, records, share  # noqa: F401  (share: the tables' too)

CATEGORIES = [c.value for c in Category]
SOURCES = [s.value for s in Source]
TOPICS = [t.value for t in AdviceTopic]
KINDS = [k.value for k in ActivityKind]
STATUSES = [s.value for s in InquiryStatus]
CONFLICT_TYPES = [t.value for t in ConflictType]
PRIMA_FACIE = ("prima_facie_referred", "retaliation_established", "retaliation_not_established")
ADVICE_CYCLES = 3  # figure IV compares three periods
PARTICIPATION_YEARS = (3, 1)  # figure V: three cycles before the report's, and the next one


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
                  chair_reviews: list, members: list[str]) -> dict:
    """For the Ethics Office the whole Panel; for a member, the part it took. `members`: the
    Panel's members in the period."""
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
    return {"scope": "panel" if whole else "member",
            "formal_meetings": sum(m.get("kind") == "formal" for m in meetings),
            "informal_meetings": sum(m.get("kind") == "informal" for m in meetings),
            "consultations": len(consultations), "consultation_topics": topics,
            "report_reviews": {"submitted": sum(bool(r.get("submitted")) for r in report_reviews),
                               "concluded": sum(bool(r.get("concluded")) for r in report_reviews)},
            "chair_reviews": {"requested": len(chair_reviews),
                              "concluded": sum(bool(r.get("concluded")) for r in chair_reviews)},
            "members": len(members) if whole else None,
            "member": entity in members}


def standards_section(tally: dict | None) -> dict:
    """Standard-setting and policy support (paras 58-60): the requests of that category the
    office recorded, by where they came from."""
    recorded = records(tally, "requests")
    total = int((recorded.get("category") or {}).get("standards", 0))
    return {"requests": total, "by_source": full(SOURCES, recorded.get("standards_source")),
            "share_of_requests": share(total, recorded.get("total")), "provenance": "records"}


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
    """The annual report of `entity` for `period`, from a `view.AsOf` of the read models."""
    year = cycle_of_period(period)
    directory = view.directory()
    tally = view.tally(entity, period)
    tallies = {**view.tallies_of(entity), period: tally}
    submitted = view.submitted_of(entity)
    figures = submitted.get(period)
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
        "as_of": view.iso,
        "service_requests": requests,
        "financial_disclosure": disclosure_section(
            year, "programme" if whole else "entity", fdp, sample_size, view.cycle(year),
            figures),
        "retaliation": retaliation_section(tally, figures),
        "activities": activities_section(tally, figures),
        "standards": standards_section(tally),
        "panel": panel_section(entity, view.meetings_held_in(period),
                               view.consultations_opened_in(period),
                               view.reviews_in("report_reviews", period),
                               view.reviews_in("chair_reviews", period),
                               view.members_in(period)),
    }
    if whole:
        report["annex"] = programme.annex(year, fdp, directory, view.iso)
        first, last = year - PARTICIPATION_YEARS[0], year + PARTICIPATION_YEARS[1]
        report["participation"] = programme.participation(view, first, last)
        report["unit_cost"] = programme.unit_cost(view, None, last)
    return report


def headline(report: dict) -> dict:
    """The figures of the report's closing paragraph (A/70/307 para 68)."""
    fd = report["financial_disclosure"]
    return {"requests": report["service_requests"]["total"],
            "advice": report["service_requests"]["advice"], "filers": fd["filers"],
            "cycle": fd["cycle"], "activities": report["activities"]["total"],
            "inquiries": report["retaliation"]["inquiries"]}
