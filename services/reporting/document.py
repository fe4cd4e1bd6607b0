"""A report as a United Nations document: the symbol and date on the first page, the title,
sections of numbered paragraphs written from the report's figures, the figures with their
captions, tables, the annex and notes. HTML (and its PDF) and Word are drawn from this one
outline, so they say the same in the same order.
"""
from dataclasses import dataclass, field
from typing import Callable

from . import charts
from .figures import share
from .report import CATEGORIES, SOURCES, TOPICS
from .tables import (Table, annual_tables, annex_table, participation_table, system_wide_tables,
                     unit_cost_table)


@dataclass
class Block:
    kind: str  # heading, para, figure, table, annex, topics
    text: str = ""
    number: int | None = None  # a numbered paragraph's number
    figure: str | None = None  # the figure's key (I..VI, unit-cost)
    table: Table | None = None
    items: list = field(default_factory=list)


@dataclass
class Document:
    kind: str
    title: str
    subtitle: str
    symbol: str | None
    dated: str  # the day written out: of the issue, or the day the report counts to
    status: str  # issued version N, or not issued
    blocks: list[Block]
    notes: list[str]
    figures: dict[str, tuple[str, Callable]]  # key -> (caption, draw() -> matplotlib Figure)
    lang: str
    direction: str
    changes: dict | None = None  # the live report: what moved since the latest issued version


