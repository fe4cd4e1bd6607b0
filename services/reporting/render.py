"""A report in each format: JSON, CSV, XLSX (one sheet per table) and HTML (charts as SVG).

`render` answers over RPC: `{"content_type", "filename", "body", "encoding"}` with the body as
text, or base64 for XLSX.
"""
import base64
import csv
import io
import re

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook

from shared.contracts.common import period_bounds

from . import charts
from .labels import labels as labels_of
from .report import CATEGORIES, SOURCES, TOPICS, headline
from .tables import Table, annual_tables, annex_table, participation_table, system_wide_table

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
TEMPLATES = Environment(loader=PackageLoader("services.reporting", "templates"),
                        autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                        lstrip_blocks=True)


def render(kind: str, report: dict, fmt: str, lang: str | None) -> dict:
    labels = labels_of(lang)
    report = {**report, "lang": labels.lang, **_texts(kind, report, labels)}
    if fmt == "json":
        return {"content_type": FORMATS["json"], "filename": None, "body": report,
                "encoding": None}
    tables = TABLES[kind](report)
    if fmt == "csv":
        body, encoding = to_csv(tables), None
    elif fmt == "xlsx":
        body, encoding = base64.b64encode(to_xlsx(tables, labels)).decode(), "base64"
    elif fmt == "html":
        body, encoding = to_html(kind, report, tables, labels), None
    else:
        raise ValueError(f"no format {fmt}")
    return {"content_type": FORMATS[fmt], "filename": f"{_file_stem(kind, report)}.{fmt}",
            "body": body, "encoding": encoding}


TABLES = {
    "annual": annual_tables,
    "system-wide": lambda r: [system_wide_table(r)],
    "annex": lambda r: [annex_table(r)],
    "participation": lambda r: [participation_table(r)],
}


def _file_stem(kind, report) -> str:
    if kind == "annual":
        return f"annual-report-{report['entity']}-{report['period']}"
    if kind == "system-wide":
        return f"system-wide-{report['period']}"
    if kind == "annex":
        return f"fdp-annex-{report['year']}"
    return f"fdp-participation-{report['from']}-{report['to']}"


def _texts(kind, report, labels) -> dict:
    if kind == "annual":
        start, end = period_bounds(report["period"])
        return {
            "title": labels.text("title.annual", entity_name=report.get("entity_name") or
                                 report["entity"], period_from=start.isoformat(),
                                 period_to=end.isoformat()),
            "headline": labels.text("headline", **headline(report)),
            "notes": [labels.text("note.cycle", period=report["period"],
                                  cycle=report["financial_disclosure"]["cycle"],
                                  opens_on=report["financial_disclosure"]["opens_on"] or
                                  labels("none")),
                      labels("note.provenance"), labels("note.classification"),
                      labels("note.shares")]}
    if kind == "system-wide":
        return {"title": labels.text("title.system_wide", period=report["period"]),
                "notes": [labels("note.provenance")]}
    if kind == "annex":
        return {"title": labels.text("title.annex", year=report["year"]),
                "notes": [labels("note.classification")]}
    return {"title": labels("title.participation"),
            "notes": [labels("note.classification"), labels("note.in_progress")]}


# ---- CSV ----

def to_csv(tables: list[Table]) -> str:
    """One table: a header of machine keys and one line per row. Several tables (the annual
    report): one line per figure, `table,key,column,value`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if len(tables) == 1:
        table = tables[0]
        writer.writerow(["key", *table.columns])
        for key, values in table.rows:
            writer.writerow([key, *(_plain(values.get(c)) for c in table.columns)])
    else:
        writer.writerow(["table", "key", "column", "value"])
        for table in tables:
            for key, values in table.rows:
                for column in table.columns:
                    writer.writerow([table.name, key, column, _plain(values.get(column))])
    return out.getvalue()


def _plain(value):
    return "" if value is None else value


# ---- XLSX ----

def to_xlsx(tables: list[Table], labels) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(labels(f"table.{table.name}"), table.name, used))
        sheet.append([labels("col.key"), labels("col.label"),
                      *(labels.of("col.", c) for c in table.columns)])
        for key, values in table.rows:
            sheet.append([key, row_label(table, key, values, labels),
                          *(_shown(table, c, values.get(c), labels) for c in table.columns)])
        sheet.column_dimensions["B"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, name: str, used: set) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or name
    if title in used:
        title = name[:31]
    used.add(title)
    return title


def row_label(table: Table, key: str, values: dict, labels) -> str:
    if key == "total":
        return labels("total")
    if key.startswith("subtotal."):
        return f"{labels('subtotal')}: {labels.of('entity_category.', key[9:])}"
    if key in ("provenance", "version"):
        return labels(key)
    if values.get("name"):
        return values["name"]
    if table.prefix and labels(table.prefix + key, ""):
        return labels(table.prefix + key)
    return labels(key, key)  # keys such as `conflict.other` are labels of their own


def _shown(table, column, value, labels):
    """A cell as people read it: categories and sources by their labels, numbers as numbers."""
    if value is None:
        return None
    if column == "category" and table.name in ("annex", "system_wide"):
        return labels.of("entity_category.", value)
    if column == "provenance" or value in ("records", "submitted", "mixed"):
        return labels.of("provenance.", value)
    return value


# ---- HTML ----

def to_html(kind: str, report: dict, tables: list[Table], labels) -> str:
    by_name = {t.name: t for t in tables}
    figures = _figures(kind, report, labels)
    return TEMPLATES.get_template("report.html.j2").render(
        kind=kind, report=report, tables=by_name, figures=figures, labels=labels,
        row_label=row_label, cell=lambda t, k, c, v: _cell(t, k, c, v, labels))


def _cell(table, key, column, value, labels) -> str:
    if key == "cycle" or column == "year":  # years, not counts
        return str(value)
    shown = _shown(table, column, value, labels)
    return labels.number(shown) if isinstance(shown, (int, float)) or shown is None else shown


def _figures(kind: str, report: dict, labels) -> dict:
    """The charts of the report, by figure number (I..VI)."""
    figures = {}
    if kind == "annual":
        req = report["service_requests"]
        figures["I"] = charts.trend_chart(req["trend"], labels("chart.requests"))
        figures["II"] = charts.bar_chart([(labels.of("source.", k), req["by_source"][k])
                                          for k in SOURCES])
        figures["III"] = charts.bar_chart([(labels.of("category.", k), req["by_category"][k])
                                           for k in CATEGORIES])
        figures["IV"] = charts.grouped_chart(
            [labels.of("topic.", k) for k in TOPICS],
            [(row["period"], [row["by_topic"][k] for k in TOPICS])
             for row in req["advice_trend"]])
        figures["VI"] = charts.bar_chart(_outcomes(report["retaliation"], labels))
    participation = report.get("participation") if kind == "annual" else (
        report if kind == "participation" else None)
    if participation and participation["rows"]:
        figures["V"] = charts.stacked_chart(
            [str(r["year"]) for r in participation["rows"]],
            [(labels.of("col.", c), [r[c] for r in participation["rows"]])
             for c in participation["columns"]], labels("chart.filers"))
    return dict(sorted(figures.items(), key=lambda f: ["I", "II", "III", "IV", "V",
                                                       "VI"].index(f[0])))


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