class Outline:
    """Blocks in order, numbering the paragraphs."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.count = 0

    def heading(self, text: str):
        self.blocks.append(Block("heading", text))

    def para(self, text: str | None):
        if text:
            self.count += 1
            self.blocks.append(Block("para", text, number=self.count))

    def figure(self, key: str, figures: dict):
        if key in figures:
            self.blocks.append(Block("figure", figure=key))

    def table(self, table: Table):
        self.blocks.append(Block("table", table=table))


def outline(kind: str, report: dict, labels) -> Document:
    figures = figures_of(kind, report, labels)
    out = Outline()
    BUILDERS[kind](out, report, labels, figures)
    issue = report.get("issue") or {}
    dated = issue.get("issued_at") or report.get("as_of")
    status = (labels.text("doc.issued", version=issue["version"],
                          as_of=labels.date(issue["as_of"])) if issue
              else labels.text("doc.not_issued", as_of=labels.date(report.get("as_of"))))
    return Document(kind, report["title"], labels(f"doc.subtitle.{kind}"),
                    issue.get("symbol"), labels.date(dated), status, out.blocks,
                    report["notes"], figures, labels.lang, labels.direction,
                    changes_of(report.get("changes_since_issue"), labels))


def changes_of(since: dict | None, labels) -> dict | None:
    """What moved since the latest issued version, as lines `figure: from -> to`."""
    if not since:
        return None
    lines = [f"{c['figure']}: {labels.number(c['from'])} → {labels.number(c['to'])}"
             for c in since["changes"] if not isinstance(c["from"] or c["to"], list)]
    return {"intro": labels.text("doc.changes", version=since["version"],
                                 as_of=labels.date(since["as_of"]), count=len(lines)),
            "lines": lines}


# ---- the annual report ----

def annual(out: Outline, report: dict, labels, figures: dict):
    tables = {t.name: t for t in annual_tables(report)}
    req, fd = report["service_requests"], report["financial_disclosure"]
    ret, act, panel = report["retaliation"], report["activities"], report["panel"]
    office = labels.entity(report["entity"], report.get("entity_name"))
    out.heading(labels("section.summary"))
    out.para(report["headline"])
    out.table(tables["summary"])

    out.heading(labels("section.service_requests"))
    out.para(labels.text("para.requests", office=office, total=req["total"],
                         advice=req["advice"], share=share(req["advice"], req["total"]) or 0,
                         period_from=labels.date(report["from"]),
                         period_to=labels.date(report["to"])))
    trend = [r["total"] for r in req["trend"]]
    if len(trend) > 1:
        out.para(labels.text("para.trend", periods=len(trend), first=req["trend"][0]["period"],
                             last=req["trend"][-1]["period"],
                             average=round(sum(trend) / len(trend))))
    for key, table in (("I", "trend"), ("II", "by_source"), ("III", "by_category")):
        out.figure(key, figures)
        out.table(tables[table])
    topics = req["advice_by_topic"]
    if req["advice"]:
        top = max(TOPICS, key=lambda t: topics[t])
        out.para(labels.text("para.advice", topic=labels.of("topic.", top), count=topics[top],
                             period=report["period"]))
    out.figure("IV", figures)
    out.table(tables["advice_by_topic"])

    out.heading(labels("section.financial_disclosure"))
    out.para(labels.text("para.disclosure", cycle=fd["cycle"], filers=fd["filers"],
                         first_time=fd["first_time"], first_share=fd["first_time_share"],
                         filed=fd["filed"], rate=fd["compliance_rate"]))
    if fd["conflicts"]["matters"] is not None:
        out.para(labels.text("para.review", matters=fd["conflicts"]["matters"],
                             conflicted=fd["conflicts"]["filers"],
                             conflict_share=fd["conflicts"]["share_of_filers"],
                             sample=fd["verification_sample"]))
        out.para(labels.text("para.public", eligible=fd["public_disclosure"]["eligible"],
                             published=fd["public_disclosure"]["published"]))
    out.table(tables["disclosure"])
    if "participation" in report:
        programme_paragraphs(out, report, labels)
        out.figure("V", figures)
        out.table(tables["participation"])
        out.figure("unit-cost", figures)
        out.table(tables["unit_cost"])

    out.heading(labels("section.retaliation"))
    outcome = ret["by_outcome"]
    reviews = outcome["preliminary_reviews"]
    out.para(labels.text("para.retaliation", inquiries=ret["inquiries"],
                         outside=outcome["outside_mandate"],
                         advice_only=outcome["advice_only"], reviews=reviews["total"],
                         not_prima_facie=reviews["not_prima_facie"],
                         pending=reviews["pending"]))
    out.figure("VI", figures)
    out.table(tables["retaliation"])

    out.heading(labels("section.activities"))
    out.para(labels.text("para.activities", total=act["total"],
                         participants=act["participants"]))
    out.table(tables["activities"])

    standards = report.get("standards")
    if standards is not None:
        out.heading(labels("section.standards"))
        out.para(labels.text("para.standards", requests=standards["requests"],
                             share=standards["share_of_requests"]))
        out.table(tables["standards"])

    out.heading(labels("section.panel"))
    topic_names = [labels.topic(t) for t in panel["consultation_topics"]]
    out.para(labels.text("para.panel", members=panel["members"],
                         formal=panel["formal_meetings"], consultations=panel["consultations"]))
    if topic_names:
        out.blocks.append(Block("topics", labels("table.consultation_topics"),
                                items=topic_names))
    out.para(labels.text("para.panel_reviews", submitted=panel["report_reviews"]["submitted"],
                         concluded=panel["report_reviews"]["concluded"],
                         requested=panel["chair_reviews"]["requested"]))
    out.table(tables["panel"])
    if "annex" in report:
        out.blocks.append(Block("annex", labels("section.annex"),
                                table=tables["annex"]))


def programme_paragraphs(out: Outline, report: dict, labels):
    growth = report["participation"].get("growth")
    if growth and growth["percent"] is not None and growth["from"] != growth["to"]:
        to = (labels.text("doc.year_as_of", year=growth["to"],
                          day=labels.day_month(growth["as_of"])) if growth.get("as_of")
              else str(growth["to"]))
        out.para(labels.text("para.growth", filers_from=growth["filers_from"],
                             year_from=str(growth["from"]), filers_to=growth["filers_to"],
                             year_to=to, percent=growth["percent"],
                             other_from=growth["other_from"], other_to=growth["other_to"]))
    costs = [r for r in report["unit_cost"]["rows"] if r["unit_cost"] is not None]
    if len(costs) > 1:
        out.para(labels.text("para.unit_cost", cost_from=labels.money(costs[0]["unit_cost"]),
                             year_from=str(costs[0]["year"]),
                             cost_to=labels.money(costs[-1]["unit_cost"]),
                             year_to=str(costs[-1]["year"]),
                             filers_from=costs[0]["filers"], filers_to=costs[-1]["filers"]))


# ---- the other reports ----

def system_wide(out: Outline, report: dict, labels, figures: dict):
    total = report["total"]
    out.para(labels.text("para.system_wide", members=total["entities"],
                         period=report["period"], requests=total["requests"],
                         not_submitted=total["not_submitted"]))
    out.para(labels("note.rollup"))
    for table in system_wide_tables(report):
        out.table(table)


def annex(out: Outline, report: dict, labels, figures: dict):
    out.para(labels.text("para.annex", year=str(report["year"]),
                         required=report["total"]["required"], filed=report["total"]["filed"],
                         not_compliant=report["total"]["not_compliant"]))
    out.blocks.append(Block("annex", "", table=annex_table(report)))


def participation(out: Outline, report: dict, labels, figures: dict):
    out.figure("V", figures)
    out.table(participation_table(report))


def unit_cost(out: Outline, report: dict, labels, figures: dict):
    out.figure("unit-cost", figures)
    out.table(unit_cost_table(report))


BUILDERS = {"annual": annual, "system-wide": system_wide, "annex": annex,
            "participation": participation, "unit-cost": unit_cost}


# ---- the figures ----

def figures_of(kind: str, report: dict, labels) -> dict:
    """Each figure of the report: its caption and how to draw it."""
    n = labels.number
    found: dict = {}
    if kind == "annual":
        req = report["service_requests"]
        found["I"] = lambda: charts.trend_chart(req["trend"], labels("chart.requests"), n)
        found["II"] = lambda: charts.bar_chart([(labels.of("source.", k), req["by_source"][k])
                                                for k in SOURCES], n)
        found["III"] = lambda: charts.bar_chart(
            [(labels.of("category.", k), req["by_category"][k]) for k in CATEGORIES], n)
        found["IV"] = lambda: charts.grouped_chart(
            [labels.of("topic.", k) for k in TOPICS],
            [(row["period"], [row["by_topic"][k] for k in TOPICS])
             for row in req["advice_trend"]], n)
        found["VI"] = lambda: charts.bar_chart(_outcomes(report["retaliation"], labels), n)
    participation_ = report.get("participation") if kind == "annual" else (
        report if kind == "participation" else None)
    if participation_ and participation_["rows"]:
        found["V"] = lambda rows=participation_["rows"]: charts.stacked_chart(
            [year_label(r, labels) for r in rows],
            [(labels.of("col.", c), [r[c] for r in rows]) for c in participation_["columns"]],
            labels("chart.filers"), n)
    costs = report.get("unit_cost") if kind == "annual" else (
        report if kind == "unit-cost" else None)
    if costs and costs["rows"]:
        found["unit-cost"] = lambda rows=costs["rows"]: charts.unit_cost_chart(
            [year_label(r, labels) for r in rows], [r["filers"] for r in rows],
            [r["unit_cost"] for r in rows], (labels("chart.filers"),
                                             labels("chart.unit_cost")), n)
    return {key: (labels(f"figure.{key}"), draw) for key, draw in found.items()}


def year_label(row: dict, labels) -> str:
    """A cycle's year; one still open on the report's day with that day, as the source
    report writes "2015 (as of 31 July)"."""
    if row.get("as_of"):
        return labels.text("doc.year_as_of", year=str(row["year"]),
                           day=labels.day_month(row["as_of"]))
    return str(row["year"])


def _outcomes(retaliation: dict, labels) -> list:
    outcome = retaliation["by_outcome"]
    reviews = outcome["preliminary_reviews"]
    items = [(labels("outcome.outside_mandate"), outcome["outside_mandate"]),
             (labels("outcome.advice_only"), outcome["advice_only"]),
             (labels("outcome.preliminary_reviews"), reviews["total"])]
    items += [(f"  {labels.of('outcome.', k)}", reviews[k])
              for k in ("withdrawn", "resolved_informally", "not_prima_facie", "prima_facie",
                        "pending")]
    if outcome.get("awaiting_decision"):
        items.append((labels("outcome.awaiting_decision"), outcome["awaiting_decision"]))
    return items
